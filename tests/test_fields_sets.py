"""Tests of the set parsers (extractors/fields/journal.py, contract.py) on drawn, read sets.

Each set is drawn by the dossier generator (fixtures/dossier/draw_sets.py), written as a
PDF (born-digital) or as rendered, degraded page images in an image-only PDF (scanned),
read back with the real reader and parsed; the fields must be what the record printed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from checks.policy import Policy
from extractors.fields import contract as contract_fields
from extractors.fields import journal as journal_fields
from extractors.fields import parse_document
from extractors.fields.contract import participant_rows, role_of
from extractors.reading import read_document
from fixtures.dossier import scan
from fixtures.dossier.docs import (
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
)
from fixtures.dossier.draw_sets import draw_contract_set, draw_paper_set, similar_name
from model.fields import DocumentFields, Family
from model.marks import Seal
from model.report import DocumentRead, PageKind, PageRead, TextSource, Word
from tests._dossier import draw_pdf

FONTS = available_fonts()
DATE_STYLES = (DateStyle.CN, DateStyle.DOT, DateStyle.HAN)
APPLICANT = "王伟"
TITLE = "基于边缘计算的出入口控制系统设计与实现"
AUTHORS = ("孙海燕", APPLICANT, "李娜")

PAPER = PaperSetDoc(
    journal="中国公共安全",
    year=2022,
    issue="11",
    issn="1672-7045",
    cn="11-5207/D",
    publisher="中国安全防范产品行业协会",
    title=TITLE,
    authors=AUTHORS,
    affiliation="宁波市智安智能科技有限公司，浙江 宁波 315000",
    abstract="针对出入口控制系统在实际应用中存在的问题，本文提出了一种基于边缘计算的解决方案，"
    "介绍了系统的总体架构、关键技术和工程实施要点。",
    keywords=("边缘计算", "出入口控制", "系统集成"),
    toc=(
        TocEntry("城市级视频图像信息共享平台建设探讨", ("钱文杰", "周涛"), 3),
        TocEntry(TITLE, AUTHORS, 9),
        TocEntry("入侵报警系统误报原因分析及对策", ("何永刚", "王伟东"), 15),
    ),
    applicant=APPLICANT,
    mark=MarkKind.RED_BOX,
)
CONTRACT = ContractSetDoc(
    name="宁波市科技园视频监控系统建设项目",
    number="HT-2017-251",
    party_a="宁波市公安局",
    party_b="宁波市联安电子工程有限公司",
    signed=dt.date(2017, 2, 8),
    amount_fen=262_494_600,
    amount_capital=capital_amount(262_494_600),
    participants=(
        Participant("张俊涛", "技术员", "现场施工与设备调试"),
        Participant(APPLICANT, "项目经理", "项目总体方案设计、技术管理与系统联调"),
        Participant("董佳", "安全员", "现场施工与设备调试"),
    ),
    applicant=APPLICANT,
    mark=MarkKind.RED_UNDERLINE,
    signers=("张国平", "陈建国"),
)
SCAN = scan.Degradation(
    dpi=200, angle=0.6, noise=3.0, blur=0.4, jpeg_quality=80, light=0.04, seed=5
)


def style(layout: int) -> Style:
    """Layout ``layout`` with its own font, date style and amount separators."""
    return Style(
        layout=layout,
        font=FONTS[layout % len(FONTS)],
        date_style=DATE_STYLES[layout],
        separators=layout != 2,
    )


def read_set(
    draw: Callable[..., list[PageOut]],
    doc: object,
    st: Style,
    tmp: Path,
    policy: Policy,
    *,
    scanned: bool = False,
) -> DocumentRead:
    """Draw ``doc``, write it (as degraded page images when ``scanned``) and read it back."""
    pdf, pages = draw_pdf(draw, doc, st)
    if scanned:
        images = [
            (scan.degrade(scan.rasterise(pdf, i, SCAN.dpi), SCAN)[0], SCAN.dpi, SCAN.jpeg_quality)
            for i in range(len(pages))
        ]
        pdf = scan.to_image_pdf(images)
    path = tmp / "set.pdf"
    path.write_bytes(pdf)
    return read_document(path, "项目/set.pdf", policy.reading)


def only(doc: DocumentRead, family: Family) -> DocumentFields:
    """The one document of ``family`` that parse_document finds in ``doc``."""
    found = [d for d in parse_document(doc) if d.family == family]
    assert len(found) == 1, found
    return found[0]


# ---------------------------------------------------------------------------------------
# journal, born-digital


@pytest.mark.parametrize("layout", [0, 1, 2])
def test_paper_set_fields_born_digital(layout: int, tmp_path: Path, policy: Policy) -> None:
    """This test ensures that a born-digital paper set yields the record's fields."""
    doc = read_set(draw_paper_set, PAPER, style(layout), tmp_path, policy)
    f = only(doc, Family.JOURNAL)
    assert f.file == "项目/set.pdf" and f.pages == (1, 2, 3, 4)
    assert f.parts == {"cover": 1, "copyright": 2, "toc": 3, "article": 4}
    assert f.value("title") == TITLE
    assert f.value("journal") == PAPER.journal
    assert f.value("issn") == PAPER.issn
    assert f.value("cn") == PAPER.cn
    assert f.value("year") == PAPER.year
    assert f.value("issue") == PAPER.issue
    assert f.value("authors") == AUTHORS
    assert f.fields["authors"].verified
    titles = [e.title for e in PAPER.toc]
    toc = f.value("toc")
    assert isinstance(toc, tuple)
    assert toc[: len(titles)] == tuple(titles) if layout != 1 else set(titles) <= set(toc)
    authors = dict(zip(toc, f.value("toc_authors"), strict=True))  # type: ignore[arg-type]
    assert authors[TITLE] == "，".join(AUTHORS)
    entry = f.fields["toc_entry"]
    assert entry.value == TITLE and entry.page == 3 and entry.bbox is not None
    for name in ("title", "authors"):
        assert f.fields[name].page == 4 and f.fields[name].bbox is not None
        assert f.fields[name].confidence == 1.0


def test_paper_title_box_is_where_the_title_is(tmp_path: Path, policy: Policy) -> None:
    """This test ensures that a field's bbox is the box of the words it was read from."""
    doc = read_set(draw_paper_set, PAPER, style(0), tmp_path, policy)
    f = only(doc, Family.JOURNAL)
    article = doc.pages[3]
    title_words = [w for w in article.words if w.text in TITLE and len(w.text) > 4]
    x0, top, x1, bottom = f.fields["title"].bbox  # type: ignore[misc]
    for w in title_words:
        assert x0 <= w.bbox[0] and w.bbox[2] <= x1 and top <= w.bbox[1] and w.bbox[3] <= bottom


def test_paper_without_copyright_page_takes_the_cover(tmp_path: Path, policy: Policy) -> None:
    """This test ensures that a cover printing ISSN and CN stands for the 刊号 page."""
    doc = dataclasses.replace(PAPER, parts=("cover", "toc", "article"))
    f = only(read_set(draw_paper_set, doc, style(0), tmp_path, policy), Family.JOURNAL)
    assert f.parts == {"cover": 1, "copyright": 1, "toc": 2, "article": 3}
    assert (f.value("issn"), f.value("cn")) == (PAPER.issn, PAPER.cn)
    assert (f.value("year"), f.value("issue")) == (PAPER.year, PAPER.issue)


def test_paper_without_toc_says_so(tmp_path: Path, policy: Policy) -> None:
    """This test ensures that a missing table of contents is missing from parts and fields."""
    doc = dataclasses.replace(PAPER, parts=("cover", "copyright", "article"))
    f = only(read_set(draw_paper_set, doc, style(2), tmp_path, policy), Family.JOURNAL)
    assert f.parts == {"cover": 1, "copyright": 2, "article": 3}
    assert "toc" not in f.fields and "toc_entry" not in f.fields
    assert f.value("title") == TITLE and f.value("authors") == AUTHORS


def test_paper_whose_article_is_not_in_the_toc(tmp_path: Path, policy: Policy) -> None:
    """This test ensures that no toc entry is matched when the article is not listed."""
    doc = dataclasses.replace(PAPER, toc=tuple(e for e in PAPER.toc if e.title != TITLE))
    f = only(read_set(draw_paper_set, doc, style(0), tmp_path, policy), Family.JOURNAL)
    assert TITLE not in (f.value("toc") or ())
    assert "toc_entry" not in f.fields
    assert f.value("title") == TITLE


# ---------------------------------------------------------------------------------------
# contract, born-digital


def _rows(doc: ContractSetDoc, layout: int) -> tuple[str, ...]:
    rows = [f"{p.name}|{p.role}|{p.duties}" for p in doc.participants]
    if layout == 1:
        rows.append(f"{similar_name(doc.applicant)}|技术员|设备安装调试与资料整理")
    return tuple(rows)


@pytest.mark.parametrize("layout", [0, 1, 2])
def test_contract_set_fields_born_digital(layout: int, tmp_path: Path, policy: Policy) -> None:
    """This test ensures that a born-digital contract set yields the record's fields."""
    doc = read_set(draw_contract_set, CONTRACT, style(layout), tmp_path, policy)
    f = only(doc, Family.CONTRACT)
    assert f.parts == {"cover": 1, "amount": 2, "participants": 3, "seal": 4}
    assert f.value("title") == CONTRACT.name
    assert f.value("number") == CONTRACT.number
    assert f.value("party_a") == CONTRACT.party_a
    assert f.value("party_b") == CONTRACT.party_b
    assert f.value("signed_on") == "2017-02-08"
    assert f.value("amount") == 2_624_946.0
    assert f.value("amount_capital") == CONTRACT.amount_capital
    assert f.fields["amount_capital"].verified
    assert f.value("amount_capital_value") == 2_624_946.0
    assert f.value("participants") == _rows(CONTRACT, layout)
    assert f.value("seal_page") is True
    assert f.fields["amount"].page == 2 and f.fields["participants"].page == 3
    assert role_of(f, APPLICANT) == "项目经理"
    assert role_of(f, "董佳") == "安全员"


def test_role_of_never_matches_a_similar_name(tmp_path: Path, policy: Policy) -> None:
    """This test ensures that role_of compares names exactly: 王伟 is not 王伟强 nor 王玮."""
    f = only(read_set(draw_contract_set, CONTRACT, style(1), tmp_path, policy), Family.CONTRACT)
    assert role_of(f, similar_name(APPLICANT)) == "技术员"
    assert role_of(f, APPLICANT) == "项目经理"
    assert role_of(f, "王玮") is None
    assert role_of(f, "王") is None
    assert ("董佳", "安全员", "现场施工与设备调试") in participant_rows(f)


def test_contract_whose_amounts_disagree(tmp_path: Path, policy: Policy) -> None:
    """This test ensures that a capital amount that disagrees on paper is read as printed."""
    wrong = capital_amount(CONTRACT.amount_fen + 100_000_00)
    doc = dataclasses.replace(CONTRACT, amount_capital=wrong)
    f = only(read_set(draw_contract_set, doc, style(0), tmp_path, policy), Family.CONTRACT)
    assert f.value("amount") == 2_624_946.0
    assert f.value("amount_capital") == wrong and f.fields["amount_capital"].verified
    assert f.value("amount_capital_value") == 2_724_946.0


def test_contract_without_seal_page(tmp_path: Path, policy: Policy) -> None:
    """This test ensures that a missing seal page is reported as missing."""
    doc = dataclasses.replace(CONTRACT, parts=("cover", "amount", "participants"))
    f = only(read_set(draw_contract_set, doc, style(2), tmp_path, policy), Family.CONTRACT)
    assert f.value("seal_page") is False
    assert "seal" not in f.parts
    assert f.value("party_a") == CONTRACT.party_a


def test_contract_without_the_applicant(tmp_path: Path, policy: Policy) -> None:
    """This test ensures that an applicant absent from the table has no role."""
    doc = dataclasses.replace(CONTRACT, participants=CONTRACT.participants[::2], mark=None)
    f = only(read_set(draw_contract_set, doc, style(0), tmp_path, policy), Family.CONTRACT)
    assert role_of(f, APPLICANT) is None
    assert role_of(f, "张俊涛") == "技术员"


# ---------------------------------------------------------------------------------------
# OCR'd text without a drawing: the capital amount as Tesseract reads it


def _page(kind: PageKind, text: str, *, ocr: bool = True, page: int = 1) -> PageRead:
    return PageRead(
        page=page,
        text=text,
        text_source=TextSource.OCR if ocr else TextSource.TEXT,
        confidence=0.9,
        kind=kind,
        part=0,
    )


@pytest.mark.parametrize(
    ("line", "ocr", "capital_value", "verified"),
    [
        ("合同金额 : 人民币喜佰喜拾贰万元整 (Y1,120,000.00)", True, None, False),  # 壹 → 喜
        ("合同金额 : 人民币壹佰抽拾陆万元整 (#1,860,000.00)", True, None, False),  # 捌 → 抽
        ("合同金额 : 人民币伍佰肆拾万元整 (¥5,400,000.00)", True, 5_400_000.0, True),
        # 柒 dropped leaves 伍拾伍万, a well-formed amount: on OCR it stays unverified
        ("合同金额 : 人民币伍拾伍万元整 (¥750,000.00)", True, None, False),
        # the same text in a text layer is a real disagreement, read as printed
        ("合同金额：人民币伍拾伍万元整（¥750,000.00）", False, 550_000.0, True),
    ],
)
def test_capital_amount_on_ocr_pages_is_unverified_rather_than_wrong(
    line: str, ocr: bool, capital_value: float | None, verified: bool
) -> None:
    """This test ensures that an OCR'd capital amount that may be misread is not trusted."""
    text = f"第三条 合同价款\n{line}\n本合同价款为固定总价"
    pages = [_page(PageKind.CONTRACT_AMOUNT, text, ocr=ocr)]
    f = contract_fields.parse(pages, "c.pdf")
    assert f.parts == {"amount": 1}
    assert f.fields["amount_capital"].verified is verified
    assert f.value("amount_capital_value") == capital_value
    assert f.value("amount") is not None
    assert f.value("seal_page") is False


def test_pages_without_kinds_are_recognised_by_their_text() -> None:
    """This test ensures that parts are found by content when the classifier missed them."""
    pages = [
        _page(
            PageKind.UNKNOWN,
            "合同编号：HT-2019-509\n甲方（发包人）：宁波市公安局\n"
            "乙方（承包人）：宁波市智安智能科技有限公司\n签订日期：2022-03-15",
            page=1,
        ),
        _page(PageKind.UNKNOWN, "合同金额：人民币伍佰肆拾万元整（¥5,400,000.00）", page=2),
        _page(
            PageKind.UNKNOWN,
            "序号 姓名 角色/职务 主要工作内容\n1 刘萍安全员现场施工与设备调试",
            page=3,
        ),
        _page(PageKind.UNKNOWN, "甲方（盖章）：宁波市公安局\n日期：2022-03-15", page=4),
    ]
    f = contract_fields.parse(pages, "c.pdf")
    assert f.parts == {"cover": 1, "amount": 2, "participants": 3, "seal": 4}
    assert f.value("party_b") == "宁波市智安智能科技有限公司"
    assert f.value("signed_on") == "2022-03-15"
    assert f.value("number") == "HT-2019-509"
    assert f.value("participants") == ("刘萍|安全员|现场施工与设备调试",)
    toc = _page(PageKind.UNKNOWN, "目次\n城市级视频图像信息共享平台建设探讨 1")
    j = journal_fields.parse([toc], "j.pdf")
    assert j.parts == {"toc": 1}


def test_parsers_accept_no_pages() -> None:
    """This test ensures that an empty document gives empty fields, not an error."""
    assert journal_fields.parse([], "j.pdf").fields == {}
    assert contract_fields.parse([], "c.pdf").parts == {}


# ---------------------------------------------------------------------------------------
# scanned: real Tesseract


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory, policy: Policy) -> dict[str, DocumentFields]:
    """A scanned paper set and a scanned contract set (layout 0), read and parsed."""
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract is not installed")
    out = {}
    for name, draw, doc, family in (
        ("paper", draw_paper_set, PAPER, Family.JOURNAL),
        ("contract", draw_contract_set, CONTRACT, Family.CONTRACT),
    ):
        tmp = tmp_path_factory.mktemp(name)
        read = read_set(draw, doc, style(0), tmp, policy, scanned=True)
        assert all(p.text_source == TextSource.OCR for p in read.pages)
        out[name] = only(read, family)
    return out


@pytest.mark.needs_tesseract
def test_scanned_paper_set(scanned: dict[str, DocumentFields]) -> None:
    """This test ensures that a scanned paper set yields the record's fields, or flags them."""
    f = scanned["paper"]
    assert f.parts == {"cover": 1, "copyright": 2, "toc": 3, "article": 4}
    assert f.value("title") == TITLE
    assert f.value("journal") == PAPER.journal
    assert (f.value("issn"), f.value("cn")) == (PAPER.issn, PAPER.cn)
    assert (f.value("year"), f.value("issue")) == (PAPER.year, PAPER.issue)
    assert TITLE in (f.value("toc") or ())
    authors = f.fields["authors"]
    assert authors.value == AUTHORS or not authors.verified
    assert all(0 < v.confidence < 1 for v in f.fields.values())


@pytest.mark.needs_tesseract
def test_scanned_contract_set(scanned: dict[str, DocumentFields]) -> None:
    """This test ensures that a scanned contract yields its fields; the capital never wrong.

    Tesseract cannot read the 仟 of 贰佰陆拾贰万肆仟玖佰肆拾陆: the capital amount must be
    reported unverified (or right), never verified with another value.
    """
    f = scanned["contract"]
    assert f.parts == {"cover": 1, "amount": 2, "participants": 3, "seal": 4}
    assert f.value("title") == CONTRACT.name
    assert f.value("number") == CONTRACT.number
    assert f.value("party_a") == CONTRACT.party_a
    assert f.value("party_b") == CONTRACT.party_b
    assert f.value("signed_on") == "2017-02-08"
    assert f.value("amount") == 2_624_946.0
    capital = f.fields["amount_capital"]
    assert not capital.verified or capital.value == CONTRACT.amount_capital
    assert not capital.verified or f.value("amount_capital_value") == 2_624_946.0
    assert role_of(f, APPLICANT) in ("项目经理", None)
    assert role_of(f, "董佳") == "安全员"


# ---------------------------------------------------------------------------------------
# what OCR makes of an article's head


def _ocr_article(rows: list[list[tuple[str, float, float, float, float]]],
                 rotation: int = 0, size: tuple[float, float] = (600.0, 800.0)) -> PageRead:
    """An article page as Tesseract read it: words (text, x0, top, x1, bottom) per line.

    The boxes are given on the upright page and stored turned back by ``rotation``, as the
    reader stores them.
    """
    w, h = size
    words = []
    for line, row in enumerate(rows):
        for text, x0, top, x1, bottom in row:
            box = (x0, top, x1, bottom)
            if rotation == 180:
                box = (w - x1, h - bottom, w - x0, h - top)
            words.append(Word(text=text, bbox=box, conf=0.95, line=line))
    text = "\n".join("".join(t for t, *_ in row) for row in rows)
    return PageRead(page=1, text=text, text_source=TextSource.OCR, confidence=0.95,
                    kind=PageKind.ARTICLE, part=0, rotation=rotation, words=tuple(words))


HEAD = [
    [("第9期", 60, 30, 110, 44), ("信息技术与信息化", 120, 30, 300, 44)],
    [("基于物联网的楼宇对讲系统设计与实现", 146, 80, 445, 100)],
    [("曹涛林佳", 270, 120, 325, 132)],
    [("（湖州市中控安防工程有限公司，浙江湖州市）", 186, 140, 414, 152)],
    [("摘要：针对雪亮工程系统在实际应用中存在的问题", 80, 170, 525, 182)],
]


@pytest.mark.parametrize("rotation", [0, 180])
def test_an_article_head_is_read_the_same_on_a_page_scanned_upside_down(rotation: int) -> None:
    """This test ensures that a 180° page's title and byline are found, boxes in its frame."""
    doc = DocumentRead(file="p.pdf", media_type="application/pdf", sha256="0" * 64,
                       pages=(_ocr_article(HEAD, rotation),))
    f = only(doc, Family.JOURNAL)
    assert f.value("title") == "基于物联网的楼宇对讲系统设计与实现"
    assert f.value("authors") == ("曹涛林佳",)  # run together: the checks cut it
    box = f.fields["title"].bbox
    assert box is not None
    want = (146, 80, 445, 100) if rotation == 0 else (600 - 445, 800 - 100, 600 - 146, 800 - 80)
    assert box == pytest.approx(want)


def test_a_byline_with_a_dot_for_a_space_is_two_names() -> None:
    """This test ensures that 梁雪静·肖军强 (OCR's dot for a wide space) is two authors."""
    rows = [list(r) for r in HEAD]
    rows[1] = [("面向周界防范的多源视频融合优化方法", 133, 80, 468, 100)]
    rows[2] = [("梁雪静·肖军强", 262, 120, 345, 130)]
    f = journal_fields.parse([_ocr_article(rows)], "p.pdf")
    assert f.value("title") == "面向周界防范的多源视频融合优化方法"
    assert f.value("authors") == ("梁雪静", "肖军强")


def test_a_byline_split_by_a_highlighter_is_read_once() -> None:
    """This test ensures that a byline OCR read in pieces, a name twice, comes out whole."""
    rows = [list(r) for r in HEAD]
    rows[2] = [("平建，潘敏，何霞萍", 326, 112, 500, 140)]
    rows.insert(3, [("郑", 291, 118, 293, 136)])  # a sliver
    rows.insert(4, [("郑平", 299, 116, 344, 138)])  # overlapping the next piece
    f = journal_fields.parse([_ocr_article(rows)], "p.pdf")
    assert f.value("authors") == ("郑平建", "潘敏", "何霞萍")


@pytest.mark.parametrize(("engine", "verified"), [("", False), ("rapidocr-onnxruntime", True)])
def test_a_capital_amount_the_second_engine_read_is_taken_as_read(engine: str,
                                                                  verified: bool) -> None:
    """This test ensures that a re-read capital amount counts; Tesseract's alone does not."""
    words = (Word(text="合同金额：", bbox=(60, 100, 140, 120), conf=0.95, line=0),
             Word(text="人民币贰佰贰拾玖万元整", bbox=(140, 100, 360, 120), conf=0.95, line=0,
                  engine=engine),
             Word(text="（¥2,190,000.00）", bbox=(360, 100, 480, 120), conf=0.95, line=0))
    page = PageRead(page=2, text="合同金额：人民币贰佰贰拾玖万元整（¥2,190,000.00）",
                    text_source=TextSource.OCR, confidence=0.95,
                    kind=PageKind.CONTRACT_AMOUNT, part=0, words=words)
    f = contract_fields.parse([page], "J1.pdf")
    assert f.value("amount") == 2_190_000.0
    assert f.fields["amount_capital"].verified is verified
    assert f.value("amount_capital_value") == (2_290_000.0 if verified else None)


def test_a_participant_table_read_column_by_column_is_put_back_in_rows() -> None:
    """This test ensures that a table Tesseract read a column at a time keeps its rows.

    Each column came back as a block of its own (seed 6021's a029): the names, then the
    roles, then the duties, so no single line holds the header nor a whole row.
    """
    columns = [
        [("序号姓名", 79, 185, 136, 197), ("1", 79, 213, 80, 222), ("马娟晶", 125, 211, 148, 221),
         ("2", 79, 239, 80, 248), ("袁帆宇", 123, 237, 149, 247), ("曹明", 125, 263, 140, 274)],
        [("角色/职务", 193, 181, 243, 199), ("质量员", 197, 208, 221, 221),
         ("项目经理", 198, 235, 234, 245), ("安全员", 199, 260, 223, 274)],
        [("主要工作内容", 298, 179, 352, 190), ("现场施工与设备调试", 300, 203, 383, 220),
         ("项目总体方案设计", 300, 229, 486, 241), ("现场施工与设备调试", 301, 255, 384, 272)],
    ]
    words = tuple(Word(text=t, bbox=(x0, top, x1, bottom), conf=0.97, line=10 * c + i)
                  for c, col in enumerate(columns)
                  for i, (t, x0, top, x1, bottom) in enumerate(col))
    page = PageRead(page=3, text="\n".join(w.text for w in words), text_source=TextSource.OCR,
                    confidence=0.97, kind=PageKind.CONTRACT_PARTICIPANTS, part=0, words=words)
    f = contract_fields.parse([page], "J1.pdf")
    assert f.value("participants") == ("马娟晶|质量员|现场施工与设备调试",
                                       "袁帆宇|项目经理|项目总体方案设计",
                                       "曹明|安全员|现场施工与设备调试")
    assert role_of(f, "袁帆宇") == "项目经理"


def _contract_page(page: int, text: str, seals: int = 0) -> PageRead:
    """A text-layer contract page with ``seals`` stamps side by side near its foot."""
    return PageRead(page=page, text=text, text_source=TextSource.TEXT, confidence=1.0,
                    seals=tuple(Seal(bbox=(100.0 + 200 * i, 600.0, 180.0 + 200 * i, 680.0))
                                for i in range(seals)))


COVER = ("合同书\n合同名称：某某安防工程\n合同编号：HT-2020-001\n甲方：杭州某某公司\n"
         "乙方：某某安防公司")


@pytest.mark.parametrize(("seal_text", "stamps", "found"), [
    ("甲方（盖章）：杭州某某公司\n乙方（盖章）：某某安防公司", 2, True),  # its text; stamps boxed
    ("杭州某某公司\n某某安防公司\n2020年5月10日", 2, True),  # no 盖章 printed: both stamps say it
    ("杭州某某公司\n某某安防公司\n2020年5月10日", 1, False),  # one stamp is no parties' seal page
    ("杭州某某公司\n某某安防公司\n2020年5月10日", 0, False),
])
def test_the_seal_page_is_found_by_its_text_or_its_stamps(seal_text: str, stamps: int,
                                                         found: bool) -> None:
    """This test ensures that the seal part is the 盖章 page or a page with both stamps."""
    f = contract_fields.parse([_contract_page(1, COVER), _contract_page(2, seal_text, stamps)],
                              "J1.pdf")
    seal = f.fields["seal_page"]
    assert seal.value is found
    assert ("seal" in f.parts) is found
    if found:
        assert seal.page == 2
        assert seal.bbox == ((100.0, 600.0, 180.0 + 200 * (stamps - 1), 680.0) if stamps
                             else None)


def test_a_claims_evidence_shows_the_contracts_stamps() -> None:
    """This test ensures that the seal page's evidence entry carries the stamps' box."""
    from checks.evidence import Match

    f = contract_fields.parse([_contract_page(1, COVER),
                               _contract_page(2, "甲方（盖章）：\n乙方（盖章）：", 2)], "J1.pdf")
    ev = Match((f,)).evidence()
    assert [(e.page, e.what) for e in ev] == [(1, None), (2, "seal")]
    assert ev[1].bbox == (100.0, 600.0, 380.0, 680.0)


@pytest.mark.parametrize("line", ["甲方：「杭州市拱墅区人民政府凤起街道办事处",
                                  "甲方：『杭州市拱墅区人民政府凤起街道办事处」"])
def test_a_party_loses_the_corner_bracket_ocr_read_before_it(line: str) -> None:
    """OCR read a stray 「 before a party's name on a scanned cover (a seal's edge)."""
    cover = COVER.replace("甲方：杭州某某公司", line)
    f = contract_fields.parse([_contract_page(1, cover)], "J1.pdf")
    assert f.value("party_a") == "杭州市拱墅区人民政府凤起街道办事处"
