"""report.html per applicant and summary.html for the batch: pages for people, opened from disk.

Both pages are self-contained: CSS and the summary's small script are inline, nothing is
fetched from a network (no CDN, no web fonts), and every link is relative, so the output
folder can be copied anywhere and opened as ``file://``. The only other files a page uses are
the evidence crops, ``OUT/<key>/evidence/*.png``, made by :mod:`generators.crops`.

The templates (``generators/templates/*.j2``) render with Jinja2 autoescaping on; this
module turns a :class:`~model.report.Report` or summary rows into plain view objects first,
so the templates hold no logic beyond loops. ID numbers never reach a page unmasked.
Page numbers are 1-based throughout, as in report.json.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import quote

import jinja2
from PIL import Image

from generators._atomic import write_text_atomic
from generators.report_json import SummaryRow
from model.privacy import mask_id
from model.report import ClaimResult, Evidence, Finding, NameMark, Report
from model.rules import SEVERITY

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"
REPORT_NAME = "report.html"
GENERAL_GROUP = "申报与资格条件"  # the heading of the findings that belong to no claim

SEVERITY_LABEL = {"error": "错误", "warning": "警告", "info": "提示"}
VERDICT_LABEL = {"pass": "通过", "review": "需复核", "fail": "不通过", "error": "处理出错"}
VERDICT_RANK = {"error": 4, "fail": 3, "review": 2, "pass": 1}  # the summary's sort order
STATUS_LABEL = {"verified": "已核实", "unproven": "未证实", "mismatch": "不一致"}
WHAT_LABEL = {"name": "姓名", "mark": "标记", "seal": "印章"}
MARK_LABEL = {"highlight": "荧光笔涂色", "underline": "下划线", "box": "方框", "circle": "圆圈",
              "ink": "手写笔迹", "text_box": "批注文字"}
FIELD_LABEL = {
    "title": "题目", "journal": "期刊", "issn": "ISSN", "cn": "CN", "year": "年份",
    "issue": "期号", "amount": "金额（元）", "amount_capital": "大写金额", "signed_on": "签订日期",
    "role": "角色", "level": "等级", "holder": "持有人", "school": "学校", "major": "专业",
    "graduation_date": "毕业日期", "certificate_number": "证书编号", "degree": "学位",
    "name": "姓名", "id_number": "身份证号", "authors": "作者", "participants": "参与人员",
    "number": "编号", "issuer": "颁发单位", "date": "日期",
}  # fmt: skip
ID_FIELDS = frozenset({"id_number", "id", "身份证号"})

# An 18-character resident ID number in free text: a province code, a plausible birth date.
_ID_RE = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])"
                    r"(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9A-Za-z])")


def mask_ids(text: str) -> str:
    """``text`` with every resident ID number in it masked (:func:`model.privacy.mask_id`)."""
    return _ID_RE.sub(lambda m: mask_id(m.group(0)), text)


@cache
def _env() -> jinja2.Environment:
    """The template environment: autoescaping on, undefined names an error."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


# ---- view objects: what the templates show, already worded and masked -------------------


@dataclass(frozen=True, slots=True)
class CropView:
    """One evidence crop: its relative URL, alt text and pixel size."""

    src: str
    alt: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class FindingView:
    """One finding as shown: severity, code, message, where, and the crops of those places."""

    code: str
    severity: str
    severity_label: str
    message: str
    places: tuple[str, ...]
    crops: tuple[CropView, ...]
    missing_crops: int  # crops report.json names that are not on disk


@dataclass(frozen=True, slots=True)
class FieldView:
    """One field of a claim: its label, value, and whether the value was confirmed."""

    label: str
    value: str
    unverified: bool


@dataclass(frozen=True, slots=True)
class NameMarkView:
    """Whether the applicant's name is marked on the claim's proof, in words."""

    marked: bool
    text: str
    places: tuple[str, ...]
    crops: tuple[CropView, ...]


@dataclass(frozen=True, slots=True)
class GroupView:
    """A claim (or the findings of no claim) with its findings."""

    anchor: str
    claim: str  # the claim id, "" for the general group
    title: str
    status: str  # verified | unproven | mismatch, "" when there is no claim result
    status_label: str
    fields: tuple[FieldView, ...]
    pages: tuple[str, ...]  # where the claim's proof is
    name_mark: NameMarkView | None
    findings: tuple[FindingView, ...]


@dataclass(frozen=True, slots=True)
class DocumentView:
    """One evidence file: its name, page count, and how many pages were read by OCR."""

    file: str
    pages: int
    ocr_pages: int


@dataclass(frozen=True, slots=True)
class RowView:
    """One applicant's row of summary.html."""

    key: str
    name: str
    href: str | None  # to <key>/report.html when it exists
    verdict: str
    verdict_label: str
    verdict_rank: int
    errors: int
    warnings: int
    infos: int
    interview: bool
    mountain_bonus: int
    codes: tuple[str, ...]
    error: str | None
    outputs: tuple[tuple[str, str], ...]  # (label, href) of the other files written


# ---- report.html --------------------------------------------------------------------------


def _place(e: Evidence) -> str:
    """Where an evidence entry is, in words: file, page (1-based), box, what it shows."""
    parts = [e.file]
    if e.page is not None:
        parts.append(f"第 {e.page} 页")
    if e.bbox is not None:
        parts.append("区域 [" + ", ".join(f"{v:.0f}" for v in e.bbox) + "]")
    if e.what is not None:
        parts.append(WHAT_LABEL.get(e.what, e.what))
    return " · ".join(parts)


def _crops(evidence: Sequence[Evidence], folder: Path, label: str) -> tuple[
        tuple[CropView, ...], int]:
    """The crops of ``evidence`` that exist under ``folder``, each once, and how many do not."""
    out: list[CropView] = []
    missing = 0
    seen: set[str] = set()
    root = folder.resolve()
    for e in evidence:
        if e.crop is None or e.crop in seen:
            continue
        seen.add(e.crop)
        path = (folder / e.crop).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            log.warning("crop %s of %s is not in %s; shown without it", e.crop, label, folder)
            missing += 1
            continue
        try:
            with Image.open(path) as img:
                width, height = img.size
        except OSError:
            log.warning("crop %s of %s does not open; shown without it", e.crop, label)
            missing += 1
            continue
        where = f"{e.file} 第 {e.page} 页" if e.page is not None else e.file
        out.append(CropView(src=quote(path.relative_to(root).as_posix()),
                            alt=f"{label}：{where}", width=width, height=height))
    return tuple(out), missing


def _finding_view(f: Finding, folder: Path) -> FindingView:
    crops, missing = _crops(f.evidence, folder, f.code)
    sev = str(f.severity)
    return FindingView(code=f.code, severity=sev, severity_label=SEVERITY_LABEL.get(sev, sev),
                       message=mask_ids(f.message), places=tuple(_place(e) for e in f.evidence),
                       crops=crops, missing_crops=missing)


def _value(key: str, v: object) -> str:
    """A field value in words; ID numbers masked."""
    if isinstance(v, bool):
        text = "是" if v else "否"
    elif isinstance(v, list | tuple):
        text = "、".join(_value(key, x) for x in v)
    elif isinstance(v, float):
        text = f"{v:,.2f}"
    elif v is None:
        text = "—"
    else:
        text = str(v)
    return mask_id(text) if key in ID_FIELDS else mask_ids(text)


def _name_mark_view(nm: NameMark, folder: Path, claim: str) -> NameMarkView:
    if nm.marked:
        how = "、".join(x for x in (nm.colour, MARK_LABEL.get(nm.kind or "", nm.kind)) if x)
        text = f"申报人姓名已标明（{how}）" if how else "申报人姓名已标明"
    elif nm.found:
        text = f"申报人姓名未标明（材料中找到 {nm.found} 处姓名，均未标记）"
    else:
        text = "材料中未找到申报人姓名"
    crops, _ = _crops(nm.evidence, folder, f"{claim} 姓名标记")
    return NameMarkView(marked=nm.marked, text=text,
                        places=tuple(_place(e) for e in nm.evidence), crops=crops)


def _claim_title(claim: str, fields: dict[str, object]) -> str:
    """``P1 · 题目`` for an achievement, ``学历 1 · 学校`` for ``education:0``."""
    head = claim
    if claim.startswith("education:") and claim.removeprefix("education:").isdigit():
        head = f"学历 {int(claim.removeprefix('education:')) + 1}"
    name = fields.get("title") or fields.get("school")
    return f"{head} · {mask_ids(str(name))}" if name else head


def _group(anchor: str, claim: str, result: ClaimResult | None,
           findings: Sequence[Finding], folder: Path) -> GroupView:
    fields: tuple[FieldView, ...] = ()
    pages: tuple[str, ...] = ()
    name_mark = None
    status = ""
    if result is not None:
        status = result.status
        fields = tuple(FieldView(label=FIELD_LABEL.get(k, k), value=_value(k, v),
                                 unverified=k in result.unverified)
                       for k, v in result.fields.items())
        pages = tuple(dict.fromkeys(_place(e) for e in result.evidence))
        if result.name_mark is not None:
            name_mark = _name_mark_view(result.name_mark, folder, claim)
    title = GENERAL_GROUP if not claim else _claim_title(
        claim, result.fields if result is not None else {})
    return GroupView(anchor=anchor, claim=claim, title=title, status=status,
                     status_label=STATUS_LABEL.get(status, status), fields=fields,
                     pages=pages, name_mark=name_mark,
                     findings=tuple(_finding_view(f, folder) for f in findings))


def _groups(report: Report, folder: Path) -> tuple[list[GroupView], list[GroupView]]:
    """Groups with findings (no-claim first, then claims in order) and claims without any."""
    by_claim: dict[str | None, list[Finding]] = {}
    for f in report.findings:
        by_claim.setdefault(f.claim, []).append(f)
    results = {c.id: c for c in report.claims}
    order = [None, *results, *(c for c in by_claim if c is not None and c not in results)]
    with_findings: list[GroupView] = []
    clean: list[GroupView] = []
    for i, claim in enumerate(order):
        found = by_claim.get(claim, [])
        group = _group(f"g{i}", claim or "", results.get(claim or ""), found, folder)
        if found:
            with_findings.append(group)
        elif claim is not None:
            clean.append(group)
    return with_findings, clean


def render_report_html(report: Report, folder: Path) -> Path:
    """Write ``folder/report.html``, the applicant's report for staff, atomically.

    Args:
        report: The applicant's report, its evidence crops already made
            (:func:`generators.crops.add_crops`); crops are looked up under ``folder``.
        folder: The applicant's output folder, ``OUT/<key>/``.

    Returns:
        The path written.
    """
    with_findings, clean = _groups(report, folder)
    counts = report.counts()
    verdict = str(report.verdict)
    documents = [DocumentView(file=d.file, pages=len(d.pages),
                              ocr_pages=sum(p.text_source == "ocr" for p in d.pages))
                 for d in report.documents]
    html = _env().get_template("report.html.j2").render(
        key=report.applicant,
        name=mask_ids(report.name) if report.name else "（姓名未知）",
        verdict=verdict,
        verdict_label=VERDICT_LABEL.get(verdict, verdict),
        counts={s: counts.get(s, 0) for s in ("error", "warning", "info")},
        severity_label=SEVERITY_LABEL,
        interview_codes=report.interview_codes,
        mountain_bonus=report.mountain_bonus,
        groups=with_findings,
        clean=clean,
        documents=documents,
    )
    return write_text_atomic(folder / REPORT_NAME, html)


# ---- summary.html -------------------------------------------------------------------------


_CODE_ORDER = {code: i for i, code in enumerate(SEVERITY)}


def _code_order(code: str) -> tuple[int, str]:
    """Catalog order (RULES.md), codes not in the catalog last."""
    return (_CODE_ORDER.get(code, len(_CODE_ORDER)), code)


def _row(row: SummaryRow, out_dir: Path) -> RowView:
    folder = out_dir / row.key
    ok = row.error is None
    href = (quote(f"{row.key}/{REPORT_NAME}")
            if ok and (folder / REPORT_NAME).is_file() else None)
    outputs = tuple((name, quote(f"{row.key}/{name}")) for name in row.outputs
                    if ok and name != REPORT_NAME and (folder / name).is_file())
    counts = row.counts
    return RowView(key=row.key, name=mask_ids(row.name) if row.name else "—", href=href,
                   verdict=row.verdict, verdict_label=VERDICT_LABEL.get(row.verdict, row.verdict),
                   verdict_rank=VERDICT_RANK.get(row.verdict, 0),
                   errors=counts.get("error", 0), warnings=counts.get("warning", 0),
                   infos=counts.get("info", 0), interview=row.interview,
                   mountain_bonus=row.mountain_bonus,
                   codes=tuple(sorted(row.codes, key=_code_order)),
                   error=mask_ids(row.error) if row.error is not None else None,
                   outputs=outputs)


def render_summary_html(rows: Sequence[SummaryRow], out: Path, *, batch: str,
                        policy: str) -> Path:
    """Write ``out`` (``OUT/summary.html``), the batch's table of applicants, atomically.

    Each row links to ``<key>/report.html`` when that file exists beside ``out``; a row whose
    processing crashed shows its error and no link. The table sorts by a click on a column
    header (the verdict: 处理出错 > 不通过 > 需复核 > 通过) and filters by finding code.

    Args:
        rows: One row per applicant (:class:`generators.report_json.SummaryRow`).
        out: Where to write, normally ``OUT/summary.html``.
        batch: The batch's name, shown in the title.
        policy: The policy's name, shown in the title.

    Returns:
        The path written.
    """
    views = [_row(r, out.parent) for r in sorted(rows, key=lambda r: r.key)]
    code_rows: dict[str, int] = {}
    for v in views:
        for c in v.codes:
            code_rows[c] = code_rows.get(c, 0) + 1
    verdicts = {v: sum(r.verdict == v for r in views) for v in VERDICT_LABEL}
    html = _env().get_template("summary.html.j2").render(
        batch=batch,
        policy=policy,
        rows=views,
        codes=[(c, code_rows[c]) for c in sorted(code_rows, key=_code_order)],
        verdicts=[(v, VERDICT_LABEL[v], n) for v, n in verdicts.items() if n],
    )
    return write_text_atomic(out, html)
