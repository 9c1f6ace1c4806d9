"""The batch flow through Prefect's test harness, on the bundled sample batch."""

from __future__ import annotations

import datetime
import hashlib
import itertools
import json
import shutil
import threading
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from generators.report_json import validate_report
from tests.conftest import SAMPLE_BATCH, tree_digest

pytestmark = [pytest.mark.slow, pytest.mark.needs_tesseract]

TRUTH = json.loads((SAMPLE_BATCH.parent / "sample_truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sample_run(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory):
    """Run the flow once on a copy of the sample batch."""
    from flows.batch import run_batch

    batch = tmp_path_factory.mktemp("batch") / "sample"
    shutil.copytree(SAMPLE_BATCH, batch)
    before = tree_digest(batch)
    out = tmp_path_factory.mktemp("out")
    outcome = run_batch(batch, out, None, workers=2)
    return batch, before, out, outcome


def test_sample_batch_gives_expected_codes(sample_run) -> None:
    """This test ensures that each sample applicant gets exactly its planted findings."""
    _, _, out, outcome = sample_run
    assert outcome.errors == 0
    assert sorted(r.key for r in outcome.rows) == sorted(TRUTH)
    for key, truth in TRUTH.items():
        report = json.loads((out / key / "report.json").read_text(encoding="utf-8"))
        validate_report(report)
        codes = sorted(f["code"] for f in report["findings"] if not f["code"].startswith("FILE"))
        assert codes == truth["codes"], key
        files = {f["evidence"][0]["file"]: f["code"] for f in report["findings"]
                 if f["code"].startswith("FILE")}
        assert files == truth["file_codes"], key
        assert report["verdict"] == truth["verdict"], key
        assert report["scores"]["mountain_bonus"] == truth["mountain_bonus"], key
        assert report["interview"]["codes"] == truth["interview_codes"], key
        assert {c["id"]: c["status"] for c in report["claims"]} == truth["claims"], key


# Every page of the sample's evidence: file -> (kind, text source) per page, as drawn.
SAMPLE_PAGES = {
    "a01-clean": {
        "身份证.pdf": [("id_card", "text")],
        "certificates/工程师资格证书.pdf": [("title_certificate", "text")],
        "certificates/毕业证书.pdf": [("graduation_certificate", "text")],
        "certificates/学位证书.pdf": [("degree_certificate", "text")],
        "certificates/获奖证书-A1.pdf": [("award_certificate", "text")],
        "contracts/J1-施工合同.pdf": [("contract_cover", "text"), ("contract_amount", "text"),
                                   ("contract_participants", "text"), ("contract_seal", "text")],
    },
    "a02-defects": {"broken.pdf": [], "notes.docx": []},
    "a03-scanned": {
        "身份证.jpg": [("id_card", "ocr")],
        "certificates/毕业证书.jpg": [("graduation_certificate", "ocr")],
        "certificates/学位证书.pdf": [("degree_certificate", "ocr")],
        "papers/P1.pdf": [("journal_cover", "ocr"), ("journal_copyright", "ocr"),
                          ("journal_toc", "ocr"), ("article", "ocr")],
    },
}


def test_every_file_and_page_is_in_documents(sample_run) -> None:
    """This test ensures that documents[] lists every evidence file with sha256 and pages.

    Each page has the kind it was drawn as, read from the text layer (a01) or by OCR (a03).
    """
    batch, _, out, _ = sample_run
    for key, expected in SAMPLE_PAGES.items():
        report = json.loads((out / key / "report.json").read_text(encoding="utf-8"))
        docs = {d["file"]: d for d in report["documents"]}
        got = {f: [(p["kind"], p["text_source"]) for p in d["pages"]] for f, d in docs.items()}
        assert got == expected, key
        assert all(0 < p["kind_confidence"] <= 1 for d in docs.values() for p in d["pages"])
        for name, d in docs.items():
            raw = (batch / key / name).read_bytes()
            assert d["sha256"] == hashlib.sha256(raw).hexdigest(), name


def test_summary_and_review_forms_are_written(sample_run) -> None:
    """This test ensures that summary.json and three-copy review forms exist for each applicant."""
    _, _, out, _ = sample_run
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert {r["key"]: r["verdict"] for r in summary["rows"]} == {
        k: t["verdict"] for k, t in TRUTH.items()}
    for key in TRUTH:
        reader = PdfReader(out / key / "review-form.pdf")
        last = reader.pages[-1].extract_text()
        assert "第3份/共3份" in last
    assert not list(out.rglob("*.part"))


def test_batch_folder_is_untouched(sample_run) -> None:
    """This test ensures that the run wrote nothing under the batch folder."""
    batch, before, _, _ = sample_run
    assert tree_digest(batch) == before


def test_one_applicant_failing_does_not_stop_the_others(prefect_harness: None,
                                                         tmp_path: Path) -> None:
    """This test ensures that one applicant failing does not stop the others.

    The fault, caused for real: the applicant's output folder is a file.
    """
    from flows.batch import run_batch

    batch = tmp_path / "batch"
    shutil.copytree(SAMPLE_BATCH, batch)
    shutil.rmtree(batch / "a03-scanned")  # keep it quick: no OCR needed
    out = tmp_path / "out"
    out.mkdir()
    (out / "a02-defects").write_text("in the way")
    outcome = run_batch(batch, out, None, workers=2)
    rows = {r.key: r for r in outcome.rows}
    assert outcome.errors == 1
    assert rows["a02-defects"].verdict == "error" and rows["a02-defects"].error
    assert rows["a01-clean"].verdict == "pass"
    assert (out / "a01-clean" / "report.json").is_file()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert {r["key"] for r in summary["rows"]} == {"a01-clean", "a02-defects"}


def test_applicant_without_declaration_gets_app001(prefect_harness: None,
                                                   tmp_path: Path) -> None:
    """This test ensures that an applicant with no application.yaml gets APP001 and no form.

    Its evidence is still read and listed, and the other applicants are unaffected.
    """
    from flows.batch import run_batch

    batch = tmp_path / "batch"
    shutil.copytree(SAMPLE_BATCH / "a01-clean", batch / "a01-clean")
    shutil.copytree(SAMPLE_BATCH / "a01-clean", batch / "a04-nodecl")
    (batch / "a04-nodecl" / "application.yaml").unlink()
    out = tmp_path / "out"
    outcome = run_batch(batch, out, None, workers=1)
    rows = {r.key: r for r in outcome.rows}
    assert outcome.errors == 0
    assert rows["a04-nodecl"].verdict == "fail"
    assert rows["a04-nodecl"].outputs == ("report.json", "report.html", "volume-1.pdf",
                                          "volume-2.pdf")
    assert rows["a01-clean"].outputs == ("report.json", "report.html", "review-form.pdf",
                                         "volume-1.pdf", "volume-2.pdf")
    report = json.loads((out / "a04-nodecl" / "report.json").read_text(encoding="utf-8"))
    assert [f["code"] for f in report["findings"]] == ["APP001"]
    assert report["name"] is None
    assert len(report["documents"]) == len(SAMPLE_PAGES["a01-clean"])
    assert not (out / "a04-nodecl" / "review-form.pdf").exists()


def _zip_folder(folder: Path, archive: Path, top: str | None) -> Path:
    """Zip every file of ``folder`` into ``archive``, under the folder ``top`` when given."""
    import zipfile

    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                rel = p.relative_to(folder).as_posix()
                z.write(p, f"{top}/{rel}" if top else rel)
    return archive


def _same_report(out: Path, zipped: str, folder: str) -> tuple[dict, dict]:
    a = json.loads((out / zipped / "report.json").read_text(encoding="utf-8"))
    b = json.loads((out / folder / "report.json").read_text(encoding="utf-8"))
    assert (a.pop("applicant"), b.pop("applicant")) == (zipped, folder)
    return a, b


@pytest.fixture(scope="module")
def zip_run(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory):
    """Run the flow on a batch of zipped applicants beside the same files as folders.

    z01: a01-clean zipped under a top folder; z02: a02-defects zipped with its files at the
    top; z03: a zip with a member escaping upwards; a010: the generator's zipped applicant
    (seed 1, 10 applicants, born-digital), with f010 the same files as a folder.
    """
    import zipfile

    from fixtures.dossier.compose import compose
    from fixtures.generate import plan_batch
    from flows.batch import run_batch

    batch = tmp_path_factory.mktemp("zbatch") / "batch"
    for key in ("a01-clean", "a02-defects"):
        shutil.copytree(SAMPLE_BATCH / key, batch / key)
    _zip_folder(SAMPLE_BATCH / "a01-clean", batch / "z01.zip", top="z01")
    _zip_folder(SAMPLE_BATCH / "a02-defects", batch / "z02.zip", top=None)
    with zipfile.ZipFile(batch / "z03.zip", "w") as z:
        z.write(SAMPLE_BATCH / "a01-clean" / "application.yaml", "z03/application.yaml")
        z.writestr("z03/../../evil.txt", "escaped")
    plan = plan_batch(10, 1, 0.0)[9]
    assert plan.key == "a010" and plan.zipped
    truth = compose(plan, batch, 0.0, 1)
    unpacked = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(batch / "a010.zip") as z:
        z.extractall(unpacked)
    shutil.move(unpacked / "a010", batch / "f010")
    before = tree_digest(batch)
    out = tmp_path_factory.mktemp("zout")
    outcome = run_batch(batch, out, None, workers=2)
    return batch, before, out, outcome, truth


def test_zipped_applicants_read_like_their_folders(zip_run) -> None:
    """This test ensures that a zipped applicant's report equals its folder twin's.

    File names are relative to the zip's applicant root, with or without a top folder.
    """
    _, _, out, outcome, _ = zip_run
    assert outcome.errors == 0
    for zipped, folder in (("z01", "a01-clean"), ("z02", "a02-defects")):
        a, b = _same_report(out, zipped, folder)
        assert a == b, zipped
        validate_report({**a, "applicant": zipped})
    a, _ = _same_report(out, "z01", "a01-clean")
    assert sorted(d["file"] for d in a["documents"]) == sorted(SAMPLE_PAGES["a01-clean"])
    assert a["verdict"] == "pass"
    assert (out / "z01" / "review-form.pdf").is_file()


def test_generated_zipped_applicant_matches_folder_and_truth(zip_run) -> None:
    """This test ensures that the generator's a010.zip gets the folder's findings and its truth."""
    _, _, out, _, truth = zip_run
    a, b = _same_report(out, "a010", "f010")
    assert a == b
    assert a["verdict"] == truth.verdict
    assert sorted(f["code"] for f in a["findings"] if f["severity"] != "info") == sorted(
        f.code for f in truth.findings if not f.optional)
    assert sorted(d["file"] for d in a["documents"]) == sorted(truth.files)


def test_unsafe_zip_gets_one_finding_and_the_batch_goes_on(zip_run) -> None:
    """This test ensures that a zip with an escaping member is FILE004, nothing escapes."""
    batch, before, out, outcome, _ = zip_run
    rows = {r.key: r for r in outcome.rows}
    assert rows["z03"].verdict == "fail"
    assert rows["z03"].outputs == ("report.json", "report.html")
    report = json.loads((out / "z03" / "report.json").read_text(encoding="utf-8"))
    (f,) = report["findings"]
    assert f["code"] == "FILE004" and "z03/../../evil.txt" in f["message"]
    assert f["evidence"] == [{"file": "z03.zip"}]
    assert not list(batch.parent.rglob("evil.txt")) and not list(out.parent.rglob("evil.txt"))
    assert rows["a01-clean"].verdict == "pass"


def test_zip_work_folders_are_removed_and_batch_untouched(zip_run) -> None:
    """This test ensures that OUT/.work is gone after the run and BATCH was not written."""
    batch, before, out, _, _ = zip_run
    assert tree_digest(batch) == before
    assert not (out / ".work").exists()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert {r["key"] for r in summary["rows"]} == {
        "a01-clean", "a02-defects", "z01", "z02", "z03", "a010", "f010"}


def test_unpacking_crash_is_an_error_row_not_a_stop(prefect_harness: None,
                                                      tmp_path: Path) -> None:
    """This test ensures that a zip that cannot be unpacked for our own reasons is one error row.

    The fault, caused for real: OUT/.work is a file, so no work folder can be made.
    """
    from flows.batch import run_batch

    batch = tmp_path / "batch"
    shutil.copytree(SAMPLE_BATCH / "a01-clean", batch / "a01-clean")
    _zip_folder(SAMPLE_BATCH / "a01-clean", batch / "z01.zip", top="z01")
    out = tmp_path / "out"
    out.mkdir()
    (out / ".work").write_text("in the way")
    outcome = run_batch(batch, out, None, workers=2)
    rows = {r.key: r for r in outcome.rows}
    assert outcome.errors == 1
    assert rows["z01"].verdict == "error" and rows["z01"].error
    assert rows["a01-clean"].verdict == "pass"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (bash scripts/setup.sh installs it)")
    return path


def test_every_output_of_the_sample_is_print_ready(sample_run) -> None:
    """This test ensures that the sample's PDFs pass qpdf, embed every font and are A4.

    Every applicant with a declaration has its review form, report.html and two volumes; the
    batch has summary.html, the roster (xlsx and PDF), the interview and the fee lists.
    """
    import subprocess

    import openpyxl

    _, _, out, _ = sample_run
    for key in TRUTH:
        for name in ("report.json", "report.html", "review-form.pdf", "volume-1.pdf",
                     "volume-2.pdf"):
            assert (out / key / name).is_file(), (key, name)
    for name in ("summary.html", "roster.xlsx", "roster.pdf", "interviews.xlsx", "fees.xlsx"):
        assert (out / name).is_file(), name
    qpdf, pdffonts = _tool("qpdf"), _tool("pdffonts")
    pdfs = sorted(out.rglob("*.pdf"))
    assert len(pdfs) == 3 * len(TRUTH) + 1
    for pdf in pdfs:
        checked = subprocess.run([qpdf, "--check", str(pdf)], capture_output=True, text=True,
                                 check=False)
        assert checked.returncode == 0, (pdf, checked.stdout[-500:])
        fonts = subprocess.run([pdffonts, str(pdf)], capture_output=True, text=True,
                               check=True).stdout.splitlines()[2:]
        assert fonts, pdf  # text is printed in fonts, and every one of them is embedded
        assert all(line.split()[-5] == "yes" for line in fonts), (pdf, fonts)
        for page in PdfReader(pdf).pages:
            w, h = sorted((float(page.mediabox.width), float(page.mediabox.height)))
            assert abs(w - 595.28) <= 1 and abs(h - 841.89) <= 1, pdf
    from generators.roster import VERDICT_LABELS

    sheet = openpyxl.load_workbook(out / "roster.xlsx").active
    header = [c.value for c in sheet[3]]
    rows = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=4,
                                                                      values_only=True)]
    assert sorted(r["核验结论"] for r in rows) == sorted(
        VERDICT_LABELS[t["verdict"]] for t in TRUTH.values())


def _tasks_since(started: datetime.datetime, name: str) -> int:
    """How many task runs named ``name``… the test harness recorded since ``started``."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        TaskRunFilter,
        TaskRunFilterName,
        TaskRunFilterStartTime,
    )

    with get_client(sync_client=True) as client:
        return len(client.read_task_runs(task_run_filter=TaskRunFilter(
            name=TaskRunFilterName(like_=name), start_time=TaskRunFilterStartTime(
                after_=started))))


def test_a_rerun_reads_nothing_and_writes_nothing(sample_run) -> None:
    """This test ensures that a rerun of an unchanged batch takes every reading from the cache.

    It writes no applicant output again either: every file keeps its bytes and mtime, and the
    summary and roster come out equal.
    """
    from flows.batch import run_batch

    batch, _, out, first = sample_run
    assert first.files_cached == 0 and first.files_read > 0
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for key in TRUTH
              for p in (out / key).rglob("*") if p.is_file()}
    started = datetime.datetime.now(datetime.UTC)
    again = run_batch(batch, out, None, workers=2)
    assert again.files_read == 0 and again.files_cached == first.files_read
    assert again.rows == first.rows
    # a kept reading is taken without a task: the rerun ran its checks and no read task
    deadline = time.monotonic() + 30
    while _tasks_since(started, "check ") < len(TRUTH):  # the harness records runs late
        assert time.monotonic() < deadline, "the rerun's checks were never recorded"
        time.sleep(0.5)
    assert _tasks_since(started, "read ") == 0
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for key in TRUTH
             for p in (out / key).rglob("*") if p.is_file()}
    assert after == before


def _pdf_texts(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(pdf).pages]


def _outputs(out: Path) -> dict[str, object]:
    """What a run leaves, to compare: every report.json, every PDF's text, the other files."""
    got: dict[str, object] = {}
    for p in sorted(out.rglob("*")):
        rel = p.relative_to(out).as_posix()
        if not p.is_file() or rel.startswith(".cache/"):
            continue
        if p.name == "report.json":
            got[rel] = json.loads(p.read_text(encoding="utf-8"))
        elif p.suffix == ".pdf":
            got[rel] = _pdf_texts(p)
        else:
            got[rel] = "present"
    return got


def test_a_run_killed_midway_then_rerun_ends_as_an_uninterrupted_run(sample_run,
                                                                    tmp_path: Path) -> None:
    """This test ensures that SIGKILL in the middle, then a rerun, gives the same outputs.

    For real: `pingshen run` is started, killed with its whole process group as soon as the
    first readings are cached (the scanned applicant still being OCR'd), and run again.
    Its report.json files and the text of its PDFs equal those of the uninterrupted run.
    """
    import os
    import signal
    import subprocess
    import sys
    import time

    from extractors.cache import CACHE_DIR

    batch, _, reference, _ = sample_run
    out = tmp_path / "out"
    env = os.environ.copy()
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    cmd = [sys.executable, "-m", "flows.cli", "run", str(batch), "--out", str(out),
           "--workers", "2"]
    log = tmp_path / "killed-run.log"
    with log.open("wb") as err:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err,
                                start_new_session=True)
        try:
            deadline = time.monotonic() + 240
            while not list((out / CACHE_DIR).rglob("*.pkl")):
                assert proc.poll() is None, log.read_text(errors="replace")[-2000:]
                assert time.monotonic() < deadline, "no reading was cached in time"
                time.sleep(0.2)
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert not (out / "summary.json").exists()  # killed in the middle, not at the end
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Readings kept from an earlier run" in done.stdout
    assert not list(out.rglob("*.part"))
    assert _outputs(out) == _outputs(reference)


def _readers_at_once(stop: threading.Event, seen: list[int]) -> None:
    """Count, every 5 ms, the reading processes (children of the forkserver) alive."""
    from multiprocessing import forkserver

    while not stop.is_set():
        server = forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]
        if server:
            try:
                kids = Path(f"/proc/{server}/task/{server}/children").read_text().split()
            except OSError:
                kids = []
            seen.append(len(kids))
        stop.wait(0.005)


def test_one_worker_reads_one_file_at_a_time_and_renders_beside_it(prefect_harness: None,
                                                                   tmp_path: Path) -> None:
    """This test ensures that ``workers`` bounds the reads, not the checks and renders.

    With one worker, no two files are read at once (reading processes counted as they run),
    and an applicant's outputs are written while the next applicant's files are read (they
    used to wait for the worker's only thread), with the file after waiting for the worker
    (its task started ahead, so the worker need not wait for Prefect to start it).
    """
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import TaskRunFilter, TaskRunFilterName

    from flows.batch import run_batch

    batch = tmp_path / "batch"
    shutil.copytree(SAMPLE_BATCH / "a01-clean", batch / "slot1-clean")
    shutil.copytree(SAMPLE_BATCH / "a03-scanned", batch / "slot2-scanned")
    stop, seen = threading.Event(), []
    counter = threading.Thread(target=_readers_at_once, args=(stop, seen), daemon=True)
    counter.start()
    try:
        outcome = run_batch(batch, tmp_path / "out", None, workers=1)
    finally:
        stop.set()
        counter.join()
    assert outcome.errors == 0
    assert max(seen) == 1
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_=" slot")))
    spans: dict[str, list[tuple[object, object]]] = {"read": [], "render": []}
    for run in runs:
        kind = run.name.split(" ")[0]
        if kind in spans:
            assert run.start_time is not None and run.end_time is not None, run.name
            spans[kind].append((run.start_time, run.end_time))
    files = len(SAMPLE_PAGES["a01-clean"]) + len(SAMPLE_PAGES["a03-scanned"])
    assert len(spans["read"]) == files and len(spans["render"]) == 2
    assert any(r[0] < f[1] and f[0] < r[1]  # type: ignore[operator]
               for r in spans["render"] for f in spans["read"])
    # … and while it is written, the next file waits for the worker, its task started
    assert any(max(r[0], a[0], b[0]) < min(r[1], a[1], b[1])  # type: ignore[type-var]
               for r in spans["render"] for a, b in itertools.combinations(spans["read"], 2))
