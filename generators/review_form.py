"""The review form 《专业技术职务任职资格评审表》: one A4 copy, then watermarked copies."""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib import textsplit as rl_textsplit
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import paragraph as rl_paragraph

from generators._atomic import atomic_path
from generators._canvas import numbered_canvas
from generators.fonts import cjk_font
from generators.watermark import DEFAULT_COPIES, stamp_copies
from model.application import Achievement, AchievementType, Application

log = logging.getLogger(__name__)

FORM_NAME = "专业技术职务任职资格评审表"
DEFAULT_TITLE = "2022年度安全技术防范行业高级工程师职务任职资格评审"

PAGE_SIZE = A4
MARGIN_X = 20 * mm
MARGIN_TOP = 24 * mm
MARGIN_BOTTOM = 20 * mm
FRAME_WIDTH = PAGE_SIZE[0] - 2 * MARGIN_X
HEADER_BASELINE = PAGE_SIZE[1] - 42
"""Baseline of the running header; the copy mark sits on the same line at the right."""
FOOTER_BASELINE = 11 * mm

LABEL_FILL = colors.Color(0.55, 0.55, 0.55, alpha=0.15)
"""Translucent so the watermark underneath stays visible."""
GRID_WIDTH = 0.6
OPINION_SPACE = 30 * mm
"""Blank writing space in each opinion box."""

ACHIEVEMENT_LABELS: dict[AchievementType, str] = {
    AchievementType.PAPER: "论文",
    AchievementType.PROJECT: "项目",
    AchievementType.AWARD: "获奖",
    AchievementType.QUALIFICATION: "资格证书",
    AchievementType.PATENT: "专利",
    AchievementType.STANDARD: "标准",
    AchievementType.SOFTWARE_COPYRIGHT: "软件著作权",
}

REPRESENTATIVE_MARK = "代表作"

CHINESE_CANNOT_START = "，；：？！）》」』】〉．"
"""Full-width punctuation that must not start a line; reportlab's own list lacks these."""

OPINIONS: tuple[tuple[str, str], ...] = (
    ("单位意见", ""),
    ("主管部门意见", ""),
    (
        "评审委员会意见",
        "评审委员会应到___人，实到___人；表决结果：同意___票，不同意___票，弃权___票。",
    ),
)


@dataclass(frozen=True, slots=True)
class _Styles:
    """Paragraph styles of the form, all in the CJK font."""

    heading: ParagraphStyle
    title: ParagraphStyle
    section: ParagraphStyle
    group: ParagraphStyle
    cell: ParagraphStyle
    small: ParagraphStyle
    label: ParagraphStyle
    statement: ParagraphStyle


@dataclass(frozen=True, slots=True)
class _Column:
    """One column of an achievement table: header, share of the width, cell text."""

    header: str
    share: float
    value: Callable[[Achievement], str]


def _forbid_line_start_punctuation() -> None:
    """Teach reportlab's CJK line breaker not to begin a line with ，；： etc. (idempotent).

    reportlab hangs such a character at the end of the previous line instead.
    """
    # Single-run paragraphs break in textsplit.wordSplit, mixed ones in cjkFragSplit.
    for module in (rl_textsplit, rl_paragraph):
        missing = "".join(c for c in CHINESE_CANNOT_START if c not in module.ALL_CANNOT_START)
        if missing:
            module.ALL_CANNOT_START += missing


def _styles(font: str) -> _Styles:
    """Build the paragraph styles; ``wordWrap="CJK"`` lets Chinese text wrap anywhere."""
    base = ParagraphStyle("base", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK")
    return _Styles(
        heading=ParagraphStyle(
            "heading", base, fontSize=20, leading=28, alignment=TA_CENTER, spaceAfter=4
        ),
        title=ParagraphStyle("title", base, fontSize=12, leading=17, alignment=TA_CENTER),
        section=ParagraphStyle(
            "section", base, fontSize=11.5, leading=16, spaceBefore=9, spaceAfter=4, keepWithNext=1
        ),
        group=ParagraphStyle("group", base, fontSize=10, leading=14, spaceBefore=4, spaceAfter=3),
        cell=base,
        small=ParagraphStyle("small", base, fontSize=8.5, leading=11.5),
        label=ParagraphStyle("label", base, alignment=TA_CENTER),
        statement=ParagraphStyle(
            "statement", base, fontSize=10.5, leading=18, firstLineIndent=21, spaceAfter=4
        ),
    )


def _text(value: object) -> str:
    """Return a field as printed text; an absent field prints as an empty string."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, dt.date):
        return _date(value)
    return str(getattr(value, "value", value))


def _number(value: float) -> str:
    """Return ``value`` without a trailing ``.0``: 62.0 → "62", 12.5 → "12.5"."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:g}"


def _month(value: dt.date | None) -> str:
    """Return a year and month as 2016年12月, or "" when absent."""
    return "" if value is None else f"{value.year}年{value.month:02d}月"


def _date(value: dt.date | None) -> str:
    """Return a date as 2016年12月20日, or "" when absent."""
    return "" if value is None else f"{value.year}年{value.month:02d}月{value.day:02d}日"


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    """Return a Paragraph of plain ``text`` (markup characters escaped)."""
    return Paragraph(escape(text), style)


def _grid(
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    *,
    header_row: bool = False,
    label_cols: Sequence[int] = (),
    extra: Sequence[tuple[Any, ...]] = (),
) -> Table:
    """Return a ruled table; label columns and the header row get a light fill."""
    commands: list[tuple[Any, ...]] = [
        # Plain (empty) cells are drawn in the cell font: default Helvetica is not embedded.
        ("FONT", (0, 0), (-1, -1), cjk_font(), 9),
        ("GRID", (0, 0), (-1, -1), GRID_WIDTH, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if header_row:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), LABEL_FILL))
    for col in label_cols:
        commands.append(("BACKGROUND", (col, 0), (col, -1), LABEL_FILL))
    commands.extend(extra)
    return Table(
        [list(r) for r in rows],
        colWidths=list(widths),
        style=TableStyle(commands),
        repeatRows=1 if header_row else 0,
        hAlign="CENTER",
    )


def _basic_table(app: Application, s: _Styles) -> Table:
    """Return the table of the applicant's basic data (full ID number, as on paper)."""
    a = app.applicant

    def lab(text: str) -> Paragraph:
        return _para(text, s.label)

    def val(text: str) -> Paragraph:
        return _para(text, s.cell)

    rows = [
        [lab("姓名"), val(a.name), lab("性别"), val(_text(a.gender))],
        [lab("出生年月"), val(_month(a.birth_date)), lab("身份证号"), val(a.id_number)],
        [lab("工作单位"), val(_text(a.employer)), "", ""],
        [lab("申报专业"), val(_text(a.specialty)), lab("申报方式"), val(_text(a.route))],
        [
            lab("现任职务"),
            val(_text(a.current_title)),
            lab("取得时间"),
            val(_month(a.current_title_date)),
        ],
        [lab("转评"), val(_text(a.transfer)), lab("申报日期"), val(_date(a.declared_on))],
    ]
    w = FRAME_WIDTH
    return _grid(
        rows,
        [0.15 * w, 0.35 * w, 0.15 * w, 0.35 * w],
        label_cols=(0,),
        extra=[
            ("SPAN", (1, 2), (3, 2)),
            ("BACKGROUND", (2, 0), (2, 1), LABEL_FILL),
            ("BACKGROUND", (2, 3), (2, -1), LABEL_FILL),
        ],
    )


def _education_table(app: Application, s: _Styles) -> Table:
    """Return the education table; an empty declaration prints one blank row."""
    headers = ["学历", "学校", "专业", "毕业时间", "学位", "证书编号"]
    rows: list[list[Any]] = [[_para(h, s.label) for h in headers]]
    for e in app.education:
        school = e.school + ("（国（境）外）" if e.foreign else "")
        cells = [
            _text(e.level),
            school,
            _text(e.major),
            _month(e.graduation_date),
            _text(e.degree),
            _text(e.certificate_number),
        ]
        rows.append([_para(c, s.small) for c in cells])
    if not app.education:
        rows.append([""] * len(headers))
    shares = (0.11, 0.24, 0.18, 0.13, 0.08, 0.26)
    return _grid(rows, [f * FRAME_WIDTH for f in shares], header_row=True)


WORK_BLANK_ROWS = 3
"""Rows left blank for a hand-written work history when the declaration gives none."""


def _period(value: dt.date | str | None) -> str:
    """Return a work period's bound as 2007年07月 (a date) or as written (至今)."""
    return _month(value) if isinstance(value, dt.date) else _text(value)


def _work_table(app: Application, s: _Styles) -> Table:
    """Return the work history (工作经历); without one, blank rows to fill in by hand."""
    headers = ["起始年月", "终止年月", "工作单位", "职务（岗位）"]
    rows: list[list[Any]] = [[_para(h, s.label) for h in headers]]
    for w in app.work_history:
        cells = [_period(w.start), _period(w.end), w.employer, _text(w.position)]
        rows.append([_para(c, s.small) for c in cells])
    rows += [[""] * len(headers) for _ in range(0 if app.work_history else WORK_BLANK_ROWS)]
    shares = (0.14, 0.14, 0.48, 0.24)
    return _grid(rows, [f * FRAME_WIDTH for f in shares], header_row=True)


def _ce_table(app: Application, s: _Styles) -> Table:
    """Return continuing-education hours per year with a total row."""
    headers = ["年度", "专业科目", "行业公需", "一般公需", "合计"]
    rows: list[list[Any]] = [[_para(h, s.label) for h in headers]]
    sums = [0.0, 0.0, 0.0, 0.0]
    for year in sorted(app.continuing_education):
        h = app.continuing_education[year]
        values = [h.professional, h.industry_public, h.general_public, h.total]
        sums = [a + b for a, b in zip(sums, values, strict=True)]
        rows.append([_para(str(year), s.label), *(_para(_number(v), s.label) for v in values)])
    if app.continuing_education:
        rows.append([_para("合计", s.label), *(_para(_number(v), s.label) for v in sums)])
    else:
        rows.append([""] * len(headers))
    return _grid(rows, [FRAME_WIDTH / len(headers)] * len(headers), header_row=True)


def _assessment_table(app: Application, s: _Styles) -> Table:
    """Return annual assessments as two rows: the years and their results."""
    years = sorted(app.annual_assessments)
    year_row: list[Any] = [_para("年度", s.label)]
    result_row: list[Any] = [_para("考核结果", s.label)]
    for y in years:
        year_row.append(_para(str(y), s.label))
        result_row.append(_para(app.annual_assessments[y], s.label))
    if not years:
        year_row.append("")
        result_row.append("")
    first = 0.16 * FRAME_WIDTH
    rest = (FRAME_WIDTH - first) / max(len(years), 1)
    return _grid([year_row, result_row], [first] + [rest] * max(len(years), 1), label_cols=(0,))


def _mark(a: Achievement) -> str:
    """Return the remark of a representative work (代表作), else ""."""
    return REPRESENTATIVE_MARK if a.representative else ""


def _paper_issue(a: Achievement) -> str:
    """Return a paper's year and issue as 2021年第05期 (either part may be absent)."""
    if a.year is None:
        return f"第{a.issue}期" if a.issue else ""
    return f"{a.year}年第{a.issue}期" if a.issue else f"{a.year}年"


def _amount(a: Achievement) -> str:
    """Return the contract amount in 万元 (the declaration gives yuan)."""
    return "" if a.amount is None else f"{a.amount / 10_000:,.2f}"


_ID = _Column("编号", 0.07, lambda a: a.id)
_REMARK = _Column("备注", 0.09, _mark)

_COLUMNS: dict[AchievementType, tuple[_Column, ...]] = {
    AchievementType.PAPER: (
        _ID,
        _Column("论文题目", 0.30, lambda a: a.title),
        _Column("期刊名称", 0.19, lambda a: _text(a.journal)),
        _Column("ISSN", 0.11, lambda a: _text(a.issn)),
        _Column("CN", 0.12, lambda a: _text(a.cn)),
        _Column("年份/期号", 0.12, _paper_issue),
        _REMARK,
    ),
    AchievementType.PROJECT: (
        _ID,
        _Column("项目名称", 0.38, lambda a: a.title),
        _Column("合同金额（万元）", 0.16, _amount),
        _Column("签订日期", 0.16, lambda a: _date(a.signed_on)),
        _Column("本人角色", 0.14, lambda a: _text(a.role)),
        _REMARK,
    ),
    AchievementType.AWARD: (
        _ID,
        _Column("获奖名称", 0.50, lambda a: a.title),
        _Column("等级", 0.20, lambda a: _text(a.level)),
        _Column("年份", 0.14, lambda a: _text(a.year)),
        _REMARK,
    ),
}
_OTHER_COLUMNS: tuple[_Column, ...] = (
    _ID,
    _Column("名称", 0.44, lambda a: a.title),
    _Column("级别", 0.14, lambda a: _text(a.level)),
    _Column("年份", 0.12, lambda a: _text(a.year)),
    _Column("本人角色", 0.14, lambda a: _text(a.role)),
    _REMARK,
)


def _achievement_flowables(app: Application, s: _Styles) -> list[Flowable]:
    """Return one sub-heading and table per achievement type, in the vocabulary's order."""
    out: list[Flowable] = []
    for kind in AchievementType:
        items = [a for a in app.achievements if a.type == kind]
        if not items:
            continue
        columns = _COLUMNS.get(kind, _OTHER_COLUMNS)
        rows: list[list[Any]] = [[_para(c.header, s.label) for c in columns]]
        rows.extend([_para(c.value(a), s.small) for c in columns] for a in items)
        heading = _para(f"{ACHIEVEMENT_LABELS[kind]}（{len(items)}项）", s.group)
        table = _grid(rows, [c.share * FRAME_WIDTH for c in columns], header_row=True)
        # A table longer than a page still splits (its header row repeats).
        out.append(KeepTogether([heading, table]))
    if not out:
        out.append(_para("（无）", s.cell))
    return out


def _statement_flowables(app: Application, s: _Styles) -> list[Flowable]:
    """Return the self-statement as free-flowing paragraphs that may span pages."""
    parts = [p.strip() for p in app.applicant.self_statement.splitlines()]
    paragraphs: list[Flowable] = [_para(p, s.statement) for p in parts if p]
    return paragraphs or [Spacer(1, 12 * mm)]


def _opinion_box(label: str, preface: str, s: _Styles, lead: Sequence[Flowable] = ()) -> Flowable:
    """Return one opinion box: blank space, 签名（盖章） and 年 月 日 lines.

    ``lead`` flowables (a section heading) are kept on the same page as the box.
    """
    font = cjk_font()
    # The signature lines are plain strings: a Paragraph would collapse the blank spaces.
    rows = [
        [_para(label, s.label), _para(preface, s.cell) if preface else ""],
        ["", Spacer(1, OPINION_SPACE)],
        ["", "签名（盖章）：" + "　" * 8],
        ["", "年" + "　" * 3 + "月" + "　" * 3 + "日" + "　" * 2],
    ]
    style = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), font, 10.5),
            ("BOX", (0, 0), (-1, -1), GRID_WIDTH, colors.black),
            ("LINEAFTER", (0, 0), (0, -1), GRID_WIDTH, colors.black),
            ("SPAN", (0, 0), (0, -1)),
            ("BACKGROUND", (0, 0), (0, -1), LABEL_FILL),
            ("VALIGN", (0, 0), (0, -1), "MIDDLE"),
            ("VALIGN", (1, 0), (1, -1), "TOP"),
            ("ALIGN", (1, 2), (1, -1), "RIGHT"),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ]
    )
    table = Table(rows, colWidths=[0.19 * FRAME_WIDTH, 0.81 * FRAME_WIDTH], style=style)
    return KeepTogether([*lead, table, Spacer(1, 5 * mm)])


def _story(app: Application, title: str, s: _Styles) -> list[Flowable]:
    """Return the whole form as platypus flowables."""
    story: list[Flowable] = [
        _para(FORM_NAME, s.heading),
        _para(title, s.title),
        Spacer(1, 6 * mm),
        _para("一、基本情况", s.section),
        _basic_table(app, s),
        _para("二、学历情况", s.section),
        _education_table(app, s),
        _para("三、工作经历", s.section),
        _work_table(app, s),
        _para("四、继续教育学时（学时）", s.section),
        _ce_table(app, s),
        _para("五、年度考核", s.section),
        _assessment_table(app, s),
        _para("六、专业技术业绩", s.section),
        *_achievement_flowables(app, s),
        _para("七、本人述职", s.section),
        *_statement_flowables(app, s),
    ]
    lead: Sequence[Flowable] = [_para("八、审核意见", s.section)]
    for label, preface in OPINIONS:
        story.append(_opinion_box(label, preface, s, lead))
        lead = ()
    return story


def _canvas_class(font: str, name: str) -> type[Canvas]:
    """Return a Canvas that adds the running header and 第i页/共n页 once all pages are known."""

    def decorate(c: Canvas, pageno: int, total: int) -> None:  # pageno zero-based
        c.setFont(font, 9)
        c.drawString(MARGIN_X, HEADER_BASELINE, f"{FORM_NAME}　申报人：{name}")
        c.drawCentredString(PAGE_SIZE[0] / 2, FOOTER_BASELINE, f"第{pageno + 1}页/共{total}页")

    return numbered_canvas(decorate)


def render_copy(app: Application, *, title: str = DEFAULT_TITLE) -> bytes:
    """Return one unmarked, unwatermarked copy of the review form as PDF bytes."""
    font = cjk_font()
    _forbid_line_start_punctuation()
    s = _styles(font)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{FORM_NAME}（{app.applicant.name}）",
        subject=title,
        author="",
        creator="pingshen",
        initialFontName=font,  # else every page references a non-embedded Helvetica
    )
    doc.build(_story(app, title, s), canvasmaker=_canvas_class(font, app.applicant.name))
    return buf.getvalue()


def render(
    app: Application,
    out: Path,
    *,
    title: str = DEFAULT_TITLE,
    copies: int = DEFAULT_COPIES,
) -> Path:
    """Write the review form to ``out``: ``copies`` watermarked copies marked 第N份/共M份.

    The file is replaced atomically; on an error the previous ``out`` is left untouched.

    Raises:
        ValueError: ``copies`` is less than 1.
        MissingToolError: no CJK TrueType font is installed.
    """
    if copies < 1:
        raise ValueError(f"copies must be at least 1, not {copies}")
    data = stamp_copies(render_copy(app, title=title), copies)
    with atomic_path(out) as tmp:
        tmp.write_bytes(data)
    log.info("wrote review form of %s (%d copies) to %s", app.applicant.name, copies, out)
    return out
