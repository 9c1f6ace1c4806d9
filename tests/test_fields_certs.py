"""Tests of the ID card, education and certificate field parsers on real drawn documents.

Each document is drawn by the dossier generator (fixtures/dossier/draw_certs.py), read back
with the real reader (``extractors.reading.read_document``: text layer, or Tesseract for
the scanned cases), classified, and parsed; the fields must equal the record's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from stdnum.cn import ric

from extractors.fields import parse_document
from extractors.fields.certificates import patent_number
from extractors.fields.education import normalise_level
from extractors.fields.idcard import id_number_valid, repair_id_number
from extractors.fields.idcard import parse as parse_id_card
from extractors.reading import read_document
from fixtures.dossier import draw_certs, scan
from fixtures.dossier.docs import (
    AwardDoc,
    CeCertDoc,
    DateStyle,
    DegreeDoc,
    GraduationDoc,
    IdCardDoc,
    OverseasDoc,
    PageOut,
    PatentDoc,
    RegistrationDoc,
    Style,
    TitleCertDoc,
    available_fonts,
)
from model.fields import DocumentFields, Family
from model.report import PageKind, PageRead, TextSource
from tests._dossier import draw_pdf

FONTS = available_fonts()
ID_BASE = "33010619860417822"
ID = ID_BASE + ric.calc_check_digit(ID_BASE + "?")  # valid, invented (the digit is ignored)
BIRTH = dt.date(1986, 4, 17)
HOLDER = "王丽"

Expected = dict[str, object]

# name -> (draw function, record, page kind, the fields it must give); the records are invented
CASES: dict[str, tuple[Callable[..., list[PageOut]], object, str, Expected]] = {
    "id_card": (
        draw_certs.draw_id_card,
        IdCardDoc(
            name=HOLDER,
            gender="女",
            ethnicity="汉",
            birth=BIRTH,
            address="浙江省杭州市西湖区文三路90号东部软件园2号楼501室",
            id_number=ID,
            authority="杭州市公安局西湖分局",
            valid_from=dt.date(2015, 3, 12),
            valid_to=dt.date(2035, 3, 12),
        ),
        "id_card",
        {
            "name": HOLDER,
            "gender": "女",
            "birth_date": "1986-04-17",
            "id_number": ID,
            "address": "浙江省杭州市西湖区文三路90号东部软件园2号楼501室",
            "issuer": "杭州市公安局西湖分局",
            "valid_from": "2015-03-12",
            "valid_to": "2035-03-12",
        },
    ),
    "graduation": (
        draw_certs.draw_graduation,
        GraduationDoc(
            holder=HOLDER,
            gender="女",
            birth=BIRTH,
            school="杭州电子科技大学",
            major="通信工程",
            level="本科",
            start=dt.date(2004, 9, 1),
            end=dt.date(2008, 6, 30),
            number="103361200805123456",
            president="张明",
        ),
        "graduation_certificate",
        {
            "holder": HOLDER,
            "school": "杭州电子科技大学",
            "major": "通信工程",
            "level": "本科",
            "start_date": "2004-09-01",
            "graduation_date": "2008-06-30",
            "certificate_number": "103361200805123456",
        },
    ),
    "degree": (
        draw_certs.draw_degree,
        DegreeDoc(
            holder=HOLDER,
            gender="女",
            birth=BIRTH,
            school="杭州电子科技大学",
            major="通信工程",
            degree="工学学士",
            date=dt.date(2008, 6, 30),
            number="1033620080123",
        ),
        "degree_certificate",
        {
            "holder": HOLDER,
            "school": "杭州电子科技大学",
            "major": "通信工程",
            "degree": "工学学士",
            "level": "本科",
            "graduation_date": "2008-06-30",
            "certificate_number": "1033620080123",
        },
    ),
    "registration": (
        draw_certs.draw_registration,
        RegistrationDoc(
            holder=HOLDER,
            gender="女",
            birth=BIRTH,
            id_number=ID,
            school="杭州电子科技大学",
            major="通信工程",
            level="本科",
            start=dt.date(2004, 9, 1),
            end=dt.date(2008, 6, 30),
            certificate_number="103361200805123456",
            form_number="B3K7M2Q9X4T8N5R2",
            issued=dt.date(2022, 8, 15),
        ),
        "education_registration",
        {
            "holder": HOLDER,
            "school": "杭州电子科技大学",
            "major": "通信工程",
            "level": "本科",
            "start_date": "2004-09-01",
            "graduation_date": "2008-06-30",
            "id_number": ID,
            "certificate_number": "103361200805123456",
            "form_number": "B3K7M2Q9X4T8N5R2",
        },
    ),
    "overseas": (
        draw_certs.draw_overseas,
        OverseasDoc(
            holder=HOLDER,
            gender="女",
            birth=BIRTH,
            school="英国谢菲尔德大学",
            country="英国",
            degree="硕士学位",
            major="电子信息工程",
            date=dt.date(2010, 11, 20),
            number="教留服认英[2011]12345号",
            issued=dt.date(2011, 3, 16),
        ),
        "overseas_certification",
        {
            "holder": HOLDER,
            "school": "英国谢菲尔德大学",
            "major": "电子信息工程",
            "degree": "硕士学位",
            "level": "硕士研究生",
            "graduation_date": "2010-11-20",
            "certificate_number": "教留服认英[2011]12345号",
            "country": "英国",
        },
    ),
    "title": (
        draw_certs.draw_title_cert,
        TitleCertDoc(
            holder=HOLDER,
            gender="女",
            birth=BIRTH,
            employer="杭州安盾智能科技有限公司",
            title="工程师",
            specialty="安全技术防范（系统集成）",
            date=dt.date(2014, 12, 18),
            issuer="浙江省人力资源和社会保障厅",
            number="A3301011400512",
        ),
        "title_certificate",
        {
            "holder": HOLDER,
            "title": "工程师",
            "specialty": "安全技术防范(系统集成)",
            "issuer": "浙江省人力资源和社会保障厅",
            "date": "2014-12-18",
            "number": "A3301011400512",
            "employer": "杭州安盾智能科技有限公司",
        },
    ),
    "award": (
        draw_certs.draw_award,
        AwardDoc(
            holder=HOLDER,
            title="浙江省安防行业优秀工程奖",
            level="一等奖",
            project="智慧社区周界防范系统集成项目",
            date=dt.date(2020, 11, 8),
            issuer="浙江省安全技术防范行业协会",
            number="2020-017",
        ),
        "award_certificate",
        {
            "holder": HOLDER,
            "title": "浙江省安防行业优秀工程奖",
            "level": "一等奖",
            "year": 2020,
            "date": "2020-11-08",
            "issuer": "浙江省安全技术防范行业协会",
            "number": "2020-017",
            "honour": False,
        },
    ),
    "honour": (
        draw_certs.draw_award,
        AwardDoc(
            holder=HOLDER,
            title="杭州市优秀科技工作者",
            level="",
            project="",
            date=dt.date(2019, 12, 28),
            issuer="杭州市人民政府",
            number="2019-123",
            honour=True,
        ),
        "award_certificate",
        {
            "holder": HOLDER,
            "title": "杭州市优秀科技工作者",
            "level": None,
            "year": 2019,
            "date": "2019-12-28",
            "issuer": "杭州市人民政府",
            "number": "2019-123",
            "honour": True,
        },
    ),
    "patent": (
        draw_certs.draw_patent,
        PatentDoc(
            title="一种基于边缘计算的出入口控制装置",
            inventors=(HOLDER, "李明", "欧阳娜娜"),
            patentee="杭州安盾智能科技有限公司",
            patent_number="ZL 2020 1 10234567.8",
            filed=dt.date(2020, 3, 2),
            granted=dt.date(2021, 9, 14),
            number="第4567890号",
        ),
        "patent_certificate",
        {
            "title": "一种基于边缘计算的出入口控制装置",
            "inventors": (HOLDER, "李明", "欧阳娜娜"),
            "patent_number": "ZL 2020 1 10234567.8",
            "year": 2021,
            "granted": "2021-09-14",
            "number": "第4567890号",
            "filed": "2020-03-02",
            "invention": True,
        },
    ),
    "ce": (
        draw_certs.draw_ce_cert,
        CeCertDoc(
            holder=HOLDER,
            id_number=ID,
            year=2022,
            professional=66,
            industry_public=10,
            general_public=14,
            issuer="浙江省安全技术防范行业协会",
            date=dt.date(2022, 9, 15),
            number="JXJY202282683",
        ),
        "ce_certificate",
        {
            "holder": HOLDER,
            "hours": 90,
            "year": 2022,
            "issuer": "浙江省安全技术防范行业协会",
            "date": "2022-09-15",
            "number": "JXJY202282683",
            "professional": 66,
            "industry_public": 10,
            "general_public": 14,
            "id_number": ID,
        },
    ),
}
FAMILY = {
    "id_card": Family.ID_CARD,
    "graduation": Family.EDUCATION,
    "degree": Family.EDUCATION,
    "registration": Family.EDUCATION,
    "overseas": Family.EDUCATION,
}


def style_for(name: str, layout: int) -> Style:
    """A style that varies font and date form across types and layouts (every form used)."""
    k = list(CASES).index(name) + layout
    return Style(
        layout=layout, font=FONTS[k % len(FONTS)], date_style=list(DateStyle)[k % len(DateStyle)]
    )


def same(expected: object, got: object) -> bool:
    """Equality as the evaluation has it: NFKC, whitespace ignored; tuples item by item."""
    if expected is None or isinstance(expected, bool | int | tuple):
        return expected == got
    return got is not None and (
        "".join(unicodedata.normalize("NFKC", str(expected)).split())
        == "".join(unicodedata.normalize("NFKC", str(got)).split())
    )


def parsed(path: Path, policy, kind: str) -> DocumentFields:
    """Read ``path`` with the real reader and parse it; the one document of ``kind``."""
    doc = read_document(path, path.name, policy.reading)
    assert [p.kind for p in doc.pages] == [PageKind(kind)]
    (fields,) = [d for d in parse_document(doc) if d.kind == kind]
    return fields


def wrong_fields(fields: DocumentFields, expected: Expected) -> dict[str, tuple[object, object]]:
    """The fields that differ from ``expected``: name → (expected, got)."""
    return {
        name: (want, fields.value(name))
        for name, want in expected.items()
        if not same(want, fields.value(name))
    }


@pytest.mark.parametrize("layout", [0, 1, 2])
@pytest.mark.parametrize("name", list(CASES))
def test_born_digital_fields(name: str, layout: int, tmp_path: Path, policy) -> None:
    """This test ensures that every field of a born-digital document is read in every layout."""
    fn, record, kind, expected = CASES[name]
    pdf, _ = draw_pdf(fn, record, style_for(name, layout))
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    fields = parsed(path, policy, kind)
    assert wrong_fields(fields, expected) == {}
    assert fields.family is FAMILY.get(name, Family.CERTIFICATE)
    assert fields.file == f"{name}.pdf" and fields.pages == (1,)
    for value in fields.fields.values():  # a text layer: sure, located
        assert value.page == 1 and value.confidence > 0.5


def test_born_digital_values_point_at_their_line(tmp_path: Path, policy) -> None:
    """This test ensures that a field's bbox is the line it was read from on the page."""
    fn, record, kind, _ = CASES["title"]
    pdf, (page,) = draw_pdf(fn, record, style_for("title", 2))
    path = tmp_path / "title.pdf"
    path.write_bytes(pdf)
    holder = parsed(path, policy, kind).fields["holder"]
    assert holder.bbox is not None
    (name_box,) = [n.bbox for n in page.names if n.bbox[1] < 300]
    assert holder.bbox[0] <= name_box[0] + 1 and holder.bbox[2] >= name_box[2] - 1
    assert holder.bbox[1] <= name_box[3] and holder.bbox[3] >= name_box[1]


# ---------------------------------------------------------------------------------------
# scanned: real Tesseract

# (name, layout, date style): one document per parser module at least; Han-numeral dates
# are left out (Tesseract misreads 〇/十/三 in them, see the module docstrings)
SCANNED = [
    ("id_card", 0, DateStyle.CN),
    ("graduation", 2, DateStyle.ISO),
    ("registration", 1, DateStyle.CN),
    ("patent", 1, DateStyle.DOT),
    ("ce", 1, DateStyle.ISO),
]
# what Tesseract misreads in these scans, every time: nothing can repair a letter code
OCR_MISSES = {"ce": {"number"}}  # JXJY202282683 is read JXJJY202282683


@pytest.mark.needs_tesseract
@pytest.mark.parametrize(("name", "layout", "date_style"), SCANNED)
def test_scanned_fields(
    name: str, layout: int, date_style: DateStyle, tmp_path: Path, policy
) -> None:
    """This test ensures that the fields of a flatbed scan are read through real OCR."""
    fn, record, kind, expected = CASES[name]
    style = Style(layout=layout, font=FONTS[0], date_style=date_style)
    pdf, _ = draw_pdf(fn, record, style)
    d = scan.Degradation(dpi=200, angle=0.8, noise=5.0, blur=0.6, light=0.1, seed=layout + 3)
    img, _ = scan.degrade(scan.rasterise(pdf, 0, d.dpi), d)
    path = tmp_path / f"{name}.png"
    path.write_bytes(scan.to_png(img, d.dpi))
    fields = parsed(path, policy, kind)
    wrong = wrong_fields(fields, expected)
    assert set(wrong) <= OCR_MISSES.get(name, set()), wrong
    assert all(v.confidence < 1.0 for v in fields.fields.values())  # OCR is never certain


# ---------------------------------------------------------------------------------------
# pure parts


def test_id_number_valid_checks_the_check_digit_not_the_region() -> None:
    """This test ensures that a number passes on check digit and birth date alone."""
    assert id_number_valid(ID)
    assert id_number_valid("331002198604178229")  # region 331002, unknown to stdnum's table
    assert not id_number_valid(ID[:-1] + ("0" if ID[-1] != "0" else "1"))
    assert not id_number_valid(ID[:17])


@pytest.mark.parametrize(
    ("raw", "repairs"),
    [
        (ID, 0),
        (" ".join([ID[:6], ID[6:14], ID[14:]]), 0),  # spaces only
        (ID.replace("0", "O"), ID.count("0")),
        (ID.replace("1", "l"), ID.count("1")),
    ],
)
def test_repair_id_number_repairs_ocr_confusions(raw: str, repairs: int) -> None:
    """This test ensures that O/l and spaces are repaired when the repair validates."""
    number, n, valid = repair_id_number(raw)
    assert (number, n, valid) == (ID, repairs, True)


def test_repair_id_number_keeps_an_invalid_number_as_read() -> None:
    """This test ensures that a number that fails even repaired is kept raw, unverified."""
    bad = ID[:-1] + ("0" if ID[-1] != "0" else "1")
    assert repair_id_number(bad) == (bad, 0, False)


def test_id_card_with_a_bad_number_is_unverified() -> None:
    """This test ensures that an ID number failing its check digit is kept, low and unverified."""
    bad = ID[:-1] + ("0" if ID[-1] != "0" else "1")
    page = PageRead(
        page=1,
        text=f"姓名 王丽\n公民身份号码 {bad}",
        text_source=TextSource.OCR,
        confidence=0.9,
        kind=PageKind.ID_CARD,
    )
    fields = parse_id_card([page], "id.png")
    number = fields.fields["id_number"]
    assert number.value == bad and number.verified is False and number.confidence < 0.5
    assert fields.value("name") == HOLDER and "birth_date" not in fields.fields


def test_id_card_birth_and_gender_come_from_the_number_when_unread() -> None:
    """This test ensures that a valid number supplies birth date and gender the OCR lost."""
    page = PageRead(
        page=1,
        text=f"公民身份号码 {ID}",
        text_source=TextSource.OCR,
        confidence=0.9,
        kind=PageKind.ID_CARD,
    )
    fields = parse_id_card([page], "id.png")
    assert fields.value("birth_date") == "1986-04-17"
    assert fields.value("gender") == "女"
    assert fields.fields["birth_date"].confidence < fields.fields["id_number"].confidence


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("专利号:ZL 2021 2 31141806.9", "ZL 2021 2 31141806.9"),
        ("ZL2021231141806.9", "ZL 2021 2 31141806.9"),
        ("ZL 2O21 2 3114l806.9", "ZL 2021 2 31141806.9"),
        ("ZL 2020 1 1023456.X", "ZL 2020 1 1023456.X"),
    ],
)
def test_patent_number_is_normalised(raw: str, number: str) -> None:
    """This test ensures that a patent number comes out in one spacing, OCR digits repaired."""
    found = patent_number(raw)
    assert found is not None and found[0] == number


@pytest.mark.parametrize(
    ("printed", "level"),
    [
        ("本科", "本科"),
        ("大学本科", "本科"),
        ("专科", "大专"),
        ("硕士", "硕士研究生"),
        ("博士研究生", "博士研究生"),
        ("学习", None),
    ],
)
def test_normalise_level(printed: str, level: str | None) -> None:
    """This test ensures that a printed level is named as the declaration names it."""
    assert normalise_level(printed) == level


@pytest.mark.parametrize(
    "kind",
    [
        k
        for k in PageKind
        if k.value.endswith(("card", "certificate", "registration", "certification"))
    ],
)
@pytest.mark.parametrize("text", ["", "证书编号：\n姓名\n专业", "荣获“”称号\n2021年13月\n|||"])
def test_parsers_survive_noise(kind: PageKind, text: str) -> None:
    """This test ensures that a parser given empty or broken pages returns, not raises."""
    page = PageRead(page=1, text=text, text_source=TextSource.OCR, confidence=0.3, kind=kind)
    from extractors.fields import FAMILY_OF, parser_for

    fields = parser_for(FAMILY_OF[kind])([page], "x.png")
    assert fields.kind == kind.value
    assert dataclasses.is_dataclass(fields)
