"""Image clean-ups that may be applied to a page before OCR (pure PIL/numpy, no Tesseract).

- :func:`red_channel`: the red channel only. Red seals, red pen marks and yellow or pink
  highlighter become (nearly) white; green highlighter only lightens; blue ink stays dark.
- :func:`max_channel`: the brightest of R, G and B for each pixel. Any saturated colour on
  white paper (highlighter of any colour, red seals and pen marks, light tinted table bands)
  becomes light, while black and grey text stays as dark as it was.
- :func:`light_colour_channel`: like :func:`max_channel` for light colours (highlighter,
  seals), but dark coloured print (navy, dark red) keeps its luma.
- :func:`flatten_light`: the paper's own brightness (:func:`paper_light`) divided out, so
  that a photo's shadowed or dim paper and the desk around it become white.
- :func:`remove_grid`: long horizontal and vertical ruling lines (table grids, rules,
  underlines, boxes) found on a binarised copy (:func:`find_rules`) and painted the colour
  of the paper.

Whether any of them helps Tesseract (chi_sim, psm 3, through ``read_upright``) is measured
by ``benchmarks/preprocess.py`` (batch /tmp/k30: 248 scanned pages, 60 born-digital renders):

- ``max_channel`` helps: character accuracy of scanned pages 0.816 → 0.827 (order-free
  0.916 → 0.928), marked names found 41 → 53 of 66, red-sealed contract pages
  0.816 → 0.891, and 16 % less Tesseract CPU (an ``L`` image instead of RGB); 16 ms a page.
- ``red_channel`` helps less (green highlighter: 7 of 12 names against 10).
- ``light_colour_channel`` is no better than ``max_channel`` (0.824) and costs 60 ms.
- ``flatten_light`` (the paper divided out, :func:`flatten_light`) on every page is as
  good as ``max_channel`` overall (0.829) but worse on journal covers (0.918 → 0.904: a
  coloured block reads as uneven light) and tables of contents (0.702 → 0.669). On the
  pages whose light is uneven only (``light_spread`` under :data:`EVEN_LIGHT`: 20 of the
  248, all phone photos) it gives 0.828 (order-free 0.929 against 0.928), covers and
  tables as ``max_channel``, 7 more unmarked names found (47 → 54/73), turned pages
  0.796 → 0.800, for 56 ms a page instead of 16. It is kept for those pages: it rescues
  the phone photos Tesseract otherwise all but gives up on (a photographed patent
  certificate of seed 2026: 14 characters read, then all 220; a degree certificate of
  seed 8128: its body lost, then read whole).
- ``remove_grid`` does not help at psm 3: no character more is read right, and Tesseract
  then reads ruled tables column by column (0.919 → 0.797 on pages with 5+ rules); it only
  rescues psm 6 on ruled tables. About 100–160 ms a page at 200 dpi.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageChops, ImageFilter

from extractors import orient

MARK_LOW, MARK_HIGH = 120, 200  # light_colour_channel: where lightening starts and is full
_PAPER_CELL = 16  # px: the paper's local brightness is estimated on cells of this size
INK_RATIO = 0.72  # a pixel darker than this share of the local paper brightness is ink
LINE_FRACTION = 1 / 8  # a ruling line is at least this share of the page's shorter side
MAX_LINE_WIDTH = 9  # px: a longer "line" thicker than this is a filled area, kept
SKEW_TOLERANCE = 2  # px: ink this far above or below still continues a line (skewed scans)


def red_channel(img: Image.Image) -> Image.Image:
    """The red channel as a greyscale (``L``) image; an ``L`` image is returned as is."""
    if img.mode == "L":
        return img
    return img.convert("RGB").getchannel("R")


def max_channel(img: Image.Image) -> Image.Image:
    """Each pixel's brightest channel, max(R, G, B), as a greyscale (``L``) image.

    Highlighter of any colour (yellow, green, pink, blue) and red seals keep at least one
    channel near 255 and become light; black or grey text, equal in every channel, keeps
    its darkness. An ``L`` image is returned as is.
    """
    if img.mode == "L":
        return img
    rgb = img.convert("RGB")
    r, g, b = rgb.split()
    return ImageChops.lighter(ImageChops.lighter(r, g), b)


FLAT_CELL = 4  # px: the page is averaged on cells this size …
FLAT_REACH = 3  # … and the paper is the brightest cell this many cells around
# A page whose light_spread is below this is flattened before OCR. On /tmp/k30's 248
# scanned pages: phone photos 0.20–0.56 (20 under 0.55), journal covers with a coloured
# block 0.59–0.64 (flattening them reads worse), flatbed scans 0.90–1.00.
EVEN_LIGHT = 0.55
NOT_PAPER = 0.5  # light under this share of the page's paper is not paper: made white


def paper_light(grey: Image.Image) -> np.ndarray:
    """The paper's brightness on :data:`FLAT_CELL` px cells of an ``L`` page (uint8 array).

    The page is averaged over the cells (noise averages out), and each cell takes the
    brightest within :data:`FLAT_REACH` cells around it (print strokes are thinner than
    that), so a cell of text reads as the paper it is printed on.
    """
    a = np.asarray(grey, dtype=np.uint8)
    c, k = FLAT_CELL, FLAT_REACH
    hc, wc = a.shape[0] // c, a.shape[1] // c
    if hc < 1 or wc < 1:
        return np.full((1, 1), 255, dtype=np.uint8)
    # the cells' means, rounded down: integer sums, a cell's rows added as whole rows, then
    # its columns (12× faster than numpy's sum over both axes; a float mean cost 4× more)
    rows = a[: hc * c, : wc * c].reshape(hc, c, wc * c)
    sums = rows[:, 0, :].astype(np.uint16)
    for k in range(1, c):
        sums += rows[:, k, :]
    across = sums.reshape(hc, wc, c)
    sums = across[:, :, 0].copy()
    for k in range(1, c):
        sums += across[:, :, k]
    cells = (sums // (c * c)).astype(np.uint8)
    # the brightest cell in a (2k+1)² window, the window cut off at the page's edge
    return cv2.dilate(cells, np.ones((2 * k + 1, 2 * k + 1), np.uint8),
                      borderType=cv2.BORDER_CONSTANT, borderValue=0)


def light_spread(paper: np.ndarray) -> float:
    """How uneven a page's light is: the 5th percentile of :func:`paper_light` over the 95th.

    1 for an evenly lit page; far below for a dark desk around a photographed sheet or a
    deep shadow.
    """
    lo, hi = np.percentile(paper, [5, 95])
    return float(lo) / max(float(hi), 1.0)


def flatten_light(img: Image.Image, *, below: float = 1.0) -> Image.Image:
    """A greyscale page with its paper made evenly white, divided by the light around it.

    A phone photo's paper goes from white to grey across the sheet, under a shadow or a
    warm lamp, and the desk around it is dark: Tesseract's one global threshold then drops
    whole lines (a photographed patent certificate: 3 lines of 14 read, all 14 once
    flattened). Each pixel is divided by :func:`paper_light`, smoothed and spread back over
    the page: the paper becomes white wherever it is, and the print keeps its contrast with
    it. Only a page whose :func:`light_spread` is under ``below`` is flattened (1.0: every
    page); the others are returned as :func:`max_channel` makes them.
    """
    grey = max_channel(img)
    h, w = grey.height, grey.width
    if h < 8 * FLAT_CELL * FLAT_REACH or w < 8 * FLAT_CELL * FLAT_REACH:
        return grey
    paper = paper_light(grey)
    if below < 1.0 and light_spread(paper) >= below:
        return grey
    smooth = Image.fromarray(paper).filter(ImageFilter.GaussianBlur(5)).resize(
        (w, h), Image.Resampling.BILINEAR)
    # grey × (255 / paper), at most 255, in float32; computed in place (a page is 4 million
    # pixels: each array allocated and filled anew was 15 MB)
    scale = np.asarray(smooth, dtype=np.float32)
    np.maximum(scale, 1.0, out=scale)
    np.divide(255.0, scale, out=scale)
    out = np.asarray(grey, dtype=np.float32)
    np.multiply(out, scale, out=out)
    np.minimum(out, 255.0, out=out)
    # what is much darker than the page's paper is no paper (a desk, a scanner lid's edge,
    # a dark block of a cover): divided out, its grain would read as characters, and the
    # band where paper meets it as a thick frame; both are made white
    dark = paper < NOT_PAPER * float(np.percentile(paper, 95))
    if dark.any():
        reach = FLAT_REACH + 3
        grown = cv2.dilate(dark.astype(np.uint8), np.ones((2 * reach + 1, 2 * reach + 1),
                                                          np.uint8),
                           borderType=cv2.BORDER_CONSTANT, borderValue=0).astype(bool)
        mask = Image.fromarray(grown.astype(np.uint8) * 255).resize((w, h))
        out[np.asarray(mask) > 127] = 255.0
    return Image.fromarray(out.astype(np.uint8))


def light_colour_channel(img: Image.Image, low: int = MARK_LOW, high: int = MARK_HIGH
                         ) -> Image.Image:
    """Greyscale (``L``) in which light colours become white but dark colours stay dark.

    :func:`max_channel` also lightens dark coloured print (navy labels, dark red titles:
    max(R, G, B) of navy is about 140). Here each pixel is its luma (PIL's ``L``) moved
    towards its brightest channel by a weight that grows from 0 where that channel is
    ``low`` to 1 where it is ``high``: highlighter, red seals and pen marks (brightest
    channel above 200) become light, text in any dark ink keeps its luma.

    Args:
        img: the page, any mode (an ``L`` image is returned as is).
        low: brightest channel at which the lightening starts.
        high: brightest channel from which the pixel is its brightest channel.
    """
    if img.mode == "L":
        return img
    rgb = img.convert("RGB")
    luma = np.asarray(rgb.convert("L"))
    top = np.asarray(max_channel(rgb))
    # weight in 256ths as a lookup table on the brightest channel; luma <= top always
    weight = np.clip((np.arange(256) - low) * 256 // max(1, high - low), 0, 256)
    lift = (top - np.minimum(luma, top)).astype(np.uint16) * weight.astype(np.uint16)[top]
    return Image.fromarray(luma + (lift >> 8).astype(np.uint8), mode="L")


def _min_pool(a: np.ndarray, f: int) -> np.ndarray:
    """``a`` (uint8) shrunk ``f`` times, each cell the darkest of its ``f × f`` pixels."""
    if f == 1:
        return a
    h, w = a.shape
    hp, wp = -(-h // f) * f, -(-w // f) * f
    if (hp, wp) != (h, w):
        a = np.pad(a, ((0, hp - h), (0, wp - w)), constant_values=255)
    out = a[0::f, 0::f].copy()
    for dy in range(f):
        for dx in range(f):
            if dy or dx:
                np.minimum(out, a[dy::f, dx::f], out=out)
    return out


def _paper_cells(grey: Image.Image, cell: int) -> Image.Image:
    """The paper's brightness on ``cell``-px cells: the brightest of each 3 × 3 cells."""
    return grey.reduce(cell).filter(ImageFilter.MaxFilter(3))


def _ink(small: np.ndarray, cell: int, ratio: float) -> np.ndarray:
    """Pixels much darker than the paper around them (so uneven light is not ink)."""
    grey = Image.fromarray(small, mode="L")
    limit = _paper_cells(grey, cell).point(lambda v: round(v * ratio))
    return small < np.asarray(limit.resize(grey.size, Image.Resampling.BILINEAR))


def _runs(mask: np.ndarray, length: int) -> np.ndarray:
    """The pixels of ``mask`` on horizontal runs of at least ``length`` (an opening).

    Erosion by a ``1 × length`` line (a window is full when its sum is ``length``), then
    dilation by the same line, both with cumulative sums along the rows.
    """
    h, w = mask.shape
    if length <= 1:
        return mask.copy()
    if length > w:
        return np.zeros_like(mask)
    c = np.zeros((h, w + 1), dtype=np.int32)
    np.cumsum(mask, axis=1, dtype=np.int32, out=c[:, 1:])
    full = (c[:, length:] - c[:, :-length]) == length  # the window starting at x is all ink
    # dilation: x is covered when a full window starts in [x - length + 1, x]
    n = full.shape[1]
    s = np.zeros((h, w + length), dtype=np.int32)
    np.cumsum(full, axis=1, dtype=np.int32, out=s[:, length:length + n])
    s[:, length + n:] = s[:, length + n - 1:length + n]
    return (s[:, length:] - s[:, :w]) > 0


def _grow_rows(mask: np.ndarray, k: int) -> np.ndarray:
    """``mask`` dilated by ``k`` pixels up and down."""
    out = mask.copy()
    for d in range(1, k + 1):
        out[d:] |= mask[:-d]
        out[:-d] |= mask[d:]
    return out


def _count_bands(rows: np.ndarray, margin: int) -> int:
    """Groups of consecutive True rows, not counting those within ``margin`` of an edge."""
    idx = np.flatnonzero(rows)
    idx = idx[(idx >= margin) & (idx < len(rows) - margin)]
    return int(len(idx) and 1 + np.count_nonzero(np.diff(idx) > 1))


def _lines_along_rows(ink: np.ndarray, length: int, tolerance: int, max_width: int,
                      slope: float) -> tuple[np.ndarray, int]:
    """Ink pixels on long, thin lines running along the rows with ``slope`` (dy/dx).

    The columns are first shifted so that such lines become horizontal; ``tolerance`` px
    of wander up or down (the rest of a skew, a photo's perspective) still counts as one
    run; a run is kept when it is at most ``max_width`` px thick (a filled area is not).

    Returns:
        The mask, grown by a pixel across the lines (their anti-aliased edges), and how
        many distinct lines there are away from the image's top and bottom edges.
    """
    h, w = ink.shape
    rows = cols = None
    if abs(slope) * w > tolerance:
        shift = np.rint(np.arange(w) * slope).astype(np.intp)
        shift -= shift.min()
        rows = np.arange(h)[:, None] + shift[None, :]
        cols = np.broadcast_to(np.arange(w)[None, :], rows.shape)
        sheared = np.zeros((h + int(shift.max()), w), dtype=bool)
        sheared[rows, cols] = ink
        ink = sheared
    long_ = _runs(_grow_rows(ink, tolerance), length)
    thick = _runs(np.ascontiguousarray(long_.T), max_width + 2 * tolerance + 1).T
    lines = long_ & ~_grow_rows(thick, 1) & ink
    count = _count_bands(lines.sum(axis=1) >= length // 2, margin=round(0.02 * ink.shape[0]))
    lines = _grow_rows(lines, 1)
    if rows is not None:
        lines = lines[rows, cols]
    return lines, count


@dataclass(frozen=True, slots=True)
class Rules:
    """The long ruling lines of a page.

    Attributes:
        mask: True on the lines' pixels (the page's size, rows × columns).
        horizontal: how many distinct horizontal lines (not counting any along the image's
            top or bottom edge, such as a scanner's shadow).
        vertical: the same for vertical lines.
    """

    mask: np.ndarray
    horizontal: int
    vertical: int


def find_rules(img: Image.Image, *, fraction: float = LINE_FRACTION,
               max_width: int = MAX_LINE_WIDTH, tolerance: int = SKEW_TOLERANCE,
               ratio: float = INK_RATIO, skew: float | None = None) -> Rules:
    """Find the long horizontal and vertical ruling lines of a page.

    A line is a run of ink (a pixel darker than ``ratio`` × the paper's local brightness)
    at least ``fraction`` of the page's shorter side long, along the page's skew (allowing
    ``tolerance`` px of wander) and at most ``max_width`` px thick. Text strokes are far
    shorter, so they are not in it except where a line crosses them; long filled areas
    (bars, photos, a dark desk) are too thick. Pages of more than 1,200 px a side are
    searched at half size (each cell the darkest of its 2 × 2 pixels).

    Args:
        img: the page, any mode.
        fraction: the shortest line, as a share of the page's shorter side.
        max_width: the thickest line, px; thicker long runs are filled areas and are kept.
        tolerance: px of wander across the line (after removing the skew).
        ratio: ink is darker than this share of the local paper brightness.
        skew: the page's skew in degrees counter-clockwise
            (:func:`extractors.orient.estimate_skew`, estimated when None).
    """
    grey = img if img.mode == "L" else img.convert("L")
    a = np.asarray(grey)
    f = 2 if min(a.shape) > 1200 else 1
    small = _min_pool(a, f)
    ink = _ink(small, _PAPER_CELL // f, ratio)
    if skew is None:
        skew = orient.estimate_skew(grey, max_angle=8.0)
    slope = math.tan(math.radians(skew))
    length = max(10, round(fraction * min(small.shape)))
    width = max(2, round(max_width / f))
    # lines tilted counter-clockwise by the skew: y + x·tan(skew) is constant along rows,
    # x − y·tan(skew) along columns
    horiz, nh = _lines_along_rows(ink, length, tolerance, width, slope)
    vert, nv = _lines_along_rows(np.ascontiguousarray(ink.T), length, tolerance, width,
                                 -slope)
    lines = horiz | vert.T
    if f > 1:
        lines = np.repeat(np.repeat(lines, f, axis=0), f, axis=1)[:a.shape[0], :a.shape[1]]
    return Rules(mask=lines, horizontal=nh, vertical=nv)


def remove_grid(img: Image.Image, *, min_rules: int = 0, rules: Rules | None = None,
                fraction: float = LINE_FRACTION, max_width: int = MAX_LINE_WIDTH,
                tolerance: int = SKEW_TOLERANCE, ratio: float = INK_RATIO,
                skew: float | None = None) -> Image.Image:
    """The page as greyscale (``L``) with its long ruling lines painted the paper's colour.

    A page without such lines comes back unchanged (as greyscale).

    Args:
        img: the page, any mode (colour is converted to greyscale first; pass
            :func:`max_channel`'s result to drop colour marks as well).
        min_rules: leave the page alone unless it has at least this many horizontal lines
            (3 or more: a ruled table).
        rules: the page's lines, when :func:`find_rules` was already called on ``img``.
        fraction: as for :func:`find_rules`.
        max_width: as for :func:`find_rules`.
        tolerance: as for :func:`find_rules`.
        ratio: as for :func:`find_rules`.
        skew: as for :func:`find_rules`.
    """
    grey = img if img.mode == "L" else img.convert("L")
    if rules is None:
        rules = find_rules(grey, fraction=fraction, max_width=max_width,
                           tolerance=tolerance, ratio=ratio, skew=skew)
    if rules.horizontal < min_rules or not rules.mask.any():
        return grey
    a = np.array(grey)
    ys, xs = np.nonzero(rules.mask)
    paper = np.asarray(_paper_cells(grey, _PAPER_CELL))
    a[ys, xs] = paper[np.minimum(ys // _PAPER_CELL, paper.shape[0] - 1),
                      np.minimum(xs // _PAPER_CELL, paper.shape[1] - 1)]
    return Image.fromarray(a, mode="L")
