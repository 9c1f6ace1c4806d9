"""Evidence crops: the page region behind a finding, written under OUT/<key>/evidence/."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from generators import crops, report_json
from model.report import (
    ClaimResult,
    DocumentRead,
    Evidence,
    Finding,
    NameMark,
    PageRead,
    Report,
    Severity,
    TextSource,
)
from tests._images import text_pdf


def report(evidence: tuple[Evidence, ...], pages: tuple[PageRead, ...] = ()) -> Report:
    """A report with one PAP003 finding resting on ``evidence``."""
    f = Finding(code="PAP003", severity=Severity.ERROR, message="姓名未标明", claim="P1",
                evidence=evidence)
    files = {e.file for e in evidence}
    docs = tuple(DocumentRead(file=file, sha256="0" * 64, media_type=None, pages=pages)
                 for file in sorted(files))
    nm = NameMark(marked=False, found=1, evidence=evidence[:1])
    return Report(applicant="a01", name="王丽", findings=(f,), documents=docs,
                  claims=(ClaimResult(id="P1", status="verified", name_mark=nm),))


def blue(img: Image.Image) -> int:
    """How many pixels are the outline's blue."""
    a = np.asarray(img.convert("RGB")).astype(int)
    return int(((a[..., 2] > 180) & (a[..., 0] < 80) & (a[..., 1] < 130)).sum())


def test_a_pdf_finding_gets_a_crop_of_its_region(tmp_path: Path) -> None:
    """This test ensures that a PDF page region is cropped, the name outlined, the path set."""
    src = tmp_path / "in"
    src.mkdir()
    text_pdf(src / "论文.pdf", ["作者：王丽　李娜"])
    out = tmp_path / "out"
    name = Evidence(file="论文.pdf", page=1, bbox=(120.0, 66.0, 160.0, 86.0), what="name")
    done = crops.add_crops(report((name,)), src, out)
    (ev,) = done.findings[0].evidence
    assert ev.crop == "evidence/PAP003-P1-1.png"
    img = Image.open(out / ev.crop)
    # 40 × 20 pt plus 4 % of the page's short side each way, at 150 dpi
    assert 140 <= img.width <= 260 and 90 <= img.height <= 160
    assert blue(img) > 50
    assert np.asarray(img.convert("L")).min() < 80  # the print is in it
    assert done.claims[0].name_mark is not None
    assert done.claims[0].name_mark.evidence[0].crop == "evidence/name-P1.png"
    doc = done.to_json()
    report_json.validate_report(doc)  # the crop field is in the schema


def test_a_scan_read_upside_down_is_cropped_upright(tmp_path: Path) -> None:
    """This test ensures that a crop of a page read turned 180° is turned upright."""
    src = tmp_path / "in"
    src.mkdir()
    upright = Image.new("RGB", (800, 200), "white")
    upright.paste((0, 0, 0), (50, 40, 90, 80))  # a black square at the top left
    upright.rotate(180).save(src / "scan.png")  # scanned upside down
    box = (800 - 500.0, 200 - 170.0, 800 - 40.0, 200 - 30.0)  # (40, 30, 500, 170) upright
    page = PageRead(page=1, text="", text_source=TextSource.OCR, confidence=0.9, rotation=180)
    done = crops.add_crops(report((Evidence("scan.png", 1, box),), (page,)), src, tmp_path)
    img = Image.open(tmp_path / done.findings[0].evidence[0].crop)
    ink = np.asarray(img.convert("L")) < 100
    ys, xs = np.nonzero(ink)
    assert xs.max() < img.width / 3 and ys.max() < img.height * 2 / 3  # still top left


def test_a_missing_file_leaves_the_finding_without_a_crop(tmp_path: Path) -> None:
    """This test ensures that a crop that cannot be made is left out, nothing raised."""
    ev = Evidence(file="gone.pdf", page=1, bbox=(0.0, 0.0, 10.0, 10.0))
    done = crops.add_crops(report((ev,)), tmp_path, tmp_path / "out")
    assert done.findings[0].evidence[0].crop is None
    assert not (tmp_path / "out" / "evidence").exists()
