"""The dossier generator's certificate pages: text, name boxes, seals, determinism, legibility."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pdfplumber
import pytest

from fixtures.dossier import draw_certs
from fixtures.dossier.docs import (
    AwardDoc,
    BBox,
    CeCertDoc,
    DateStyle,
    DegreeDoc,
    GraduationDoc,
    IdCardDoc,
    OverseasDoc,
    PageOut,
    PatentDoc,
    RegistrationDoc,
    SocialSecurityDoc,
    Style,
    TitleCertDoc,
    available_fonts,
    fmt_date,
)
from tests._dossier import accuracy, draw_pdf, ocr_image, squash

FONTS = available_fonts()
ID = "33012219820517031X"
BIRTH = dt.date(1982, 5, 17)

# (draw function, record, the page kind it must report); the records are invented.
CASES: dict[str, tuple[Callable[..., list[PageOut]], object, str]] = {
    "id_card": (draw_certs.draw_id_card, IdCardDoc(
        name="陈建国", gender="男", ethnicity="汉", birth=BIRTH,
        address="浙江省杭州市桐庐县城南街道迎春南路188号3幢2单元501室", id_number=ID,
        authority="桐庐县公安局", valid_from=dt.date(2016, 3, 12),
        valid_to=dt.date(2036, 3, 12)), "id_card"),
    "graduation": (draw_certs.draw_graduation, GraduationDoc(
        holder="陈建国", gender="男", birth=BIRTH, school="浙江工业大学", major="自动化",
        level="本科", start=dt.date(2000, 9, 1), end=dt.date(2004, 6, 30),
        number="103371200405003127", president="沈寅初"), "graduation_certificate"),
    "degree": (draw_certs.draw_degree, DegreeDoc(
        holder="陈建国", gender="男", birth=BIRTH, school="浙江工业大学", major="自动化",
        degree="工学学士", date=dt.date(2004, 6, 30), number="1033742004001256"),
        "degree_certificate"),
    "registration": (draw_certs.draw_registration, RegistrationDoc(
        holder="陈建国", gender="男", birth=BIRTH, id_number=ID, school="浙江工业大学",
        major="自动化", level="本科", start=dt.date(2000, 9, 1), end=dt.date(2004, 6, 30),
        certificate_number="103371200405003127", form_number="A7K2M9Q4X8T5N3R6",
        issued=dt.date(2022, 9, 26)), "education_registration"),
    "overseas": (draw_certs.draw_overseas, OverseasDoc(
        holder="陈建国", gender="男", birth=BIRTH,
        school="英国伦敦大学学院 (University College London)", country="英国",
        degree="理学硕士学位", major="土木工程", date=dt.date(2008, 11, 20),
        number="教留服认英[2009]04521号", issued=dt.date(2009, 3, 16)),
        "overseas_certification"),
    "title_cert": (draw_certs.draw_title_cert, TitleCertDoc(
        holder="陈建国", gender="男", birth=BIRTH, employer="杭州安盾智能科技有限公司",
        title="工程师", specialty="安全技术防范（系统集成）", date=dt.date(2015, 12, 18),
        issuer="浙江省人力资源和社会保障厅", number="A3301011500268"), "title_certificate"),
    "award": (draw_certs.draw_award, AwardDoc(
        holder="陈建国", title="浙江省安全技术防范行业科学技术奖", level="二等奖",
        project="老旧小区无线回传与光纤主干融合组网技术研究", date=dt.date(2021, 11, 8),
        issuer="浙江省安全技术防范行业协会", number="ZJAF-KJ-2021-0217"),
        "award_certificate"),
    "honour": (draw_certs.draw_award, AwardDoc(
        holder="陈建国", title="杭州市优秀安防工程师", level="", project="",
        date=dt.date(2020, 12, 28), issuer="杭州市安全技术防范行业协会",
        number="HZAF-RY-2020-046", honour=True), "award_certificate"),
    "patent": (draw_certs.draw_patent, PatentDoc(
        title="一种基于多源视频融合的周界入侵检测装置", inventors=("陈建国", "李明", "王丽"),
        patentee="杭州安盾智能科技有限公司", patent_number="ZL 2021 2 0123456.7",
        filed=dt.date(2021, 1, 18), granted=dt.date(2021, 10, 26), number="第14256783号",
        invention=False), "patent_certificate"),
    "ce_cert": (draw_certs.draw_ce_cert, CeCertDoc(
        holder="陈建国", id_number=ID, year=2021, professional=68, industry_public=8,
        general_public=16, issuer="杭州市专业技术人员继续教育基地", date=dt.date(2021, 12, 20),
        number="HZJJ2021-008831"), "ce_certificate"),
    "social_security": (draw_certs.draw_social_security, SocialSecurityDoc(
        holder="陈建国", id_number=ID, province="江苏省", start=dt.date(2005, 7, 1),
        end=dt.date(2009, 2, 28), issuer="苏州市社会保险基金管理中心",
        date=dt.date(2022, 9, 15)), "other"),
}


def style_for(name: str, layout: int) -> Style:
    """A style that varies the font and date style across types and layouts."""
    k = list(CASES).index(name) + layout
    return Style(layout=layout, font=FONTS[k % len(FONTS)],
                 date_style=list(DateStyle)[k % len(DateStyle)])


def draw(name: str, style: Style) -> tuple[bytes, list[PageOut]]:
    """Draw case ``name`` on a fresh invariant canvas; return the PDF bytes and pages."""
    fn, doc, _ = CASES[name]
    return draw_pdf(fn, doc, style)




def key_fields(doc: object, style: Style) -> list[str]:
    """Every value of ``doc`` as it must be printed: strings, dates (formatted), numbers."""
    out: list[str] = []
    for f in dataclasses.fields(doc):  # type: ignore[arg-type]
        value = getattr(doc, f.name)
        if isinstance(value, bool):
            continue
        if isinstance(value, dt.date):
            out.append(fmt_date(value, style.date_style))
        elif isinstance(value, tuple):
            out += list(value)
        elif value != "":
            out.append(str(value))
    return [squash(v) for v in out]


def holder_of(doc: object) -> str:
    """The applicant's name on ``doc`` ('' for a patent, which names inventors only)."""
    return getattr(doc, "holder", "") or getattr(doc, "name", "")


def inside(box: BBox, outer: BBox, slack: float = 2.0) -> bool:
    """Whether ``box`` lies within ``outer`` grown by ``slack`` on every side."""
    return (box[0] >= outer[0] - slack and box[1] >= outer[1] - slack
            and box[2] <= outer[2] + slack and box[3] <= outer[3] + slack)


def char_box(ch: dict) -> BBox:
    """A pdfplumber char's box, top-left origin."""
    return (ch["x0"], ch["top"], ch["x1"], ch["bottom"])


def in_seal(ch: dict, seals: tuple[BBox, ...]) -> bool:
    """Whether a char's centre lies in one of the seals."""
    cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
    return any(s[0] <= cx <= s[2] and s[1] <= cy <= s[3] for s in seals)


ALL = [(name, layout) for name in CASES for layout in (0, 1, 2)]


@pytest.mark.parametrize(("name", "layout"), ALL)
def test_page_prints_every_field_and_boxes_the_name(name: str, layout: int) -> None:
    """This test ensures that each layout prints every field and boxes the holder's name."""
    style = style_for(name, layout)
    _, doc, kind = CASES[name]
    pdf, pages = draw(name, style)
    (page,) = pages
    assert page.kind == kind
    with pdfplumber.open(io.BytesIO(pdf)) as plumb:
        assert len(plumb.pages) == 1
        pp = plumb.pages[0]
        assert (pp.width, pp.height) == pytest.approx((page.width, page.height))
        text = squash(pp.extract_text())
        for value in key_fields(doc, style):
            assert value in text, (value, text)
        chars = [ch for ch in pp.chars if not ch["text"].isspace()]
    holder = holder_of(doc)
    stream = "".join(ch["text"] for ch in chars)
    found = [i for i in range(len(stream)) if holder and stream.startswith(holder, i)]
    assert len(page.names) == len(found) >= (1 if holder else 0)
    for i in found:
        boxes = [char_box(ch) for ch in chars[i:i + len(holder)]]
        assert any(all(inside(b, nb.bbox) for b in boxes) for nb in page.names), (boxes, page)
    # the seals cover only their own red text
    for ch in chars:
        if in_seal(ch, page.seals):
            assert ch["non_stroking_color"] == pytest.approx(draw_certs.SEAL_RED), ch["text"]
    for ch in chars:  # inside the page, clear of its edges
        assert 20 <= ch["x0"] < ch["x1"] <= page.width - 20, ch["text"]
        assert 20 <= ch["top"] < ch["bottom"] <= page.height - 20, ch["text"]
    with_seal = {"graduation", "degree", "registration", "overseas", "title_cert", "award",
                 "honour", "patent"}
    assert len(page.seals) == (1 if name in with_seal else 0)
    for s in page.seals:
        assert 0 <= s[0] < s[2] <= page.width and 0 <= s[1] < s[3] <= page.height


@pytest.mark.parametrize(("name", "layout"), ALL)
def test_drawing_is_deterministic(name: str, layout: int) -> None:
    """This test ensures that drawing the same record twice gives the same bytes."""
    style = style_for(name, layout)
    assert draw(name, style)[0] == draw(name, style)[0]


def test_layout_out_of_range_is_refused() -> None:
    """This test ensures that a layout other than 0, 1 or 2 raises ValueError."""
    with pytest.raises(ValueError, match="layout"):
        draw("degree", Style(layout=3, font=FONTS[0], date_style=DateStyle.CN))


# ---------------------------------------------------------------------------------------
# legibility: Tesseract reads the rendered page
# ---------------------------------------------------------------------------------------

OCR_CASES = ALL  # every type in every layout: about 40 s with two Tesseracts at a time
OCR_DATE_STYLE = {0: DateStyle.CN, 1: DateStyle.DOT, 2: DateStyle.ISO}






def skip_without_tesseract() -> None:
    """Skip the calling test where Tesseract or its chi_sim model is missing."""
    import pytesseract

    if shutil.which("tesseract") is None or "chi_sim" not in pytesseract.get_languages():
        pytest.skip("tesseract with chi_sim is not installed")


def render(name: str, layout: int) -> tuple[object, str]:
    """Draw one page and render it at 300 dpi; return the image and the truth to read.

    The truth is the page's text layer without the seals' curved lettering (which no reader
    is meant to transcribe); everything else must be read.
    """
    import pypdfium2 as pdfium

    style = Style(layout=layout, font=FONTS[0], date_style=OCR_DATE_STYLE[layout])
    pdf, (page,) = draw(name, style)
    with pdfplumber.open(io.BytesIO(pdf)) as plumb:
        pp = plumb.pages[0]
        truth = pp.filter(lambda o: o.get("object_type") != "char"
                          or not in_seal(o, page.seals)).extract_text()
    doc = pdfium.PdfDocument(pdf)
    try:
        return doc[0].render(scale=300 / 72).to_pil(), truth
    finally:
        doc.close()


@pytest.fixture(scope="module")
def accuracies() -> dict[tuple[str, int], float]:
    """The OCR accuracy of every page in OCR_CASES (rendered in turn, read two at a time)."""
    skip_without_tesseract()
    pages = [render(*case) for case in OCR_CASES]  # PDFium is not thread-safe
    with ThreadPoolExecutor(max_workers=2) as pool:
        texts = list(pool.map(ocr_image, [img for img, _ in pages]))
    return {case: accuracy(text, truth)
            for case, text, (_, truth) in zip(OCR_CASES, texts, pages, strict=True)}


@pytest.mark.needs_tesseract
@pytest.mark.parametrize(("name", "layout"), OCR_CASES)
def test_tesseract_reads_the_page(name: str, layout: int,
                                  accuracies: dict[tuple[str, int], float]) -> None:
    """This test ensures that Tesseract reads over 90 % of a page's characters at 300 dpi."""
    assert accuracies[(name, layout)] > 0.9


@pytest.mark.needs_tesseract
def test_accuracy_metric_fails_on_a_blank_page() -> None:
    """This test ensures that the accuracy metric is low when nothing is read (control)."""
    from PIL import Image

    skip_without_tesseract()
    blank = Image.new("RGB", (2480, 3508), "white")
    assert accuracy(ocr_image(blank), "学生陈建国，性别男，于2004年6月30日毕业") < 0.5
