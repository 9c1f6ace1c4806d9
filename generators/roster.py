"""The batch's roster 《推荐高级工程师职务任职资格人员花名册》 and its interview and fee lists.

:func:`render_roster` writes four files into the batch's output folder:

- ``roster.xlsx`` and ``roster.pdf``: every applicant, one row each (A4 landscape);
- ``interviews.xlsx``: who must be interviewed (面试答辩) and why;
- ``fees.xlsx``: who passed the qualification check and owes the review fee.

The two lists carry the full ID number (staff contact and charge the applicants with it),
always as a text cell: an 18-digit number would lose its last digits in Excel.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from generators._atomic import atomic_path
from generators._canvas import numbered_canvas
from generators.fonts import cjk_font
from model.application import Application, Education, EducationLevel
from model.privacy import mask_name
from model.report import Report, Verdict

log = logging.getLogger(__name__)

ROSTER_TITLE = "推荐高级工程师职务任职资格人员花名册"
INTERVIEWS_TITLE = "高级工程师职务任职资格面试答辩人员名单"
FEES_TITLE = "高级工程师职务任职资格评审费缴费名单"

ROSTER_XLSX = "roster.xlsx"
ROSTER_PDF = "roster.pdf"
INTERVIEWS_XLSX = "interviews.xlsx"
FEES_XLSX = "fees.xlsx"

DEFAULT_FEE = 280
"""The review fee per applicant in yuan (payable only after the qualification check)."""

ROSTER_HEADERS: tuple[str, ...] = (
    "序号", "姓名", "性别", "出生年月", "工作单位", "申报专业", "现任职务及取得时间",
    "学历学位", "申报方式", "自评分", "山区26县加分", "核验结论", "需面试",
)  # fmt: skip
INTERVIEW_HEADERS: tuple[str, ...] = (
    "序号", "姓名", "身份证号", "工作单位", "申报专业", "申报方式", "面试原因", "规则代码",
)  # fmt: skip
FEE_HEADERS: tuple[str, ...] = ("序号", "姓名", "身份证号", "工作单位", "应缴金额（元）", "备注")

VERDICT_LABELS: dict[Verdict, str] = {
    Verdict.PASS: "通过",
    Verdict.REVIEW: "需复核",
    Verdict.FAIL: "不通过",
}
"""核验结论 of each verdict."""

INTERVIEW_REASONS: dict[str, str] = {
    "INT001": "转评（转换职称系列）",
    "INT002": "不具备规定学历或资历",
    "INT003": "标志性业绩直接申报",
    "INT004": "最高学历（学位）取得不满2年",
}
"""The reason printed for each interview code (RULES.md INT001–INT004)."""

REASON_SEPARATOR = "；"
TOTAL_LABEL = "合计"
REVIEW_REMARK = "核验结论：需复核"
"""备注 of a fee row whose applicant passed with warnings still to be resolved."""

HEADER_ROW = 3
"""Worksheet row of the column headers (1: the sheet's title, 2: the batch title)."""
FIRST_DATA_ROW = HEADER_ROW + 1

SHEET_FONT = "宋体"
CELL_SIZE = 11
LINE_HEIGHT = 15.0
"""Points per text line of an 11-point cell, for the row heights."""
MIN_WIDTH = 6
MAX_WIDTH = 42
CJK_WIDTH_FACTOR = 1.1
"""A display column (a CJK character counts 2) is about 1.1 Excel width units in 宋体 11."""

PDF_PAGE = landscape(A4)
PDF_MARGIN_X = 12 * mm
PDF_MARGIN_TOP = 14 * mm
PDF_MARGIN_BOTTOM = 16 * mm
PDF_FRAME_WIDTH = PDF_PAGE[0] - 2 * PDF_MARGIN_X
PDF_COLUMN_SHARES: tuple[float, ...] = (
    0.035, 0.07, 0.035, 0.06, 0.185, 0.065, 0.11, 0.115, 0.11, 0.045, 0.06, 0.06, 0.05,
)  # fmt: skip
"""Share of the frame width per roster column, in ROSTER_HEADERS order (sum 1); 申报方式
holds 标志性业绩直接申报 on one line."""
PDF_CENTERED = frozenset({0, 2, 3, 9, 10, 11, 12})
"""Roster columns printed centred (short values)."""
HEADER_FILL = colors.Color(0.88, 0.88, 0.88)

Cell = str | int | float | None
"""One worksheet value; None leaves the cell empty."""


@dataclass(frozen=True, slots=True)
class RosterRow:
    """Everything the roster, the interview list and the fee list need of one applicant.

    Display fields are already formatted (出生年月 ``1985.03``, 现任职务及取得时间
    ``工程师 2016.09``, 学历学位 ``本科/工学学士``); a field that is not known is ``""`` or None.
    """

    key: str
    name: str
    verdict: Verdict
    gender: str = ""
    birth: str = ""
    employer: str = ""
    specialty: str = ""
    current_title: str = ""
    education: str = ""
    route: str = ""
    self_score: float | None = None
    mountain_bonus: int = 0
    interview_codes: tuple[str, ...] = ()
    id_number: str = ""

    @classmethod
    def of(cls, report: Report, application: Application | None) -> RosterRow:
        """The row of one checked applicant.

        Args:
            report: The applicant's report (key, verdict, bonus, interview codes).
            application: The parsed declaration, or None when it did not parse: the row then
                holds the key and the report's name, and blanks.
        """
        common: dict[str, Any] = {
            "key": report.applicant,
            "verdict": report.verdict,
            "mountain_bonus": report.mountain_bonus,
            "interview_codes": tuple(report.interview_codes),
        }
        if application is None:
            return cls(name=report.name or "", **common)
        a = application.applicant
        return cls(
            name=a.name,
            gender=a.gender or "",
            birth=_month(a.birth_date),
            employer=a.employer or "",
            specialty="" if a.specialty is None else str(a.specialty),
            current_title=" ".join(
                p for p in (a.current_title or "", _month(a.current_title_date)) if p
            ),
            education=_education(application.education),
            route=str(a.route),
            self_score=a.self_score,
            id_number=a.id_number or "",
            **common,
        )

    @property
    def needs_interview(self) -> bool:
        """The applicant must be interviewed (any interview code)."""
        return bool(self.interview_codes)

    @property
    def owes_fee(self) -> bool:
        """The applicant passed the qualification check, so owes the fee.

        Passing means verdict ``pass`` or ``review``: no error finding. A ``review`` row
        still has warnings for staff to resolve; the fee list marks it in 备注.
        """
        return self.verdict in (Verdict.PASS, Verdict.REVIEW)


def _month(value: dt.date | None) -> str:
    """Return a year and month as ``1985.03``, or "" when absent."""
    return "" if value is None else f"{value.year}.{value.month:02d}"


def _education(entries: Sequence[Education]) -> str:
    """Return the highest education as 学历/学位 (``本科/工学学士``), or "" when none.

    The highest level wins; between entries of one level the latest graduation.
    """
    if not entries:
        return ""
    order = list(EducationLevel)
    top = max(entries, key=lambda e: (order.index(e.level), e.graduation_date))
    return f"{top.level}/{top.degree}" if top.degree else str(top.level)


def interview_reason(codes: Sequence[str]) -> str:
    """Return the interview reasons of ``codes`` joined by ``；`` (an unknown code as itself)."""
    return REASON_SEPARATOR.join(INTERVIEW_REASONS.get(c, c) for c in dict.fromkeys(codes))


def _number(value: float | None) -> int | float | None:
    """Return ``value`` as an int when it is whole (85.0 → 85), so it prints without ``.0``."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def display_width(text: str) -> int:
    """Return how many columns ``text`` takes: 2 for a wide (CJK) character, else 1."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


# --------------------------------------------------------------------------- worksheets


@dataclass(frozen=True, slots=True)
class _Sheet:
    """One worksheet's content before it is laid out.

    Attributes:
        name: The tab name.
        title: The Chinese title merged over the columns in row 1.
        headers: The column headers.
        rows: The data rows, one value per header.
        text_columns: Columns always stored as text (``@``), e.g. the ID number.
        centred: Columns whose values are centred.
        total: A closing row (bold), or None.
        landscape: Print the sheet in landscape.
    """

    name: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    text_columns: frozenset[int] = frozenset()
    centred: frozenset[int] = frozenset()
    total: tuple[Cell, ...] | None = None
    landscape: bool = False


def _roster_sheet(rows: Sequence[RosterRow]) -> _Sheet:
    """Return the roster: every applicant."""
    data = tuple(
        (
            i, r.name, r.gender, r.birth, r.employer, r.specialty, r.current_title,
            r.education, r.route, _number(r.self_score), r.mountain_bonus,
            VERDICT_LABELS[r.verdict], "是" if r.needs_interview else "否",
        )
        for i, r in enumerate(rows, start=1)
    )  # fmt: skip
    return _Sheet(
        name="花名册", title=ROSTER_TITLE, headers=ROSTER_HEADERS, rows=data,
        centred=PDF_CENTERED, landscape=True,
    )  # fmt: skip


def _interview_sheet(rows: Sequence[RosterRow]) -> _Sheet:
    """Return the interview list: the applicants with an interview code, and why."""
    chosen = [r for r in rows if r.needs_interview]
    data = tuple(
        (
            i, r.name, r.id_number, r.employer, r.specialty, r.route,
            interview_reason(r.interview_codes), "、".join(r.interview_codes),
        )
        for i, r in enumerate(chosen, start=1)
    )  # fmt: skip
    return _Sheet(
        name="面试名单", title=INTERVIEWS_TITLE, headers=INTERVIEW_HEADERS, rows=data,
        text_columns=frozenset({2}), centred=frozenset({0, 2, 7}), landscape=True,
    )  # fmt: skip


def _fee_sheet(rows: Sequence[RosterRow], fee: int) -> _Sheet:
    """Return the fee list: the applicants who passed the check (pass or review) and owe ``fee``."""
    chosen = [r for r in rows if r.owes_fee]
    data = tuple(
        (i, r.name, r.id_number, r.employer, fee,
         REVIEW_REMARK if r.verdict is Verdict.REVIEW else "")
        for i, r in enumerate(chosen, start=1)
    )  # fmt: skip
    total: tuple[Cell, ...] = (TOTAL_LABEL, f"{len(chosen)}人", None, None, fee * len(chosen), None)
    return _Sheet(
        name="缴费名单", title=FEES_TITLE, headers=FEE_HEADERS, rows=data,
        text_columns=frozenset({2}), centred=frozenset({0, 2, 4}), total=total,
    )  # fmt: skip


def _text_of(value: Cell) -> str:
    """Return a cell value as the text it shows."""
    return "" if value is None else str(value)


def _widths(sheet: _Sheet) -> list[int]:
    """Return each column's width in Excel units, fitted to its header and values.

    A value wider than MAX_WIDTH wraps (the row is made taller).
    """
    out = []
    for col, header in enumerate(sheet.headers):
        need = display_width(header)
        body = [*sheet.rows, *([sheet.total] if sheet.total else [])]
        for row in body:
            need = max(need, display_width(_text_of(row[col])))
        width = math.ceil(need * CJK_WIDTH_FACTOR) + 2
        out.append(min(max(width, MIN_WIDTH), MAX_WIDTH))
    return out


def _lines(text: str, width: int) -> int:
    """Return how many lines ``text`` wraps to in a column ``width`` units wide."""
    # Excel draws a column of width w as 7w + 5 pixels; a display column of 宋体 11 is 7.5 px.
    usable = max((7 * width - 1) / 7.5, 1)
    return max(1, math.ceil(display_width(text) / usable))


def _fill_sheet(ws: Worksheet, sheet: _Sheet, batch_title: str) -> None:
    """Lay ``sheet`` out on ``ws``: titles, bordered table, widths, print setup."""
    ncols = len(sheet.headers)
    last = get_column_letter(ncols)
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    plain = Font(name=SHEET_FONT, size=CELL_SIZE)
    bold = Font(name=SHEET_FONT, size=CELL_SIZE, bold=True)
    widths = _widths(sheet)

    ws.title = sheet.name
    ws["A1"] = sheet.title
    ws["A1"].font = Font(name=SHEET_FONT, size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(f"A1:{last}1")
    ws.row_dimensions[1].height = 30
    ws["A2"] = batch_title
    ws["A2"].font = plain
    ws["A2"].alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(f"A2:{last}2")
    ws.row_dimensions[2].height = 20

    for col, header in enumerate(sheet.headers, start=1):
        c = ws.cell(row=HEADER_ROW, column=col, value=header)
        c.font = bold
        c.border = border
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header_lines = max(_lines(h, w) for h, w in zip(sheet.headers, widths, strict=True))
    ws.row_dimensions[HEADER_ROW].height = LINE_HEIGHT * header_lines + 6

    body = [(r, plain) for r in sheet.rows]
    if sheet.total is not None:
        body.append((sheet.total, bold))
    for offset, (values, font) in enumerate(body):
        rowno = FIRST_DATA_ROW + offset
        for col, value in enumerate(values):
            c = ws.cell(row=rowno, column=col + 1, value=value)
            c.font = font
            c.border = border
            horizontal = "center" if col in sheet.centred else "left"
            c.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=True)
            if col in sheet.text_columns or isinstance(value, str):
                c.number_format = "@"
        lines = max(_lines(_text_of(v), w) for v, w in zip(values, widths, strict=True))
        ws.row_dimensions[rowno].height = LINE_HEIGHT * lines + 4

    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width

    last_row = HEADER_ROW + len(body)
    if sheet.rows:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + len(sheet.rows)}"
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    ws.print_title_rows = f"1:{HEADER_ROW}"
    ws.print_area = f"A1:{last}{last_row}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = (
        ws.ORIENTATION_LANDSCAPE if sheet.landscape else ws.ORIENTATION_PORTRAIT
    )
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.7, footer=0.3)
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.size = 9


def _xlsx_bytes(sheet: _Sheet, batch_title: str) -> bytes:
    """Return ``sheet`` as a one-sheet .xlsx file's bytes."""
    wb = Workbook()
    ws = wb.active
    if ws is None:  # a fresh Workbook always has one sheet
        ws = wb.create_sheet()
    _fill_sheet(ws, sheet, batch_title)
    wb.properties.title = sheet.title
    wb.properties.subject = batch_title
    wb.properties.creator = "pingshen"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------- roster.pdf


def _pdf_canvas(font: str) -> type[Canvas]:
    """Return a Canvas that prints 第i页/共n页 once all pages are known."""

    def decorate(c: Canvas, pageno: int, total: int) -> None:  # pageno zero-based
        c.setFont(font, 9)
        c.drawCentredString(PDF_PAGE[0] / 2, PDF_MARGIN_BOTTOM / 2, f"第{pageno + 1}页/共{total}页")

    return numbered_canvas(decorate)


def _warn_missing_glyphs(font: str, rows: Sequence[RosterRow]) -> None:
    """Log a warning for each name holding a character the PDF font cannot draw."""
    face = getattr(pdfmetrics.getFont(font), "face", None)
    glyphs = getattr(face, "charToGlyph", None)
    if not isinstance(glyphs, dict):
        return
    for r in rows:
        missing = [c for c in r.name if ord(c) not in glyphs]
        if missing:
            log.warning(
                "roster.pdf: the font lacks %s in the name of %s (%s); it prints as a box",
                ", ".join(f"U+{ord(c):04X}" for c in missing), r.key, mask_name(r.name),
            )  # fmt: skip


def _pdf_bytes(rows: Sequence[RosterRow], title: str) -> bytes:
    """Return roster.pdf: A4 landscape, the header row repeated on every page."""
    font = cjk_font()
    _warn_missing_glyphs(font, rows)
    base = ParagraphStyle("cell", fontName=font, fontSize=8.5, leading=11, wordWrap="CJK")
    centred = ParagraphStyle("centred", base, alignment=TA_CENTER)
    head = ParagraphStyle("head", centred, fontSize=9)
    heading = ParagraphStyle(
        "heading", base, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=2
    )
    subtitle = ParagraphStyle("subtitle", base, fontSize=11, leading=16, alignment=TA_CENTER)

    sheet = _roster_sheet(rows)
    table_rows: list[list[Any]] = [[Paragraph(escape(h), head) for h in sheet.headers]]
    for values in sheet.rows:
        table_rows.append(
            [
                Paragraph(escape(_text_of(v)), centred if col in PDF_CENTERED else base)
                for col, v in enumerate(values)
            ]
        )
    table = Table(
        table_rows,
        colWidths=[s * PDF_FRAME_WIDTH for s in PDF_COLUMN_SHARES],
        repeatRows=1,
        hAlign="CENTER",
        style=TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 8.5),  # default Helvetica is not embedded
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        ),
    )
    counts = {v: sum(1 for r in rows if r.verdict is v) for v in Verdict}
    summary = (
        f"共{len(rows)}人：核验通过{counts[Verdict.PASS]}人，需复核{counts[Verdict.REVIEW]}人，"
        f"不通过{counts[Verdict.FAIL]}人；需面试{sum(1 for r in rows if r.needs_interview)}人。"
    )
    story: list[Flowable] = [
        Paragraph(escape(ROSTER_TITLE), heading),
        Paragraph(escape(title), subtitle),
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 3 * mm),
        Paragraph(escape(summary), base),
    ]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=PDF_PAGE,
        leftMargin=PDF_MARGIN_X,
        rightMargin=PDF_MARGIN_X,
        topMargin=PDF_MARGIN_TOP,
        bottomMargin=PDF_MARGIN_BOTTOM,
        title=ROSTER_TITLE,
        subject=title,
        author="",
        creator="pingshen",
        initialFontName=font,  # else every page references a non-embedded Helvetica
    )
    doc.build(story, canvasmaker=_pdf_canvas(font))
    return buf.getvalue()


# --------------------------------------------------------------------------- entry point


def render_roster(
    rows: Sequence[RosterRow], out: Path, *, title: str, fee: int = DEFAULT_FEE
) -> tuple[Path, ...]:
    """Write the roster, its PDF, the interview list and the fee list into the folder ``out``.

    Rows are sorted by applicant key and numbered (序号) from 1 in each file. The fee list
    holds the applicants who passed the qualification check, i.e. verdict ``pass`` or
    ``review`` (no error finding), each owing ``fee`` yuan, with a closing total row.

    All four files are built first and then each replaced atomically, so an error leaves
    the previous files untouched.

    Args:
        rows: One row per applicant, in any order.
        out: The batch's output folder (created when missing).
        title: The batch title printed under each sheet's title, e.g.
            ``2022年度安全技术防范行业高级工程师职务任职资格评审``.
        fee: The fee per applicant in yuan.

    Returns:
        The paths of roster.xlsx, roster.pdf, interviews.xlsx and fees.xlsx.

    Raises:
        MissingToolError: no CJK TrueType font is installed (roster.pdf).
    """
    ordered = sorted(rows, key=lambda r: r.key)
    files: dict[str, bytes] = {
        ROSTER_XLSX: _xlsx_bytes(_roster_sheet(ordered), title),
        ROSTER_PDF: _pdf_bytes(ordered, title),
        INTERVIEWS_XLSX: _xlsx_bytes(_interview_sheet(ordered), title),
        FEES_XLSX: _xlsx_bytes(_fee_sheet(ordered, fee), title),
    }
    written = []
    for name, data in files.items():
        target = out / name
        with atomic_path(target) as tmp:
            tmp.write_bytes(data)
        written.append(target)
    log.info(
        "wrote the roster of %d applicants (%d to interview, %d owing the fee) to %s",
        len(ordered), sum(r.needs_interview for r in ordered), sum(r.owes_fee for r in ordered),
        out,
    )  # fmt: skip
    return tuple(written)
