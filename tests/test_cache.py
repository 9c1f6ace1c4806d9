"""Nothing done twice: readings kept by content, outputs kept while their inputs stand."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from checks.policy import Policy
from extractors import cache
from extractors.cache import ReadCache, read_cached
from generators.applicant import RECORD, render_applicant
from model.report import DocumentRead, Evidence, Finding, Report, Severity
from tests._apps import make_app
from tests._images import text_pdf

pytestmark = pytest.mark.needs_tesseract


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    """A born-digital one-page certificate."""
    src = tmp_path / "src"
    src.mkdir()
    return text_pdf(src / "证书.pdf", ["专业技术资格证书 姓名：王丽 资格名称：工程师"])


def test_a_reading_is_kept_and_served_the_second_time(pdf: Path, tmp_path: Path,
                                                      policy: Policy) -> None:
    """This test ensures that a file read once is served from the cache, equal, untouched."""
    kept = ReadCache(tmp_path / "out", policy.reading)
    first, cached = read_cached(pdf, "证书.pdf", policy.reading, kept)
    assert not cached and first.pages and "王丽" in first.pages[0].text
    entries = list((tmp_path / "out" / cache.CACHE_DIR).rglob("*.pkl"))
    assert len(entries) == 1
    second, cached = read_cached(pdf, "证书.pdf", policy.reading, kept)
    assert cached and second == first
    assert not list((tmp_path / "out").rglob("*.part"))


def test_a_changed_file_name_or_setting_is_read_again(pdf: Path, tmp_path: Path,
                                                      policy: Policy) -> None:
    """This test ensures that content, name and reading settings are all in the key."""
    out = tmp_path / "out"
    read_cached(pdf, "证书.pdf", policy.reading, ReadCache(out, policy.reading))
    assert read_cached(pdf, "其他/证书.pdf", policy.reading, ReadCache(out, policy.reading))[1] \
        is False  # another name: its findings would name the other file
    other_dpi = policy.reading.model_copy(update={"dpi": 300})
    assert read_cached(pdf, "证书.pdf", other_dpi, ReadCache(out, other_dpi))[1] is False
    text_pdf(pdf, ["专业技术资格证书 姓名：王莉 资格名称：工程师"])  # the file replaced
    doc, cached = read_cached(pdf, "证书.pdf", policy.reading, ReadCache(out, policy.reading))
    assert not cached and "王莉" in doc.pages[0].text
    # the rest of the policy is not in the key: the same reading rule, the same entry
    assert ReadCache(out, policy.reading).fingerprint == cache.fingerprint(
        policy.model_copy(update={"title": "另一年"}).reading)


def test_a_damaged_entry_is_dropped_and_the_file_read_again(pdf: Path, tmp_path: Path,
                                                            policy: Policy) -> None:
    """This test ensures that a torn cache file is removed, never served."""
    kept = ReadCache(tmp_path / "out", policy.reading)
    doc, _ = read_cached(pdf, "证书.pdf", policy.reading, kept)
    entry = kept.path(doc.sha256, doc.file)
    entry.write_bytes(entry.read_bytes()[:40])
    again, cached = read_cached(pdf, "证书.pdf", policy.reading, kept)
    assert not cached and again == doc
    assert kept.get(doc.sha256, doc.file) == doc  # written anew


def test_an_interrupted_reading_is_not_kept(tmp_path: Path, policy: Policy) -> None:
    """This test ensures that a stopped reading (it may succeed next time) is not cached."""
    kept = ReadCache(tmp_path / "out", policy.reading)
    stopped = DocumentRead(file="a.pdf", sha256="0" * 64, media_type="pdf", stopped=True)
    assert kept.put(stopped) is False
    assert kept.get("0" * 64, "a.pdf") is None
    whole = dataclasses.replace(stopped, stopped=False)
    assert kept.put(whole) is True and kept.get("0" * 64, "a.pdf") == whole


# ---------------------------------------------------------------------------------------
# outputs


def _report() -> Report:
    finding = Finding(code="ID003", severity=Severity.WARNING, message="身份证未找到",
                      evidence=(Evidence(file="证书.pdf"),))
    return Report(applicant="a01", name="王丽", findings=(finding,), claims=(),
                  documents=())


def _mtimes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_unchanged_outputs_are_kept_and_any_change_renders_again(tmp_path: Path,
                                                                 policy: Policy) -> None:
    """This test ensures that a rerun writes nothing unless an input or an output changed."""
    folder = tmp_path / "out" / "a01"
    app = make_app()
    first = render_applicant(_report(), app, None, folder, title="t",
                             printing=policy.printing)
    assert not first.reused
    assert first.outputs == ("report.json", "report.html", "review-form.pdf")
    record = json.loads((folder / RECORD).read_text(encoding="utf-8"))
    assert set(record["files"]) == {"report.json", "report.html", "review-form.pdf"}
    before = _mtimes(folder)

    again = render_applicant(_report(), app, None, folder, title="t", printing=policy.printing)
    assert again.reused and again.outputs == first.outputs
    assert _mtimes(folder) == before  # nothing written

    # a changed input (the title), a deleted output, an edited output: rendered again
    assert not render_applicant(_report(), app, None, folder, title="t2",
                                printing=policy.printing).reused
    (folder / "review-form.pdf").unlink()
    assert not render_applicant(_report(), app, None, folder, title="t2",
                                printing=policy.printing).reused
    assert (folder / "review-form.pdf").is_file()
    (folder / "report.html").write_text("edited", encoding="utf-8")
    assert not render_applicant(_report(), app, None, folder, title="t2",
                                printing=policy.printing).reused
    assert "edited" not in (folder / "report.html").read_text(encoding="utf-8")
