"""Marks on born-digital PDF pages: annotations read with pypdf, vector marks and seals.

Every PDF here is drawn for real with reportlab (marks shaped and coloured as the dossier
generator draws them: ``fixtures.dossier.draw_sets._mark`` and ``draw_certs.seal``) or edited
with pypdf, then read back with pdfplumber, as the reading stage does. Each mark is checked
against the pdfplumber word box of the name it marks and of a word it must not touch.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Ellipse, FreeText, Link, Polygon, PolyLine, Rectangle
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    TextStringObject,
)
from reportlab.lib.colors import Color
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from extractors._backends.pdf_marks import MAX_MARKS, annotation_marks, drawing_marks
from fixtures.dossier.docs import MarkKind as DrawnKind
from fixtures.dossier.draw_certs import SEAL_ALPHA, SEAL_R, SEAL_RED
from fixtures.dossier.draw_sets import HIGHLIGHTERS, PEN_BLUE, RED
from generators import fonts
from model.marks import Mark, MarkKind, MarkSource, Seal
from tests.conftest import CORPUS

BBox = tuple[float, float, float, float]
W, H = 595.0, 842.0
SIZE = 14.0
NAME, FAR, OTHER = "王伟", "李娜", "赵志强"
NAME_X, FAR_X, LINE1, LINE2 = 100.0, 320.0, 120.0, 170.0  # LINE*: baselines from the top


# --- drawing helpers --------------------------------------------------------------------------


class Sheet:
    """A reportlab page drawn in top-left coordinates, like the dossier generator's pages."""

    def __init__(self, path: Path, size: tuple[float, float] = (W, H)) -> None:
        """Start a page of ``size`` at ``path`` with the CJK font set."""
        self.path, self.w, self.h = path, size[0], size[1]
        self.font = fonts.cjk_font()
        self.c = Canvas(str(path), pagesize=size, invariant=1)
        self.c.setFont(self.font, SIZE)

    def text(self, x: float, base: float, s: str) -> BBox:
        """Draw ``s`` with its baseline ``base`` below the top; return its nominal box."""
        self.c.setFillColorRGB(0, 0, 0)
        self.c.drawString(x, self.h - base, s)
        return (x, base - 0.8 * SIZE, x + stringWidth(s, self.font, SIZE), base + 0.2 * SIZE)

    def poly(self, pts: Sequence[tuple[float, float]], *, close: bool, fill: int,
             stroke: int) -> None:
        """A polygon or open polyline through top-left points (current colours)."""
        p = self.c.beginPath()
        p.moveTo(pts[0][0], self.h - pts[0][1])
        for x, y in pts[1:]:
            p.lineTo(x, self.h - y)
        if close:
            p.close()
        self.c.drawPath(p, fill=fill, stroke=stroke)

    def save(self) -> Path:
        """Finish the page and the file."""
        self.c.showPage()
        self.c.save()
        return self.path


def names_page(path: Path, paint: Callable[[Sheet, BBox, BBox], None]) -> Path:
    """Line 1: the name at NAME_X and a far word at FAR_X; line 2: another name; then marks.

    ``paint(sheet, name_box, other_box)`` draws the marks (after the text, as a person does).
    """
    sheet = Sheet(path)
    name = sheet.text(NAME_X, LINE1, NAME)
    sheet.text(FAR_X, LINE1, FAR)
    other = sheet.text(NAME_X, LINE2, OTHER)
    paint(sheet, name, other)
    return sheet.save()


def highlighter(sheet: Sheet, box: BBox, rgb: tuple[float, float, float]) -> None:
    """``draw_sets._mark`` for a highlighter: a slanted filled quadrilateral, alpha 0.45."""
    x0, t, x1, b = box
    sheet.c.setFillColor(Color(*rgb, alpha=0.45))
    sheet.poly([(x0 - 2, t - 1.5), (x1 + 2.5, t - 3), (x1 + 2, b + 0.5), (x0 - 2.5, b + 2)],
               close=True, fill=1, stroke=0)


def red_box(sheet: Sheet, box: BBox) -> None:
    """``draw_sets._mark`` for RED_BOX: an open 5-point polyline ending near its start."""
    x0, t, x1, b = box
    sheet.c.setStrokeColor(RED)
    sheet.c.setLineWidth(1.2)
    sheet.c.setLineJoin(1)
    m, d = 3.0, 0.8
    sheet.poly([(x0 - m - 1.5, t - m + d), (x1 + m, t - m - d), (x1 + m + d, b + m),
                (x0 - m, b + m + d), (x0 - m + d, t - m - 1.5)], close=False, fill=0, stroke=1)


def red_underline(sheet: Sheet, box: BBox) -> None:
    """``draw_sets._mark`` for RED_UNDERLINE: a 1.2 pt red line 2 pt under the name."""
    x0, _, x1, b = box
    sheet.c.setStrokeColor(RED)
    sheet.c.setLineWidth(1.2)
    sheet.c.setLineCap(1)
    sheet.c.line(x0, sheet.h - b - 2, x1, sheet.h - b - 2 - 0.5)


def seal(sheet: Sheet, cx: float, cy: float, r: float = SEAL_R) -> None:
    """``draw_certs.seal`` without its label: a red ring (alpha 0.8, 2.2 pt) and a star."""
    c, y = sheet.c, sheet.h - cy
    c.saveState()
    c.setStrokeColorRGB(*SEAL_RED)
    c.setFillColorRGB(*SEAL_RED)
    c.setStrokeAlpha(SEAL_ALPHA)
    c.setFillAlpha(SEAL_ALPHA)
    c.setLineWidth(2.2)
    c.circle(cx, y, r)
    p = c.beginPath()
    for i in range(10):
        rad, ang = (0.3 * r if i % 2 == 0 else 0.12 * r), math.pi / 2 + i * math.pi / 5
        (p.lineTo if i else p.moveTo)(cx + rad * math.cos(ang), y + rad * math.sin(ang))
    p.close()
    c.drawPath(p, stroke=0, fill=1)
    c.restoreState()


def with_inner_parts(sheet: Sheet, cx: float, cy: float) -> None:
    """What many real seals add inside the ring: an inner ring, a small ring, a rule."""
    c, y = sheet.c, sheet.h - cy
    c.setStrokeColorRGB(*SEAL_RED)
    c.circle(cx, y, SEAL_R - 6)
    c.circle(cx, y - 20, 9)
    c.line(cx - 25, y - 32, cx + 25, y - 32)


# --- reading helpers --------------------------------------------------------------------------


def words(path: Path, pageno: int = 0) -> dict[str, BBox]:
    """The page's words (pdfplumber ``extract_words``, as ``_layer_page``) by text."""
    with pdfplumber.open(path) as pdf:
        return {w["text"]: (w["x0"], w["top"], w["x1"], w["bottom"])
                for w in pdf.pages[pageno].extract_words()}


def drawn(path: Path, pageno: int = 0) -> tuple[list[Mark], list[Seal]]:
    """``drawing_marks`` of one page of ``path``."""
    with pdfplumber.open(path) as pdf:
        return drawing_marks(pdf.pages[pageno])


def overlaps(a: BBox, b: BBox) -> bool:
    """Whether two top-left boxes share some area."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def add_annotations(src: Path, dst: Path, annots: Sequence[DictionaryObject]) -> Path:
    """Copy ``src`` to ``dst`` with ``annots`` added to its first page (pypdf)."""
    writer = PdfWriter(clone_from=src)
    for annot in annots:
        writer.add_annotation(0, annot)
    writer.write(dst)
    return dst


def pdf_rect(box: BBox, h: float = H) -> tuple[float, float, float, float]:
    """A top-left box as a PDF rectangle (x0, y0, x1, y1 from the bottom)."""
    return (box[0], h - box[3], box[2], h - box[1])


# --- drawn marks ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [DrawnKind.YELLOW, DrawnKind.GREEN, DrawnKind.PINK], ids=str)
def test_highlighter_polygon_is_a_highlight_over_the_name(tmp_path: Path,
                                                          kind: DrawnKind) -> None:
    """This test ensures that a generator-style highlighter polygon is a HIGHLIGHT of its colour.

    It must overlap the name's pdfplumber word box and neither the far word on the same line
    nor the name on the next line.
    """
    path = names_page(tmp_path / "hl.pdf", lambda s, name, _: highlighter(s, name,
                                                                          HIGHLIGHTERS[kind]))
    marks, seals = drawn(path)
    boxes = words(path)
    assert [(m.kind, m.colour, m.source) for m in marks] == [
        (MarkKind.HIGHLIGHT, str(kind), MarkSource.DRAWING)]
    assert seals == []
    assert overlaps(marks[0].bbox, boxes[NAME])
    assert not overlaps(marks[0].bbox, boxes[FAR])
    assert not overlaps(marks[0].bbox, boxes[OTHER])
    assert marks[0].parts == ()


def test_red_box_polyline_is_a_box_around_the_name(tmp_path: Path) -> None:
    """This test ensures that the generator's open red box polyline is a red BOX on the name."""
    path = names_page(tmp_path / "box.pdf", lambda s, name, _: red_box(s, name))
    marks, _ = drawn(path)
    boxes = words(path)
    assert [(m.kind, m.colour) for m in marks] == [(MarkKind.BOX, "red")]
    box, name = marks[0].bbox, boxes[NAME]
    assert box[0] < name[0] and box[2] > name[2]  # around the name, not just over it
    assert box[1] < name[1] and box[3] > name[3]
    assert not overlaps(box, boxes[FAR]) and not overlaps(box, boxes[OTHER])


def test_red_underline_lies_under_the_name(tmp_path: Path) -> None:
    """This test ensures that a red line 2 pt under the name is a red UNDERLINE spanning it."""
    path = names_page(tmp_path / "ul.pdf", lambda s, name, _: red_underline(s, name))
    marks, _ = drawn(path)
    boxes = words(path)
    assert [(m.kind, m.colour) for m in marks] == [(MarkKind.UNDERLINE, "red")]
    line, name = marks[0].bbox, boxes[NAME]
    assert line[0] == pytest.approx(name[0], abs=0.5)
    assert line[2] == pytest.approx(name[2], abs=0.5)
    assert 0.0 <= line[1] - name[3] <= 3.0  # just under the word, above the next line
    assert line[3] < boxes[OTHER][1]
    assert not overlaps(line, boxes[FAR])


def test_red_ellipse_is_a_circle_and_blue_pen_box_a_box(tmp_path: Path) -> None:
    """This test ensures that a red ellipse round a name is a CIRCLE and a blue stroked rect a BOX.

    Both are in pen colours; the ellipse is 30 pt tall, far below a seal's 60 pt.
    """
    def paint(s: Sheet, name: BBox, other: BBox) -> None:
        s.c.setStrokeColor(RED)
        s.c.ellipse(name[0] - 8, s.h - name[3] - 8, name[2] + 8, s.h - name[1] + 8, stroke=1,
                    fill=0)
        s.c.setStrokeColor(PEN_BLUE)
        s.c.rect(other[0] - 3, s.h - other[3] - 3, other[2] - other[0] + 6,
                 other[3] - other[1] + 6, stroke=1, fill=0)

    path = names_page(tmp_path / "ring.pdf", paint)
    marks, seals = drawn(path)
    boxes = words(path)
    assert seals == []
    assert [(m.kind, m.colour) for m in marks] == [(MarkKind.BOX, "blue"),
                                                   (MarkKind.CIRCLE, "red")]
    box, ring = marks[0].bbox, marks[1].bbox
    assert overlaps(ring, boxes[NAME]) and not overlaps(ring, boxes[OTHER])
    assert overlaps(box, boxes[OTHER]) and not overlaps(box, boxes[NAME])
    assert ring[3] - ring[1] == pytest.approx(SIZE + 16, abs=0.5)


def test_print_graphics_are_not_marks(tmp_path: Path) -> None:
    """This test ensures that black grids, grey zebra bands, frames and black rings give nothing.

    These are what the generator's tables and certificates print (``draw_sets.table``): a
    0.8 pt black grid, light grey (0.93) and blue-grey (0.82, 0.85, 0.9) bands, plus a black
    frame, a grey rule under a word and a black ellipse.
    """
    def paint(s: Sheet, name: BBox, other: BBox) -> None:
        c = s.c
        c.setFillColor(Color(0.93, 0.93, 0.93))
        c.rect(80, s.h - LINE1 - 6, 300, 22, stroke=0, fill=1)
        c.setFillColor(Color(0.82, 0.85, 0.9))
        c.rect(80, s.h - LINE2 - 6, 300, 22, stroke=0, fill=1)
        c.setStrokeColorRGB(0, 0, 0)
        c.setLineWidth(0.8)
        for y in (LINE1 - 20, LINE1 + 8, LINE2 + 8):
            c.line(80, s.h - y, 380, s.h - y)
        for x in (80, 230, 380):
            c.line(x, s.h - LINE1 + 20, x, s.h - LINE2 - 8)
        c.rect(name[0] - 4, s.h - name[3] - 4, 40, 22, stroke=1, fill=0)
        c.ellipse(other[0] - 8, s.h - other[3] - 8, other[2] + 8, s.h - other[1] + 8)
        c.setStrokeColorRGB(0.5, 0.5, 0.5)
        c.line(name[0], s.h - name[3] - 2, name[2], s.h - name[3] - 2)

    path = names_page(tmp_path / "print.pdf", paint)
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        assert len(page.rects) + len(page.lines) + len(page.curves) >= 10  # all of it is there
        assert drawing_marks(page) == ([], [])


def test_coloured_table_rules_and_cells_are_not_marks(tmp_path: Path) -> None:
    """This test ensures that a blue table's rules and cells are print, not marks.

    Its rules are segments cut at the cell edges 1 pt apart, as in
    korean-text-with-tables.pdf, and its cells share sides. A lone blue box of the same
    colour on the same page is still a BOX.
    """
    def paint(s: Sheet, name: BBox, other: BBox) -> None:
        c = s.c
        c.setStrokeColor(PEN_BLUE)
        c.setLineWidth(1)
        for y in (LINE1 + 8, LINE2 + 8):
            c.line(80, s.h - y, 200, s.h - y)
            c.line(201, s.h - y, 380, s.h - y)
        for x0, x1 in ((80, 200), (200, 380)):
            c.rect(x0, s.h - 260, x1 - x0, 30, stroke=1, fill=0)
        c.rect(FAR_X - 4, s.h - LINE1 - 8, 36, 26, stroke=1, fill=0)

    path = names_page(tmp_path / "table.pdf", paint)
    marks, _ = drawn(path)
    assert [(m.kind, m.colour) for m in marks] == [(MarkKind.BOX, "blue")]
    assert overlaps(marks[0].bbox, words(path)[FAR])


def test_seal_ring_and_star_are_one_seal_and_no_marks(tmp_path: Path) -> None:
    """This test ensures that a generator seal (red ring r=48, alpha 0.8, red star) is one Seal.

    The ring's box is the circle's (96 pt across), round, confidence 1; the filled red star
    inside is part of the seal, not a mark, and so are an inner ring (seal-sized itself), a
    small ring and a red rule inside it, as real seals have. A 150 × 100 pt red ring is an
    oval seal.
    """
    sheet = Sheet(tmp_path / "seal.pdf")
    sheet.text(NAME_X, LINE1, NAME)
    seal(sheet, 300.0, 400.0)
    with_inner_parts(sheet, 300.0, 400.0)
    sheet.c.setStrokeColorRGB(*SEAL_RED)
    sheet.c.ellipse(100, H - 650, 250, H - 550)
    marks, seals = drawn(sheet.save())
    assert marks == []
    assert [(s.shape, s.confidence) for s in seals] == [("round", 1.0), ("oval", 1.0)]
    for got, want in zip(seals[0].bbox, (300 - SEAL_R, 400 - SEAL_R, 300 + SEAL_R,
                                         400 + SEAL_R), strict=True):
        assert got == pytest.approx(want, abs=0.5)
    for got, want in zip(seals[1].bbox, (100, 550, 250, 650), strict=True):
        assert got == pytest.approx(want, abs=0.5)


def test_thin_filled_bar_and_thick_highlighter_stroke(tmp_path: Path) -> None:
    """This test ensures that a thin red bar is an UNDERLINE and a thick yellow stroke a HIGHLIGHT.

    The bar is a 1.5 pt filled rect (Word exports draw rules so), the stroke 8 pt wide (a
    free-hand highlighter flattened into the page; its box grows by half the width above
    and below).
    """
    def paint(s: Sheet, name: BBox, other: BBox) -> None:
        s.c.setFillColorRGB(*SEAL_RED)
        s.c.rect(name[0], s.h - name[3] - 3.5, name[2] - name[0], 1.5, stroke=0, fill=1)
        s.c.setStrokeColor(Color(*HIGHLIGHTERS[DrawnKind.YELLOW], alpha=0.4))
        s.c.setLineWidth(8)
        mid = (other[1] + other[3]) / 2
        s.c.line(other[0], s.h - mid, other[2], s.h - mid)

    path = names_page(tmp_path / "bars.pdf", paint)
    marks, _ = drawn(path)
    boxes = words(path)
    assert [(m.kind, m.colour) for m in marks] == [(MarkKind.UNDERLINE, "red"),
                                                   (MarkKind.HIGHLIGHT, "yellow")]
    assert 0.0 <= marks[0].bbox[1] - boxes[NAME][3] <= 3.0
    assert marks[1].bbox[3] - marks[1].bbox[1] == pytest.approx(8.0, abs=0.1)
    assert overlaps(marks[1].bbox, boxes[OTHER]) and not overlaps(marks[1].bbox, boxes[NAME])


def test_pattern_colours_are_skipped_without_error(tmp_path: Path) -> None:
    """This test ensures that shapes painted with a pattern (pdfplumber gives its name) are skipped.

    A filled rect, a stroked rect and a line, all in a shading pattern: pdfplumber reports
    the colour as the string ``P0``; none of them is a mark and nothing raises.
    """
    writer = PdfWriter()
    page = writer.add_blank_page(W, H)
    function = DictionaryObject({
        NameObject("/FunctionType"): NumberObject(2),
        NameObject("/Domain"): ArrayObject([NumberObject(0), NumberObject(1)]),
        NameObject("/C0"): ArrayObject([FloatObject(1), FloatObject(1), FloatObject(0)]),
        NameObject("/C1"): ArrayObject([FloatObject(1), FloatObject(0), FloatObject(0)]),
        NameObject("/N"): NumberObject(1)})
    shading = DictionaryObject({
        NameObject("/ShadingType"): NumberObject(2),
        NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
        NameObject("/Coords"): ArrayObject([FloatObject(v) for v in (0, 0, 100, 0)]),
        NameObject("/Function"): function})
    pattern = DictionaryObject({NameObject("/PatternType"): NumberObject(2),
                                NameObject("/Shading"): shading})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Pattern"): DictionaryObject(
        {NameObject("/P0"): writer._add_object(pattern)})})
    content = DecodedStreamObject()
    content.set_data(b"/Pattern cs /P0 scn /Pattern CS /P0 SCN 100 700 60 14 re f "
                     b"100 650 m 160 650 l S 100 600 60 20 re S")
    page[NameObject("/Contents")] = writer._add_object(content)
    path = tmp_path / "pattern.pdf"
    writer.write(path)
    with pdfplumber.open(path) as pdf:
        page_ = pdf.pages[0]
        assert [o["non_stroking_color"] for o in page_.rects] == ["P0", "P0"]
        assert drawing_marks(page_) == ([], [])


def test_busy_page_is_capped_and_fast(tmp_path: Path) -> None:
    """This test ensures that a page of 3600 vector objects takes well under a second.

    600 short red lines (each an underline, none touching) and 3000 small grey triangles:
    the marks stop at ``MAX_MARKS`` and the work after pdfminer's parse is under 0.5 s
    (about 0.01 s measured).
    """
    sheet = Sheet(tmp_path / "busy.pdf")
    sheet.c.setStrokeColor(RED)
    for i in range(600):
        x, y = 20 + (i % 20) * 28, 20 + (i // 20) * 25
        sheet.c.line(x, y, x + 20, y)
    sheet.c.setStrokeColorRGB(0.5, 0.5, 0.5)
    for i in range(3000):
        x, y = (i * 7) % 560, (i * 13) % 800
        sheet.poly([(x, y), (x + 5, y + 3), (x + 9, y - 2)], close=True, fill=0, stroke=1)
    with pdfplumber.open(sheet.save()) as pdf:
        page = pdf.pages[0]
        assert len(page.lines) + len(page.curves) == 3600  # parse outside the timing
        start = time.perf_counter()
        marks, seals = drawing_marks(page)
        took = time.perf_counter() - start
    assert len(marks) == MAX_MARKS and seals == []
    assert {(m.kind, m.colour) for m in marks} == {(MarkKind.UNDERLINE, "red")}
    assert took < 0.5


# --- annotations ------------------------------------------------------------------------------


def test_highlight_annotation_over_two_lines_has_one_part_per_line(tmp_path: Path) -> None:
    """This test ensures that a /Highlight with two QuadPoints quads gives two parts, one per word.

    Written by reportlab's ``highlightAnnotation`` as the generator does (points TL, TR,
    BL, BR, yellow /C); a second highlight lists its points counter-clockwise from the
    bottom-left, as other producers do, and is pink.
    """
    def paint(s: Sheet, name: BBox, other: BBox) -> None:
        n, o = pdf_rect(name), pdf_rect(other)
        s.c.highlightAnnotation("", (n[0], o[1], n[2], n[3]),
                                QuadPoints=[n[0], n[3], n[2], n[3], n[0], n[1], n[2], n[1],
                                            o[0], o[3], o[2], o[3], o[0], o[1], o[2], o[1]],
                                Color=[1.0, 0.93, 0.0], F=4)
        far = pdf_rect(s.text(FAR_X, LINE2, "其他"))
        s.c.highlightAnnotation("", far, QuadPoints=[far[0], far[1], far[2], far[1],
                                                     far[2], far[3], far[0], far[3]],
                                Color=list(HIGHLIGHTERS[DrawnKind.PINK]))

    path = names_page(tmp_path / "annot.pdf", paint)
    found = annotation_marks(path)
    boxes = words(path)
    assert list(found) == [0]
    two, one = found[0]
    assert (two.kind, two.colour, two.source) == (MarkKind.HIGHLIGHT, "yellow",
                                                  MarkSource.ANNOTATION)
    assert len(two.parts) == 2
    assert overlaps(two.parts[0], boxes[NAME]) and not overlaps(two.parts[0], boxes[OTHER])
    assert overlaps(two.parts[1], boxes[OTHER]) and not overlaps(two.parts[1], boxes[NAME])
    assert not any(overlaps(p, boxes[FAR]) for p in two.parts)
    assert two.bbox == (min(p[0] for p in two.parts), min(p[1] for p in two.parts),
                        max(p[2] for p in two.parts), max(p[3] for p in two.parts))
    assert (one.kind, one.colour, one.parts) == (MarkKind.HIGHLIGHT, "pink", ())
    assert overlaps(one.bbox, boxes["其他"]) and not overlaps(one.bbox, boxes[OTHER])
    assert one.bbox[1] < one.bbox[3]  # min/max of the points, whatever their order


def test_annotation_subtypes_map_to_mark_kinds(tmp_path: Path) -> None:
    """This test ensures that each markup annotation subtype gives its kind, box and colour.

    Added with pypdf's annotation classes (or as plain dictionaries where pypdf has none);
    StrikeOut, Link, Text and hidden (Hidden or NoView) annotations give nothing.
    """
    base = names_page(tmp_path / "base.pdf", lambda s, n, o: None)
    boxes = words(base)
    name, other, far = (pdf_rect(boxes[k]) for k in (NAME, OTHER, FAR))

    def plain(subtype: str, rect: Sequence[float], **extra: object) -> DictionaryObject:
        d = DictionaryObject({NameObject("/Type"): NameObject("/Annot"),
                              NameObject("/Subtype"): NameObject(subtype),
                              NameObject("/Rect"): ArrayObject([FloatObject(v) for v in rect])})
        for key, value in extra.items():
            d[NameObject("/" + key)] = value  # type: ignore[assignment]
        return d

    def nums(*values: float) -> ArrayObject:
        return ArrayObject([FloatObject(v) for v in values])

    quads = nums(far[0], far[3], far[2], far[3], far[0], far[1], far[2], far[1])
    ink = nums(name[0], name[1] - 2, name[2], name[1] - 2)
    annots = [
        Rectangle(rect=(name[0] - 3, name[1] - 3, name[2] + 3, name[3] + 3),
                  border_color="ff0000"),
        Ellipse(rect=(other[0] - 5, other[1] - 5, other[2] + 5, other[3] + 5)),
        FreeText(text="见此", rect=(400, 600, 500, 630), background_color="ffff00"),
        plain("/Underline", far, QuadPoints=quads, C=nums(0, 0, 1)),
        plain("/Squiggly", far, QuadPoints=quads, C=nums(0.0, 0.6, 0.0)),
        plain("/Ink", (0, 0, 1, 1), InkList=ArrayObject([ink]), C=nums(1, 0, 0)),
        Polygon(vertices=[(name[0], name[1]), (name[2], name[1]), (name[2], name[3])]),
        PolyLine(vertices=[(other[0] - 4, other[1] - 4), (other[2] + 4, other[1] - 4),
                           (other[2] + 4, other[3] + 4), (other[0] - 4, other[3] + 4),
                           (other[0] - 3, other[1] - 2)]),
        PolyLine(vertices=[(far[0], far[1]), (far[2], far[3])]),
        plain("/Highlight", name, C=nums(0.5), F=NumberObject(4)),  # grey: one component
        plain("/Highlight", name, C=nums(0, 0, 0, 0), F=NumberObject(4)),  # CMYK white
        plain("/StrikeOut", name, QuadPoints=quads, C=nums(1, 0, 0)),
        plain("/Square", name, F=NumberObject(2)),  # hidden
        plain("/Square", name, F=NumberObject(32)),  # no view
        plain("/Text", name),
        Link(rect=name, url="https://example.com"),
    ]
    path = add_annotations(base, tmp_path / "kinds.pdf", annots)
    marks = annotation_marks(path)[0]
    assert [(m.kind, m.colour) for m in marks] == [
        (MarkKind.BOX, "red"), (MarkKind.CIRCLE, "black"), (MarkKind.TEXT_BOX, "yellow"),
        (MarkKind.UNDERLINE, "blue"), (MarkKind.UNDERLINE, "green"), (MarkKind.INK, "red"),
        (MarkKind.BOX, "black"), (MarkKind.BOX, "black"), (MarkKind.INK, "black"),
        (MarkKind.HIGHLIGHT, "grey"), (MarkKind.HIGHLIGHT, "white")]
    assert all(m.source is MarkSource.ANNOTATION for m in marks)
    square, ellipse, note, under, _, stroke, triangle, closed, open_line = marks[:9]
    assert overlaps(square.bbox, boxes[NAME]) and not overlaps(square.bbox, boxes[FAR])
    assert overlaps(ellipse.bbox, boxes[OTHER]) and not overlaps(ellipse.bbox, boxes[NAME])
    assert note.bbox == pytest.approx((400, H - 630, 500, H - 600))
    assert overlaps(under.bbox, boxes[FAR]) and under.parts == ()
    assert stroke.bbox == pytest.approx((boxes[NAME][0], H - name[1] + 2, boxes[NAME][2],
                                         H - name[1] + 2))
    assert overlaps(triangle.bbox, boxes[NAME]) and overlaps(closed.bbox, boxes[OTHER])
    assert overlaps(open_line.bbox, boxes[FAR]) and not overlaps(open_line.bbox, boxes[NAME])


def test_odd_annotations_are_skipped_and_the_rest_kept(tmp_path: Path) -> None:
    """This test ensures that broken annotation entries never raise and good ones survive.

    The page's /Annots is an indirect array holding: a number, a dictionary without
    /Subtype, a Highlight with neither /Rect nor /QuadPoints, one whose /Rect holds a
    string, one whose /Rect has a 400-digit number, one with 7 QuadPoints numbers and a
    good /Rect (the /Rect is used), one with a 2-number /C (default colour), and a good
    Square without /C (black).
    """
    base = names_page(tmp_path / "base.pdf", lambda s, n, o: None)
    name = pdf_rect(words(base)[NAME])
    writer = PdfWriter(clone_from=base)

    def annot(**entries: object) -> DictionaryObject:
        d = DictionaryObject({NameObject("/Type"): NameObject("/Annot")})
        for key, value in entries.items():
            d[NameObject("/" + key)] = value  # type: ignore[assignment]
        return d

    rect = ArrayObject([FloatObject(v) for v in name])
    entries = [
        NumberObject(7),
        annot(Rect=rect),
        annot(Subtype=NameObject("/Highlight")),
        annot(Subtype=NameObject("/Highlight"),
              Rect=ArrayObject([FloatObject(1), TextStringObject("x"), FloatObject(2),
                                FloatObject(3)])),
        annot(Subtype=NameObject("/Highlight"),
              Rect=ArrayObject([NumberObject(10 ** 400), FloatObject(1), FloatObject(2),
                                FloatObject(3)])),
        annot(Subtype=NameObject("/Highlight"), Rect=rect,
              QuadPoints=ArrayObject([FloatObject(1)] * 7)),
        annot(Subtype=NameObject("/Underline"), Rect=rect,
              C=ArrayObject([FloatObject(1), FloatObject(0)])),
        annot(Subtype=NameObject("/Square"), Rect=rect),
    ]
    refs = ArrayObject([writer._add_object(e) for e in entries])
    writer.pages[0][NameObject("/Annots")] = writer._add_object(refs)
    path = tmp_path / "odd.pdf"
    writer.write(path)
    assert isinstance(PdfReader(path).pages[0].raw_get("/Annots"), IndirectObject)
    marks = annotation_marks(path)[0]
    assert [(m.kind, m.colour) for m in marks] == [
        (MarkKind.HIGHLIGHT, "yellow"), (MarkKind.UNDERLINE, "black"), (MarkKind.BOX, "black")]
    for m in marks:
        assert m.bbox == pytest.approx((name[0], H - name[3], name[2], H - name[1]))


FRAMES = {
    "plain": ([0, 0, W, H], None, 0),
    "cropbox": ([0, 0, W, H], [40, 60, 500, 780], 0),
    "mediabox-offset": ([30, 40, W + 30, H + 40], None, 0),
    "both-offset": ([-50, -20, W - 50, H - 20], [0, 0, 400, 700], 0),
    "rotate90": ([0, 0, W, H], None, 90),
    "cropbox-rotate90": ([30, 40, W, H], [50, 60, 500, 700], 90),
    "mediabox-offset-rotate180": ([30, 40, W + 30, H + 40], None, 180),
    "cropbox-rotate270": ([0, 0, W, H], [40, 60, 500, 780], 270),
    "rotate-minus90": ([10, 20, W, H], None, -90),
}


@pytest.mark.parametrize("frame", FRAMES, ids=str)
def test_marks_line_up_with_words_on_offset_and_rotated_pages(tmp_path: Path,
                                                              frame: str) -> None:
    """This test ensures that annotation and drawn boxes are in pdfplumber's word frame.

    The page gets a MediaBox and CropBox offset and a /Rotate after drawing. A yellow
    rect drawn in the content at the /Highlight's own /Rect must come out of pdfplumber
    with exactly the annotation's box (pdfplumber 0.11.10 ignores the CropBox and shifts by
    the MediaBox origin, which ``annotation_marks`` follows); both overlap the name's word
    box, not the far word's. pdfplumber's own ``page.annots`` is off on rotated
    MediaBox-offset pages, which is why it is not used.
    """
    mediabox, cropbox, rotate = FRAMES[frame]

    def paint(s: Sheet, name: BBox, other: BBox) -> None:
        r = pdf_rect((name[0] - 2, name[1] - 2, name[2] + 2, name[3] + 2))
        s.c.setFillColor(Color(*HIGHLIGHTERS[DrawnKind.YELLOW], alpha=0.45))
        s.c.rect(r[0], r[1], r[2] - r[0], r[3] - r[1], stroke=0, fill=1)
        s.c.highlightAnnotation("", r, QuadPoints=[r[0], r[3], r[2], r[3], r[0], r[1],
                                                   r[2], r[1]], Color=[1.0, 0.93, 0.0])

    plain = names_page(tmp_path / "plain.pdf", paint)
    writer = PdfWriter(clone_from=plain)
    page = writer.pages[0]
    page[NameObject("/MediaBox")] = ArrayObject([FloatObject(v) for v in mediabox])
    if cropbox:
        page[NameObject("/CropBox")] = ArrayObject([FloatObject(v) for v in cropbox])
    if rotate:
        page[NameObject("/Rotate")] = NumberObject(rotate)
    path = tmp_path / f"{frame}.pdf"
    writer.write(path)

    [annot] = annotation_marks(path)[0]
    [painted], _ = drawn(path)
    with pdfplumber.open(path) as pdf:
        rect = pdf.pages[0].rects[0]
        assert len(pdf.pages[0].annots) == 1
    assert annot.bbox == pytest.approx((rect["x0"], rect["top"], rect["x1"], rect["bottom"]),
                                       abs=0.01)
    assert painted.bbox == pytest.approx(annot.bbox, abs=0.01)
    boxes = words(path)
    name = next(v for k, v in boxes.items() if k in (NAME, NAME[::-1]))  # 180°: reversed
    far = next(v for k, v in boxes.items() if k in (FAR, FAR[::-1]))
    for box in (annot.bbox, painted.bbox):
        assert overlaps(box, name) and not overlaps(box, far)
    if frame == "cropbox":
        assert boxes == words(plain)  # a CropBox moves no word


@pytest.mark.parametrize("content", [b"", b"not a pdf at all", b"%PDF-1.4\n1 0 obj <<",
                                     None, "encrypted", "truncated"], ids=repr)
def test_unreadable_files_give_no_annotations(tmp_path: Path, content: bytes | str | None,
                                              caplog: pytest.LogCaptureFixture) -> None:
    """This test ensures that an empty, garbage, truncated, missing or locked file gives {}.

    Nothing raises; a warning names the file.
    """
    path = tmp_path / "bad.pdf"
    if content == "encrypted" or content == "truncated":
        good = names_page(tmp_path / "good.pdf", lambda s, n, o: s.c.highlightAnnotation(
            "", pdf_rect(n), QuadPoints=[n[0], H - n[1], n[2], H - n[1], n[0], H - n[3],
                                         n[2], H - n[3]]))
        assert list(annotation_marks(good)) == [0]  # it has a mark before it is spoilt
        if content == "encrypted":
            writer = PdfWriter(clone_from=good)
            writer.encrypt("secret", algorithm="RC4-128")
            writer.write(path)
        else:
            data = good.read_bytes()
            path.write_bytes(data[: len(data) // 3])
    elif isinstance(content, bytes):
        path.write_bytes(content)
    assert annotation_marks(path) == {}
    if content != "truncated":  # pypdf may still read a truncated file's first objects
        assert "bad.pdf" in caplog.text


# --- third-party files (corpus) ---------------------------------------------------------------

# Only on a machine with the public corpus (/work/shared/corpus/public); CI has none.
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="no public corpus here")

# Found by walking every corpus PDF's /Annots with pypdf: the only files with /Highlight.
CORPUS_HIGHLIGHTS = {
    "pdfplumber/issue-463-example.pdf": {0: [3], 1: [0, 0]},
    "sample-files/annotated_pdf.pdf": {0: [2]},
    "pypdf/example.pdf": {0: [0]},
    "pdfminer/simple5.pdf": {0: [0, 0, 0]},
    "pdfplumber/annotations.pdf": {0: [0]},  # its StrikeOut over the same words is dropped
}


@needs_corpus
@pytest.mark.parametrize("name", CORPUS_HIGHLIGHTS, ids=str)
def test_corpus_highlight_annotations_are_found_on_their_pages(name: str) -> None:
    """This test ensures that the corpus' real /Highlight annotations are found on their pages.

    Each page lists its highlights' part counts (a one-quad highlight has no parts).
    """
    found = annotation_marks(CORPUS / name)
    highlights = {pageno: [len(m.parts) for m in marks if m.kind is MarkKind.HIGHLIGHT]
                  for pageno, marks in found.items()}
    assert highlights == CORPUS_HIGHLIGHTS[name]


@needs_corpus
def test_corpus_highlight_with_a_wrong_rect_uses_its_quadpoints() -> None:
    """This test ensures that annotated_pdf.pdf's highlight covers "Line 1" and "Line 2" only.

    Its /Rect lies off the page (x 676–855); its two quads mark the two lines, and the
    words "Not highlighted" under them are not touched. Its /Ink comes from /InkList.
    """
    path = CORPUS / "sample-files/annotated_pdf.pdf"
    [highlight, ink] = annotation_marks(path)[0]
    with pdfplumber.open(path) as pdf:
        raw = pdf.pages[0].extract_words()
    marked = [[w["text"] for w in raw if overlaps(part, (w["x0"], w["top"], w["x1"],
                                                        w["bottom"]))]
              for part in highlight.parts]
    assert marked == [["Line", "1"], ["Line", "2"]]
    assert (highlight.colour, ink.kind, ink.colour) == ("yellow", MarkKind.INK, "yellow")
    assert ink.bbox[2] < 100  # the strokes, not the /Rect at x 473–530


@needs_corpus
def test_corpus_busy_and_broken_pages() -> None:
    """This test ensures that the busiest corpus page is fast and broken pages give nothing.

    GeoTopo-komprimiert.pdf p31 has 3231 vector objects (18142 curve points): under 0.5 s
    after parsing (11 ms measured), and its marks are few; pdfminer fails on the content of
    broken-lzw.pdf and pdf-bad-color-space.pdf: no marks, no error.
    """
    with pdfplumber.open(CORPUS / "sample-files/GeoTopo-komprimiert.pdf") as pdf:
        page = pdf.pages[30]
        assert len(page.rects) + len(page.lines) + len(page.curves) == 3231
        start = time.perf_counter()
        marks, seals = drawing_marks(page)
        assert time.perf_counter() - start < 0.5
    assert len(marks) < 20 and seals == []
    for name in ("qpdf/broken-lzw.pdf", "unstructured/pdf-bad-color-space.pdf"):
        with pdfplumber.open(CORPUS / name) as pdf:
            assert drawing_marks(pdf.pages[0]) == ([], [])
