"""Platform watermark (underlay) and copy mark 「第N份/共M份」 (overlay) for printed forms."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from pypdf import PageObject, PdfReader, PdfWriter
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from generators._atomic import atomic_path
from generators._forms import page_form, stand_in
from generators.fonts import cjk_font

log = logging.getLogger(__name__)

WATERMARK_TEXT = "浙江省专业技术任职资格申报与评审管理平台"
"""The platform's watermark, printed diagonally on every page of the review form."""

WATERMARK_GREY = Color(0.85, 0.85, 0.85)
WATERMARK_FONT_SIZE = 21
WATERMARK_ANGLE = 45
WATERMARK_ROWS = (0.18, 0.48, 0.78)
"""Heights, as fractions of the page, of the centres of the parallel watermark lines."""

COPY_MARK_FONT_SIZE = 10.5
COPY_MARK_MARGIN = 42
"""Distance in points of the copy mark's right edge and baseline from the page's top right."""

DEFAULT_COPIES = 3

BLANK_TEXT = "（本页空白）"
"""Printed on the page added after a copy of odd length, so the next copy starts on a recto."""


def copy_mark(copy_no: int, copies: int) -> str:
    """Return the copy mark text, e.g. ``第1份/共3份``; ``copy_no`` is one-based."""
    return f"第{copy_no}份/共{copies}份"


def render_watermark(width: float = A4[0], height: float = A4[1]) -> bytes:
    """Render the watermark alone as a one-page PDF of the given size, in memory."""
    font = cjk_font()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(width, height), pageCompression=1, initialFontName=font)
    c.setTitle("watermark")
    c.setFont(font, WATERMARK_FONT_SIZE)
    c.setFillColor(WATERMARK_GREY)
    for row in WATERMARK_ROWS:
        c.saveState()
        c.translate(width / 2, height * row)
        c.rotate(WATERMARK_ANGLE)
        c.drawCentredString(0, -WATERMARK_FONT_SIZE / 3, WATERMARK_TEXT)
        c.restoreState()
    c.showPage()
    c.save()
    return buf.getvalue()


def render_copy_mark(
    copy_no: int, copies: int, width: float = A4[0], height: float = A4[1]
) -> bytes:
    """Render the copy mark at the top right of an otherwise empty one-page PDF."""
    text = copy_mark(copy_no, copies)
    font = cjk_font()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(width, height), pageCompression=1, initialFontName=font)
    c.setTitle(text)
    c.setFont(font, COPY_MARK_FONT_SIZE)
    right = width - COPY_MARK_MARGIN
    baseline = height - COPY_MARK_MARGIN
    text_width = c.stringWidth(text, font, COPY_MARK_FONT_SIZE)
    c.setLineWidth(0.6)
    c.rect(right - text_width - 4, baseline - 4, text_width + 8, COPY_MARK_FONT_SIZE + 7)
    c.drawRightString(right, baseline, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def render_blank(width: float = A4[0], height: float = A4[1]) -> bytes:
    """Render the filler page of a duplex copy: 「（本页空白）」 in the middle."""
    font = cjk_font()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(width, height), pageCompression=1, initialFontName=font)
    c.setTitle(BLANK_TEXT)
    c.setFont(font, COPY_MARK_FONT_SIZE)
    c.drawCentredString(width / 2, height / 2, BLANK_TEXT)
    c.showPage()
    c.save()
    return buf.getvalue()


def stamp_page(page: PageObject, *, watermark: PageObject, mark: PageObject) -> PageObject:
    """Merge ``watermark`` under and ``mark`` over ``page`` and return ``page``.

    ``page`` must be the object a ``PdfWriter.add_page`` call returned (pypdf 7 refuses to
    merge into a page that belongs to no writer), and must not share its content with
    another page of that writer, or the stamps land on both.
    """
    page.merge_page(watermark, over=False)
    page.merge_page(mark, over=True)
    return page


def stamp_copies(pdf: bytes, copies: int = DEFAULT_COPIES, *, duplex: bool = True) -> bytes:
    """Return ``copies`` watermarked copies of ``pdf`` in one PDF, each with its copy mark.

    Each page of ``pdf`` is stored once, as a form XObject that all copies show
    (:mod:`generators._forms`: stamping then parses none of it); each page of the result has
    a content stream of its own, holding its stamps. Identical objects (fonts, the
    watermark) are stored once. With
    ``duplex`` (printing on both sides), a copy of an odd number of pages gets a last page
    「（本页空白）」, watermarked and marked like the others, so that every copy starts on
    an odd page and no sheet carries the end of one copy and the start of the next.

    Raises:
        ValueError: ``copies`` is less than 1.
    """
    if copies < 1:
        raise ValueError(f"copies must be at least 1, not {copies}")
    writer = PdfWriter()
    reader = PdfReader(io.BytesIO(pdf))
    metadata = reader.metadata
    if metadata:
        # pypdf writes every value as a string; /Trapped is a name, so it is left out.
        writer.add_metadata({k: str(v) for k, v in metadata.items() if k != "/Trapped"})
    watermarks: dict[tuple[float, float], PageObject] = {}
    pages = reader.pages
    forms = [page_form(page, writer) for page in pages]
    for copy_no in range(1, copies + 1):
        marks: dict[tuple[float, float], PageObject] = {}
        for page, form in zip(pages, forms, strict=True):
            size = (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2))
            if size not in watermarks:
                watermarks[size] = PdfReader(io.BytesIO(render_watermark(*size))).pages[0]
            if size not in marks:
                mark_pdf = render_copy_mark(copy_no, copies, *size)
                marks[size] = PdfReader(io.BytesIO(mark_pdf)).pages[0]
            added = writer.add_page(stand_in(page, form))
            stamp_page(added, watermark=watermarks[size], mark=marks[size])
        if duplex and len(writer.pages) % 2:
            blank = writer.add_page(PdfReader(io.BytesIO(render_blank(*size))).pages[0])
            stamp_page(blank, watermark=watermarks[size], mark=marks[size])
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    out = io.BytesIO()
    writer.write(out)
    log.debug("stamped %d copies, %d pages in all", copies, len(writer.pages))
    return out.getvalue()


def render(pdf: bytes, out: Path, *, copies: int = DEFAULT_COPIES) -> Path:
    """Write ``copies`` watermarked, copy-marked copies of ``pdf`` to ``out`` atomically."""
    data = stamp_copies(pdf, copies)
    with atomic_path(out) as tmp:
        tmp.write_bytes(data)
    return out
