"""The batch flow through Prefect's test harness, on the bundled sample batch."""

from __future__ import annotations

import json
import shutil
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


def test_every_file_and_page_is_in_documents(sample_run) -> None:
    """This test ensures that documents[] lists every evidence file with sha256 and pages."""
    batch, _, out, _ = sample_run
    report = json.loads((out / "a03-scanned" / "report.json").read_text(encoding="utf-8"))
    docs = {d["file"]: d for d in report["documents"]}
    assert set(docs) == {"certificates/毕业证书.jpg", "papers/P1.pdf"}
    assert [p["text_source"] for p in docs["papers/P1.pdf"]["pages"]] == ["text", "text"]
    (scan,) = docs["certificates/毕业证书.jpg"]["pages"]
    assert scan["text_source"] == "ocr" and scan["kind"] == "unknown"
    import hashlib

    raw = (batch / "a03-scanned" / "certificates" / "毕业证书.jpg").read_bytes()
    assert docs["certificates/毕业证书.jpg"]["sha256"] == hashlib.sha256(raw).hexdigest()


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
    assert rows["a04-nodecl"].outputs == ("report.json",)
    assert rows["a01-clean"].outputs == ("report.json", "review-form.pdf")
    report = json.loads((out / "a04-nodecl" / "report.json").read_text(encoding="utf-8"))
    assert [f["code"] for f in report["findings"]] == ["APP001"]
    assert report["name"] is None
    assert len(report["documents"]) == 1
    assert not (out / "a04-nodecl" / "review-form.pdf").exists()
