"""Marks a person put on a scanned or photographed page: highlighter, pen strokes, red seals.

:func:`find_marks` takes a page image turned upright and deskewed, and the height of a line
of its body text (the reader's median OCR word height), and returns the marks on it
(:class:`model.marks.Mark`, source ``PIXELS``) and its red seals (:class:`model.marks.Seal`),
boxes in the image's pixels. Pure: numpy and OpenCV, no I/O. Every size below is in text
heights (th), so the same thresholds hold at 150–300 dpi; colours are judged relative to
the paper.

1. **Working copy.** The page is shrunk by the largest whole factor that keeps th at 13 px
   or more (PIL's box ``reduce``: 2 for body text at 200 dpi, 3–4 at 300 dpi), so a
   1.2 pt pen line stays about 1.5 px wide and keeps its colour.
2. **Paper.** On cells of 0.5 th, each cell takes the colour of the brightest cell within
   4 th, brightness being luma × (1 − 4 × the cell's tint against the page's paper), and
   the page is divided by it channel by channel. Highlighter, tinted table bands, print,
   and the white corners a deskew adds give way to the paper beside them; a phone photo's
   warm, uneven light divides out (a warm tint never reads as yellow). Nothing is looked
   for off paper: where that colour is darker than half the page's paper, tinted more
   than 0.25 (a block of colour on a cover), or on the desk around a photographed sheet
   (cells darker than 0.65 of the paper or tinted beyond 0.15, joined to the picture's
   edge, grown by a cell).
3. **Highlighter**: pixels light and coloured relative to the paper (brightest channel
   ≥ 0.78, darkest ≥ 0.40 — pen and seal ink go lower —, brightest − darkest ≥ 0.12: the
   dossier's pink at 45 % is 0.22), closed by 0.35 th (the print under the colour) and
   opened by 0.3 th (thin gold rules and ornaments go). A blob is a highlight when it is
   0.6–3 th tall and ≥ 0.9 th wide, fills ≥ 60 % of its box (an L-shaped corner ornament
   does not), is coloured over ≥ 60 % of it (on /tmp/k30: the 38 highlights 68–88 %, the
   other candidates 11–47 % but for one gold corner ornament at 68 %), holds some print
   (luma < 0.7 over ≥ 0.8 % of its box: highlighter marks text; 4.6–37 % measured, heavy
   blur on phone photos leaves 1.4 %), that print not much more saturated than the colour
   (75th percentile ≤ 1.9 × the colour's median: highlighted black print 1.28–1.73, the
   saturated core inside the light edge of gold, orange or navy print 2.0–2.6), and has
   plain surroundings (≥ half of a 0.5 th ring is paper or grey print: not a shape on a
   cover's colour block). Highlights of one colour side by side on a line within 0.5 th
   join (a dense glyph can split one). The colour is the hue of the median colour
   relative to the paper, its saturation stretched (a translucent highlighter is mostly
   white: the dossier's pink has saturation 0.22, under ``name_of``'s 0.25).
4. **Pen**: red (hue < 22° or ≥ 330°) or blue (190–265°) pixels of saturation ≥ 0.25 (a
   thin stroke shrunk with the page is paler than its ink), some (2 %) of each stroke at
   ≥ 0.33; red only when its brightness is ≥ 0.62 of the paper's (pen and seal red 0.85
   and more; the dossier's dark red printed titles 0.55), blue only above 0.25 (near
   black, saturation is noise). A stroke (a blob after a 3 px closing) is looked at when
   it is ≥ 1 th big, ≤ 60 % of the page, not in a seal, thinner than 0.3 th (area over half
   its boundary), and not the light edge of dark red print (more dark red within 0.15 th
   than stroke). It is an UNDERLINE when < 0.5 th tall and 1 th (a two-character name is
   1.5 th wide) to 45 % of the page wide, with print of another colour within 0.8 th
   above it and no same-coloured print beside it (a glyph's stroke); a BOX or CIRCLE when
   0.9–4 th tall and 0.9–10 th wide, inked in ≥ 75 % of 36 directions from its centre
   with < 15 % of its inner ellipse inked, and holding print of another colour in its
   middle (else it is a printed glyph such as 口); a BOX when ≥ 3 of its 4 corners (the
   outer fifth of each half-side) are inked, else a CIRCLE. Any other stroke is INK when
   ≥ 1.5 th, not mostly straight horizontal or vertical lines (70 %: rules, frame
   corners) and not one of a row of same-coloured characters (2 neighbours ≥ 0.4 th on
   its line within 1 th or its height): signatures. Pen strokes on the edge of a
   highlight of their colour name are dropped.
5. **Seals**: red of saturation ≥ 0.4, dilated by 0.3 th so the ring, the star and the
   characters join; blobs 3–15 th across (the dossier's r = 48 pt ring is about 7 th) of
   aspect 0.6–1.7 whose rim (normalised radius ≥ 0.8 of the ink's box) is inked in ≥ 80 %
   of 36 directions and whose inside (radius < 0.7) is inked over 1–35 % (a star,
   characters; an empty pen circle is no seal). A seal inside a bigger one (the rim's
   characters) is dropped, and so are the pen strokes and highlights inside a seal.
   ``shape`` is round when the aspect is within 1.18; ``confidence`` is the rim's
   coverage, lowered by how far the inside is inked beyond 20 %.

Measured with ``benchmarks/marks_image.py`` (``find_marks`` alone, one OpenCV thread, on
a 2-core machine shared with a long job, load about 5):

- Batch /tmp/k30 (seed 404; 248 scanned pages, 36 of them turned upright first; 66 marked
  names, 73 unmarked, 99 seals): recall and precision 1.000 for every mark kind (yellow
  14, green 12, pink 12, red box 15, red underline 13), every colour named right; 0 of 73
  unmarked names marked; seals 99/99 found, none false; no other mark on any page, ink
  included (gold frames and emblems, dark red titles and frames, navy labels, rules and
  boxes, zebra bands, cover art, signatures, phone desks). 46 ms a page for A4 at
  200 dpi (182 pages; 95th percentile 63 ms, max 76 ms).
- ``--drawn 300`` with seeds 7 and 23 (random flatbed and phone degradations, and pen
  marks drawn with PIL; seed 7 helped tune the desk's edge, 23 was held out): recall
  1.000 for every kind but the thin blue pen underline (9 of 12: on 180 dpi phone photos
  and a 150 dpi JPEG its blue is gone, the line reads grey), precision 1.000 for every
  family, 0 of 279 unmarked names marked, seals 367/367 both ways, no stray mark; 42 ms a
  page at 200 dpi (95th percentile 61 ms).

Limits: a pen stroke whose colour blur and JPEG have washed out is not found; a printed
navy rectangle up to 10 th wide around print reads as a blue box (colour cannot tell navy
print from dark ballpoint; the dossier's printed frames are wider); highlighter darker
than 0.78 of the paper, or covering no print, is not a highlight.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from extractors.colours import name_of_pixel
from model.marks import Mark, MarkKind, MarkSource, Seal
from model.report import BBox

log = logging.getLogger(__name__)

WORK_TEXT_HEIGHT = 13.0  # px: the page is shrunk by the largest whole factor keeping text this tall
PAPER_CELL = 0.5  # × text height: the page is averaged on cells this size …
PAPER_REACH = 4.0  # … and the paper is the brightest cell this many text heights around
PAPER_MIN = 0.5  # local paper darker than this share of the page's paper: not paper (desk)
PAPER_TINT_PENALTY = 4.0  # a cell's brightness as paper: luma × (1 − this × its tint)
PAPER_TINT = 0.25  # local "paper" more saturated than this is a coloured block, not paper
DESK_DARK, DESK_TINT = 0.5, 0.15  # cells this dark or tinted joined to the edge: a desk

# highlighter: light (it lets most of the paper's light through) and coloured
HL_VALUE = 0.78  # brightest channel, relative to the paper
HL_FLOOR = 0.40  # darkest channel, relative to the paper (pen and seal ink go below)
HL_CHROMA = 0.12  # brightest − darkest channel, relative to the paper
HL_CLOSE = 0.35  # × text height: gaps (the print under the colour) closed
HL_OPEN = 0.3  # × text height: thinner coloured lines (ornaments, rules) removed
HL_MIN_H, HL_MAX_H, HL_MIN_W = 0.6, 3.0, 0.9  # × text height
HL_JOIN = 0.5  # × text height: highlights of one colour this close on a line are one
HL_EXTENT = 0.6  # a highlight fills this share of its box at least (a band, not an L)
HL_FILL = 0.6  # the coloured share of a highlight's area (the rest is print)
HL_INK = 0.008  # the dark share of a highlight's area: highlighter marks text
HL_PRINT_SAT = 1.9  # print much more saturated than the colour around it is coloured print
HL_RING, HL_AROUND = 0.5, 0.5  # × text height around a highlight, at least this share plain
PLAIN_SATURATION = 0.2  # paper and black or grey print are less saturated than this
INK_VALUE = 0.7  # a pixel whose luma is below this share of the paper's is print

# pen: saturated strokes, red or blue
PEN_SATURATION = 0.33  # (max − min) / max of the colour relative to the paper …
PEN_STRONG_SHARE = 0.02  # … of at least this share of a stroke's pixels, the rest …
PEN_WEAK = 0.25  # … down to this
FAMILY_SATURATION = 0.2  # a faint edge of a stroke is of its colour down to this
SHADE_REACH = 0.15  # × text height: dark red print this close makes a red stroke its edge
RED_VALUE = 0.62  # red pen and seals are lighter than dark-red printed titles
PEN_VALUE = 0.25  # near black, saturation is noise: blue ink is lighter than this
RED_HUES = ((0, 11), (165, 180))  # OpenCV hue (degrees / 2): red
BLUE_HUES = ((95, 133),)  # blue (190°–265°)
PEN_MIN_SIZE = 1.0  # × text height: smaller strokes are print (glyphs) or specks
PEN_MAX_THICK = 0.3  # × text height: a pen line is thinner than this
UL_MAX_H, UL_MIN_W = 0.5, 1.0  # × text height (a two-character name is 1.5 wide)
UL_ABOVE = 0.8  # × text height: an underline has print this close above it …
PRINT_SHARE = 0.03  # … covering at least this share of that band (a box: of its middle)
INK_MIN_SIZE = 1.5  # × text height: a smaller stroke that is not a box or line is no mark
STRAIGHT_BAND = 0.15  # × text height: rows this close together make one line …
STRAIGHT_SHARE = 0.7  # … and a stroke this much on such lines is a rule or frame, not ink
ROW_PIECE = 0.4  # × text height: pieces of print at least this big …
ROW_NEIGHBOURS = 2  # … this many beside a stroke on its line make it a printed character
BOX_MIN_H, BOX_MAX_H = 0.9, 4.0  # × text height: a box or circle is this tall …
BOX_MAX_W = 10.0  # … and at most this wide (a name or a short phrase; printed frames are wider)
CORNER = 0.2  # a box's corner: the last fifth of each half-side
BOX_CORNERS = 3  # an outline inked in this many corners is a box, else a circle
ENCLOSE_COVER = 0.75  # share of directions from its centre in which an outline has ink
MAX_PAGE_SHARE = 0.6  # a stroke wider or taller than this share of the page is a print frame
UL_MAX_PAGE_SHARE = 0.45  # an underline longer than this share of the page width is a rule

# seals: a red ring with red inside
SEAL_SATURATION = 0.4  # seal ink is at least this saturated (red as for pen)
SEAL_MIN, SEAL_MAX = 3.0, 15.0  # × text height: diameter
SEAL_ASPECT = (0.6, 1.7)
SEAL_RIM = 0.8  # normalised radius beyond which ink is the rim
SEAL_COVER = 0.8  # share of directions in which the rim has ink
SEAL_HOLLOW = 0.35  # the inside (radius < 0.7) is at most this share inked
SEAL_CONTENT = 0.01  # … and at least this share (a star, characters)
SEAL_JOIN = 0.3  # × text height: ring pieces, star and characters joined
ROUND_ASPECT = 1.18  # a seal whose bbox aspect is within this (either way) is round

_BINS = 36  # directions around a centre


@dataclass(frozen=True, slots=True)
class _Work:
    """The page on the working scale, its colour relative to the paper.

    Attributes:
        rel: the shrunk page's colour relative to the local paper, 0–255 (uint8 H × W × 3).
        hsv: ``rel`` in OpenCV's HSV (H 0–180; V is the brightest channel).
        vmin: the darkest channel of ``rel``.
        paper_ok: where the local paper is bright and plain enough to be paper (not a desk,
            not a coloured block).
        factor: source pixels per working pixel (the page is shrunk by this whole factor).
        th: the text height in working pixels.
    """

    rel: np.ndarray
    hsv: np.ndarray
    vmin: np.ndarray
    paper_ok: np.ndarray
    factor: int
    th: float


def find_marks(image: Image.Image, text_height: float) -> tuple[list[Mark], list[Seal]]:
    """Find highlighter, pen marks and red seals on an upright page image.

    Args:
        image: the page, upright and deskewed (any mode; RGB as scanned).
        text_height: the typical height of a line of body text, in ``image`` pixels.

    Returns:
        The marks (source ``PIXELS``) and the seals, boxes in ``image`` pixels, each list
        from top to bottom.

    Raises:
        ValueError: ``text_height`` is not positive.
    """
    if not text_height > 0:
        raise ValueError(f"text_height must be positive, got {text_height}")
    work = _prepare(image, text_height)
    seals, seal_boxes = _find_seals(work)
    highlights = _find_highlights(work, seal_boxes)
    pen = [p for p in _find_pen(work, seal_boxes) if not _edge_of(p, highlights, work.th)]
    marks = highlights + pen
    k = work.factor
    out = [Mark(kind=kind, colour=c, bbox=_scaled(b, k), source=MarkSource.PIXELS)
           for kind, c, b in marks]
    out.sort(key=lambda m: (m.bbox[1], m.bbox[0]))
    sealed = [Seal(bbox=_scaled(s.bbox, k), shape=s.shape, confidence=s.confidence)
              for s in seals]
    sealed.sort(key=lambda s: (s.bbox[1], s.bbox[0]))
    log.debug("marks %s, seals %s", [(m.kind, m.colour) for m in out], len(sealed))
    return out, sealed


def _edge_of(pen: _Found, highlights: list[_Found], th: float) -> bool:
    """Whether a pen stroke is the edge of a highlight of its colour (pink reads as red)."""
    _, colour, b = pen
    pad = 0.3 * th
    return any(c == colour and h[0] - pad <= b[0] and b[2] <= h[2] + pad
               and h[1] - pad <= b[1] and b[3] <= h[3] + pad for _, c, h in highlights)


def _scaled(b: BBox, f: int) -> BBox:
    return (b[0] * f, b[1] * f, b[2] * f, b[3] * f)


# ---------------------------------------------------------------------------------------
# the page relative to its paper
# ---------------------------------------------------------------------------------------


def _prepare(image: Image.Image, text_height: float) -> _Work:
    """Shrink the page by a whole factor and divide its colour by the local paper's."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    factor = max(1, int(text_height / WORK_TEXT_HEIGHT))
    small = np.asarray(rgb.reduce(factor) if factor > 1 else rgb)
    th = text_height / factor
    paper, paper_ok = _paper(small, th)
    rel = cv2.divide(small, paper, scale=255.0)
    hsv = cv2.cvtColor(rel, cv2.COLOR_RGB2HSV)
    r, g, b = cv2.split(rel)
    vmin = cv2.min(cv2.min(r, g), b)
    return _Work(rel=rel, hsv=hsv, vmin=vmin, paper_ok=paper_ok, factor=factor, th=th)


def _paper(small: np.ndarray, th: float) -> tuple[np.ndarray, np.ndarray]:
    """The local paper colour around each pixel, and where there is paper at all.

    The page is averaged on cells; each cell takes the colour of the brightest cell within
    :data:`PAPER_REACH` text heights, brightness being luma lowered by the cell's tint
    against the page's paper (its 90th percentile colour; :data:`PAPER_TINT_PENALTY`), so
    highlighter, tinted bands, print and the white corners a deskew adds to a warm photo
    give way to the paper beside them, while the slow changes of uneven light are kept.
    There is paper where that colour is at least :data:`PAPER_MIN` as bright as the page's
    paper and tinted no more than :data:`PAPER_TINT` (not a block of colour), and off the
    desk around a photographed sheet (:func:`_desk`).
    """
    h, w = small.shape[:2]
    cell = max(2, round(PAPER_CELL * th))
    cw, ch = max(1, w // cell), max(1, h // cell)
    cells = cv2.resize(small[: ch * cell, : cw * cell], (cw, ch), interpolation=cv2.INTER_AREA)
    luma = cv2.cvtColor(cells, cv2.COLOR_RGB2GRAY).astype(np.float64)
    flat = cells.reshape(-1, 3).astype(np.float64)
    relative = flat / np.maximum(np.percentile(flat, 90, axis=0), 1.0)  # vs the page's paper
    tint = ((relative.max(axis=1) - relative.min(axis=1)) / np.maximum(relative.max(axis=1),
                                                                        1e-6)).reshape(ch, cw)
    score = np.floor(luma * np.clip(1.0 - PAPER_TINT_PENALTY * tint, 0.0, 1.0))
    key = score * 2.0**24 + np.arange(ch * cw, dtype=np.float64).reshape(ch, cw)
    reach = max(1, round(PAPER_REACH * th / cell))
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (2 * reach + 1, 2 * reach + 1))
    best = np.mod(cv2.dilate(key, kernel), 2.0**24).astype(np.int64)  # the brightest cell
    top = cells.reshape(-1, 3)[best]
    top = cv2.blur(top, (reach + 1, reach + 1))
    hi = top.max(axis=2).astype(np.float32)
    lo = top.min(axis=2).astype(np.float32)
    ok = ((hi >= PAPER_MIN * float(np.percentile(hi, 95)))
          & (hi - lo <= PAPER_TINT * hi) & ~_desk(luma, tint)).astype(np.uint8)
    grid = (cw * cell, ch * cell)  # the cells cover this much; the rest takes the edge
    pad = ((0, max(0, h - grid[1])), (0, max(0, w - grid[0])))
    paper = np.pad(cv2.resize(top, grid, interpolation=cv2.INTER_LINEAR), (*pad, (0, 0)),
                   mode="edge")[:h, :w]
    paper_ok = np.pad(cv2.resize(ok, grid, interpolation=cv2.INTER_NEAREST), pad,
                      mode="edge")[:h, :w] > 0
    return np.maximum(paper, 1), paper_ok


def _desk(luma: np.ndarray, tint: np.ndarray) -> np.ndarray:
    """The cells around a photographed sheet: dark or tinted cells joined to the edge.

    Dark is below :data:`DESK_DARK` of the page's paper (its 90th percentile luma), tinted
    beyond :data:`DESK_TINT` against it (a teal or brown desk can be as light as shadowed
    paper); the result is grown by one cell, so that the sheet's edge against a coloured
    desk does not read as a pen line.
    """
    away = ((luma < DESK_DARK * float(np.percentile(luma, 90)))
            | (tint > DESK_TINT)).astype(np.uint8)
    n, labels = cv2.connectedComponents(away, connectivity=4)
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    desk = np.isin(labels, edge[edge > 0]).astype(np.uint8) if n > 1 else away * 0
    return cv2.dilate(desk, np.ones((3, 3), np.uint8)) > 0


def _in_hues(hue: np.ndarray, ranges: tuple[tuple[int, int], ...]) -> np.ndarray:
    out = np.zeros(hue.shape, dtype=np.uint8)
    for lo, hi in ranges:
        out |= cv2.inRange(hue, lo, hi - 1)
    return out > 0


def _odd(n: float) -> int:
    k = max(1, round(n))
    return k if k % 2 else k + 1


def _blobs(mask: np.ndarray, keep: Callable[[int, int], bool], *, hull: bool
           ) -> Iterator[tuple[int, int, int, int, np.ndarray]]:
    """The connected blobs of ``mask`` whose box ``keep(w, h)`` accepts.

    Args:
        mask: a uint8 0/1 mask.
        keep: says from a blob's box size whether to look at it.
        hull: fill each blob's convex hull rather than its outline, so that what lies
            inside an outline with a gap (a ring not quite closed) belongs to it too.

    Yields:
        ``x, y, w, h`` of each blob's box and a boolean mask of that box: the blob with its
        holes (or its hull) filled.
    """
    contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    for c, links in zip(contours, hierarchy[0] if hierarchy is not None else (), strict=True):
        if links[3] >= 0:
            continue  # a hole's boundary; blobs inside holes (a seal in a frame) come too
        x, y, w, h = cv2.boundingRect(c)
        if not keep(w, h):
            continue
        filled = np.zeros((h, w), np.uint8)
        shape = cv2.convexHull(c) if hull else c
        cv2.drawContours(filled, [shape], -1, 1, thickness=cv2.FILLED, offset=(-x, -y))
        yield x, y, w, h, filled.astype(bool)


def _colour(pixels: np.ndarray, *, stretch: bool) -> str:
    """The name of the median of ``pixels`` (n × 3, relative colour 0–255).

    With ``stretch`` the median's saturation is raised to full, keeping its hue: a
    translucent highlighter is mostly the paper's white, which alone would read as white.
    """
    med = np.median(pixels.reshape(-1, 3), axis=0)
    if stretch:
        lo, hi = float(med.min()), float(med.max())
        if hi - lo > 1e-6:
            med = (med - lo) / (hi - lo) * 255.0
    return name_of_pixel(med)


_Found = tuple[MarkKind, str, BBox]  # kind, colour, box in working pixels


# ---------------------------------------------------------------------------------------
# highlighter
# ---------------------------------------------------------------------------------------


def _find_highlights(work: _Work, seal_boxes: list[BBox]) -> list[_Found]:
    """Light coloured regions about a line high, with print in them, outside seals."""
    th = work.th
    v = work.hsv[..., 2]
    chroma = cv2.subtract(v, work.vmin)
    grey = cv2.cvtColor(work.rel, cv2.COLOR_RGB2GRAY)  # print under colour stays dark
    sat = work.hsv[..., 1]
    plain = sat < PLAIN_SATURATION * 255  # paper, black or grey print
    pad = max(2, round(HL_RING * th))
    raw = ((v >= HL_VALUE * 255) & (work.vmin >= HL_FLOOR * 255)
           & (chroma >= HL_CHROMA * 255) & work.paper_ok).astype(np.uint8)
    k_close = cv2.getStructuringElement(cv2.MORPH_RECT, (_odd(HL_CLOSE * th),) * 2)
    k_open = cv2.getStructuringElement(cv2.MORPH_RECT, (_odd(HL_OPEN * th),) * 2)
    region = cv2.morphologyEx(cv2.morphologyEx(raw, cv2.MORPH_CLOSE, k_close),
                              cv2.MORPH_OPEN, k_open)

    def keep(w: int, h: int) -> bool:
        return HL_MIN_H * th <= h <= HL_MAX_H * th and w >= HL_MIN_W * th

    out: list[_Found] = []
    for x, y, w, h, blob in _blobs(region, keep, hull=False):
        box = (float(x), float(y), float(x + w), float(y + h))
        if _inside_any(box, seal_boxes, 0.5 * th):
            continue
        coloured = blob & (raw[y:y + h, x:x + w] > 0)
        extent = int(blob.sum()) / (w * h)
        fill = int(coloured.sum()) / max(1, int(blob.sum()))
        dark = grey[y:y + h, x:x + w] < INK_VALUE * 255
        inked = int(dark.sum()) / (w * h)
        s_in = sat[y:y + h, x:x + w]
        s_light = float(np.median(s_in[coloured])) if coloured.any() else 0.0
        s_dark = float(np.percentile(s_in[dark], 75)) if dark.any() else 0.0
        around = _ring_share(plain, x, y, w, h, pad)
        log.debug("highlight? %s extent %.2f fill %.2f ink %.3f sat %.0f/%.0f around %.2f",
                  box, extent, fill, inked, s_light, s_dark, around)
        if (extent < HL_EXTENT or fill < HL_FILL or inked < HL_INK
                or s_dark > HL_PRINT_SAT * s_light or around < HL_AROUND):
            continue  # an ornament, thin, empty, or the light edge of coloured print
        colour = _colour(work.rel[y:y + h, x:x + w][coloured], stretch=True)
        out.append((MarkKind.HIGHLIGHT, colour, box))
    return _merge_along(out, th)


def _merge_along(found: list[_Found], th: float) -> list[_Found]:
    """Join marks of one colour side by side on a line (a highlight split at a dense glyph).

    Two boxes join when they overlap vertically by half the lower one's height and the gap
    between them is at most :data:`HL_JOIN` text heights.
    """
    out = sorted(found, key=lambda f: f[2][0])
    merged = True
    while merged:
        merged = False
        for i in range(len(out)):
            for j in range(i + 1, len(out)):
                (ki, ci, a), (_, cj, b) = out[i], out[j]
                overlap = min(a[3], b[3]) - max(a[1], b[1])
                gap = max(a[0], b[0]) - min(a[2], b[2])
                if (ci == cj and overlap >= 0.5 * min(a[3] - a[1], b[3] - b[1])
                        and gap <= HL_JOIN * th):
                    box = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                    out[i] = (ki, ci, box)
                    del out[j]
                    merged = True
                    break
            if merged:
                break
    return out


# ---------------------------------------------------------------------------------------
# pen and seals
# ---------------------------------------------------------------------------------------


def _pen_masks(work: _Work) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Saturated pixels on paper (uint8 0/1 masks): red pen, dark red print, blue, strong.

    Red and blue take pixels down to :data:`PEN_WEAK` saturation (a thin stroke shrunk with
    the page is paler than its ink); ``strong`` marks those of :data:`PEN_SATURATION` or
    more, which a stroke must have. Red is split by its brightness: pen and seal ink (and
    their edges) are lighter than :data:`RED_VALUE`, dark red printed titles darker (noise
    lifts a few of their pixels over it).
    """
    hue, sat, v = cv2.split(work.hsv)
    weak = (sat >= PEN_WEAK * 255) & work.paper_ok
    reddish = weak & _in_hues(hue, RED_HUES)
    light = v >= RED_VALUE * 255
    red = reddish & light
    dark = reddish & ~light
    blue = weak & _in_hues(hue, BLUE_HUES) & (v >= PEN_VALUE * 255)
    strong = sat >= PEN_SATURATION * 255
    return (red.astype(np.uint8), dark.astype(np.uint8), blue.astype(np.uint8),
            strong.astype(np.uint8))


@dataclass(frozen=True, slots=True)
class _Shape:
    """How the ink of one blob lies around the centre of its box.

    Attributes:
        cover: the share of directions from the centre in which ink lies on the outline
            (normalised radius ≥ 0.6, the box's half-sides being 1).
        corners: how many of the box's four corners (the last :data:`CORNER` of each
            half-side) hold ink: a box's outline passes through them, an ellipse's not.
        inside: the inked share of the area within normalised radius 0.7.
        rim: the share of directions with ink at normalised radius ≥ ``SEAL_RIM``.
    """

    cover: float
    corners: int
    inside: float
    rim: float


def _shape(ink: np.ndarray) -> _Shape:
    """Measure ``ink`` (a boolean mask whose box is the blob's box)."""
    h, w = ink.shape
    ys, xs = np.nonzero(ink)
    a, b = max(w / 2, 0.5), max(h / 2, 0.5)
    dx, dy = (xs + 0.5 - w / 2) / a, (ys + 0.5 - h / 2) / b
    rho = np.hypot(dx, dy)
    bins = ((np.arctan2(dy, dx) + math.pi) / (2 * math.pi) * _BINS).astype(int) % _BINS
    outline = rho >= 0.6
    cover = len(np.unique(bins[outline])) / _BINS
    rim = len(np.unique(bins[rho >= SEAL_RIM])) / _BINS
    corner = (np.abs(dx) >= 1 - CORNER) & (np.abs(dy) >= 1 - CORNER)
    corners = len(np.unique((dx[corner] > 0).astype(int) * 2 + (dy[corner] > 0)))
    inside = float((rho < 0.7).sum()) / max(1.0, math.pi * a * b * 0.49)
    return _Shape(cover=cover, corners=corners, inside=inside, rim=rim)


def _find_seals(work: _Work) -> tuple[list[Seal], list[BBox]]:
    """Red rings of seal size with red inside; their boxes in working pixels."""
    th = work.th
    weak_red, _, _, _ = _pen_masks(work)
    bold = (work.hsv[..., 1] >= SEAL_SATURATION * 255).astype(np.uint8)
    red = cv2.bitwise_and(weak_red, bold)  # seals are inked boldly: no faint edges
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (_odd(SEAL_JOIN * th),) * 2)
    joined = cv2.dilate(red, kernel)

    def keep(w: int, h: int) -> bool:
        return (SEAL_MIN * th <= max(w, h) <= SEAL_MAX * th + 2 * SEAL_JOIN * th
                and SEAL_ASPECT[0] <= w / h <= SEAL_ASPECT[1])

    seals: list[Seal] = []
    for x, y, w, h, blob in _blobs(joined, keep, hull=True):
        ink = blob & (red[y:y + h, x:x + w] > 0)
        ys, xs = np.nonzero(ink)
        if len(xs) == 0:
            continue
        x0, x1, y0, y1 = int(xs.min()), int(xs.max()) + 1, int(ys.min()), int(ys.max()) + 1
        sw, sh_ = x1 - x0, y1 - y0
        if not (SEAL_MIN * th <= max(sw, sh_) <= SEAL_MAX * th
                and SEAL_ASPECT[0] <= sw / sh_ <= SEAL_ASPECT[1]):
            continue
        sh = _shape(ink[y0:y1, x0:x1])
        log.debug("seal? %s %s", (x + x0, y + y0, sw, sh_), sh)
        if sh.rim < SEAL_COVER or not SEAL_CONTENT <= sh.inside <= SEAL_HOLLOW:
            continue
        box = (float(x + x0), float(y + y0), float(x + x1), float(y + y1))
        shape = "round" if 1 / ROUND_ASPECT <= sw / sh_ <= ROUND_ASPECT else "oval"
        confidence = round(min(1.0, sh.rim) * (1.0 - max(0.0, sh.inside - 0.2)), 3)
        seals.append(Seal(bbox=box, shape=shape, confidence=confidence))
    # the characters along a seal's rim can look like a smaller seal inside it
    seals.sort(key=lambda z: -(z.bbox[2] - z.bbox[0]) * (z.bbox[3] - z.bbox[1]))
    kept: list[Seal] = []
    for seal in seals:
        if not _inside_any(seal.bbox, [k.bbox for k in kept], 0.0):
            kept.append(seal)
    return kept, [k.bbox for k in kept]


def _inside_any(box: BBox, boxes: list[BBox], pad: float) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return any(b[0] - pad <= cx <= b[2] + pad and b[1] - pad <= cy <= b[3] + pad
               for b in boxes)


def _find_pen(work: _Work, seal_boxes: list[BBox]) -> list[_Found]:
    """Red and blue pen strokes outside seals: underlines, boxes, circles and other ink."""
    th = work.th
    ph, pw = work.rel.shape[:2]
    out: list[_Found] = []
    k3 = np.ones((3, 3), np.uint8)

    def keep(w: int, h: int) -> bool:
        return (max(w, h) >= PEN_MIN_SIZE * th and w <= MAX_PAGE_SHARE * pw
                and h <= MAX_PAGE_SHARE * ph)

    red, dark, blue, strong = _pen_masks(work)
    hue, sat = work.hsv[..., 0], work.hsv[..., 1]
    dark_px = work.hsv[..., 2] < INK_VALUE * 255
    tinted = sat >= FAMILY_SATURATION * 255
    pad = max(2, round(SHADE_REACH * th))
    for mask, shade, hues in ((red, dark, RED_HUES), (blue, None, BLUE_HUES)):
        family = mask if shade is None else cv2.bitwise_or(mask, shade)
        closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, k3)
        kin = (tinted & _in_hues(hue, hues)).astype(np.uint8)  # its colour, faint too
        context = _Context(other=dark_px & (cv2.dilate(kin, k3) == 0),
                           pieces=_piece_boxes(cv2.morphologyEx(family, cv2.MORPH_CLOSE, k3),
                                               th), th=th, page_width=pw)
        for x, y, w, h, blob in _blobs(closed, keep, hull=True):
            box = (float(x), float(y), float(x + w), float(y + h))
            if _inside_any(box, seal_boxes, 0.5 * th):
                continue
            ink = blob & (closed[y:y + h, x:x + w] > 0)
            area = int(ink.sum())
            if _count(strong, x, y, w, h, within=ink) < PEN_STRONG_SHARE * area:
                continue  # too pale throughout: a tinted edge, not a pen's ink
            if shade is not None and _count(shade, x - pad, y - pad, w + 2 * pad,
                                            h + 2 * pad) > area:
                continue  # the light edge of dark red print
            edge = ink & (cv2.erode(ink.astype(np.uint8), k3, borderValue=0) == 0)
            thick = 2.0 * area / max(1, int(edge.sum()))
            kind = _stroke_kind(ink, x, y, context) if thick <= PEN_MAX_THICK * th else None
            log.debug("pen %s %s thick %.1f", kind, box, thick)
            if kind is not None:
                out.append((kind, _colour(work.rel[y:y + h, x:x + w][ink], stretch=False), box))
    return out


@dataclass(frozen=True, slots=True)
class _Context:
    """What a stroke of one colour is judged against.

    Attributes:
        other: dark print of another colour (uint8/bool mask of the working page).
        pieces: the boxes of all blobs of the stroke's colour, print included.
        th: the text height in working pixels.
        page_width: the working page's width.
    """

    other: np.ndarray
    pieces: list[BBox]
    th: float
    page_width: int


def _stroke_kind(ink: np.ndarray, x: int, y: int, ctx: _Context) -> MarkKind | None:
    """What the thin stroke ``ink`` (its box at ``x, y``) marks; None: it is print."""
    h, w = ink.shape
    th = ctx.th
    box = (float(x), float(y), float(x + w), float(y + h))
    kind = _pen_kind(ink, th, ctx.page_width)
    if kind is MarkKind.UNDERLINE:
        above = round(UL_ABOVE * th)
        if _share(ctx.other, x, y - above, w, above) < PRINT_SHARE or _in_row(box, ctx.pieces,
                                                                              th):
            return None  # nothing above it to underline: a rule, or a glyph's stroke
    elif kind in (MarkKind.BOX, MarkKind.CIRCLE):
        mx, my = w // 5, h // 5
        if _share(ctx.other, x + mx, y + my, w - 2 * mx, h - 2 * my) < PRINT_SHARE:
            kind = MarkKind.INK  # it holds no print: a glyph, or a doodle
    if kind is MarkKind.INK and (max(w, h) < INK_MIN_SIZE * th or _straight(ink, th)
                                 or _in_row(box, ctx.pieces, th)):
        return None  # a rule or a frame's corner, or a character among others
    return kind


def _count(mask: np.ndarray, x: int, y: int, w: int, h: int,
           within: np.ndarray | None = None) -> int:
    """How many pixels of ``mask`` are set in the box ``x, y, w, h`` (clipped to the page).

    ``within``, a boolean mask the size of the box (unclipped), limits the count further.
    """
    y0, y1 = max(0, y), min(mask.shape[0], y + h)
    x0, x1 = max(0, x), min(mask.shape[1], x + w)
    if y1 <= y0 or x1 <= x0:
        return 0
    part = mask[y0:y1, x0:x1] > 0
    if within is not None:
        part &= within[y0 - y:y1 - y, x0 - x:x1 - x]
    return int(np.count_nonzero(part))


def _share(mask: np.ndarray, x: int, y: int, w: int, h: int) -> float:
    """The share of ``mask`` set within the box ``x, y, w, h`` (clipped to the page)."""
    y0, y1 = max(0, y), min(mask.shape[0], y + h)
    x0, x1 = max(0, x), min(mask.shape[1], x + w)
    if y1 <= y0 or x1 <= x0:
        return 0.0
    return _count(mask, x, y, w, h) / ((y1 - y0) * (x1 - x0))


def _ring_share(mask: np.ndarray, x: int, y: int, w: int, h: int, pad: int) -> float:
    """The share of ``mask`` set in the ring ``pad`` wide around the box ``x, y, w, h``."""
    outer = _share(mask, x - pad, y - pad, w + 2 * pad, h + 2 * pad)
    y0, y1 = max(0, y - pad), min(mask.shape[0], y + h + pad)
    x0, x1 = max(0, x - pad), min(mask.shape[1], x + w + pad)
    outer_area = (y1 - y0) * (x1 - x0)
    inner = float(np.count_nonzero(mask[y:y + h, x:x + w]))
    ring = outer_area - w * h
    return (outer * outer_area - inner) / ring if ring > 0 else 1.0


def _piece_boxes(mask: np.ndarray, th: float) -> list[BBox]:
    """The boxes of the blobs of ``mask`` at least :data:`ROW_PIECE` text heights big."""
    contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    out = []
    for c, links in zip(contours, hierarchy[0] if hierarchy is not None else (), strict=True):
        if links[3] >= 0:
            continue
        x, y, w, h = cv2.boundingRect(c)
        if max(w, h) >= ROW_PIECE * th:
            out.append((float(x), float(y), float(x + w), float(y + h)))
    return out


def _in_row(box: BBox, pieces: list[BBox], th: float) -> bool:
    """Whether ``box`` has :data:`ROW_NEIGHBOURS` pieces of its colour beside it on its line."""
    h = box[3] - box[1]
    reach = max(h, th)
    n = 0
    for b in pieces:
        cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
        if box[0] <= cx <= box[2] and box[1] <= cy <= box[3]:
            continue  # itself, or a part of it
        overlap = min(box[3], b[3]) - max(box[1], b[1])
        gap = max(b[0] - box[2], box[0] - b[2])
        if overlap >= 0.5 * min(h, b[3] - b[1]) and gap <= reach:
            n += 1
            if n >= ROW_NEIGHBOURS:
                return True
    return False


def _straight(ink: np.ndarray, th: float) -> bool:
    """Whether ``ink`` is mostly straight horizontal or vertical lines (rules, frames).

    A pixel is on such a line when the rows (or columns) within a small band around it
    hold ink along at least half the blob's width (or height).
    """
    h, w = ink.shape
    band = max(3, round(STRAIGHT_BAND * th))
    rows = np.convolve(ink.sum(axis=1), np.ones(min(band, h)), mode="same") >= 0.5 * w
    cols = np.convolve(ink.sum(axis=0), np.ones(min(band, w)), mode="same") >= 0.5 * h
    on_line = ink & (rows[:, None] | cols[None, :])
    return int(on_line.sum()) >= STRAIGHT_SHARE * int(ink.sum())


def _pen_kind(ink: np.ndarray, th: float, pw: int) -> MarkKind | None:
    """What one pen stroke is, from its box and how its ink lies; None: not a mark."""
    h, w = ink.shape
    if h < UL_MAX_H * th:
        if UL_MIN_W * th <= w <= UL_MAX_PAGE_SHARE * pw:
            return MarkKind.UNDERLINE
        return None
    if BOX_MIN_H * th <= h <= BOX_MAX_H * th and BOX_MIN_H * th <= w <= BOX_MAX_W * th:
        sh = _shape(ink)
        if sh.cover >= ENCLOSE_COVER and sh.inside < 0.15:
            return MarkKind.BOX if sh.corners >= BOX_CORNERS else MarkKind.CIRCLE
    return MarkKind.INK
