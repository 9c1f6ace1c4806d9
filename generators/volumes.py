"""The applicant's bound volumes (册): OUT/<key>/volume-1.pdf, volume-2.pdf (volume-3.pdf …).

Each volume is a cover (applicant, specialty, volume), a 目录 of its items with their page
ranges, then the items' pages in the order of BRIEF.md "What is printed":

- 第一册: 身份证; each declared education entry (its claim's evidence: diplomas, degree
  certificates, their verification); 现任职称证书 (pages read as a title certificate);
  继续教育证明 (pages read as a continuing-education certificate).
- 第二册: the declared achievements grouped by type — 资格证书, 项目, 获奖, 专利 and 软件著作权,
  标准, 论文 — each type in declaration order, each item its claim's evidence; then
  「其他材料」: every page the reading found that no item took (``other``/``unknown`` pages,
  certificates no claim matched), so nothing is lost. When volume 2 would exceed the policy's
  ``max_pages``, the rest goes to 第三册 (and so on), split between items; an item is only cut
  when it alone exceeds the limit (its continuation is titled 「…（续）」).

An item is the documents the reading found for it, wherever they were in the upload: a
whole scanned volume is re-ordered into this sequence. An item with no proof pages is
listed in the 目录 with 「缺」 in red and gets no pages and no bookmark; every other item gets
a PDF bookmark to its first page (and the 目录 one of its own).

Page numbers: every page carries the stamp 「第二册 第N页」 at its top right; N counts from 1
at the volume's cover, so the 目录 starts at page 2 and the page ranges it lists are those
stamped numbers (1-based, as people see them).

Source pages: a PDF page is imported as it is (not rasterised), turned upright by its
``/Rotate`` plus the reading's ``rotation``, scaled uniformly (up or down) to fit A4
portrait inside margins that keep the stamp clear, and centred; its markup annotations
(highlights, boxes…) come along, links and form fields do not. A page whose text needs a font
the file does not embed is rasterised instead (200 dpi, lossless), so that every font of the
volume is embedded. An image file's page is placed the same way: a JPEG's own bytes are
embedded as its image stream (``/DCTDecode``, not re-encoded); PNG, TIFF (frame N = page N)
and other images are stored losslessly (``/FlateDecode`` of their pixels, transparency
flattened onto white); the EXIF orientation the reading applied is applied here too, as a
transformation, never by re-encoding.

A source file that cannot be opened (or ``source`` None) is logged and its pages left out:
the items that lose pages say so in the 目录 (「缺」 when none is left), and everything else
is printed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import logging
import unicodedata
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from PIL import Image
from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.generic import (
    ArrayObject,
    ContentStream,
    DictionaryObject,
    IndirectObject,
    NameObject,
)
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from extractors._backends import pdf as pdf_backend
from generators._atomic import atomic_path
from generators._forms import page_form, stand_in
from generators.fonts import cjk_font
from model.application import Achievement, AchievementType, Application
from model.report import ClaimResult, PageKind, PageRead, Report

log = logging.getLogger(__name__)

PAGE_W, PAGE_H = A4

STAMP_FONT_SIZE = 10.5
STAMP_RIGHT = 28.0
"""Distance in points of the stamp's right end from the page's right edge."""
STAMP_BASELINE = PAGE_H - 26.0

CONTENT_BOX = (20.0, 20.0, PAGE_W - 20.0, PAGE_H - 42.0)
"""Where a source page is fitted: (x0, y0, x1, y1) in points; the stamp sits above it."""

RASTER_DPI = 200
"""Resolution of a PDF page that has to be rasterised (a font it does not embed)."""
FLATE_LEVEL = 1
"""zlib level for decoded image pixels: on 10 TIFF scans of /tmp/b20 (155 MB of pixels)
level 1 took 2.1 s for 48.8 MB, level 3 3.6 s for 43.2 MB, level 6 10.4 s for 45.1 MB."""

MISSING = "缺"
MISSING_COLOUR = colors.Color(0.85, 0.0, 0.0)
OTHER_TITLE = "其他材料"
UNREADABLE_NOTE = "（文件无法读取，未装订）"
CONTINUED = "（续）"
SERIES_TITLE = "专业技术职务任职资格评审材料"

# 目录 layout (points); plan and drawing share these so the page count is exact.
TOC_MARGIN_X = 56.0
TOC_FIRST_TOP = PAGE_H - 136.0
"""Top of the first item row: below the heading and the column header."""
TOC_BOTTOM = 60.0
TOC_FONT_SIZE = 11.0
TOC_LEADING = 17.0
TOC_ROW_GAP = 7.0
TOC_INDEX_WIDTH = 36.0
TOC_PAGES_WIDTH = 78.0
TOC_TITLE_WIDTH = PAGE_W - 2 * TOC_MARGIN_X - TOC_INDEX_WIDTH - TOC_PAGES_WIDTH - 8.0
TOC_WIDE_EM = 1.0
TOC_NARROW_EM = 0.62
"""Widths (em) the wrapping assumes for CJK and other characters; both are generous."""

_NUMERALS = "一二三四五六七八九十"

ACHIEVEMENT_GROUPS: tuple[tuple[AchievementType, ...], ...] = (
    (AchievementType.QUALIFICATION,),
    (AchievementType.PROJECT,),
    (AchievementType.AWARD,),
    (AchievementType.PATENT, AchievementType.SOFTWARE_COPYRIGHT),
    (AchievementType.STANDARD,),
    (AchievementType.PAPER,),
)
"""The order of 第二册: achievement types, those of one group in declaration order."""

ACHIEVEMENT_LABELS: dict[AchievementType, str] = {
    AchievementType.QUALIFICATION: "资格证书",
    AchievementType.PROJECT: "项目",
    AchievementType.AWARD: "获奖",
    AchievementType.PATENT: "专利",
    AchievementType.SOFTWARE_COPYRIGHT: "软件著作权",
    AchievementType.STANDARD: "标准",
    AchievementType.PAPER: "论文",
}

_EDUCATION_RANK: dict[PageKind, int] = {
    PageKind.GRADUATION_CERTIFICATE: 0,
    PageKind.DEGREE_CERTIFICATE: 1,
    PageKind.EDUCATION_REGISTRATION: 2,
    PageKind.OVERSEAS_CERTIFICATION: 3,
}

_KIND_TYPE: dict[PageKind, AchievementType] = {
    PageKind.JOURNAL_COVER: AchievementType.PAPER,
    PageKind.JOURNAL_COPYRIGHT: AchievementType.PAPER,
    PageKind.JOURNAL_TOC: AchievementType.PAPER,
    PageKind.ARTICLE: AchievementType.PAPER,
    PageKind.CONTRACT_COVER: AchievementType.PROJECT,
    PageKind.CONTRACT_AMOUNT: AchievementType.PROJECT,
    PageKind.CONTRACT_PARTICIPANTS: AchievementType.PROJECT,
    PageKind.CONTRACT_SEAL: AchievementType.PROJECT,
    PageKind.AWARD_CERTIFICATE: AchievementType.AWARD,
    PageKind.PATENT_CERTIFICATE: AchievementType.PATENT,
}
"""Without a declaration, a claim's type is guessed from the kind of its first page."""

_PRINTED_ANNOTATIONS = frozenset({
    "/Text", "/FreeText", "/Line", "/Square", "/Circle", "/Polygon", "/PolyLine",
    "/Highlight", "/Underline", "/Squiggly", "/StrikeOut", "/Stamp", "/Caret", "/Ink",
})
"""Markup annotations carried onto the printed page (links, widgets, popups are not)."""

_SHOW_TEXT = frozenset({b"Tj", b"TJ", b"'", b'"'})


@dataclass(frozen=True, slots=True)
class SourcePage:
    """One page of an applicant's file to print.

    Attributes:
        file: the file, relative to the applicant's folder, ``/``-separated.
        page: the page (1-based; an image file's frame).
        rotation: the clockwise turn (0/90/180/270) the reading found makes it upright.
    """

    file: str
    page: int
    rotation: int = 0


@dataclass(frozen=True, slots=True)
class VolumeItem:
    """One entry of a volume's 目录 and its pages.

    Attributes:
        title: the entry as listed, e.g. 「论文：《…》」.
        pages: the source pages printed for it, in order; empty for a missing item.
        first: the stamped number (1-based) of its first page, None when it has none.
        note: why pages are missing (「文件无法打开」…), shown after the title; "" if none.
    """

    title: str
    pages: tuple[SourcePage, ...] = ()
    first: int | None = None
    note: str = ""

    @property
    def missing(self) -> bool:
        """Whether the item has no page to print (listed as 「缺」)."""
        return not self.pages

    @property
    def last(self) -> int | None:
        """The stamped number of its last page, None when it has none."""
        return None if self.first is None else self.first + len(self.pages) - 1

    @property
    def page_range(self) -> str:
        """The 目录's page column: ``5``, ``5-8`` or 「缺」."""
        if self.first is None or self.last is None:
            return MISSING
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"


@dataclass(frozen=True, slots=True)
class VolumePlan:
    """One volume: what its cover says and its items, page numbers assigned.

    Attributes:
        number: 1, 2, 3… (volume-N.pdf).
        count: how many volumes the applicant has.
        applicant: the applicant's name (or key when no name is known).
        specialty: the declared specialty, "" when unknown.
        employer: the declared employer, "" when unknown.
        toc_pages: how many pages its 目录 takes (pages 2 … toc_pages + 1).
        items: its entries in 目录 order.
    """

    number: int
    count: int
    applicant: str
    specialty: str
    employer: str
    toc_pages: int
    items: tuple[VolumeItem, ...]

    @property
    def name(self) -> str:
        """The volume's name: 第一册, 第二册 and so on."""
        return volume_name(self.number)

    @property
    def front_pages(self) -> int:
        """The cover and the 目录."""
        return 1 + self.toc_pages

    @property
    def page_count(self) -> int:
        """Every page of the volume, cover and 目录 included."""
        return self.front_pages + sum(len(i.pages) for i in self.items)


def volume_name(number: int) -> str:
    """Return 第一册 for 1, 第二册 for 2…; ``number`` is 1-based."""
    if 1 <= number <= len(_NUMERALS):
        return f"第{_NUMERALS[number - 1]}册"
    return f"第{number}册"


def stamp_text(number: int, pageno: int) -> str:
    """Return the stamp of page ``pageno`` (1-based) of volume ``number``: 第二册 第5页."""
    return f"{volume_name(number)} 第{pageno}页"


# ---------------------------------------------------------------- planning (pure)


@dataclass(frozen=True, slots=True)
class _Item:
    """An item before its pages are numbered: title, source pages, note."""

    title: str
    pages: tuple[SourcePage, ...]
    note: str = ""


def plan_volumes(
    report: Report, application: Application | None, *, max_pages: int
) -> tuple[VolumePlan, ...]:
    """Plan the applicant's volumes: items in order, split, page numbers assigned (pure).

    Args:
        report: the applicant's report (its read documents and claims).
        application: the declaration; None lists the claims the report has, by id.
        max_pages: the policy's page limit of one volume (cover and 目录 included).

    Returns:
        第一册, 第二册 and, when the second would exceed ``max_pages``, 第三册 (and on).

    Raises:
        ValueError: ``max_pages`` is below 1.
    """
    return _plan(report, application, max_pages=max_pages, unavailable=frozenset())


def _plan(
    report: Report,
    application: Application | None,
    *,
    max_pages: int,
    unavailable: frozenset[tuple[str, int]],
) -> tuple[VolumePlan, ...]:
    """:func:`plan_volumes`, the ``unavailable`` (file, page) pairs left out and noted."""
    if max_pages < 1:
        raise ValueError(f"max_pages must be at least 1, not {max_pages}")
    first, second = _items(report, application)
    first = [_without(i, unavailable) for i in first]
    second = [_without(i, unavailable) for i in second]
    if _size(first) > max_pages:
        log.warning("volume 1 has %d pages, over the limit of %d", _size(first), max_pages)
    volumes = [first, *_pack(second, max_pages)]
    if len(volumes) > 3:
        log.warning("the materials need %d volumes at %d pages each", len(volumes), max_pages)
    applicant = application.applicant if application is not None else None
    name = (applicant.name if applicant is not None else None) or report.name or report.applicant
    specialty = str(applicant.specialty) if applicant and applicant.specialty else ""
    employer = (applicant.employer or "") if applicant is not None else ""
    out = []
    for number, items in enumerate(volumes, start=1):
        toc = _toc_page_count(items)
        pageno = 1 + toc + 1
        numbered = []
        for item in items:
            first_page = pageno if item.pages else None
            pageno += len(item.pages)
            numbered.append(VolumeItem(item.title, item.pages, first_page, item.note))
        out.append(VolumePlan(number=number, count=len(volumes), applicant=name,
                              specialty=specialty, employer=employer, toc_pages=toc,
                              items=tuple(numbered)))
    return tuple(out)


def _items(report: Report, app: Application | None) -> tuple[list[_Item], list[_Item]]:
    """The items of 第一册 and of 第二册 (before splitting), in the printed order."""
    reads: dict[tuple[str, int], PageRead] = {
        (d.file, p.page): p for d in report.documents for p in d.pages
    }
    pages_of: dict[str, list[int]] = {}
    for d in report.documents:
        pages_of.setdefault(d.file, []).extend(p.page for p in d.pages)
    claims = {c.id: c for c in report.claims}

    def source(file: str, page: int) -> SourcePage:
        read = reads.get((file, page))
        return SourcePage(file, page, (read.rotation % 360) if read is not None else 0)

    def evidence(claim: ClaimResult | None) -> tuple[SourcePage, ...]:
        if claim is None:
            return ()
        seen: dict[tuple[str, int], None] = {}
        for e in claim.evidence:
            for page in [e.page] if e.page is not None else pages_of.get(e.file, []):
                seen.setdefault((e.file, page), None)
        return tuple(source(f, p) for f, p in seen)

    claimed = {(p.file, p.page) for c in report.claims for p in evidence(c)}

    def of_kind(kind: PageKind) -> tuple[SourcePage, ...]:
        return tuple(source(d.file, p.page) for d in report.documents for p in d.pages
                     if p.kind == kind and (d.file, p.page) not in claimed)

    first: list[_Item] = [_Item("身份证", of_kind(PageKind.ID_CARD))]
    for title, claim_id in _education_entries(report, app):
        pages = _education_order(evidence(claims.get(claim_id)), reads)
        first.append(_Item(title, pages))
    titles = of_kind(PageKind.TITLE_CERTIFICATE)
    if titles or (app is not None and app.applicant.current_title):
        first.append(_Item("现任职称证书", titles))
    ce = of_kind(PageKind.CE_CERTIFICATE)
    if ce or (app is not None and app.continuing_education):
        first.append(_Item("继续教育证明", ce))

    second = [_Item(title, evidence(claims.get(claim_id)))
              for title, claim_id in _achievement_entries(report, app, reads)]
    taken = {(p.file, p.page) for item in (*first, *second) for p in item.pages}
    rest = tuple(source(d.file, p.page) for d in report.documents for p in d.pages
                 if (d.file, p.page) not in taken)
    if rest:
        second.append(_Item(OTHER_TITLE, rest))
    # a file the reading got no page of (unreadable, refused) is listed, not lost
    second += [_Item(f"{OTHER_TITLE}：{d.file}", (), UNREADABLE_NOTE)
               for d in report.documents if not d.pages]
    return first, second


def _education_entries(report: Report, app: Application | None) -> list[tuple[str, str]]:
    """(title, claim id) of each education entry, in declaration order."""
    if app is not None:
        out = []
        for n, e in enumerate(app.education):
            what = "学历学位证书及认证" if e.foreign else "学历学位证书"
            out.append((f"{e.level} {e.school} {what}", f"education:{n}"))
        return out
    def entry(claim_id: str) -> int:
        n = claim_id.partition(":")[2]
        return int(n) if n.isdigit() else len(report.claims)

    ids = sorted((c.id for c in report.claims if c.id.startswith("education:")), key=entry)
    return [(f"学历学位证书（第{k}项）", i) for k, i in enumerate(ids, start=1)]


def _education_order(pages: tuple[SourcePage, ...],
                     reads: dict[tuple[str, int], PageRead]) -> tuple[SourcePage, ...]:
    """An education item's pages: diplomas, degree certificates, then verification.

    The evidence comes as documents (runs of pages of one file); each run keeps its own
    page order and the runs are sorted by the earliest kind they hold.
    """
    runs: list[list[SourcePage]] = []
    for p in pages:
        if runs and runs[-1][-1].file == p.file and runs[-1][-1].page + 1 == p.page:
            runs[-1].append(p)
        else:
            runs.append([p])

    def rank(run: list[SourcePage]) -> int:
        kinds = [reads[(p.file, p.page)].kind for p in run if (p.file, p.page) in reads]
        return min((_EDUCATION_RANK.get(k, len(_EDUCATION_RANK)) for k in kinds),
                   default=len(_EDUCATION_RANK))

    return tuple(p for run in sorted(runs, key=rank) for p in run)


def _achievement_entries(report: Report, app: Application | None,
                         reads: dict[tuple[str, int], PageRead]) -> list[tuple[str, str]]:
    """(title, claim id) of each achievement, grouped by type in the printed order."""
    order = {t: g for g, types in enumerate(ACHIEVEMENT_GROUPS) for t in types}
    if app is not None:
        ranked = sorted(enumerate(app.achievements), key=lambda na: (order[na[1].type], na[0]))
        return [(_achievement_title(a), a.id) for _, a in ranked]
    entries: list[tuple[int, int, str, str]] = []  # (group, report order, title, claim id)
    for n, c in enumerate(report.claims):
        if c.id.startswith("education:"):
            continue
        first = next((reads.get((e.file, e.page)) for e in c.evidence if e.page is not None),
                     None)
        kind = _KIND_TYPE.get(first.kind) if first is not None else None
        title = c.fields.get("title")
        text = title if isinstance(title, str) and title.strip() else c.id
        label = ACHIEVEMENT_LABELS[kind] if kind is not None else "业绩材料"
        name = f"《{text}》" if kind == AchievementType.PAPER else text
        entries.append((order[kind] if kind is not None else len(ACHIEVEMENT_GROUPS), n,
                        f"{label}：{name}", c.id))
    entries.sort()
    return [(title, claim_id) for _, _, title, claim_id in entries]


def _achievement_title(a: Achievement) -> str:
    """The 目录 entry of an achievement, e.g. 「论文：《标题》」 or 「获奖：名称」."""
    title = a.title.strip()
    if a.type == AchievementType.PAPER and not title.startswith("《"):
        title = f"《{title}》"
    return f"{ACHIEVEMENT_LABELS[a.type]}：{title}"


def _without(item: _Item, unavailable: frozenset[tuple[str, int]]) -> _Item:
    """``item`` without its unavailable pages, noted when it lost any."""
    kept = tuple(p for p in item.pages if (p.file, p.page) not in unavailable)
    lost = len(item.pages) - len(kept)
    if not lost:
        return item
    note = "文件无法打开" if not kept else f"{lost}页无法打开"
    return dataclasses.replace(item, pages=kept, note=note)


def _size(items: Sequence[_Item]) -> int:
    """Pages of a volume holding ``items``: cover, 目录, their pages."""
    return 1 + _toc_page_count(items) + sum(len(i.pages) for i in items)


def _pack(items: Sequence[_Item], max_pages: int) -> list[list[_Item]]:
    """Split 第二册's items into volumes of at most ``max_pages`` pages, between items.

    An item too long for a volume of its own fills the rest of the current one and goes on
    in the next, titled 「…（续）」. Every volume takes at least one page, so a limit too
    small even for the cover and 目录 still ends.
    """
    volumes: list[list[_Item]] = [[]]
    queue = list(items)
    while queue:
        item = queue.pop(0)
        current = volumes[-1]
        if _size([*current, item]) <= max_pages:
            current.append(item)
            continue
        if current and _size([item]) <= max_pages:
            volumes.append([item])
            continue
        room = max_pages - _size([*current, dataclasses.replace(item, pages=())])
        if room < 1 and current:
            volumes.append([])
            queue.insert(0, item)
            continue
        if not item.pages:  # a 「缺」 row alone over the limit: it has to go somewhere
            current.append(item)
            continue
        room = max(room, 1)
        current.append(dataclasses.replace(item, pages=item.pages[:room]))
        if len(item.pages) > room:
            title = item.title if item.title.endswith(CONTINUED) else item.title + CONTINUED
            queue.insert(0, dataclasses.replace(item, title=title, pages=item.pages[room:]))
            volumes.append([])
    return volumes


# ---------------------------------------------------------------- 目录 layout (pure)


def _em(ch: str) -> float:
    """The width (em) the wrapping assumes for one character."""
    return TOC_WIDE_EM if unicodedata.east_asian_width(ch) in "WF" else TOC_NARROW_EM


def _wrap(text: str, width: float, size: float = TOC_FONT_SIZE) -> list[str]:
    """``text`` broken into lines no wider than ``width`` points (any character breaks)."""
    lines: list[str] = []
    line, used = "", 0.0
    for ch in text:
        w = _em(ch) * size
        if line and used + w > width:
            lines.append(line)
            line, used = "", 0.0
        line += ch
        used += w
    return [*lines, line] if line or not lines else lines


def _entry_text(item: _Item | VolumeItem) -> str:
    """An item's title as the 目录 shows it, its note in brackets."""
    return f"{item.title}（{item.note}）" if item.note else item.title


def _row_height(item: _Item | VolumeItem) -> float:
    """The height of an item's row in the 目录."""
    return len(_wrap(_entry_text(item), TOC_TITLE_WIDTH)) * TOC_LEADING + TOC_ROW_GAP


def _toc_layout(items: Sequence[_Item | VolumeItem]) -> list[list[int]]:
    """The items (indices) on each page of the 目录; a row never breaks across pages."""
    pages: list[list[int]] = [[]]
    room = TOC_FIRST_TOP - TOC_BOTTOM
    used = 0.0
    for n, item in enumerate(items):
        h = _row_height(item)
        if pages[-1] and used + h > room:
            pages.append([])
            used = 0.0
        pages[-1].append(n)
        used += h
    return pages


def _toc_page_count(items: Sequence[_Item | VolumeItem]) -> int:
    """How many pages the 目录 of ``items`` takes (at least one)."""
    return len(_toc_layout(items))


# ---------------------------------------------------------------- cover, 目录, stamps


def _front_pdf(plan: VolumePlan, font: str) -> bytes:
    """Cover, 目录 and one stamp-only page for each further page of ``plan``, as a PDF.

    Every page carries its stamp; the stamp-only pages are laid over the source pages.
    """
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, pageCompression=1, initialFontName=font, invariant=1)
    c.setTitle(f"{plan.name}（{plan.applicant}）")
    c.setCreator("pingshen")
    _draw_cover(c, plan, font)
    _draw_stamp(c, plan, 1, font)
    c.showPage()
    for n, indices in enumerate(_toc_layout(plan.items)):
        _draw_toc_page(c, plan, [(i, plan.items[i]) for i in indices], font)
        _draw_stamp(c, plan, 2 + n, font)
        c.showPage()
    for pageno in range(plan.front_pages + 1, plan.page_count + 1):
        _draw_stamp(c, plan, pageno, font)
        c.showPage()
    c.save()
    return buf.getvalue()


def _draw_stamp(c: Canvas, plan: VolumePlan, pageno: int, font: str) -> None:
    """Draw 「第二册 第N页」 at the top right; ``pageno`` is 1-based."""
    c.saveState()
    c.setFillColor(colors.black)
    c.setFont(font, STAMP_FONT_SIZE)
    c.drawRightString(PAGE_W - STAMP_RIGHT, STAMP_BASELINE, stamp_text(plan.number, pageno))
    c.restoreState()


def _draw_cover(c: Canvas, plan: VolumePlan, font: str) -> None:
    """Draw the cover: series title, volume, applicant, specialty, employer."""
    c.saveState()
    c.setLineWidth(1.2)
    c.rect(40, 40, PAGE_W - 80, PAGE_H - 92)
    c.setLineWidth(0.5)
    c.rect(45, 45, PAGE_W - 90, PAGE_H - 102)
    c.setFont(font, 24)
    c.drawCentredString(PAGE_W / 2, PAGE_H - 220, SERIES_TITLE)
    c.setFont(font, 40)
    c.drawCentredString(PAGE_W / 2, PAGE_H - 320, plan.name)
    c.setFont(font, 14)
    c.drawCentredString(PAGE_W / 2, PAGE_H - 356, f"（共{_numeral(plan.count)}册）")
    rows = [("申 报 人", plan.applicant), ("申报专业", plan.specialty)]
    if plan.employer:
        rows.append(("工作单位", plan.employer))
    x_label, x_value, x_end = 150.0, 240.0, PAGE_W - 110.0
    y = PAGE_H * 0.40
    c.setFont(font, 15)
    c.setLineWidth(0.5)
    for label, value in rows:
        c.drawString(x_label, y, f"{label}：")
        for line in _wrap(value, x_end - x_value, 15)[:2]:
            c.drawString(x_value, y, line)
            c.line(x_value - 4, y - 5, x_end, y - 5)
            y -= 24
        y -= 16
    c.restoreState()


def _numeral(n: int) -> str:
    """一, 二, 三 … for 1–10, digits beyond."""
    return _NUMERALS[n - 1] if 1 <= n <= len(_NUMERALS) else str(n)


def _draw_toc_page(c: Canvas, plan: VolumePlan, rows: list[tuple[int, VolumeItem]],
                   font: str) -> None:
    """Draw one page of the 目录: heading, column header and ``rows`` (index, item)."""
    c.saveState()
    left, right = TOC_MARGIN_X, PAGE_W - TOC_MARGIN_X
    x_title = left + TOC_INDEX_WIDTH
    x_pages = right - TOC_PAGES_WIDTH / 2
    c.setFont(font, 18)
    c.drawCentredString(PAGE_W / 2, PAGE_H - 76, "目　录")
    c.setFont(font, 10.5)
    c.drawCentredString(PAGE_W / 2, PAGE_H - 98, f"{plan.name}　申报人：{plan.applicant}")
    c.setFont(font, TOC_FONT_SIZE)
    header = TOC_FIRST_TOP + 10
    c.drawCentredString(left + TOC_INDEX_WIDTH / 2, header, "序号")
    c.drawString(x_title, header, "材料名称")
    c.drawCentredString(x_pages, header, "页码")
    c.setLineWidth(0.8)
    c.line(left, TOC_FIRST_TOP + 4, right, TOC_FIRST_TOP + 4)
    if not plan.items:
        c.drawString(x_title, TOC_FIRST_TOP - TOC_LEADING + 4, "（无）")
    top = TOC_FIRST_TOP
    c.setLineWidth(0.3)
    c.setStrokeColor(colors.Color(0.6, 0.6, 0.6))
    for index, item in rows:
        lines = _wrap(_entry_text(item), TOC_TITLE_WIDTH)
        baseline = top - TOC_LEADING + 4
        c.setFillColor(colors.black)
        c.drawCentredString(left + TOC_INDEX_WIDTH / 2, baseline, str(index + 1))
        for k, line in enumerate(lines):
            c.drawString(x_title, baseline - k * TOC_LEADING, line)
        if item.missing:
            c.setFillColor(MISSING_COLOUR)
        c.drawCentredString(x_pages, baseline, item.page_range)
        top -= _row_height(item)
        c.line(left, top + 2, right, top + 2)
    c.restoreState()


# ---------------------------------------------------------------- source pages


@dataclass(frozen=True, slots=True)
class _Placed:
    """A source page ready to be laid on an A4 page.

    Attributes:
        page: the page (of the source PDF, or of a one-page PDF holding an image).
        box: its visible box (x0, y0, x1, y1) in its own user space.
        turn: clockwise degrees that show it as the file shows it (``/Rotate``, EXIF).
        mirror: an EXIF orientation that mirrors the image (applied before ``turn``).
        unused_fonts: its font resources not embedded and never used to show text.
        framed: placed as one form XObject (:func:`_framed`): a page of a source PDF, whose
            content may be long; an image's one-image page is merged as it is.
    """

    page: PageObject
    box: tuple[float, float, float, float]
    turn: int = 0
    mirror: bool = False
    unused_fonts: frozenset[str] = frozenset()
    framed: bool = False


class _NeedsRasterError(Exception):
    """A PDF page shows text in a font the file does not embed."""


@dataclass(frozen=True, slots=True)
class _Picture:
    """Image data ready for a PDF image XObject (already encoded as ``filter``)."""

    width: int
    height: int
    colour_space: str
    bits: int
    filter: str
    data: bytes
    decode: tuple[int, ...] = ()
    parms: str = ""
    """``/DecodeParms`` as PDF source text (a PNG's predictors), "" for none."""


class _Sources:
    """The applicant's files, opened once each; pages prepared on demand and cached."""

    def __init__(self, source: Path | None) -> None:
        self.source = source
        self._stack = contextlib.ExitStack()
        self._kind: dict[str, str] = {}
        self._readers: dict[str, PdfReader | None] = {}
        self._renderers: dict[str, pdf_backend.PdfRenderer | None] = {}
        self._pages: dict[tuple[str, int], _Placed | None] = {}
        self._warned: set[str] = set()

    def __enter__(self) -> _Sources:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stack.close()

    def get(self, file: str, page: int) -> _Placed | None:
        """The page ``page`` (1-based) of ``file`` ready to place, or None (logged)."""
        key = (file, page)
        if key not in self._pages:
            try:
                self._pages[key] = self._prepare(file, page)
            except Exception as e:  # a broken file never stops the volumes
                self._warn(file, f"page {page}: {type(e).__name__}: {e}")
                self._pages[key] = None
        return self._pages[key]

    def _warn(self, file: str, why: str) -> None:
        if file not in self._warned and self.source is not None:
            self._warned.add(file)
            log.warning("volumes: %s cannot be printed (%s); its item is marked", file, why)

    def _path(self, file: str) -> Path | None:
        if self.source is None:
            return None
        path = self.source.joinpath(*file.split("/"))
        try:
            path.resolve().relative_to(self.source.resolve())
        except ValueError:
            return None
        return path if path.is_file() else None

    def _file_kind(self, file: str, path: Path) -> str:
        """``pdf`` or ``image``: what ``file`` holds, by its first bytes (not its name)."""
        if file not in self._kind:
            with path.open("rb") as f:
                head = f.read(1024)
            self._kind[file] = "pdf" if b"%PDF-" in head else "image"
        return self._kind[file]

    def _prepare(self, file: str, page: int) -> _Placed | None:
        path = self._path(file)
        if path is None:
            self._warn(file, "no such file")
            return None
        if self._file_kind(file, path) == "image":
            return _image_page(path, page)
        reader = self._reader(file, path)
        if reader is not None and page <= len(reader.pages):
            try:
                return _pdf_page(reader.pages[page - 1])
            except _NeedsRasterError:
                log.info("volumes: %s page %d uses a font it does not embed; rasterised",
                         file, page)
            except Exception as e:
                log.info("volumes: %s page %d not importable (%s); rasterised",
                         file, page, type(e).__name__)
        return self._raster(file, path, page)

    def _reader(self, file: str, path: Path) -> PdfReader | None:
        if file not in self._readers:
            reader: PdfReader | None = None
            try:
                reader = PdfReader(path, strict=False)
                if reader.is_encrypted and not reader.decrypt(""):
                    reader = None
                else:
                    len(reader.pages)
            except Exception as e:
                log.info("volumes: pypdf cannot read %s (%s)", file, type(e).__name__)
                reader = None
            self._readers[file] = reader
        return self._readers[file]

    def _raster(self, file: str, path: Path, page: int) -> _Placed:
        """The page rendered by PDFium (its /Rotate applied), stored losslessly."""
        if file not in self._renderers:
            try:
                self._renderers[file] = self._stack.enter_context(
                    pdf_backend.open_renderer(path))
            except Exception:
                self._renderers[file] = None
                raise
        renderer = self._renderers[file]
        if renderer is None:
            raise OSError("PDF cannot be rendered")
        if page > renderer.page_count():
            raise IndexError(f"the file has {renderer.page_count()} pages")
        image = renderer.render(page - 1, RASTER_DPI)
        grey = image.convert("L")
        if image.convert("RGB").tobytes() == grey.convert("RGB").tobytes():
            image = grey
        return _picture_page(_lossless(image))


def _pdf_page(page: PageObject) -> _Placed:
    """A source PDF page as it is, its links and form fields dropped.

    Raises:
        _NeedsRasterError: text on it is shown in a font the file does not embed, or one
            of its forms or annotation appearances holds such a font.
    """
    annots = page.get("/Annots")
    if annots is not None:
        kept = ArrayObject(a for a in annots.get_object()
                           if a.get_object().get("/Subtype") in _PRINTED_ANNOTATIONS)
        for a in kept:  # links to other annotations would drag their pages along
            for key in ("/Popup", "/IRT"):
                a.get_object().pop(key, None)
        page[NameObject("/Annots")] = kept
    box = tuple(float(v) for v in page.cropbox)
    x0, y0, x1, y1 = min(box[0], box[2]), min(box[1], box[3]), max(box[0], box[2]), \
        max(box[1], box[3])
    if x1 - x0 < 1 or y1 - y0 < 1:
        raise ValueError("empty page box")
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else DictionaryObject()
    fonts = _fonts(resources)
    loose = {name for name, font in fonts.items() if not _embedded(font)}
    if loose:
        contents = page.get_contents()
        shown = _shown_fonts(contents) if contents is not None else set()
        if loose & shown:
            raise _NeedsRasterError()
    inner: list[DictionaryObject] = [resources]
    for a in page.get("/Annots", ArrayObject()):
        ap = a.get_object().get("/AP")
        if ap is not None:
            inner.extend(_streams(ap.get_object()))
    if any(not _embedded(f) for r in inner for f in _nested_fonts(r, skip_top=r is resources)):
        raise _NeedsRasterError()
    turn = round(page.rotation / 90) * 90 % 360
    return _Placed(page, (x0, y0, x1, y1), turn, unused_fonts=frozenset(loose), framed=True)


def _fonts(resources: DictionaryObject) -> dict[str, DictionaryObject]:
    """The /Font resources of a resource dictionary, by name."""
    fonts = resources.get("/Font")
    if fonts is None:
        return {}
    fonts = fonts.get_object()
    if not isinstance(fonts, DictionaryObject):
        return {}
    return {str(k): v.get_object() for k, v in fonts.items()}


def _streams(ap: object) -> Iterator[DictionaryObject]:
    """The appearance streams of an /AP dictionary (states included)."""
    if not isinstance(ap, DictionaryObject):
        return
    for value in ap.values():
        obj = value.get_object()
        if "/Subtype" in obj or "/BBox" in obj:
            yield obj
        elif isinstance(obj, DictionaryObject):
            for state in obj.values():
                yield state.get_object()


def _nested_fonts(resources: DictionaryObject, *, skip_top: bool,
                  depth: int = 0, seen: set[int] | None = None) -> Iterator[DictionaryObject]:
    """Fonts inside forms, patterns and Type 3 glyphs reachable from ``resources``.

    A stream or form (an appearance stream) is given as its own dictionary; its
    /Resources are looked at. ``skip_top`` leaves the top level's own fonts out.
    """
    seen = set() if seen is None else seen
    if id(resources) in seen or depth > 12:
        return
    seen.add(id(resources))
    if "/Resources" in resources and ("/BBox" in resources or "/CharProcs" in resources):
        resources = resources["/Resources"].get_object()
        skip_top = False
    if not isinstance(resources, DictionaryObject):
        return
    fonts = _fonts(resources)
    if not skip_top:
        yield from fonts.values()
    for font in fonts.values():
        if font.get("/Subtype") == "/Type3" and "/Resources" in font:
            yield from _nested_fonts(font, skip_top=False, depth=depth + 1, seen=seen)
    for group in ("/XObject", "/Pattern"):
        entries = resources.get(group)
        if entries is None:
            continue
        for ref in entries.get_object().values():
            obj = ref.get_object()
            if isinstance(obj, DictionaryObject) and "/Resources" in obj:
                yield from _nested_fonts(obj, skip_top=False, depth=depth + 1, seen=seen)


def _embedded(font: DictionaryObject) -> bool:
    """Whether a font dictionary carries its font program (Type 3 fonts always do)."""
    try:
        subtype = font.get("/Subtype")
        if subtype == "/Type3":
            return True
        if subtype == "/Type0":
            descendants = font["/DescendantFonts"].get_object()
            return all(_embedded(d.get_object()) for d in descendants)
        descriptor = font.get("/FontDescriptor")
        if descriptor is None:
            return False
        descriptor = descriptor.get_object()
        return any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    except Exception:
        return False


def _shown_fonts(contents: ContentStream) -> set[str]:
    """The font resource names text is actually shown in (an empty string counts not)."""
    shown: set[str] = set()
    current: str | None = None
    stack: list[str | None] = []
    for operands, op in contents.operations:
        if op == b"Tf" and operands:
            current = str(operands[0])
        elif op == b"q":
            stack.append(current)
        elif op == b"Q" and stack:
            current = stack.pop()
        elif op in _SHOW_TEXT and current is not None and _shows_something(operands):
            shown.add(current)
    return shown


def _shows_something(operands: Sequence[object]) -> bool:
    """Whether a text-showing operator's operands hold any character."""
    for o in operands:
        if isinstance(o, bytes | str) and len(o) > 0:
            return True
        if isinstance(o, list) and any(isinstance(x, bytes | str) and len(x) > 0 for x in o):
            return True
    return False


_EXIF_ORIENTATION: dict[int, tuple[bool, int]] = {
    1: (False, 0), 2: (True, 0), 3: (False, 180), 4: (True, 180),
    5: (True, 270), 6: (False, 90), 7: (True, 90), 8: (False, 270),
}
"""EXIF orientation → (mirror left-right first, then turn clockwise), as exif_transpose."""


def _image_page(path: Path, page: int) -> _Placed:
    """Frame ``page`` (1-based) of an image file, its EXIF orientation applied by geometry."""
    with Image.open(path) as img:
        frames = getattr(img, "n_frames", 1)
        if page > frames:
            raise IndexError(f"the image has {frames} frames")
        img.seek(page - 1)
        orientation = img.getexif().get(0x0112, 1)
        mirror, turn = _EXIF_ORIENTATION.get(orientation if isinstance(orientation, int) else 1,
                                             (False, 0))
        picture: _Picture | None = None
        if img.format in ("JPEG", "MPO") and page == 1 and img.mode in ("L", "RGB", "CMYK"):
            picture = _jpeg(path, img)
        elif img.format == "PNG" and page == 1:
            picture = _png(path.read_bytes())
        if picture is None:
            img.load()
            picture = _lossless(img)
    placed = _picture_page(picture)
    return dataclasses.replace(placed, turn=turn, mirror=mirror)


def _jpeg(path: Path, img: Image.Image) -> _Picture:
    """The JPEG file's own bytes as a /DCTDecode image (Adobe CMYK inverted by /Decode)."""
    space = {"L": "/DeviceGray", "RGB": "/DeviceRGB", "CMYK": "/DeviceCMYK"}[img.mode]
    decode = (1, 0) * 4 if img.mode == "CMYK" and "adobe" in img.info else ()
    return _Picture(img.width, img.height, space, 8, "/DCTDecode", path.read_bytes(), decode)


def _png(data: bytes) -> _Picture | None:
    """A PNG's own compressed data as a /FlateDecode image with its PNG predictors.

    None when the PDF cannot show it as it is: interlaced, an alpha channel or a
    transparent colour (those are decoded and flattened by :func:`_lossless`).
    """
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    pos, idat, palette = 8, bytearray(), b""
    header: tuple[int, ...] = ()
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR" and len(body) == 13:
            header = (int.from_bytes(body[0:4], "big"), int.from_bytes(body[4:8], "big"),
                      body[8], body[9], body[12])
        elif kind == b"PLTE":
            palette = body
        elif kind == b"tRNS":
            return None
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    if not header or not idat:
        return None
    width, height, bits, colour, interlace = header
    if interlace or colour not in (0, 2, 3) or (colour == 3 and not palette):
        return None
    if colour == 3:
        space = f"[/Indexed /DeviceRGB {len(palette) // 3 - 1} <{palette.hex()}>]"
        colours = 1
    else:
        space = "/DeviceGray" if colour == 0 else "/DeviceRGB"
        colours = 1 if colour == 0 else 3
    parms = (f"<< /Predictor 15 /Colors {colours} /BitsPerComponent {bits} "
             f"/Columns {width} >>")
    return _Picture(width, height, space, bits, "/FlateDecode", bytes(idat), parms=parms)


def _lossless(img: Image.Image) -> _Picture:
    """An image's pixels, Flate-compressed: bilevel, grey, RGB, CMYK or 16-bit grey kept."""
    if img.mode in ("I;16", "I;16B", "I;16L"):
        raw, space, bits = img.tobytes("raw", "I;16B"), "/DeviceGray", 16
    elif img.mode == "1":
        raw, space, bits = img.tobytes(), "/DeviceGray", 1
    elif img.mode == "L":
        raw, space, bits = img.tobytes(), "/DeviceGray", 8
    elif img.mode == "CMYK":
        raw, space, bits = img.tobytes(), "/DeviceCMYK", 8
    else:
        if img.mode == "P":
            img = img.convert("RGBA" if "transparency" in img.info else "RGB")
        if img.mode in ("LA", "La", "RGBA", "RGBa", "PA"):
            flat = img.convert("RGBA")
            white = Image.new("RGBA", flat.size, (255, 255, 255, 255))
            img = Image.alpha_composite(white, flat).convert("L" if img.mode in ("LA", "La")
                                                            else "RGB")
        if img.mode not in ("L", "RGB"):
            img = img.convert("RGB")
        raw = img.tobytes()
        space = "/DeviceGray" if img.mode == "L" else "/DeviceRGB"
        bits = 8
    data = zlib.compress(raw, FLATE_LEVEL)
    return _Picture(img.width, img.height, space, bits, "/FlateDecode", data)


def _picture_page(picture: _Picture) -> _Placed:
    """A one-page PDF (page = the image's pixel size) holding ``picture``, as a placed page."""
    data = _one_image_pdf(picture)
    page = PdfReader(io.BytesIO(data)).pages[0]
    return _Placed(page, (0.0, 0.0, float(picture.width), float(picture.height)))


def _one_image_pdf(p: _Picture) -> bytes:
    """A minimal PDF whose only page shows ``p`` over its whole media box (no re-encoding)."""
    content = f"q {p.width} 0 0 {p.height} 0 0 cm /Im0 Do Q".encode()
    decode = f" /Decode [{' '.join(map(str, p.decode))}]" if p.decode else ""
    decode += f" /DecodeParms {p.parms}" if p.parms else ""
    image_dict = (f"<< /Type /XObject /Subtype /Image /Width {p.width} /Height {p.height} "
                  f"/ColorSpace {p.colour_space} /BitsPerComponent {p.bits} "
                  f"/Filter {p.filter}{decode} /Length {len(p.data)} >>").encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {p.width} {p.height}] "
         "/Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>").encode(),
        f"<< /Length {len(content)} >>".encode() + b"\nstream\n" + content + b"\nendstream",
        image_dict + b"\nstream\n" + p.data + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{n} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
              f"startxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _placement(placed: _Placed, rotation: int) -> Transformation:
    """The matrix that turns a source page upright and fits it, centred, in CONTENT_BOX.

    ``rotation`` is the reading's clockwise turn, applied after the page's own.
    """
    x0, y0, x1, y1 = placed.box
    turn = (placed.turn + rotation) % 360
    t = Transformation().translate(-(x0 + x1) / 2, -(y0 + y1) / 2)
    if placed.mirror:
        t = t.scale(-1, 1)
    if turn:
        t = t.rotate(-turn)  # pypdf turns counter-clockwise
    w, h = x1 - x0, y1 - y0
    if turn in (90, 270):
        w, h = h, w
    bx0, by0, bx1, by1 = CONTENT_BOX
    scale = min((bx1 - bx0) / w, (by1 - by0) / h)
    return t.scale(scale, scale).translate((bx0 + bx1) / 2, (by0 + by1) / 2)


# ---------------------------------------------------------------- assembly and output


def _assemble(plan: VolumePlan, sources: _Sources, font: str) -> bytes:
    """The volume as PDF bytes: front pages, each source page placed and stamped, bookmarks."""
    front = PdfReader(io.BytesIO(_front_pdf(plan, font)))
    writer = PdfWriter()
    writer.add_metadata({"/Title": f"{plan.name}（{plan.applicant}）", "/Creator": "pingshen"})
    for n in range(plan.front_pages):
        writer.add_page(front.pages[n])
    stamp_font = _stamp_font(front, writer)
    pageno = plan.front_pages
    for item in plan.items:
        for sp in item.pages:
            out = writer.add_blank_page(PAGE_W, PAGE_H)
            placed = sources.get(sp.file, sp.page)
            try:
                if placed is None:
                    raise OSError("the page cannot be opened")
                shown = _framed(placed, writer, stamp_font) if placed.framed else placed.page
                out.merge_transformed_page(shown, _placement(placed, sp.rotation))
            except Exception as e:
                log.warning("volumes: %s page %d could not be placed (%s)",
                            sp.file, sp.page, type(e).__name__)
                out.merge_page(_note_page(font, f"此页无法打印：{sp.file} 第{sp.page}页"))
            out.merge_page(front.pages[pageno])
            pageno += 1
    writer.add_outline_item(title="目录", page_number=1)
    for item in plan.items:
        if item.first is not None:
            writer.add_outline_item(title=item.title, page_number=item.first - 1)
    writer.page_mode = "/UseOutlines"
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _stamp_font(front: PdfReader, writer: PdfWriter) -> IndirectObject | None:
    """The writer's copy of the front pages' (embedded) CJK font."""
    for font in _fonts(front.pages[0]["/Resources"].get_object()).values():
        if _embedded(font):
            cloned = font.clone(writer)
            return cloned.indirect_reference
    return None


def _framed(placed: _Placed, writer: PdfWriter, font: IndirectObject | None) -> PageObject:
    """A stand-in for ``placed.page`` that shows it as one form XObject of ``writer``.

    Merged in its place, it costs pypdf no parsing (:mod:`generators._forms`); the merge
    still clips to its box and moves its markup annotations. Font resources no text is
    shown in point at ``font`` (embedded) rather than at a missing font: reportlab-made
    PDFs, for one, declare Helvetica on every page without using it, and pdffonts would
    list it as not embedded.
    """
    page = placed.page
    source = page.get("/Resources")
    resources = DictionaryObject() if source is None else DictionaryObject(source.get_object())
    fonts = resources.get("/Font")
    if placed.unused_fonts and font is not None and fonts is not None:
        fonts = DictionaryObject(fonts.get_object())
        for name in placed.unused_fonts:
            if name in fonts:
                fonts[NameObject(name)] = font
        resources[NameObject("/Font")] = fonts
    return stand_in(page, page_form(page, writer, resources))


def _note_page(font: str, text: str) -> PageObject:
    """A one-page A4 PDF with ``text`` in its middle (for a page that could not be placed)."""
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, pageCompression=1, initialFontName=font, invariant=1)
    c.setFont(font, 12)
    c.setFillColor(MISSING_COLOUR)
    for k, line in enumerate(_wrap(text, PAGE_W - 120, 12)):
        c.drawCentredString(PAGE_W / 2, PAGE_H / 2 - k * 18, line)
    c.showPage()
    c.save()
    return PdfReader(io.BytesIO(buf.getvalue())).pages[0]


def _all_pages(plans: Sequence[VolumePlan]) -> list[tuple[str, int]]:
    """Every (file, page) the plans print, once each, in order."""
    seen: dict[tuple[str, int], None] = {}
    for plan in plans:
        for item in plan.items:
            for p in item.pages:
                seen.setdefault((p.file, p.page), None)
    return list(seen)


def render_volumes(
    report: Report,
    application: Application | None,
    source: Path | None,
    folder: Path,
    *,
    max_pages: int,
) -> tuple[Path, ...]:
    """Write the applicant's volumes to ``folder/volume-N.pdf`` and return their paths.

    Each file is replaced atomically; a ``volume-N.pdf`` left from an earlier run with more
    volumes is removed. ``source`` is only read.

    Args:
        report: the applicant's report.
        application: the declaration (None: items as the report's claims name them).
        source: the applicant's input folder the report's files are relative to; None
            prints the 目录 with every item 「缺」.
        folder: the applicant's output folder (OUT/<key>/).
        max_pages: the policy's page limit of one volume.

    Raises:
        ValueError: ``max_pages`` is below 1.
        MissingToolError: no CJK TrueType font is installed.
    """
    font = cjk_font()
    planned = plan_volumes(report, application, max_pages=max_pages)
    if source is None:
        log.warning("volumes of %s: no source folder; the items are listed without pages",
                    report.applicant)
    with _Sources(source) as sources:
        unavailable = frozenset(k for k in _all_pages(planned) if sources.get(*k) is None)
        plans = _plan(report, application, max_pages=max_pages, unavailable=unavailable)
        paths = []
        for plan in plans:
            target = folder / f"volume-{plan.number}.pdf"
            data = _assemble(plan, sources, font)
            with atomic_path(target) as tmp:
                tmp.write_bytes(data)
            paths.append(target)
    for stale in folder.glob("volume-*.pdf"):
        number = stale.stem.partition("-")[2]
        if number.isdigit() and int(number) > len(plans):
            log.info("volumes: removing %s left from an earlier run", stale.name)
            stale.unlink(missing_ok=True)
    log.info("wrote %d volumes of %s (%s pages)", len(plans), report.applicant,
             "+".join(str(p.page_count) for p in plans))
    return tuple(paths)
