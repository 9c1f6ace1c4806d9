"""Marks on born-digital PDF pages: annotations (pypdf) and marks painted as vector graphics.

Two sources, both giving boxes in the frame pdfplumber gives ``page.extract_words()`` word
boxes (PDF points, ``(x0, top, x1, bottom)``), so that a later step can tie a mark to the
words it touches by box overlap:

- :func:`annotation_marks` reads the annotations of every page with pypdf. Highlight →
  HIGHLIGHT; Underline, Squiggly → UNDERLINE; Square → BOX; Circle → CIRCLE; Ink → INK;
  FreeText → TEXT_BOX; Polygon → BOX; PolyLine → BOX when its ends meet, else INK. StrikeOut
  (text crossed out is not a name marked), Link, Widget, Popup, Text, Stamp and the rest are
  ignored, and so are annotations flagged Hidden or NoView. ``/QuadPoints`` give one part
  box per quad (the min/max of its 4 points: producers write the points in different
  orders); without them ``/Rect`` (``/InkList`` or ``/Vertices`` for Ink and polygons).
- :func:`drawing_marks` reads the rectangles, lines and curves of an open pdfplumber page:
  a filled shape in a light highlighter colour is a HIGHLIGHT, a thin line in a pen colour
  under text an UNDERLINE, a closed outline in a pen colour a BOX, an ellipse in a pen colour
  a CIRCLE, and a large red stroked ring a :class:`~model.marks.Seal`. Black, grey and white
  paint is print (table grids, frames, zebra bands) and never a mark; so are underlines that
  continue each other end to end and boxes that share a side (the rules and cells of a
  coloured table). One drawn object gives at most one mark; nothing is merged.

The frame (pdfplumber 0.11.10 with pdfminer.six 20260107, read from their source and checked
by the tests): pdfminer maps a point of default user space into its layout space with a
matrix chosen by ``/Rotate`` and the *MediaBox* (``PDFPageInterpreter.process_page``), and
pdfplumber turns layout ``(X, Y)`` into ``x = X + mb_x0``, ``top = mb_h - Y - mb_y0``, with
``(mb_x0, mb_y0, mb_x1, mb_y1)`` the MediaBox sorted (x and y swapped for /Rotate 90 and
270) and ``mb_h = mb_y1 - mb_y0``. The *CropBox is ignored*: ``Page.bbox`` is the MediaBox,
so word boxes do not move when a CropBox is set. A MediaBox that does not start at (0, 0)
shifts the frame (``top = mb_y1 - mb_y0 - y`` on an unrotated page, so words near the top of
such a page can have a negative ``top``). :func:`annotation_marks` applies exactly this
mapping to annotation coordinates (which are in default user space), so its boxes line up
with the words on MediaBox-offset, CropBox-offset and rotated pages alike.
``drawing_marks`` takes pdfplumber's own coordinates, so it is in the frame by construction.
pdfplumber's own ``Page.annots`` is *not* in that frame on a rotated page whose MediaBox does
not start at (0, 0) (off by 40–800 pt in the tests' cases): it is not used.

Pure apart from reading the file named by :func:`annotation_marks` (through pypdf).
"""

from __future__ import annotations

import colorsys
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from pypdf import PasswordType, PdfReader

from extractors.colours import name_of, to_rgb
from model.marks import Mark, MarkKind, MarkSource, Seal
from model.report import BBox

log = logging.getLogger(__name__)

Point = tuple[float, float]

# --- limits ---------------------------------------------------------------------------------
MAX_MARKS = 500
"""Marks kept per page (per source); a page with more is a chart or a map, not a marked page.
Annotation and drawing scans stop there."""
MAX_ANNOTATIONS = 5000
"""Annotations looked at per page (a page of a few thousand links exists; more is hostile)."""
MAX_CURVE_POINTS = 2000
"""Curves with more points are skipped unseen (map outlines, plotted data): no mark or seal
is drawn with that many points, and walking them is what would make a map page slow."""
MAX_PAGE_POINTS = 200_000
"""Curve points looked at per page; the curves after that are skipped. The busiest corpus
page (GeoTopo-komprimiert.pdf p31: 3231 objects, 18142 curve points) takes 11 ms; this
bounds a hostile page to about 0.1 s of work past what pdfminer already spent."""

# --- annotations ----------------------------------------------------------------------------
ANNOT_HIDDEN = 1 << 1
"""Annotation flag bit 2 (Hidden): neither shown nor printed."""
ANNOT_NOVIEW = 1 << 5
"""Annotation flag bit 6 (NoView): not shown on screen."""
DEFAULT_HIGHLIGHT_COLOUR = "yellow"
"""Colour of a /Highlight without /C (viewers paint it yellow)."""
DEFAULT_COLOUR = "black"
"""Colour of any other annotation without /C."""
_ANNOT_KINDS: dict[str, MarkKind] = {
    "/Highlight": MarkKind.HIGHLIGHT,
    "/Underline": MarkKind.UNDERLINE,
    "/Squiggly": MarkKind.UNDERLINE,
    "/Square": MarkKind.BOX,
    "/Circle": MarkKind.CIRCLE,
    "/Ink": MarkKind.INK,
    "/FreeText": MarkKind.TEXT_BOX,
    "/Polygon": MarkKind.BOX,
    "/PolyLine": MarkKind.INK,  # BOX when its ends meet (``_closed``)
}
_US_LETTER = (0.0, 0.0, 612.0, 792.0)  # pdfminer's MediaBox when a page has none

# --- drawn marks ----------------------------------------------------------------------------
HIGHLIGHTER_COLOURS = frozenset({"yellow", "green", "pink", "orange", "blue"})
"""Colour names a filled highlight can have."""
MIN_HIGHLIGHTER_VALUE = 0.9
"""Lowest HSV value of a highlighter fill. Highlighters are bright: the dossier generator's
yellow (1, 0.93, 0), green (0.45, 0.95, 0.35) and pink (1, 0.5, 0.75) have 0.95–1.0, the
corpus' /Highlight colours 0.98–1.0. Print fills in those hues are darker: the table header
bands of korean-text-with-tables.pdf (0, 0.619, 0.859) 0.86, the certificate GOLD
(0.78, 0.62, 0.3) of emblem stars 0.78, the journal covers' blue (0.35, 0.6, 0.85) and
orange (0.85, 0.55, 0.15) 0.85 (round or tall, so they fail the shape rules too), NAVY
(0.1, 0.22, 0.45) 0.45. Grey fills
(zebra bands (0.93, 0.93, 0.93), header bands (0.82, 0.85, 0.9)) are grey by
``colours.MIN_SATURATION`` whatever their value."""
HIGHLIGHT_HEIGHT = (4.0, 40.0)
"""Height range of a filled highlight: one line of text (5–30 pt type plus a margin); the
generator's highlights are the name box plus 3.5–5.5 pt."""
MIN_HIGHLIGHT_WIDTH = 6.0
"""Narrowest filled highlight (half a 12 pt hanzi)."""
MIN_RECTANGULARITY = 0.7
"""Shoelace area over bbox area a filled polygon needs to count as a highlighter stroke
(the generator's slanted quadrilaterals: above 0.9; a five-pointed star: about 0.35)."""
MAX_HIGHLIGHT_VERTICES = 12
"""A filled highlight polygon has a few corners (the generator's: 4 plus the closing one);
glyph outlines and map regions have many."""
MIN_STROKE_HIGHLIGHT_WIDTH = 4.0
"""Line width from which a stroked line in a highlighter colour is a highlighter stroke (a
free-hand highlighter flattened into the page) rather than a pen line."""

PEN_COLOURS = frozenset({"red", "blue", "green", "purple", "pink", "orange"})
"""Colour names a pen box, ring or underline can have. Yellow is not a pen colour (thin
yellow lines are unreadable); black and grey are the colours of print."""
OUTLINE_HEIGHT = (6.0, 60.0)
"""Height range of a pen box or ring around a name: one or two lines of text with a margin
(the generator's red box: name box plus 6 pt)."""
MIN_OUTLINE_WIDTH = 6.0
"""Narrowest pen box or ring."""
CLOSE_GAP = 4.0
"""Gap (pt) between the first and last point under which an open polyline counts as closed;
or ``CLOSE_GAP_SHARE`` of its smaller side if that is more. The generator's red box ends
within 2.1–3.3 pt of its start."""
CLOSE_GAP_SHARE = 0.2
MIN_BOX_RECTANGULARITY = 0.6
"""Shoelace area over bbox area a closed polyline needs to be a box (a triangle has 0.5)."""
ELLIPSE_TOLERANCE = 0.12
"""Largest relative deviation from the ellipse inscribed in its box that a point sampled on
a closed Bézier curve may have for the curve to count as a ring (reportlab's 4-arc circles
and ellipses: under 0.001; a rounded rectangle of radius 14: 0.2 at its corners)."""
UNDERLINE_MIN_LENGTH = 8.0
"""Shortest underline (two-thirds of a 12 pt hanzi)."""
UNDERLINE_MAX_THICKNESS = 2.5
"""Thickest filled rectangle that is drawn as a line (an underline); thicker ones are bars."""
UNDERLINE_MAX_SLOPE = 0.18
"""Largest rise over run of an underline (about 10°; the generator's: at most 0.6 pt over a
name of 24 pt or more, 0.025)."""
MIN_PEN_WIDTH = 0.5
"""Thinnest line width (pt) of a pen underline when the width is set at all: hairlines are
rules (the blue 0.25 pt table rules of korean-text-with-tables.pdf). pdfminer reports 0
when no width is set (the PDF default then paints 1 pt), so 0 passes."""
RULE_JOIN_GAP = 2.0
"""Gap (pt) under which two underlines of one colour on one height, end to end, are the
cell segments of one table rule (korean-text-with-tables.pdf: 1.0 pt); likewise two pen
boxes of one colour sharing an edge are table cells. Both are dropped."""
MAX_UNDERLINE_SHARE = 0.75
"""Longest underline as a share of the page width. The coloured rules printed across
certificates are wider: the blue LABEL rule (w − 100, 0.83 of A4) and the green rule
(w − 140, 0.76); the red title rule (w − 180, 0.70) stays in, as would a hand underline of
most of a text line."""

SEAL_COLOUR = "red"
SEAL_DIAMETER = (60.0, 250.0)
"""Range of the smaller side of a red ring that is a seal, not a ring around a name: the
generators' seals have radius 48 (certificates) and 46–54 (contracts); real company seals
are 38–45 mm (108–128 pt), oval ones 40 × 30 mm and more."""
OVAL_RATIO = 1.2
"""Width/height ratio (either way) beyond which a seal is ``oval``."""
MAX_SEAL_RATIO = 2.0
"""Longest side over shortest side of a seal; a longer red ring is neither seal nor mark."""
SEAL_CONFIDENCE = 1.0
"""A vector ring is drawn, not guessed: full confidence."""


class DrawnPage(Protocol):
    """What :func:`drawing_marks` reads of a page: pdfplumber's ``Page`` has it all."""

    @property
    def width(self) -> float:
        """Page width in points."""
        ...

    @property
    def rects(self) -> Sequence[Mapping[str, object]]:
        """Rectangles (pdfplumber object dicts)."""
        ...

    @property
    def lines(self) -> Sequence[Mapping[str, object]]:
        """Straight lines (pdfplumber object dicts)."""
        ...

    @property
    def curves(self) -> Sequence[Mapping[str, object]]:
        """Other paths (pdfplumber object dicts, with ``pts`` and ``path``)."""
        ...


# =============================================================================================
# annotations
# =============================================================================================


def annotation_marks(path: Path) -> dict[int, list[Mark]]:
    """The marks made with PDF annotations on each page of the PDF at ``path``.

    Never raises: a file pypdf cannot open (or decrypt with the empty password) gives ``{}``;
    a page or annotation that cannot be read is skipped with a warning.

    Args:
        path: the PDF file.

    Returns:
        Zero-based page number → that page's marks in the order of its ``/Annots``, boxes in
        pdfplumber's word frame (see the module docstring). Pages without marks are left out.
    """
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            log.warning("annotations of %s not read: a password is needed", path.name)
            return {}
        pages = reader.pages
        count = len(pages)
    except Exception as e:  # pypdf raises bare TypeError/ValueError/... on broken files
        log.warning("annotations of %s not read: %s", path.name, type(e).__name__)
        return {}
    out: dict[int, list[Mark]] = {}
    for pageno in range(count):
        try:
            page = pages[pageno]
            marks = _page_annotation_marks(page, pageno)
        except Exception as e:  # one broken page must not lose the others
            log.warning("annotations of page %d not read: %s", pageno + 1, type(e).__name__)
            continue
        if marks:
            out[pageno] = marks
    return out


class _Frame:
    """Maps default user space of one page to pdfplumber's ``(x, top)`` (module docstring)."""

    __slots__ = ("_ctm", "_dx", "_top")

    def __init__(self, mediabox: tuple[float, float, float, float], rotate: int,
                 box_rotate: float) -> None:
        """Build the mapping for a page's raw /MediaBox and /Rotate.

        ``rotate`` is /Rotate as pdfminer reads it (an integer mod 360, else 0),
        ``box_rotate`` as pdfplumber does (any number mod 360).
        """
        x0, y0, x1, y1 = mediabox
        # pdfminer.pdfinterp.PDFPageInterpreter.process_page
        if rotate == 90:
            self._ctm = (0.0, -1.0, 1.0, 0.0, -y0, x1)
        elif rotate == 180:
            self._ctm = (-1.0, 0.0, 0.0, -1.0, x1, y1)
        elif rotate == 270:
            self._ctm = (0.0, 1.0, -1.0, 0.0, y1, -x0)
        else:
            self._ctm = (1.0, 0.0, 0.0, 1.0, -x0, -y0)
        # pdfplumber.page._normalize_box / _invert_box / Page.process_object
        nx0, nx1 = sorted((x0, x1))
        ny0, ny1 = sorted((y0, y1))
        if box_rotate in (90, 270):
            nx0, ny0, nx1, ny1 = ny0, nx0, ny1, nx1
        self._dx = nx0
        self._top = (ny1 - ny0) - ny0

    def point(self, x: float, y: float) -> Point:
        """``(x, top)`` of a point given in default user space."""
        a, b, c, d, e, f = self._ctm
        lx, ly = a * x + c * y + e, b * x + d * y + f
        return (lx + self._dx, self._top - ly)

    def box(self, points: Iterable[Point]) -> BBox | None:
        """The box around points given in default user space (None for no points)."""
        mapped = [self.point(x, y) for x, y in points]
        if not mapped:
            return None
        xs, ys = [p[0] for p in mapped], [p[1] for p in mapped]
        return (min(xs), min(ys), max(xs), max(ys))


def _resolve(obj: object) -> object:
    """``obj`` with an indirect reference followed (pypdf's ``get_object``)."""
    getter = getattr(obj, "get_object", None)
    return getter() if callable(getter) else obj


def _numbers(obj: object) -> list[float] | None:
    """A PDF array of finite numbers as floats, or None when it is anything else."""
    obj = _resolve(obj)
    if not isinstance(obj, Sequence) or isinstance(obj, str | bytes):
        return None
    out = []
    for item in obj:
        item = _resolve(item)
        if isinstance(item, bool) or not isinstance(item, int | float):
            return None
        try:
            value = float(item)
        except OverflowError:  # an integer of hundreds of digits
            return None
        if not math.isfinite(value):
            return None
        out.append(value)
    return out


def _pairs(values: Sequence[float]) -> list[Point]:
    return [(values[i], values[i + 1]) for i in range(0, len(values) - 1, 2)]


def _page_frame(page: Mapping[str, object]) -> _Frame:
    """The frame of a pypdf page, from its (inherited) /MediaBox and /Rotate as pdfminer."""
    box = _numbers(page.get("/MediaBox"))
    mediabox = (box[0], box[1], box[2], box[3]) if box and len(box) == 4 else _US_LETTER
    value = _resolve(page.get("/Rotate", 0))
    # pdfminer reads only an integer /Rotate (else 0); pdfplumber takes any number mod 360
    turn = (value + 360) % 360 if isinstance(value, int) else 0
    swap = value % 360 if isinstance(value, int | float) and math.isfinite(value) else 0
    return _Frame(mediabox, turn, swap)


def _page_annotation_marks(page: Mapping[str, object], pageno: int) -> list[Mark]:
    annots = _resolve(page.get("/Annots"))
    if not isinstance(annots, Sequence) or isinstance(annots, str | bytes):
        return []
    frame = _page_frame(page)
    marks: list[Mark] = []
    broken = 0
    for ref in list(annots)[:MAX_ANNOTATIONS]:
        try:
            mark = _annotation_mark(_resolve(ref), frame)
        except Exception:  # an odd annotation is skipped, never fatal
            broken += 1
            continue
        if mark is not None:
            marks.append(mark)
            if len(marks) >= MAX_MARKS:
                break
    if broken:
        log.warning("page %d: %d annotations could not be read", pageno + 1, broken)
    return marks


def _annotation_mark(annot: object, frame: _Frame) -> Mark | None:
    """The mark one annotation dictionary makes, or None."""
    if not isinstance(annot, Mapping):
        return None
    subtype = str(_resolve(annot.get("/Subtype")))
    kind = _ANNOT_KINDS.get(subtype)
    if kind is None:
        return None
    flags = _resolve(annot.get("/F", 0))
    if isinstance(flags, int) and flags & (ANNOT_HIDDEN | ANNOT_NOVIEW):
        return None
    parts: tuple[BBox, ...] = ()
    bbox: BBox | None = None
    if subtype in ("/Highlight", "/Underline", "/Squiggly"):
        parts = _quad_boxes(annot.get("/QuadPoints"), frame)
        if parts:
            bbox = _union(parts)
        if len(parts) == 1:
            parts = ()
    elif subtype == "/Ink":
        bbox = frame.box(_ink_points(annot.get("/InkList")))
    elif subtype in ("/Polygon", "/PolyLine"):
        vertices = _numbers(annot.get("/Vertices")) or []
        points = _pairs(vertices)
        bbox = frame.box(points)
        if subtype == "/PolyLine" and len(points) >= 3 and _closed(points):
            kind = MarkKind.BOX
    if bbox is None:
        rect = _numbers(annot.get("/Rect"))
        if rect is None or len(rect) != 4:
            return None
        bbox = frame.box(_pairs(rect))
        if bbox is None:
            return None
    return Mark(kind=kind, colour=_annotation_colour(annot.get("/C"), subtype), bbox=bbox,
                source=MarkSource.ANNOTATION, parts=parts)


def _quad_boxes(obj: object, frame: _Frame) -> tuple[BBox, ...]:
    """One box per quad of 8 numbers in ``/QuadPoints`` (a trailing partial quad is dropped)."""
    values = _numbers(obj)
    if not values:
        return ()
    boxes = []
    for i in range(0, len(values) - 7, 8):
        box = frame.box(_pairs(values[i:i + 8]))
        if box is not None:
            boxes.append(box)
    return tuple(boxes)


def _ink_points(obj: object) -> list[Point]:
    """All points of an ``/InkList`` (an array of strokes, each an array of x y numbers)."""
    strokes = _resolve(obj)
    if not isinstance(strokes, Sequence) or isinstance(strokes, str | bytes):
        return []
    points: list[Point] = []
    for stroke in strokes:
        values = _numbers(stroke)
        if values:
            points.extend(_pairs(values))
    return points


def _annotation_colour(obj: object, subtype: str) -> str:
    """The colour name of an annotation's ``/C`` (empty or missing: the default)."""
    values = _numbers(obj)
    rgb = to_rgb(tuple(values)) if values else None
    if rgb is None:
        return DEFAULT_HIGHLIGHT_COLOUR if subtype == "/Highlight" else DEFAULT_COLOUR
    return name_of(rgb)


def _union(boxes: Sequence[BBox]) -> BBox:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
            max(b[3] for b in boxes))


# =============================================================================================
# drawn marks
# =============================================================================================


def drawing_marks(page: DrawnPage) -> tuple[list[Mark], list[Seal]]:
    """The marks and seals painted in a page's content, from its vector objects.

    Never raises: a page whose objects pdfplumber cannot parse gives no marks (a warning is
    logged), and an object with odd values is skipped.

    Args:
        page: an open pdfplumber ``Page`` (or ``CroppedPage``).

    Returns:
        The marks (at most ``MAX_MARKS``, in the order rectangles, lines, curves) and the
        seals, boxes in pdfplumber's frame. Red marks that lie inside a seal (its star, a
        small inner ring, a rule) and seal-sized rings inside a seal are the seal's.
    """
    try:
        width = float(page.width)
        groups = ((_rect_mark, page.rects), (_line_mark, page.lines),
                  (_curve_mark, page.curves))
        objects = [(classify, list(objs)) for classify, objs in groups]
    except Exception as e:  # pdfminer fails on some content streams
        log.warning("drawn marks not read: %s", type(e).__name__)
        return [], []
    marks: list[Mark] = []
    seals: list[Seal] = []
    broken = points = 0
    for classify, objs in objects:
        for obj in objs:
            try:
                if classify is _curve_mark:
                    points += _walked_points(obj)
                    if points > MAX_PAGE_POINTS:
                        log.warning("drawn marks: curves past %d points not read",
                                    MAX_PAGE_POINTS)
                        break
                found = classify(obj, width)
            except Exception:  # an odd object is skipped, never fatal
                broken += 1
                continue
            if isinstance(found, Seal):
                seals.append(found)
            elif found is not None:
                marks.append(found)
                if len(marks) >= MAX_MARKS:
                    break
        if len(marks) >= MAX_MARKS:
            break
    if broken:
        log.warning("%d drawn objects could not be read", broken)
    if seals:
        # an inner ring of a seal is part of it; so are red marks inside (its star, a rule)
        seals = [s for i, s in enumerate(seals)
                 if not any(j != i and _inside(s.bbox, o.bbox) and s.bbox != o.bbox
                            for j, o in enumerate(seals))]
        marks = [m for m in marks if not (m.colour == SEAL_COLOUR
                                          and any(_inside(m.bbox, s.bbox) for s in seals))]
    ruled = _table_parts(marks)
    return [m for i, m in enumerate(marks) if i not in ruled], seals


def _table_parts(marks: Sequence[Mark]) -> set[int]:
    """Indexes of underlines and boxes that are pieces of a coloured table (``RULE_JOIN_GAP``).

    Underlines are bucketed by colour and height and sorted by x, so this stays linear in
    practice; boxes are compared in pairs (a page has few).
    """
    out: set[int] = set()
    rows: dict[tuple[str, int], list[int]] = {}
    boxes: list[int] = []
    for i, m in enumerate(marks):
        if m.kind is MarkKind.UNDERLINE:
            rows.setdefault((m.colour, round((m.bbox[1] + m.bbox[3]) / 2)), []).append(i)
        elif m.kind is MarkKind.BOX:
            boxes.append(i)
    for (colour, y), members in rows.items():
        # a rule's segments can fall either side of a rounding edge: look one bucket down
        near = members + rows.get((colour, y - 1), [])
        near.sort(key=lambda i: marks[i].bbox[0])
        for a, b in zip(near, near[1:], strict=False):
            ba, bb = marks[a].bbox, marks[b].bbox
            same_height = abs((ba[1] + ba[3]) - (bb[1] + bb[3])) / 2 <= 0.5
            if same_height and -RULE_JOIN_GAP <= bb[0] - ba[2] <= RULE_JOIN_GAP:
                out.update((a, b))
    for k, a in enumerate(boxes):
        for b in boxes[k + 1:]:
            if marks[a].colour == marks[b].colour and _share_edge(marks[a].bbox, marks[b].bbox):
                out.update((a, b))
    return out


def _share_edge(a: BBox, b: BBox) -> bool:
    """Whether two boxes touch along a side (within ``RULE_JOIN_GAP``) over some length."""
    rows_overlap = min(a[3], b[3]) - max(a[1], b[1]) > RULE_JOIN_GAP
    cols_overlap = min(a[2], b[2]) - max(a[0], b[0]) > RULE_JOIN_GAP
    side_by_side = abs(a[2] - b[0]) <= RULE_JOIN_GAP or abs(b[2] - a[0]) <= RULE_JOIN_GAP
    stacked = abs(a[3] - b[1]) <= RULE_JOIN_GAP or abs(b[3] - a[1]) <= RULE_JOIN_GAP
    return (rows_overlap and side_by_side) or (cols_overlap and stacked)


def _walked_points(obj: Mapping[str, object]) -> int:
    """Points of a curve that ``_curve_mark`` may walk (0 for one it skips unseen)."""
    pts = obj.get("pts")
    n = len(pts) if isinstance(pts, Sequence) else 0
    return n if n <= MAX_CURVE_POINTS else 0


def _bbox(obj: Mapping[str, object]) -> BBox | None:
    try:
        box = (float(obj["x0"]), float(obj["top"]),  # type: ignore[arg-type]
               float(obj["x1"]), float(obj["bottom"]))  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError):
        return None
    return box if all(math.isfinite(v) for v in box) else None


def _colour(obj: Mapping[str, object], key: str) -> tuple[float, float, float] | None:
    rgb = to_rgb(obj.get(key))
    if rgb is None or not all(math.isfinite(v) for v in rgb):
        return None
    return rgb


def _highlighter(rgb: tuple[float, float, float] | None) -> bool:
    if rgb is None or name_of(rgb) not in HIGHLIGHTER_COLOURS:
        return False
    value = colorsys.rgb_to_hsv(*(min(1.0, max(0.0, v)) for v in rgb))[2]
    return value >= MIN_HIGHLIGHTER_VALUE


def _pen(rgb: tuple[float, float, float] | None) -> str | None:
    """The colour name when ``rgb`` is a pen colour, else None."""
    if rgb is None:
        return None
    name = name_of(rgb)
    return name if name in PEN_COLOURS else None


def _fits(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


def _drawn(kind: MarkKind, rgb: tuple[float, float, float], bbox: BBox) -> Mark:
    return Mark(kind=kind, colour=name_of(rgb), bbox=bbox, source=MarkSource.DRAWING)


def _filled_highlight(obj: Mapping[str, object], bbox: BBox) -> Mark | None:
    """A HIGHLIGHT when ``obj`` is filled in a highlighter colour and one line tall."""
    w, h = bbox[2] - bbox[0], bbox[3] - bbox[1]
    if not obj.get("fill") or not _fits(h, HIGHLIGHT_HEIGHT) or w < MIN_HIGHLIGHT_WIDTH:
        return None
    rgb = _colour(obj, "non_stroking_color")
    return _drawn(MarkKind.HIGHLIGHT, rgb, bbox) if rgb and _highlighter(rgb) else None


def _stroke_underline(obj: Mapping[str, object], bbox: BBox, width: float,
                      start: Point, end: Point) -> Mark | None:
    """An UNDERLINE (or a stroked HIGHLIGHT) for a stroked near-horizontal straight stroke."""
    if not obj.get("stroke"):
        return None
    run, rise = abs(end[0] - start[0]), abs(end[1] - start[1])
    if run < UNDERLINE_MIN_LENGTH or rise > UNDERLINE_MAX_SLOPE * run:
        return None
    rgb = _colour(obj, "stroking_color")
    if rgb is None:
        return None
    lw = _linewidth(obj)
    if lw >= MIN_STROKE_HIGHLIGHT_WIDTH and _highlighter(rgb):
        pad = lw / 2
        box = (bbox[0], bbox[1] - pad, bbox[2], bbox[3] + pad)
        return _drawn(MarkKind.HIGHLIGHT, rgb, box)
    if _pen(rgb) is None or run > MAX_UNDERLINE_SHARE * width or 0 < lw < MIN_PEN_WIDTH:
        return None
    return _drawn(MarkKind.UNDERLINE, rgb, bbox)


def _linewidth(obj: Mapping[str, object]) -> float:
    try:
        lw = float(obj.get("linewidth") or 0.0)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
    return lw if math.isfinite(lw) else 0.0


def _rect_mark(obj: Mapping[str, object], width: float) -> Mark | None:
    bbox = _bbox(obj)
    if bbox is None:
        return None
    w, h = bbox[2] - bbox[0], bbox[3] - bbox[1]
    found = _filled_highlight(obj, bbox)
    if found is not None:
        return found
    if h < UNDERLINE_MAX_THICKNESS and w >= UNDERLINE_MIN_LENGTH:  # a rule drawn as a rect
        key = "non_stroking_color" if obj.get("fill") else "stroking_color"
        if not (obj.get("fill") or obj.get("stroke")):
            return None
        rgb = _colour(obj, key)
        if rgb is None or _pen(rgb) is None or w > MAX_UNDERLINE_SHARE * width:
            return None
        return _drawn(MarkKind.UNDERLINE, rgb, bbox)
    if obj.get("stroke") and not obj.get("fill") and _fits(h, OUTLINE_HEIGHT) \
            and w >= MIN_OUTLINE_WIDTH:
        rgb = _colour(obj, "stroking_color")
        if rgb is not None and _pen(rgb):
            return _drawn(MarkKind.BOX, rgb, bbox)
    return None


def _line_mark(obj: Mapping[str, object], width: float) -> Mark | None:
    bbox = _bbox(obj)
    if bbox is None:
        return None
    pts = _points(obj.get("pts"))
    start, end = (pts[0], pts[-1]) if len(pts) >= 2 else ((bbox[0], bbox[1]), (bbox[2], bbox[3]))
    return _stroke_underline(obj, bbox, width, start, end)


def _points(obj: object) -> list[Point]:
    if not isinstance(obj, Sequence):
        return []
    out = []
    for p in obj:
        x, y = float(p[0]), float(p[1])
        if math.isfinite(x) and math.isfinite(y):
            out.append((x, y))
    return out


def _curve_mark(obj: Mapping[str, object], width: float) -> Mark | Seal | None:
    raw_pts = obj.get("pts")
    if not isinstance(raw_pts, Sequence) or len(raw_pts) > MAX_CURVE_POINTS:
        return None
    bbox = _bbox(obj)
    if bbox is None:
        return None
    w, h = bbox[2] - bbox[0], bbox[3] - bbox[1]
    if w < MIN_HIGHLIGHT_WIDTH or h > SEAL_DIAMETER[1] * MAX_SEAL_RATIO:
        return None  # too narrow for any mark, too tall for a seal
    # colour first: it is cheap, and most curves on a busy page are print
    if obj.get("fill"):
        rgb = _colour(obj, "non_stroking_color")
        if not _fits(h, HIGHLIGHT_HEIGHT) or not _highlighter(rgb):
            return None
    elif obj.get("stroke"):
        rgb = _colour(obj, "stroking_color")
        if rgb is None or (_pen(rgb) is None and not _highlighter(rgb)):
            return None
    else:
        return None
    if rgb is None:
        return None
    path = obj.get("path")
    segments = _segments(path) if isinstance(path, Sequence) else []
    if sum(1 for cmd, _ in segments if cmd == "m") != 1:
        return None  # nothing, or several shapes in one path (glyph outlines, rings of text)
    bezier = any(cmd in ("c", "v", "y") for cmd, _ in segments)
    vertices = [pts[-1] for cmd, pts in segments if pts]
    if obj.get("fill"):
        if bezier or len(vertices) > MAX_HIGHLIGHT_VERTICES \
                or _rectangularity(vertices, bbox) < MIN_RECTANGULARITY:
            return None
        return _filled_highlight(obj, bbox)
    closed = any(cmd == "h" for cmd, _ in segments) or _closed(vertices)
    if bezier:
        ring = _ellipse_box(segments) if closed else None
        return _ring(rgb, ring) if ring is not None else None
    if closed and len(vertices) >= 4:
        if _fits(h, OUTLINE_HEIGHT) and w >= MIN_OUTLINE_WIDTH and _pen(rgb) \
                and _rectangularity(vertices, bbox) >= MIN_BOX_RECTANGULARITY:
            return _drawn(MarkKind.BOX, rgb, bbox)
        return None
    if len(vertices) >= 2 and h <= max(UNDERLINE_MAX_THICKNESS, UNDERLINE_MAX_SLOPE * w):
        return _stroke_underline(obj, bbox, width, vertices[0], vertices[-1])
    return None


def _ring(rgb: tuple[float, float, float], box: BBox) -> Mark | Seal | None:
    """A CIRCLE mark or a Seal for a closed stroked ellipse with box ``box``."""
    w, h = box[2] - box[0], box[3] - box[1]
    small, large = min(w, h), max(w, h)
    name = _pen(rgb)
    if name is None or small <= 0:
        return None
    if name == SEAL_COLOUR and _fits(small, SEAL_DIAMETER):
        if large / small > MAX_SEAL_RATIO:
            return None
        shape = "oval" if large / small > OVAL_RATIO else "round"
        return Seal(bbox=box, shape=shape, confidence=SEAL_CONFIDENCE)
    if _fits(h, OUTLINE_HEIGHT) and w >= MIN_OUTLINE_WIDTH:
        return _drawn(MarkKind.CIRCLE, rgb, box)
    return None


def _segments(path: Sequence[object]) -> list[tuple[str, list[Point]]]:
    """The ``path`` of a pdfplumber curve as (command, points) pairs with finite float points."""
    out = []
    for seg in path:
        if not isinstance(seg, Sequence) or isinstance(seg, str) or not seg:
            continue
        cmd = str(seg[0])
        pts = _points(seg[1:])
        out.append((cmd, pts))
    return out


def _closed(points: Sequence[Point]) -> bool:
    """Whether a polyline's last point comes back to its first (``CLOSE_GAP``)."""
    if len(points) < 3:
        return False
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    side = min(max(xs) - min(xs), max(ys) - min(ys))
    gap = math.dist(points[0], points[-1])
    return gap <= max(CLOSE_GAP, CLOSE_GAP_SHARE * side)


def _rectangularity(points: Sequence[Point], bbox: BBox) -> float:
    """Shoelace area of the polygon through ``points`` over the area of ``bbox``."""
    area = (bbox[2] - bbox[0]) * (bbox[3] - bbox[1])
    if area <= 0 or len(points) < 3:
        return 0.0
    twice = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1)
                in zip(points, [*points[1:], points[0]], strict=True))
    return abs(twice) / 2 / area


def _bezier_samples(segments: Sequence[tuple[str, list[Point]]]) -> list[Point]:
    """Points on the path: every end point, and 3 inner points of every Bézier segment."""
    samples: list[Point] = []
    current: Point | None = None
    start: Point | None = None
    for cmd, pts in segments:
        if cmd == "m" and pts:
            current = start = pts[-1]
            samples.append(current)
        elif cmd == "h":
            current = start
        elif current is not None and pts:
            if cmd in ("c", "v", "y"):
                if cmd == "c" and len(pts) >= 3:
                    p1, p2, p3 = pts[0], pts[1], pts[2]
                elif cmd == "v" and len(pts) >= 2:
                    p1, p2, p3 = current, pts[0], pts[1]
                elif cmd == "y" and len(pts) >= 2:
                    p1, p2, p3 = pts[0], pts[1], pts[1]
                else:
                    p1 = p2 = p3 = pts[-1]
                for t in (0.25, 0.5, 0.75):
                    u = 1 - t
                    samples.append(
                        (u ** 3 * current[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0]
                         + t ** 3 * p3[0],
                         u ** 3 * current[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1]
                         + t ** 3 * p3[1]))
            current = pts[-1]
            samples.append(current)
    return samples


def _ellipse_box(segments: Sequence[tuple[str, list[Point]]]) -> BBox | None:
    """The box of a closed path that is an axis-aligned ellipse, or None."""
    samples = _bezier_samples(segments)
    if len(samples) < 8:
        return None
    xs, ys = [p[0] for p in samples], [p[1] for p in samples]
    box = (min(xs), min(ys), max(xs), max(ys))
    rx, ry = (box[2] - box[0]) / 2, (box[3] - box[1]) / 2
    if rx <= 0 or ry <= 0:
        return None
    cx, cy = box[0] + rx, box[1] + ry
    for x, y in samples:
        if abs(math.hypot((x - cx) / rx, (y - cy) / ry) - 1) > ELLIPSE_TOLERANCE:
            return None
    return box


def _inside(inner: BBox, outer: BBox, slack: float = 2.0) -> bool:
    return (inner[0] >= outer[0] - slack and inner[1] >= outer[1] - slack
            and inner[2] <= outer[2] + slack and inner[3] <= outer[3] + slack)
