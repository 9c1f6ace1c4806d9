"""The batch roster: roster.xlsx/pdf, interviews.xlsx and fees.xlsx, read back by real clients."""

from __future__ import annotations

import logging
import pickle
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from pypdf import PdfReader

from generators import roster
from generators.roster import RosterRow, render_roster
from model.application import Application
from model.errors import MissingToolError
from model.report import Finding, Report, Severity
from tests._apps import make_app, make_id

TITLE = "2022年度安全技术防范行业高级工程师职务任职资格评审"
RARE_NAME = "刘䶮"  # 䶮 U+4DAE, CJK Extension A
A4_LONG, A4_SHORT = 841.89, 595.28
SOFFICE_TIMEOUT = 120


def digit_id(birth: str, gender: str) -> str:
    """An ID number of 18 digits (no X): the one that would lose digits as an Excel number."""
    for order in range(10, 100):
        number = make_id(birth, gender, order=str(order))
        if number.isdigit():
            return number
    raise AssertionError("no all-digit ID number")  # pragma: no cover


ID_WANG = digit_id("19850312", "女")
ID_LIU = make_id("19800101", "男", order="77")
ID_ZHANG = digit_id("19781120", "男")
ID_ZHAO = digit_id("19900705", "女")
EMPLOYER = "杭州海康威视数字技术股份有限公司"
LONG_EMPLOYER = "浙江大华技术股份有限公司智慧城市与物联网安全技术研究院第二分院"
BACHELOR = {"level": "本科", "school": "浙江大学", "graduation_date": "2007-06-30",
            "degree": "工学学士"}  # fmt: skip
MASTER = {"level": "硕士研究生", "school": "浙江工业大学", "graduation_date": "2012-06-30",
          "degree": "工学硕士"}  # fmt: skip


def report(key: str, name: str | None, severity: Severity | None = None, *,
           bonus: int = 0, codes: tuple[str, ...] = ()) -> Report:
    """A hand-built report whose one finding (if any) sets the verdict."""
    findings = () if severity is None else (Finding("X001", severity, "test finding"),)
    return Report(applicant=key, name=name, findings=findings, claims=(), documents=(),
                  mountain_bonus=bonus, interview_codes=codes)  # fmt: skip


def sample_rows() -> list[RosterRow]:
    """Five applicants out of key order: pass, review, fail, unparsed, pass to interview."""
    wang = make_app(name="王丽", id_number=ID_WANG, gender="女", birth_date="1985-03-12",
                    employer=EMPLOYER, specialty="系统集成", current_title="工程师",
                    current_title_date="2016-09-01", education=[MASTER, BACHELOR])
    liu = make_app(name=RARE_NAME, id_number=ID_LIU, gender="男", birth_date="1980-01-01",
                   employer=LONG_EMPLOYER, specialty="产品制造", current_title="工程师",
                   route="自评分申报", self_score=85.5, education=[BACHELOR])
    zhang = make_app(name="张伟", id_number=ID_ZHANG, gender="男", birth_date="1978-11-20",
                     employer=EMPLOYER, specialty="工程设计", route="标志性业绩直接申报",
                     current_title=None, current_title_date=None, self_score=90,
                     education=[{**BACHELOR, "degree": None}])
    zhao = make_app(name="赵敏", id_number=ID_ZHAO, gender="女", birth_date="1990-07-05",
                    employer=EMPLOYER, specialty="技术服务", current_title="工程师",
                    current_title_date="2018-01-01", transfer=True)
    pairs: list[tuple[Report, Application | None]] = [
        (report("a03", "张伟", Severity.ERROR, codes=("INT003", "INT004")), zhang),
        (report("a05", "赵敏", Severity.INFO, codes=("INT001",)), zhao),
        (report("a01", "王丽", bonus=6), wang),
        (report("a04", "陈静", Severity.ERROR), None),
        (report("a02", RARE_NAME, Severity.WARNING, bonus=8, codes=("INT002",)), liu),
    ]  # fmt: skip
    return [RosterRow.of(r, a) for r, a in pairs]


EXPECTED_ROSTER = [
    (1, "王丽", "女", "1985.03", EMPLOYER, "系统集成", "工程师 2016.09",
     "硕士研究生/工学硕士", "正常申报", "", 6, "通过", "否"),
    (2, RARE_NAME, "男", "1980.01", LONG_EMPLOYER, "产品制造", "工程师 2016.12",
     "本科/工学学士", "自评分申报", 85.5, 8, "需复核", "是"),
    (3, "张伟", "男", "1978.11", EMPLOYER, "工程设计", "", "本科", "标志性业绩直接申报",
     90, 0, "不通过", "是"),
    (4, "陈静", "", "", "", "", "", "", "", "", 0, "不通过", "否"),
    (5, "赵敏", "女", "1990.07", EMPLOYER, "技术服务", "工程师 2018.01", "", "正常申报",
     "", 0, "通过", "是"),
]  # fmt: skip


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The four files of the five sample applicants."""
    out = tmp_path_factory.mktemp("roster")
    render_roster(sample_rows(), out, title=TITLE)
    return out


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The four files of 60 applicants: several printed pages."""
    out = tmp_path_factory.mktemp("big")
    (_, liu, *_) = sorted(sample_rows(), key=lambda r: r.key)
    rows = [RosterRow.of(report(f"b{i:03d}", f"申请人{i}"), None) for i in range(40)]
    rows += [liu] * 20
    render_roster(rows, out, title=TITLE)
    return out


@pytest.fixture(scope="module")
def converted(outputs: Path, big: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three sample xlsx files and the big roster converted to PDF by one soffice call."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("soffice (LibreOffice, apt-get install libreoffice-calc-nogui) is missing")
    work = tmp_path_factory.mktemp("soffice")
    shutil.copy(big / "roster.xlsx", work / "big-roster.xlsx")
    inputs = [outputs / n for n in ("roster.xlsx", "interviews.xlsx", "fees.xlsx")]
    profile = (work / "profile").as_uri()  # a throw-away profile: parallel runs don't clash
    done = subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(work / "pdf"), *map(str, inputs), str(work / "big-roster.xlsx")],
        capture_output=True, text=True, timeout=SOFFICE_TIMEOUT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Error" not in done.stdout + done.stderr, done.stdout + done.stderr
    return work / "pdf"


def sheet(path: Path) -> Worksheet:
    """The one worksheet of an xlsx file, read back with openpyxl."""
    ws = openpyxl.load_workbook(path).active
    assert isinstance(ws, Worksheet)
    return ws


def body(ws: Worksheet) -> list[tuple[object, ...]]:
    """The rows below the header, an empty cell read as ""."""
    return [tuple("" if v is None else v for v in row)
            for row in ws.iter_rows(min_row=roster.FIRST_DATA_ROW, values_only=True)]  # fmt: skip


def pdf_text(pdf: Path, page: int | None = None) -> str:
    """The text pdftotext reads from a PDF (or of one 1-based page)."""
    pages = [] if page is None else ["-f", str(page), "-l", str(page)]
    return subprocess.run(["pdftotext", "-layout", *pages, str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip


def assert_a4(pdf: Path, *, landscape: bool) -> None:
    """Every page of ``pdf`` is A4, landscape or portrait as asked (within 1 pt)."""
    for page in PdfReader(pdf).pages:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        if page.rotation % 180:
            w, h = h, w
        want = (A4_LONG, A4_SHORT) if landscape else (A4_SHORT, A4_LONG)
        assert abs(w - want[0]) <= 1 and abs(h - want[1]) <= 1, (w, h)


def assert_fonts_embedded(pdf: Path) -> None:
    """Assert that pdffonts lists at least one font and every one embedded."""
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                             check=True).stdout  # fmt: skip
    rows = listing.splitlines()[2:]
    assert rows, listing
    for row in rows:
        m = re.search(r"\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", row)
        assert m and m.group(1) == "yes", f"not embedded: {row}"


def test_row_of_a_declaration_formats_the_fields() -> None:
    """This test ensures that RosterRow.of formats month, title, highest education, verdict."""
    rows = {r.key: r for r in sample_rows()}
    wang = rows["a01"]
    assert (wang.birth, wang.current_title, wang.education) == (
        "1985.03", "工程师 2016.09", "硕士研究生/工学硕士")
    assert wang.id_number == ID_WANG and wang.mountain_bonus == 6
    assert rows["a03"].education == "本科"  # no degree: the level alone
    assert rows["a05"].education == ""
    assert [k for k, r in sorted(rows.items()) if r.owes_fee] == ["a01", "a02", "a05"]
    assert [k for k, r in sorted(rows.items()) if r.needs_interview] == ["a02", "a03", "a05"]


def test_row_without_a_declaration_keeps_key_and_name() -> None:
    """This test ensures that an applicant whose declaration did not parse is a row of blanks."""
    row = RosterRow.of(report("a04", "陈静", Severity.ERROR), None)
    assert (row.key, row.name, row.id_number, row.birth, row.self_score) == (
        "a04", "陈静", "", "", None)
    assert RosterRow.of(report("a09", None), None).name == ""


def test_row_is_picklable() -> None:
    """This test ensures that a RosterRow survives pickling (it crosses Prefect task runs)."""
    for row in sample_rows():
        assert pickle.loads(pickle.dumps(row)) == row


def test_interview_reasons_are_joined() -> None:
    """This test ensures that reasons are joined with ；, repeats once, unknown codes as is."""
    assert roster.interview_reason(("INT001", "INT004", "INT001", "INT099")) == (
        "转评（转换职称系列）；最高学历（学位）取得不满2年；INT099")
    assert set(roster.INTERVIEW_REASONS) == {"INT001", "INT002", "INT003", "INT004"}


def test_render_writes_four_files(outputs: Path) -> None:
    """This test ensures that the four files are written and nothing else is left behind."""
    assert sorted(p.name for p in outputs.iterdir()) == [
        "fees.xlsx", "interviews.xlsx", "roster.pdf", "roster.xlsx"]


def test_roster_xlsx_holds_every_applicant_in_key_order(outputs: Path) -> None:
    """This test ensures that roster.xlsx reads back with title, header and every value."""
    ws = sheet(outputs / "roster.xlsx")
    assert ws["A1"].value == roster.ROSTER_TITLE
    assert ws["A2"].value == TITLE
    header = next(ws.iter_rows(min_row=3, max_row=3, values_only=True))
    assert header == roster.ROSTER_HEADERS
    assert body(ws) == EXPECTED_ROSTER
    assert ws["J5"].data_type == "n" and ws["K5"].value == 8  # scores stay numbers


def test_every_sheet_is_set_up_for_print(outputs: Path) -> None:
    """This test ensures title merge, bold bordered header, widths, print titles, A4, freeze."""
    for name, ncols, landscape in (("roster.xlsx", 13, True), ("interviews.xlsx", 8, True),
                                   ("fees.xlsx", 6, False)):  # fmt: skip
        ws = sheet(outputs / name)
        merged = {str(r) for r in ws.merged_cells.ranges}
        last = openpyxl.utils.get_column_letter(ncols)
        assert {f"A1:{last}1", f"A2:{last}2"} <= merged, name
        for col in range(1, ncols + 1):
            head = ws.cell(row=3, column=col)
            assert head.font.b and head.border.bottom.style == "thin", (name, col)
            letter = openpyxl.utils.get_column_letter(col)
            assert ws.column_dimensions[letter].width >= roster.MIN_WIDTH, (name, letter)
        assert ws.print_title_rows == "$1:$3", name
        assert ws.freeze_panes == "A4", name
        assert int(ws.page_setup.paperSize) == 9, name  # A4
        assert ws.page_setup.orientation == ("landscape" if landscape else "portrait"), name
        assert ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert (int(ws.page_setup.fitToWidth), int(ws.page_setup.fitToHeight)) == (1, 0), name


def test_column_widths_fit_cjk_text(outputs: Path) -> None:
    """This test ensures that a column is wide enough for its CJK text, counted twice a char."""
    ws = sheet(outputs / "roster.xlsx")
    assert ws.column_dimensions["E"].width >= 2 * len(EMPLOYER)  # 工作单位
    assert ws.column_dimensions["E"].width <= roster.MAX_WIDTH  # the longest one wraps
    assert ws.column_dimensions["G"].width >= 2 * len("现任职务及取得时间")
    assert ws.column_dimensions["A"].width < ws.column_dimensions["E"].width
    assert ws["E5"].alignment.wrap_text
    assert ws.row_dimensions[5].height > ws.row_dimensions[4].height  # LONG_EMPLOYER wraps


def test_interviews_list_those_with_codes_and_why(outputs: Path) -> None:
    """This test ensures that interviews.xlsx holds exactly the coded applicants with reasons."""
    ws = sheet(outputs / "interviews.xlsx")
    assert ws["A1"].value == roster.INTERVIEWS_TITLE
    assert "身份证号" in next(ws.iter_rows(min_row=3, max_row=3, values_only=True))
    assert [(r[0], r[1], r[2], r[6], r[7]) for r in body(ws)] == [
        (1, RARE_NAME, ID_LIU, "不具备规定学历或资历", "INT002"),
        (2, "张伟", ID_ZHANG, "标志性业绩直接申报；最高学历（学位）取得不满2年",
         "INT003、INT004"),
        (3, "赵敏", ID_ZHAO, "转评（转换职称系列）", "INT001"),
    ]  # fmt: skip


def test_fees_list_those_who_passed_the_check(outputs: Path) -> None:
    """This test ensures that fees.xlsx holds exactly the pass/review applicants at 280 yuan."""
    ws = sheet(outputs / "fees.xlsx")
    header = next(ws.iter_rows(min_row=3, max_row=3, values_only=True))
    assert header == ("序号", "姓名", "身份证号", "工作单位", "应缴金额（元）", "备注")
    assert body(ws) == [
        (1, "王丽", ID_WANG, EMPLOYER, 280, ""),
        (2, RARE_NAME, ID_LIU, LONG_EMPLOYER, 280, roster.REVIEW_REMARK),
        (3, "赵敏", ID_ZHAO, EMPLOYER, 280, ""),
        ("合计", "3人", "", "", 840, ""),
    ]


def test_id_numbers_are_text_cells(outputs: Path) -> None:
    """This test ensures that every ID number is a text cell of 18 characters formatted '@'."""
    for name in ("interviews.xlsx", "fees.xlsx"):
        ws = sheet(outputs / name)
        cells = [row[2] for row in ws.iter_rows(min_row=roster.FIRST_DATA_ROW)
                 if isinstance(row[0].value, int)]  # fmt: skip
        assert cells, name
        for c in cells:
            assert c.data_type == "s" and c.number_format == "@", (name, c.coordinate)
            assert isinstance(c.value, str) and len(c.value) == 18, (name, c.value)
        assert any(c.value.isdigit() for c in cells), name  # the case Excel would spoil


def test_other_fee_and_an_empty_batch(tmp_path: Path) -> None:
    """This test ensures that an empty batch still writes four files and fee= is honoured."""
    paths = render_roster([], tmp_path, title=TITLE, fee=300)
    assert [p.name for p in paths] == ["roster.xlsx", "roster.pdf", "interviews.xlsx",
                                       "fees.xlsx"]  # fmt: skip
    assert body(sheet(tmp_path / "roster.xlsx")) == []
    assert body(sheet(tmp_path / "fees.xlsx")) == [("合计", "0人", "", "", 0, "")]
    row = RosterRow.of(report("a01", "王丽"), make_app())
    render_roster([row], tmp_path, title=TITLE, fee=300)
    assert body(sheet(tmp_path / "fees.xlsx"))[0][4] == 300


def test_roster_pdf_is_a4_landscape_embedded_and_valid(outputs: Path) -> None:
    """This test ensures that roster.pdf passes qpdf --check, embeds its fonts, is A4 landscape."""
    pdf = outputs / "roster.pdf"
    if shutil.which("qpdf") is None:
        pytest.skip("qpdf is not installed")
    check = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert_fonts_embedded(pdf)
    assert_a4(pdf, landscape=True)


def test_roster_pdf_text_holds_titles_header_and_rows(outputs: Path) -> None:
    """This test ensures that roster.pdf shows both titles, the header, every name and verdict."""
    text = pdf_text(outputs / "roster.pdf")
    for s in (roster.ROSTER_TITLE, TITLE, "序号", "核验结论", "需面试", "标志性业绩直接申报",
              "王丽", RARE_NAME, "陈静", "1985.03", "工程师 2016.09", "需复核", "不通过"):
        assert s in text, s
    assert ID_WANG not in text  # the roster carries no ID number


def test_roster_pdf_repeats_the_header_on_each_page(big: Path) -> None:
    """This test ensures that a long roster.pdf has several pages, each with the header row."""
    pdf = big / "roster.pdf"
    pages = len(PdfReader(pdf).pages)
    assert pages > 1
    for pageno in range(1, pages + 1):
        text = pdf_text(pdf, pageno)
        assert "工作单位" in text and "核验结论" in text, pageno
        assert f"第{pageno}页/共{pages}页" in text


def test_a_name_the_font_lacks_is_logged_masked(tmp_path: Path,
                                                caplog: pytest.LogCaptureFixture) -> None:
    """This test ensures that a glyph missing from the PDF font is warned of, the name masked."""
    name = "王𠈌"  # U+2020C, CJK Extension B: not in the bundled fonts' first face
    row = RosterRow.of(report("a07", name), None)
    with caplog.at_level(logging.WARNING, logger="generators.roster"):
        render_roster([row], tmp_path, title=TITLE)
    if "U+2020C" not in caplog.text:
        pytest.skip("the installed CJK font draws U+2020C")
    assert "a07" in caplog.text and "王*" in caplog.text
    assert name not in caplog.text


def test_files_are_replaced_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """This test ensures that files are replaced by rename, and a failure leaves all four old."""
    names = ("roster.xlsx", "roster.pdf", "interviews.xlsx", "fees.xlsx")
    for n in names:
        (tmp_path / n).write_bytes(b"old")
    inodes = {n: (tmp_path / n).stat().st_ino for n in names}
    rows = sample_rows()

    def no_font() -> str:
        raise MissingToolError("no CJK font")

    monkeypatch.setattr(roster, "cjk_font", no_font)
    with pytest.raises(MissingToolError):
        render_roster(rows, tmp_path, title=TITLE)
    assert all((tmp_path / n).read_bytes() == b"old" for n in names)
    monkeypatch.undo()
    render_roster(rows, tmp_path, title=TITLE)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)  # no *.part left
    assert all((tmp_path / n).stat().st_ino != inodes[n] for n in names)


def test_libreoffice_converts_every_xlsx(converted: Path) -> None:
    """This test ensures that LibreOffice converts each xlsx to A4 PDF with header and names."""
    expect: dict[str, Sequence[str]] = {
        "roster": (roster.ROSTER_TITLE, "山区26县加分", "王丽", RARE_NAME, "陈静"),
        "interviews": (roster.INTERVIEWS_TITLE, "面试原因", "身份证号", ID_ZHANG, "张伟"),
        "fees": (roster.FEES_TITLE, "应缴金额（元）", ID_WANG, "王丽", "840"),
    }
    for stem, strings in expect.items():
        pdf = converted / f"{stem}.pdf"
        assert pdf.is_file(), stem
        text = pdf_text(pdf)
        for s in strings:
            assert s in text, (stem, s)
        assert_a4(pdf, landscape=stem != "fees")
        assert_fonts_embedded(pdf)


def test_libreoffice_prints_the_header_on_every_page(converted: Path) -> None:
    """This test ensures that the print titles repeat the header on each page LibreOffice prints."""
    pdf = converted / "big-roster.pdf"
    pages = len(PdfReader(pdf).pages)
    assert pages > 1
    for pageno in range(1, pages + 1):
        assert "核验结论" in pdf_text(pdf, pageno), pageno
    assert_a4(pdf, landscape=True)
