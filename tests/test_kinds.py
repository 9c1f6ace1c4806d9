"""Page classification and document splitting on the text layers of real drawn pages."""

from __future__ import annotations

import datetime as dt
import functools
import io
import random
import re
import unicodedata
from collections.abc import Callable

import pdfplumber
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from extractors.kinds import classify_page, normalise, split_documents
from fixtures.dossier import draw_certs
from fixtures.dossier.docs import (
    AwardDoc,
    CeCertDoc,
    ContractSetDoc,
    DateStyle,
    DegreeDoc,
    GraduationDoc,
    IdCardDoc,
    MarkKind,
    OverseasDoc,
    PageOut,
    PaperSetDoc,
    Participant,
    PatentDoc,
    RegistrationDoc,
    SocialSecurityDoc,
    Style,
    TitleCertDoc,
    TocEntry,
    available_fonts,
    capital_amount,
)
from fixtures.dossier.draw_sets import draw_contract_set, draw_paper_set
from model.report import PageKind

K = PageKind
FONTS = available_fonts()
LAYOUTS = (0, 1, 2)
BIRTH = dt.date(1985, 9, 3)
ID = "330106198509030417"

# One invented record per document type (draw function, record).
DOCS: dict[str, tuple[Callable[..., list[PageOut]], object]] = {
    "id_card": (draw_certs.draw_id_card, IdCardDoc(
        name="周晓明", gender="男", ethnicity="汉", birth=BIRTH,
        address="浙江省杭州市西湖区文三路259号5幢1单元302室", id_number=ID,
        authority="杭州市公安局西湖分局", valid_from=dt.date(2018, 7, 2),
        valid_to=dt.date(2038, 7, 2))),
    "graduation": (draw_certs.draw_graduation, GraduationDoc(
        holder="周晓明", gender="男", birth=BIRTH, school="浙江大学", major="电子信息工程",
        level="本科", start=dt.date(2003, 9, 1), end=dt.date(2007, 6, 30),
        number="103351200705001842", president="潘云鹤")),
    "degree": (draw_certs.draw_degree, DegreeDoc(
        holder="周晓明", gender="男", birth=BIRTH, school="浙江大学", major="电子信息工程",
        degree="工学学士", date=dt.date(2007, 6, 30), number="1033542007003318")),
    "registration": (draw_certs.draw_registration, RegistrationDoc(
        holder="周晓明", gender="男", birth=BIRTH, id_number=ID, school="浙江大学",
        major="电子信息工程", level="本科", start=dt.date(2003, 9, 1), end=dt.date(2007, 6, 30),
        certificate_number="103351200705001842", form_number="B3H8K2P7W4Q9D6M1",
        issued=dt.date(2022, 8, 11))),
    "overseas": (draw_certs.draw_overseas, OverseasDoc(
        holder="周晓明", gender="男", birth=BIRTH,
        school="澳大利亚悉尼大学 (The University of Sydney)", country="澳大利亚",
        degree="工程硕士学位", major="电气工程", date=dt.date(2010, 12, 15),
        number="教留服认澳[2011]03178号", issued=dt.date(2011, 4, 20))),
    "title_cert": (draw_certs.draw_title_cert, TitleCertDoc(
        holder="周晓明", gender="男", birth=BIRTH, employer="浙江中控安防系统有限公司",
        title="工程师", specialty="安全技术防范（视频监控）", date=dt.date(2014, 12, 26),
        issuer="浙江省人力资源和社会保障厅", number="A3301011400917")),
    "award": (draw_certs.draw_award, AwardDoc(
        holder="周晓明", title="杭州市科学技术进步奖", level="三等奖",
        project="城市道路视频结构化分析关键技术研究", date=dt.date(2020, 11, 30),
        issuer="杭州市人民政府", number="HZKJ-2020-0385")),
    "honour": (draw_certs.draw_award, AwardDoc(
        holder="周晓明", title="浙江省安防行业优秀项目经理", level="", project="",
        date=dt.date(2019, 12, 20), issuer="浙江省安全技术防范行业协会",
        number="ZJAF-RY-2019-012", honour=True)),
    "patent": (draw_certs.draw_patent, PatentDoc(
        title="一种用于出入口控制的人脸与证件比对方法", inventors=("周晓明", "吴晓东"),
        patentee="浙江中控安防系统有限公司", patent_number="ZL 2019 1 0876543.2",
        filed=dt.date(2019, 9, 10), granted=dt.date(2021, 3, 2), number="第4287615号",
        invention=True)),
    "ce_cert": (draw_certs.draw_ce_cert, CeCertDoc(
        holder="周晓明", id_number=ID, year=2022, professional=72, industry_public=8,
        general_public=12, issuer="浙江省专业技术人员继续教育基地", date=dt.date(2022, 12, 9),
        number="ZJJJ2022-041736")),
    "social_security": (draw_certs.draw_social_security, SocialSecurityDoc(
        holder="周晓明", id_number=ID, province="上海市", start=dt.date(2007, 7, 1),
        end=dt.date(2010, 5, 31), issuer="上海市社会保险事业管理中心",
        date=dt.date(2022, 9, 1))),
}
CERT_KINDS = {
    "id_card": K.ID_CARD, "graduation": K.GRADUATION_CERTIFICATE,
    "degree": K.DEGREE_CERTIFICATE, "registration": K.EDUCATION_REGISTRATION,
    "overseas": K.OVERSEAS_CERTIFICATION, "title_cert": K.TITLE_CERTIFICATE,
    "award": K.AWARD_CERTIFICATE, "honour": K.AWARD_CERTIFICATE,
    "patent": K.PATENT_CERTIFICATE, "ce_cert": K.CE_CERTIFICATE, "social_security": K.OTHER,
}

PAPER_TITLE = "基于边缘计算的小区高空抛物监测系统研究"
PAPER = PaperSetDoc(
    journal="中国安防技术", year=2022, issue="08", issn="1673-7865", cn="11-5441/TN",
    publisher="中国安全防范产品行业协会", title=PAPER_TITLE, authors=("钱志远", "周晓明"),
    affiliation="浙江中控安防系统有限公司，浙江 杭州 310053",
    abstract="针对住宅小区高空抛物取证难的问题，设计了一种基于边缘计算的监测系统。系统在前端"
             "完成运动目标检测与轨迹回溯，仅上传告警片段，降低了网络带宽占用。试点小区运行表明，"
             "系统的抛物检出率为94.2%，平均告警延时小于2秒。",
    keywords=("高空抛物", "边缘计算", "轨迹回溯"),
    toc=(TocEntry("智慧社区安防平台的建设与运营模式", ("林海",), 3),
         TocEntry(PAPER_TITLE, ("钱志远", "周晓明"), 9),
         TocEntry("视频监控系统存储容量的计算方法", ("高峰", "许静"), 15),
         TocEntry("楼宇对讲系统的网络化改造", ("蒋涛",), 21)),
    applicant="周晓明", mark=MarkKind.YELLOW,
)
CONTRACT = ContractSetDoc(
    name="宁波市鄞州区中河街道老旧小区安防提升改造工程", number="YZ-AF-2021-0730",
    party_a="宁波市鄞州区中河街道办事处", party_b="浙江中控安防系统有限公司",
    signed=dt.date(2021, 7, 30), amount_fen=97_650_000,
    amount_capital=capital_amount(97_650_000),
    participants=(Participant("周晓明", "项目经理", "项目实施组织与进度质量管理"),
                  Participant("钱志远", "技术负责人", "方案设计与系统调试"),
                  Participant("孙丽", "资料员", "工程资料整理与归档")),
    applicant="周晓明", mark=MarkKind.RED_BOX, signers=("郑建华", "沈国强"),
)
PAPER_KINDS = (K.JOURNAL_COVER, K.JOURNAL_COPYRIGHT, K.JOURNAL_TOC, K.ARTICLE)
CONTRACT_KINDS = (K.CONTRACT_COVER, K.CONTRACT_AMOUNT, K.CONTRACT_PARTICIPANTS, K.CONTRACT_SEAL)
SETS: dict[str, tuple[Callable[..., list[PageOut]], object]] = {
    "paper": (draw_paper_set, PAPER), "contract": (draw_contract_set, CONTRACT),
}

# The words that make a page's title (its heading line), for dropping that line.
TITLES: dict[PageKind, str] = {
    K.ID_CARD: "居民身份证", K.GRADUATION_CERTIFICATE: "毕业证书",
    K.DEGREE_CERTIFICATE: "学位证书", K.EDUCATION_REGISTRATION: "备案表",
    K.OVERSEAS_CERTIFICATION: "认证书", K.TITLE_CERTIFICATE: "任职资格证书",
    K.AWARD_CERTIFICATE: "证书", K.PATENT_CERTIFICATE: "专利证书",
    K.CE_CERTIFICATE: "学时证明", K.OTHER: "缴费证明", K.JOURNAL_COVER: PAPER.journal,
    K.JOURNAL_COPYRIGHT: f"《{PAPER.journal}》", K.JOURNAL_TOC: "目", K.ARTICLE: PAPER_TITLE,
    K.CONTRACT_COVER: "合同书", K.CONTRACT_AMOUNT: "合同价款",
    K.CONTRACT_PARTICIPANTS: "参加人员", K.CONTRACT_SEAL: "违约责任",
}


def style(layout: int, salt: int = 0) -> Style:
    """Layout ``layout`` with a font and date style that vary with it."""
    return Style(layout=layout, font=FONTS[(layout + salt) % len(FONTS)],
                 date_style=list(DateStyle)[(layout + salt) % len(DateStyle)],
                 separators=layout != 1)


@functools.cache
def drawn(name: str, layout: int) -> tuple[tuple[PageKind, str], ...]:
    """Draw document ``name`` in ``layout``; each page's kind and pdfplumber text layer."""
    fn, doc = {**DOCS, **SETS}[name]
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    pages = fn(c, doc, style(layout, salt=len(name)))
    c.save()
    with pdfplumber.open(io.BytesIO(buf.getvalue())) as pdf:
        texts = [page.extract_text() or "" for page in pdf.pages]
    return tuple((PageKind(p.kind), t) for p, t in zip(pages, texts, strict=True))


def all_pages() -> list[tuple[str, PageKind, str]]:
    """Every drawn page of every document and layout, as (id, kind, text)."""
    return [(f"{name}-L{layout}-p{i}", kind, text) for name in (*DOCS, *SETS)
            for layout in LAYOUTS for i, (kind, text) in enumerate(drawn(name, layout))]


_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")


def ocr_style(text: str, width: int = 16) -> str:
    """``text`` as Tesseract tends to give it.

    Half-width punctuation, a space between every two CJK characters, and each line longer
    than ``width`` characters broken in two (as OCR splits a line at a wide gap).
    """
    out = []
    for line in unicodedata.normalize("NFKC", text).splitlines():
        parts = [line[:width], line[width:]] if len(line) > width else [line]
        out += [re.sub(r"(?<=[\u4e00-\u9fff])(?=[\u4e00-\u9fff])", " ", p) for p in parts]
    return "\n".join(out)


def drop_title(text: str, kind: PageKind) -> str:
    """``text`` without the lines holding the page's title words."""
    title = TITLES[kind]
    return "\n".join(line for line in text.splitlines() if title not in normalise(line))


def smudge(text: str, every: int = 9) -> str:
    """Every ``every``-th CJK character replaced by 口, as OCR misreads a stained scan."""
    count = 0

    def sub(m: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return "口" if count % every == 0 else m.group(0)

    return _CJK_CHAR.sub(sub, text)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", list(DOCS))
def test_certificates_are_recognised_on_every_layout(name: str, layout: int) -> None:
    """This test ensures that each certificate type is recognised on each of its layouts."""
    ((kind, text),) = drawn(name, layout)
    assert kind == CERT_KINDS[name]
    got, confidence = classify_page(text)
    assert got == kind, text
    assert 0.5 <= confidence <= 1.0


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", list(SETS))
def test_set_pages_are_recognised_on_every_layout(name: str, layout: int) -> None:
    """This test ensures that every page of a paper or contract set gets its own kind."""
    pages = drawn(name, layout)
    assert [k for k, _ in pages] == list(PAPER_KINDS if name == "paper" else CONTRACT_KINDS)
    for kind, text in pages:
        got, confidence = classify_page(text)
        assert got == kind, text
        assert 0.4 <= confidence <= 1.0


@pytest.mark.parametrize("variant", ["ocr_style", "no_title", "ocr_style_no_title", "smudged"])
def test_noisy_text_is_still_recognised(variant: str) -> None:
    """This test ensures that OCR spacing, a lost title line or misread characters keep kinds."""
    noise: Callable[[str, PageKind], str] = {
        "ocr_style": lambda t, k: ocr_style(t),
        "no_title": drop_title,
        "ocr_style_no_title": lambda t, k: ocr_style(drop_title(t, k)),
        "smudged": lambda t, k: ocr_style(smudge(t)),
    }[variant]
    wrong = []
    for page_id, kind, text in all_pages():
        noisy = noise(text, kind)
        assert noisy != text
        got, _ = classify_page(noisy)
        if got != kind:
            wrong.append((page_id, str(got)))
    assert wrong == []


def test_dropping_the_title_removes_it() -> None:
    """This test ensures that the no-title variant really loses the title (tests other cues)."""
    ((kind, text),) = drawn("graduation", 0)
    assert "毕业证书" in normalise(text)
    assert "毕业证书" not in normalise(drop_title(text, kind))


def test_confidence_is_lower_when_evidence_is_thin() -> None:
    """This test ensures that a page reduced to a few words gets less confidence than whole."""
    ((kind, text),) = drawn("patent", 0)
    full = classify_page(text)
    thin = classify_page("实用新型 专利号 ZL 2021 2 0123456.7")
    assert full[0] == thin[0] == kind
    assert thin[1] < full[1]


@pytest.mark.parametrize("text", ["", "   \n ", "Lorem ipsum dolor sit amet 12 34",
                                  "第 一 章 总 则\n第一条 为了规范管理，制定本办法。"])
def test_unrelated_text_is_other_with_low_confidence(text: str) -> None:
    """This test ensures that a page with no evidence for any kind is ``other``, unsure."""
    kind, confidence = classify_page(text)
    assert kind == K.OTHER
    assert confidence < 0.35


def test_a_contract_number_is_not_an_issn() -> None:
    """This test ensures that a contract number shaped like an ISSN does not count as one.

    An ISSN counts after the word ISSN, or bare with a valid check digit.
    """
    assert classify_page("合同编号：XH-AF-2019-0416 3308-2021")[0] == K.OTHER
    assert classify_page("ISSN 1673-7865 CN 11-5441/TN 2022年 第8期")[0] == K.JOURNAL_COVER
    assert classify_page("1673-7865 CN 11-5441/TN 2022年 第8期")[0] == K.JOURNAL_COVER


P = PAPER_KINDS
C = CONTRACT_KINDS


@pytest.mark.parametrize(("kinds", "expected"), [
    pytest.param([], [], id="empty"),
    pytest.param([*P, *C, K.AWARD_CERTIFICATE, K.PATENT_CERTIFICATE],
                 [(0, 4), (4, 8), (8, 9), (9, 10)], id="paper-contract-two-certificates"),
    pytest.param([P[1], P[3], P[0], P[2], P[3], P[3], C[1], C[3], C[0], C[2]],
                 [(0, 2), (2, 6), (6, 8), (8, 10)], id="missing-parts"),
    pytest.param([*P, *P, P[3]], [(0, 4), (4, 9)], id="two-papers-long-article"),
    pytest.param([P[2], P[2], C[0], C[0], C[3], C[2]],
                 [(0, 1), (1, 2), (2, 3), (3, 5), (5, 6)], id="repeats-start-anew"),
    pytest.param([K.DEGREE_CERTIFICATE, K.DEGREE_CERTIFICATE, K.ID_CARD],
                 [(0, 1), (1, 2), (2, 3)], id="each-certificate-alone"),
    pytest.param([K.OTHER, K.OTHER, P[0], K.OTHER, K.UNKNOWN, K.UNKNOWN, K.OTHER],
                 [(0, 2), (2, 3), (3, 4), (4, 6), (6, 7)], id="other-pages-merge"),
    pytest.param([P[3], C[0], P[0], K.CE_CERTIFICATE, C[3]],
                 [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)], id="sets-do-not-mix"),
    pytest.param([P[0], K.OTHER, P[2], P[3], C[0], K.UNKNOWN, K.UNKNOWN, C[3]],
                 [(0, 4), (4, 8)], id="unread-pages-fill-missing-parts"),
    pytest.param([P[3], K.OTHER, P[3], K.ID_CARD], [(0, 3), (3, 4)], id="unread-inside-article"),
    pytest.param([C[0], K.OTHER, K.OTHER, K.OTHER, C[3]], [(0, 1), (1, 4), (4, 5)],
                 id="more-unread-pages-than-missing-parts"),
    pytest.param([P[1], K.OTHER, C[3], K.AWARD_CERTIFICATE, K.OTHER, K.AWARD_CERTIFICATE],
                 [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6)], id="unread-between-others"),
])
def test_split_documents(kinds: list[PageKind], expected: list[tuple[int, int]]) -> None:
    """This test ensures that a volume is split by the documented rules."""
    assert split_documents(kinds) == expected


def test_split_documents_covers_every_page_once() -> None:
    """This test ensures that the ranges of random volumes tile the pages in order."""
    rng = random.Random(7)
    choices = [k for k in PageKind]
    for _ in range(300):
        kinds = [rng.choice(choices) for _ in range(rng.randint(1, 25))]
        ranges = split_documents(kinds)
        assert ranges[0][0] == 0 and ranges[-1][1] == len(kinds)
        assert all(a < b for a, b in ranges)
        assert all(prev[1] == nxt[0] for prev, nxt in zip(ranges, ranges[1:], strict=False))


def test_drawn_volume_is_split_back_into_its_documents() -> None:
    """This test ensures that classifying then splitting a drawn volume recovers its documents.

    The volume: a paper set, a contract set and two certificates, in OCR-style text.
    """
    docs = [drawn("paper", 0), drawn("contract", 2), drawn("award", 1), drawn("patent", 2)]
    texts = [text for doc in docs for _, text in doc]
    kinds = [classify_page(ocr_style(t))[0] for t in texts]
    assert split_documents(kinds) == [(0, 4), (4, 8), (8, 9), (9, 10)]
