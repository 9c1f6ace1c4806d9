"""Every file of the public corpus (../shared/corpus/public) through the batch, in one run.

The corpus holds real third-party files built to break readers: loops in the page tree,
a 35000×35000 px image, 619 pages, bare library exceptions, passwords. The rule: each file
gives its text or a FILE finding that names it and says why, and the batch goes on.
"""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from tests.conftest import CORPUS, SAMPLE_BATCH

pytestmark = [pytest.mark.slow, pytest.mark.needs_tesseract]

if not (CORPUS / "MANIFEST.tsv").is_file():
    pytest.skip("the public corpus is not beside this checkout", allow_module_level=True)

_ROWS = (CORPUS / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
MANIFEST = {row["path"]: row for row in csv.DictReader(_ROWS, delimiter="\t")}


@pytest.fixture(scope="module")
def corpus_run(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory):
    """One applicant whose evidence is the whole corpus, run through the batch flow."""
    from flows.batch import run_batch

    batch = tmp_path_factory.mktemp("corpus-batch")
    applicant = batch / "corpus"
    shutil.copytree(CORPUS, applicant, ignore=shutil.ignore_patterns("MANIFEST.tsv",
                                                                     "README.md"))
    shutil.copy(SAMPLE_BATCH / "a01-clean" / "application.yaml", applicant)
    out = tmp_path_factory.mktemp("corpus-out")
    outcome = run_batch(batch, out, None, workers=2)
    report = json.loads((out / "corpus" / "report.json").read_text(encoding="utf-8"))
    return outcome, report


def _file_findings(report: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for f in report["findings"]:
        if f["code"].startswith("FILE"):
            for ev in f["evidence"]:
                out.setdefault(ev["file"], []).append(f)
    return out


def test_every_corpus_file_gives_text_or_a_reason(corpus_run) -> None:
    """This test ensures that no corpus file is lost, silent, or crashes the batch."""
    outcome, report = corpus_run
    assert outcome.errors == 0
    docs = {d["file"]: d for d in report["documents"]}
    assert set(docs) == set(MANIFEST)
    problems = _file_findings(report)
    for path in MANIFEST:
        has_pages = bool(docs[path]["pages"])
        reasons = problems.get(path, [])
        assert has_pages or reasons, f"{path}: neither pages nor a finding"
        for f in reasons:
            assert path in f["message"] and len(f["message"]) > len(path) + 4, f


def test_corpus_files_get_the_finding_their_kind_calls_for(corpus_run) -> None:
    """This test ensures that each kind of hostile file gets its own finding."""
    _, report = corpus_run
    docs = {d["file"]: d for d in report["documents"]}
    problems = {path: {f["code"] for f in fs} for path, fs in _file_findings(report).items()}
    for path, row in MANIFEST.items():
        if row["kind"] == "encrypted-userpw":
            assert problems.get(path) == {"FILE002"}, path
        if row["kind"] == "encrypted-ownerpw":  # only an owner password: it opens
            assert docs[path]["pages"], path
    assert problems["ocrmypdf/hugemono.pdf"] == {"FILE004"}
    assert problems["unstructured/DA-619p.pdf"] == {"FILE004"}
    assert problems["unstructured/DA-1p.heic"] == {"FILE003"}
    assert problems["docling/webp-test.webp"] == {"FILE003"}
    assert problems["ocrmypdf/invalid.pdf"] == {"FILE001"}


def test_damaged_pdfs_are_read_by_whichever_library_can(corpus_run) -> None:
    """This test ensures that a PDF one library refuses is read through another."""
    _, report = corpus_run
    docs = {d["file"]: d for d in report["documents"]}
    # pypdf refuses these (no xref, a looping page tree or /Prev chain); pdfplumber or
    # PDFium reads them.
    for path, pages in {"pdfminer/simple1.pdf": 1, "qpdf/pages-loop.pdf": 1,
                        "qpdf/append-xref-loop.pdf": 30, "qpdf/bad11.pdf": 1,
                        "sample-files/unreadablemetadata.pdf": 1}.items():
        assert len(docs[path]["pages"]) == pages, path
        assert any(p["text_source"] != "none" for p in docs[path]["pages"]), path


def test_born_digital_corpus_files_keep_their_text_layer(corpus_run) -> None:
    """This test ensures that a sound text layer is used, not replaced by OCR."""
    _, report = corpus_run
    docs = {d["file"]: d for d in report["documents"]}
    for path in ("pdftools/chinese.pdf", "pypdf/multilang.pdf", "sample-files/multicolumn.pdf",
                 "pdfplumber/issue-67-example.pdf"):
        assert MANIFEST[path]["kind"] == "born-digital"
        assert {p["text_source"] for p in docs[path]["pages"]} == {"text"}, path
