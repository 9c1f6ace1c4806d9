"""The dossier generator's page sets: journal paper and contract proofs, name marks, seals."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import shutil
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pdfplumber
import pypdf
import pypdfium2 as pdfium
import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4
from stdnum import issn

from fixtures.dossier.docs import (
    BBox,
    ContractSetDoc,
    DateStyle,
    MarkKind,
    PageOut,
    PaperSetDoc,
    Participant,
    Style,
    TocEntry,
    available_fonts,
    capital_amount,
    fmt_amount,
    fmt_date,
)
from fixtures.dossier.draw_sets import (
    HIGHLIGHTERS,
    RED,
    draw_contract_set,
    draw_paper_set,
    similar_name,
)
from tests._dossier import accuracy, draw_pdf, ocr_image, squash

FONTS = available_fonts()
W, H = A4
APPLICANT = "王伟"
ISSN = "2096-113" + issn.calc_check_digit("2096113")
TITLE = "基于多源视频融合的园区周界入侵检测系统设计"
AUTHORS = ("赵志强", APPLICANT, "李娜")
MARKS: list[MarkKind | None] = [None, *MarkKind]
DATE_STYLES = (DateStyle.CN, DateStyle.DOT, DateStyle.HAN)

PAPER = PaperSetDoc(
    journal="安防科技与应用", year=2021, issue="05", issn=ISSN, cn="33-1417/TN",
    publisher="浙江省安防科技信息中心", title=TITLE, authors=AUTHORS,
    affiliation="杭州安盾智能科技有限公司，浙江 杭州 310012",
    abstract="针对园区周界范围大、环境复杂、传统红外对射报警误报率高的问题，设计了一种基于多源"
             "视频融合的周界入侵检测系统。系统将可见光摄像机与热成像摄像机的视频在前端进行时空"
             "配准，采用轻量级目标检测网络识别人员和车辆目标。实际部署表明，系统在夜间的检出率"
             "达到96.8%，误报率下降了72%。",
    keywords=("周界防范", "视频融合", "热成像", "目标检测"),
    toc=(TocEntry("城市级视频图像信息共享平台建设探讨", ("孙海燕", "周涛"), 1),
         TocEntry("老旧小区智能安防改造的技术路线", ("钱文杰",), 6),
         TocEntry(TITLE, AUTHORS, 12),
         TocEntry("出入口控制系统的安全等级评估方法", ("郑丽华", "冯军"), 17),
         TocEntry("入侵报警系统误报原因分析及对策", ("何永刚", "王伟东"), 22)),
    applicant=APPLICANT, mark=None,
)
CONTRACT = ContractSetDoc(
    name="杭州市西湖区文新街道智慧安防小区系统集成工程", number="XH-AF-2019-0416",
    party_a="杭州市西湖区文新街道办事处", party_b="杭州安盾智能科技有限公司",
    signed=dt.date(2019, 4, 16), amount_fen=186_000_000,
    amount_capital=capital_amount(186_000_000),
    participants=(Participant(APPLICANT, "项目负责人", "项目总体组织、技术方案审核与验收"),
                  Participant("陈晓东", "技术负责人", "系统深化设计与联调测试"),
                  Participant("刘洋", "施工员", "现场施工管理与安全")),
    applicant=APPLICANT, mark=None, signers=("张国平", "陈建国"),
)
PAPER_KINDS = ("journal_cover", "journal_copyright", "journal_toc", "article")
CONTRACT_KINDS = ("contract_cover", "contract_amount", "contract_participants", "contract_seal")


def style(layout: int, *, font: str | None = None) -> Style:
    """Layout ``layout`` with its own font, date style and amount separators."""
    return Style(layout=layout, font=font or FONTS[layout % len(FONTS)],
                 date_style=DATE_STYLES[layout], separators=layout != 2)


draw = draw_pdf




def page_text(page: pdfplumber.page.Page) -> str:
    """The page's text, then each half's (so two-column text reads whole), no whitespace."""
    halves = (page.crop((0, 0, W / 2, H)), page.crop((W / 2, 0, W, H)))
    return "|".join(squash(p.extract_text()) for p in (page, *halves))


def overlaps(a: BBox, b: BBox) -> bool:
    """Whether two top-left boxes intersect."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def same_colour(colour: object, rgb: Iterable[float]) -> bool:
    """Whether a pdfplumber colour is the RGB ``rgb`` (±0.02)."""
    rgb = tuple(rgb)
    return (isinstance(colour, tuple) and len(colour) == 3
            and all(abs(a - b) <= 0.02 for a, b in zip(colour, rgb, strict=True)))


def graphics(page: pdfplumber.page.Page) -> list[dict]:
    """Every rect, curve and line drawn on the page."""
    return [*page.rects, *page.curves, *page.lines]


def box(o: dict) -> BBox:
    """A pdfplumber object's top-left box."""
    return (o["x0"], o["top"], o["x1"], o["bottom"])


def marks_of(page: pdfplumber.page.Page, kind: MarkKind) -> list[dict]:
    """The drawn objects in the colour and manner of ``kind`` (none for a PDF highlight)."""
    if kind in HIGHLIGHTERS:
        return [o for o in graphics(page)
                if o.get("fill") and same_colour(o.get("non_stroking_color"), HIGHLIGHTERS[kind])]
    if kind in (MarkKind.RED_BOX, MarkKind.RED_UNDERLINE):
        red = (RED.red, RED.green, RED.blue)
        return [o for o in graphics(page)
                if o.get("stroke") and same_colour(o.get("stroking_color"), red)]
    return []


def any_marks(page: pdfplumber.page.Page) -> list[dict]:
    """Every drawn object in any mark colour."""
    return [o for kind in MarkKind for o in marks_of(page, kind)]


def highlights(pdf: bytes, pageno: int) -> list[BBox]:
    """The /Highlight annotations of a page (zero-based), as top-left boxes of their quads."""
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[pageno]
    out = []
    for ref in page.get("/Annots") or []:
        annot = ref.get_object()
        if annot["/Subtype"] != "/Highlight":
            continue
        q = [float(v) for v in annot["/QuadPoints"]]
        xs, ys = q[0::2], q[1::2]
        out.append((min(xs), H - max(ys), max(xs), H - min(ys)))
    return out


def needles(doc: PaperSetDoc | ContractSetDoc, kind: str, st: Style) -> list[str]:
    """The key fields a page of ``kind`` must print, as printed."""
    if isinstance(doc, PaperSetDoc):
        issue = f"第{int(doc.issue)}期"
        return {
            "journal_cover": [doc.journal, str(doc.year), issue, doc.issn, doc.cn],
            "journal_copyright": [doc.journal, doc.publisher, f"ISSN{doc.issn}",
                                  f"CN{doc.cn}", "出版日期"],
            "journal_toc": [doc.journal, issue, *(e.title for e in doc.toc),
                            *(a for e in doc.toc for a in e.authors)],
            "article": [doc.title, *doc.authors, doc.affiliation, doc.abstract[:20],
                        *doc.keywords, "中图分类号", doc.issn],
        }[kind]
    date = fmt_date(doc.signed, st.date_style)
    return {
        "contract_cover": [doc.name, doc.number, doc.party_a, doc.party_b, date],
        "contract_amount": [doc.amount_capital,
                            fmt_amount(doc.amount_fen, separators=st.separators)],
        "contract_participants": [doc.name, *(f for t in doc.participants
                                              for f in (t.name, t.role, t.duties))],
        "contract_seal": [doc.party_a, doc.party_b, date, *doc.signers],
    }[kind]


def name_count(doc: PaperSetDoc | ContractSetDoc, kind: str) -> int:
    """How often the applicant is printed as a name on a page of ``kind``."""
    a = doc.applicant
    return {
        "journal_toc": sum(a in e.authors for e in getattr(doc, "toc", ())),
        "article": int(a in getattr(doc, "authors", ())),
        "contract_participants": sum(t.name == a for t in getattr(doc, "participants", ())),
        "contract_seal": sum(s == a for s in getattr(doc, "signers", ())),
    }.get(kind, 0)


def check_set(doc: PaperSetDoc | ContractSetDoc, fn: Callable[..., list[PageOut]],
              kinds: tuple[str, ...], st: Style) -> None:
    """Draw ``doc`` and check pages, text, name boxes and marks."""
    pdf, pages = draw(fn, doc, st)
    assert [p.kind for p in pages] == list(kinds)
    with pdfplumber.open(io.BytesIO(pdf)) as plumb:
        assert len(plumb.pages) == len(pages)
        for pageno, (out, page) in enumerate(zip(pages, plumb.pages, strict=True)):
            assert (out.width, out.height) == pytest.approx(A4)
            text = page_text(page)
            for needle in needles(doc, out.kind, st):
                assert squash(needle) in text, (out.kind, needle)
            assert len(out.names) == name_count(doc, out.kind), out.kind
            for name in out.names:
                inside = [ch for ch in page.chars if ch["text"].strip() and overlaps(
                    ((ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2) * 2, name.bbox)]
                assert "".join(ch["text"] for ch in inside) == doc.applicant
                for ch in inside:
                    assert ch["x0"] >= name.bbox[0] - 2 and ch["x1"] <= name.bbox[2] + 2
                    assert ch["top"] >= name.bbox[1] - 2 and ch["bottom"] <= name.bbox[3] + 2
                assert name.mark is (doc.mark if out.kind in (
                    "journal_toc", "article", "contract_participants") else None)
            check_marks(pdf, pageno, out, page, doc.applicant)


def check_marks(pdf: bytes, pageno: int, out: PageOut, page: pdfplumber.page.Page,
                applicant: str) -> None:
    """Each printing of the applicant is marked as its NameBox says; no other name is.

    "Other names" are the other hits of the applicant's characters, e.g. 王伟 in 王伟东.
    """
    annots = highlights(pdf, pageno)
    drawn = any_marks(page)
    hits = [box(m) for m in page.search(applicant, regex=False)]
    others = [h for h in hits if not any(overlaps(h, n.bbox) for n in out.names)]
    assert len(hits) - len(others) == len(out.names), out.kind
    for name in out.names:
        x0, top, x1, bottom = name.bbox
        if name.mark is None:
            assert not any(overlaps(box(o), name.bbox) for o in drawn), out.kind
            assert not any(overlaps(q, name.bbox) for q in annots), out.kind
        elif name.mark is MarkKind.PDF_HIGHLIGHT:
            assert any(q[0] <= x0 + 0.5 and q[2] >= x1 - 0.5 and q[1] <= top + 0.5
                       and q[3] >= bottom - 0.5 for q in annots), (out.kind, annots)
            assert not any(overlaps(box(o), name.bbox) for o in drawn), out.kind
        elif name.mark is MarkKind.RED_UNDERLINE:
            assert any(bottom < o["top"] and o["bottom"] < bottom + 5 and o["x0"] <= x0 + 1
                       and o["x1"] >= x1 - 1 for o in marks_of(page, name.mark)), out.kind
        else:
            assert any(overlaps(box(o), name.bbox) for o in marks_of(page, name.mark)), out.kind
    assert len(annots) == sum(n.mark is MarkKind.PDF_HIGHLIGHT for n in out.names)
    for other in others:
        assert not any(overlaps(box(o), other) for o in drawn), out.kind
        assert not any(overlaps(q, other) for q in annots), out.kind


@pytest.mark.parametrize("mark", MARKS, ids=str)
@pytest.mark.parametrize("layout", [0, 1, 2])
def test_paper_set_pages_text_and_marks(layout: int, mark: MarkKind | None) -> None:
    """This test ensures that a paper set prints its fields and marks only the applicant."""
    check_set(dataclasses.replace(PAPER, mark=mark), draw_paper_set, PAPER_KINDS, style(layout))


@pytest.mark.parametrize("mark", MARKS, ids=str)
@pytest.mark.parametrize("layout", [0, 1, 2])
def test_contract_set_pages_text_and_marks(layout: int, mark: MarkKind | None) -> None:
    """This test ensures that a contract set prints its fields and marks only the applicant."""
    check_set(dataclasses.replace(CONTRACT, mark=mark), draw_contract_set, CONTRACT_KINDS,
              style(layout))


@pytest.mark.parametrize("layout", [0, 1, 2])
def test_absent_applicant_has_no_name_boxes(layout: int) -> None:
    """This test ensures that an applicant missing from the authors / team gets no box."""
    authors = ("赵志强", "李娜")
    paper = dataclasses.replace(
        PAPER, authors=authors, mark=MarkKind.YELLOW,
        toc=tuple(dataclasses.replace(e, authors=authors) if e.title == TITLE else e
                  for e in PAPER.toc))
    check_set(paper, draw_paper_set, PAPER_KINDS, style(layout))
    contract = dataclasses.replace(CONTRACT, participants=CONTRACT.participants[1:],
                                   mark=MarkKind.RED_BOX)
    check_set(contract, draw_contract_set, CONTRACT_KINDS, style(layout))


def test_layout_1_prints_a_similar_name_unmarked() -> None:
    """This test ensures that layout 1 prints a name containing the applicant's, unmarked."""
    assert similar_name(APPLICANT) != APPLICANT and APPLICANT in similar_name(APPLICANT)
    assert similar_name(APPLICANT) == similar_name(APPLICANT)
    for fn, doc in ((draw_paper_set, PAPER), (draw_contract_set, CONTRACT)):
        pdf, pages = draw(fn, dataclasses.replace(doc, mark=MarkKind.YELLOW), style(1))
        with pdfplumber.open(io.BytesIO(pdf)) as plumb:
            for out, page in zip(pages, plumb.pages, strict=True):
                if out.names:
                    assert page.search(similar_name(APPLICANT), regex=False), out.kind


def test_signer_who_is_the_applicant_gets_an_unmarked_box() -> None:
    """This test ensures that the applicant signing the contract is recorded, unmarked."""
    doc = dataclasses.replace(CONTRACT, signers=("张国平", APPLICANT), mark=MarkKind.PINK)
    check_set(doc, draw_contract_set, CONTRACT_KINDS, style(0))


def test_amounts_are_printed_as_given_even_when_they_disagree() -> None:
    """This test ensures that capital and figures are printed as given, not reconciled."""
    doc = dataclasses.replace(CONTRACT, amount_capital=capital_amount(168_000_000),
                              parts=("amount",))
    pdf, _ = draw(draw_contract_set, doc, style(0))
    with pdfplumber.open(io.BytesIO(pdf)) as plumb:
        text = squash(plumb.pages[0].extract_text())
    assert f"合同金额：{capital_amount(168_000_000)}（¥1,860,000.00）" in text


def test_parts_subset() -> None:
    """This test ensures that only the parts asked for are drawn, in order."""
    doc = dataclasses.replace(PAPER, parts=("cover", "copyright", "article"))
    pdf, pages = draw(draw_paper_set, doc, style(0))
    assert [p.kind for p in pages] == ["journal_cover", "journal_copyright", "article"]
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 3
    doc = dataclasses.replace(CONTRACT, parts=("participants", "cover", "amount"))
    _, pages = draw(draw_contract_set, doc, style(1))
    assert [p.kind for p in pages] == ["contract_participants", "contract_cover",
                                       "contract_amount"]
    assert not any(p.seals for p in pages)
    with pytest.raises(ValueError, match="unknown part"):
        draw(draw_paper_set, dataclasses.replace(PAPER, parts=("preface",)), style(0))


@pytest.mark.parametrize("layout", [0, 1, 2])
def test_seal_page_has_two_red_seals(layout: int) -> None:
    """This test ensures that each party's seal is red where PageOut says, and only there."""
    pdf, (out,) = draw(draw_contract_set, dataclasses.replace(CONTRACT, parts=("seal",)),
                       style(layout))
    assert len(out.seals) == 2
    doc = pdfium.PdfDocument(pdf)
    try:
        img = np.asarray(doc[0].render(scale=100 / 72).to_pil().convert("RGB"))
    finally:
        doc.close()

    def red_pixels(b: BBox) -> int:
        x0, y0, x1, y1 = (round(v * 100 / 72) for v in b)
        r, g, b_ = (img[y0:y1, x0:x1, i].astype(int) for i in range(3))
        return int(((r > 180) & (g < 90) & (b_ < 90)).sum())

    for seal in out.seals:
        assert 90 <= seal[2] - seal[0] <= 112 and seal[0] >= 0 and seal[2] <= W
        assert red_pixels(seal) > 200
    assert red_pixels((W / 2 - 60, 0, W / 2 + 60, 120)) == 0
    assert not overlaps(out.seals[0], out.seals[1])


def test_drawing_is_deterministic() -> None:
    """This test ensures that the same record draws the same bytes."""
    for fn, doc in ((draw_paper_set, PAPER), (draw_contract_set, CONTRACT)):
        for mark in (MarkKind.GREEN, MarkKind.PDF_HIGHLIGHT):
            st = style(1)
            one = draw(fn, dataclasses.replace(doc, mark=mark), st)
            two = draw(fn, dataclasses.replace(doc, mark=mark), st)
            assert one[0] == two[0] and one[1] == two[1]


# ---------------------------------------------------------------------------------------
# legibility: Tesseract reads the drawn pages
# ---------------------------------------------------------------------------------------






@pytest.fixture(scope="module")
def accuracies() -> dict[str, float]:
    """The OCR accuracy of every page kind (layout 0, yellow marks, 300 dpi), by kind."""
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract is not installed")
    st = Style(layout=0, font=FONTS[0], date_style=DateStyle.CN)
    pages: list[tuple[str, Image.Image, str]] = []
    for fn, doc in ((draw_paper_set, PAPER), (draw_contract_set, CONTRACT)):
        pdf, outs = draw(fn, dataclasses.replace(doc, mark=MarkKind.YELLOW), st)
        rendered = pdfium.PdfDocument(pdf)  # PDFium is not thread-safe: render here
        with pdfplumber.open(io.BytesIO(pdf)) as plumb:
            for i, out in enumerate(outs):
                img = rendered[i].render(scale=300 / 72).to_pil()
                pages.append((out.kind, img, plumb.pages[i].extract_text()))
        rendered.close()
    with ThreadPoolExecutor(max_workers=2) as pool:
        texts = list(pool.map(ocr_image, [img for _, img, _ in pages]))
    return {kind: accuracy(text, truth)
            for (kind, _, truth), text in zip(pages, texts, strict=True)}


@pytest.mark.needs_tesseract
@pytest.mark.parametrize("kind", PAPER_KINDS + CONTRACT_KINDS)
def test_tesseract_reads_the_page(kind: str, accuracies: dict[str, float]) -> None:
    """This test ensures that Tesseract reads over 90 % of a page's characters at 300 dpi."""
    assert accuracies[kind] > 0.9


@pytest.mark.needs_tesseract
def test_accuracy_metric_fails_on_a_blank_page() -> None:
    """This test ensures that the accuracy metric is low when nothing is read (control)."""
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract is not installed")
    blank = Image.new("RGB", (2480, 3508), "white")
    assert accuracy(ocr_image(blank), "合同金额：人民币壹佰捌拾陆万元整（¥1,860,000.00）") < 0.5
