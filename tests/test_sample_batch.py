"""Tests of the bundled sample batch (fixtures/sample-batch) and of its generator."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import chinese_calendar
import cn2an
import numpy as np
import pdfplumber
import pypdfium2 as pdfium
import pytest
import yaml
from PIL import Image
from stdnum.cn import ric

from fixtures import make_sample
from model.application import Application
from model.report import Severity
from model.rules import SEVERITY

FIXTURES = Path(make_sample.__file__).parent
BATCH = FIXTURES / "sample-batch"
TRUTH = FIXTURES / "sample_truth.json"
APPLICANTS = ("a01-clean", "a02-defects", "a03-scanned")
DIPLOMA = BATCH / "a03-scanned" / "certificates" / "毕业证书.jpg"

needs_font = pytest.mark.skipif(
    not make_sample.CJK_FONT_PATH.is_file(), reason="fonts-wqy-zenhei is not installed"
)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _application(key: str) -> Application:
    folder = BATCH / key
    yaml_file = folder / "application.yaml"
    if yaml_file.exists():
        return Application.model_validate(yaml.safe_load(yaml_file.read_text(encoding="utf-8")))
    data = json.loads((folder / "application.json").read_text(encoding="utf-8"))
    return Application.model_validate(data)


def _working_days(start: dt.date, end: dt.date) -> int:
    days = (end - start).days + 1
    return sum(chinese_calendar.is_workday(start + dt.timedelta(days=i)) for i in range(days))


@needs_font
def test_regeneration_is_byte_identical(tmp_path: Path) -> None:
    """This test ensures that make_sample rewrites the committed batch byte for byte."""
    make_sample.make_batch(tmp_path)
    fresh, committed = _files(tmp_path), _files(BATCH)
    assert sorted(fresh) == sorted(committed)
    changed = [name for name in fresh if fresh[name] != committed[name]]
    assert changed == []


def test_batch_is_small() -> None:
    """This test ensures that the sample batch stays under 3 MB in all."""
    total = sum(len(b) for b in _files(BATCH).values())
    assert total < 3 * 1024 * 1024


def test_batch_yaml() -> None:
    """This test ensures that batch.yaml names the 2022 policy."""
    data = yaml.safe_load((BATCH / "batch.yaml").read_text(encoding="utf-8"))
    assert data == {"policy": "zj-anfang-2022", "title": "示例批次"}


@pytest.mark.parametrize("key", APPLICANTS)
def test_application_validates(key: str) -> None:
    """This test ensures that each applicant's declaration validates as an Application."""
    app = _application(key)
    assert app.applicant.name
    assert len(app.applicant.id_number) == 18


def test_a03_uses_json() -> None:
    """This test ensures that a03 exercises application.json instead of YAML."""
    assert (BATCH / "a03-scanned" / "application.json").is_file()
    assert not (BATCH / "a03-scanned" / "application.yaml").exists()


def test_clean_photo_meets_the_rules() -> None:
    """This test ensures that a01's photo has the planted valid size, ratio and background."""
    path = BATCH / "a01-clean" / "photo.jpg"
    assert 30 * 1024 < path.stat().st_size < 1024 * 1024
    with Image.open(path) as im:
        assert im.format == "JPEG"
        w, h = im.size
        rgb = im.convert("RGB")
    assert (w, h) == (390, 520)
    assert w > 215 and h > 300
    assert 0.65 <= w / h <= 0.8
    top = rgb.crop((0, 0, w, h // 10))
    left = rgb.crop((0, 0, w // 10, h // 2))
    right = rgb.crop((w - w // 10, 0, w, h // 2))
    for band in (top, left, right):
        assert min(lo for lo, _ in band.getextrema()) >= 235


def test_defect_photo_is_small_and_square() -> None:
    """This test ensures that a02's photo is a JPEG too small in bytes and of the wrong ratio."""
    path = BATCH / "a02-defects" / "photo.jpg"
    assert path.stat().st_size <= 30 * 1024  # PH003
    with Image.open(path) as im:
        assert im.format == "JPEG"  # not PH002
        w, h = im.size
    assert w > 215 and h > 300  # not PH004
    assert not 0.65 <= w / h <= 0.8  # PH005


@pytest.mark.parametrize("key", ["a01-clean", "a03-scanned"])
def test_clean_id_numbers_are_valid(key: str) -> None:
    """This test ensures that the clean applicants' ID numbers agree with GB 11643 and the data."""
    a = _application(key).applicant
    assert ric.is_valid(a.id_number)
    assert ric.get_birth_date(a.id_number) == a.birth_date
    assert ("男" if int(a.id_number[16]) % 2 else "女") == a.gender


def test_defect_id_number_is_valid_but_gender_differs() -> None:
    """This test ensures that a02 plants ID002 only: a valid number, the other gender."""
    a = _application("a02-defects").applicant
    assert ric.is_valid(a.id_number)
    assert ric.get_birth_date(a.id_number) == a.birth_date
    assert ("男" if int(a.id_number[16]) % 2 else "女") != a.gender


@pytest.mark.parametrize(
    ("key", "days", "chars_over"),
    [("a01-clean", 5, False), ("a02-defects", 3, True), ("a03-scanned", 5, False)],
)
def test_planted_publicity_and_statement(key: str, days: int, chars_over: bool) -> None:
    """This test ensures that publicity lengths and self-statement lengths are as planted."""
    a = _application(key).applicant
    assert a.publicity is not None
    assert _working_days(a.publicity.start, a.publicity.end) == days
    assert a.publicity.end <= dt.date(2022, 10, 27)
    assert (len(re.sub(r"\s", "", a.self_statement)) > 1000) is chars_over


def test_truth_is_consistent() -> None:
    """This test ensures that sample_truth.json's verdicts and summaries follow its codes."""
    truth = json.loads(TRUTH.read_text(encoding="utf-8"))
    assert sorted(truth) == sorted(APPLICANTS)
    for key, t in truth.items():
        codes = t["codes"]
        assert codes == sorted(set(codes))
        severities = {SEVERITY[c] for c in codes}
        if Severity.ERROR in severities:
            expected = "fail"
        elif Severity.WARNING in severities:
            expected = "review"
        else:
            expected = "pass"
        assert t["verdict"] == expected, key
        assert t["interview_codes"] == [c for c in codes if c.startswith("INT")]
        assert ("SCR004" in codes) == (t["mountain_bonus"] > 0)
        for name, code in t["file_codes"].items():
            assert (BATCH / key / name).is_file()
            assert code.startswith("FILE")
        app = _application(key)
        ids = [a.id for a in app.achievements] + [f"education:{i}" for i in
                                                  range(len(app.education))]
        assert sorted(t["claims"]) == sorted(ids), key
        assert set(t["claims"].values()) <= {"verified", "unproven", "mismatch"}


# ---------------------------------------------------------------------------------------
# the planted evidence: what each proof says, read from the files without OCR
# ---------------------------------------------------------------------------------------

A01 = BATCH / "a01-clean"
A03 = BATCH / "a03-scanned"
A01_CONTRACT = A01 / "contracts" / "J1-施工合同.pdf"


def _text(path: Path) -> list[str]:
    """The text layer of every page, without whitespace."""
    with pdfplumber.open(path) as pdf:
        return ["".join((page.extract_text() or "").split()) for page in pdf.pages]


def _cn(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _yellow(img: Image.Image) -> int:
    """How many pixels of ``img`` are highlighter yellow."""
    r, g, b = (np.asarray(img.convert("RGB")).astype(int)[..., i] for i in range(3))
    return int(((r > 200) & (g > 190) & (b < 170)).sum())


def _page_image(path: Path, pageno: int, dpi: int = 72) -> Image.Image:
    """Page ``pageno`` (zero-based) of a PDF rendered by PDFium."""
    doc = pdfium.PdfDocument(path)
    try:
        return doc[pageno].render(scale=dpi / 72).to_pil()
    finally:
        doc.close()


def test_a01_evidence_agrees_with_the_declaration() -> None:
    """This test ensures that a01's born-digital proofs print what application.yaml declares.

    ID card (name, number, birth), diploma and degree (school, major, number, date), award
    (title, level, year), contract (name, date, amount in figures and in capital numerals,
    the applicant's row with the declared role).
    """
    app = _application("a01-clean")
    a, (edu,) = app.applicant, app.education
    (card,) = _text(A01 / "身份证.pdf")
    for value in (a.name, a.id_number, _cn(a.birth_date), a.gender):
        assert value in card
    (diploma,) = _text(A01 / "certificates" / "毕业证书.pdf")
    for value in (a.name, edu.school, edu.major, edu.level, edu.certificate_number,
                  _cn(edu.graduation_date)):
        assert value in diploma
    (degree,) = _text(A01 / "certificates" / "学位证书.pdf")
    for value in (a.name, edu.school, edu.major, edu.degree, _cn(edu.graduation_date)):
        assert value in degree
    j1, a1 = (next(x for x in app.achievements if x.id == i) for i in ("J1", "A1"))
    (award,) = _text(A01 / "certificates" / "获奖证书-A1.pdf")
    for value in (a.name, a1.title, a1.level, f"{a1.year}年"):
        assert value in award
    cover, amount, team, seal = _text(A01_CONTRACT)
    assert j1.title in cover and _cn(j1.signed_on) in cover and j1.title in team
    assert j1.amount is not None
    assert f"¥{j1.amount:,.2f}" in amount
    capital = re.search(r"人民币([零壹贰叁肆伍陆柒捌玖拾佰仟万亿]+)元整", amount)
    assert capital is not None
    assert cn2an.cn2an(capital.group(1), "normal") == j1.amount
    assert f"{a.name}{j1.role}" in team
    assert _cn(j1.signed_on) in seal and "乙方" in seal


def test_a01_participant_name_is_highlighted() -> None:
    """This test ensures that a01's name in the participant table is marked with a highlighter."""
    with pdfplumber.open(A01_CONTRACT) as pdf:
        page = pdf.pages[2]
        words = page.extract_words()
        (name,) = [w for w in words if w["text"] == "陈建国"]
    img = _page_image(A01_CONTRACT, 2, dpi=144)
    s = 2
    box = img.crop((round(name["x0"] * s) - 4, round(name["top"] * s) - 4,
                    round(name["x1"] * s) + 4, round(name["bottom"] * s) + 4))
    assert _yellow(box) > box.width * box.height // 3
    other = img.crop((0, round(name["bottom"] * s) + 60, img.width, img.height))
    assert _yellow(other) == 0  # nothing else on the page is marked


def test_a03_evidence_is_scanned_and_marked() -> None:
    """This test ensures that a03's proofs are images or image-only PDFs, the name highlighted.

    The paper's table of contents and article page carry a yellow mark; its cover and 刊号
    page do not.
    """
    evidence = sorted(p.relative_to(A03).as_posix() for p in A03.rglob("*")
                      if p.suffix in (".pdf", ".jpg") and p.name != "photo.jpg")
    assert evidence == ["certificates/学位证书.pdf", "certificates/毕业证书.jpg",
                        "papers/P1.pdf", "身份证.jpg"]
    for name in evidence:
        if name.endswith(".pdf"):
            assert not "".join(_text(A03 / name)), name
    paper = A03 / "papers" / "P1.pdf"
    marked = [_yellow(_page_image(paper, i)) > 50 for i in range(4)]
    assert marked == [False, False, True, True]


def test_a02_has_no_proof() -> None:
    """This test ensures that a02 uploads no ID card or proof: only its two bad files."""
    files = sorted(p.name for p in (BATCH / "a02-defects").rglob("*") if p.is_file())
    assert files == ["application.yaml", "broken.pdf", "notes.docx", "photo.jpg"]


@pytest.mark.needs_tesseract
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_scanned_diploma_is_legible() -> None:
    """This test ensures that Tesseract (chi_sim) reads the holder's name and school."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    result = subprocess.run(
        ["tesseract", str(DIPLOMA), "-", "-l", "chi_sim"],
        capture_output=True,
        check=True,
        env=env,
        timeout=120,
    )
    text = result.stdout.decode("utf-8")
    text = re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", text)
    assert "王丽" in text
    assert "杭州电子科技大学" in text
