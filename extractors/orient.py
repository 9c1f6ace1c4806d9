"""Page geometry before OCR: small-angle skew, turning a page upright, mapping boxes back.

Pure (numpy and Pillow). Which quarter turn a page needs is found by reading it
(:func:`extractors._exec.upright.read_upright`, which uses this module) or by Tesseract's
OSD (:func:`extractors._exec.tesseract.detect_orientation`).

Conventions, as in ``fixtures/dossier/scan.py``: pixel ``(i, j)`` covers the square
``[i, i + 1) × [j, j + 1)``, y points down; a *quarter* is a clockwise turn of 0, 90, 180 or
270 degrees; a *skew* or rotation angle is counter-clockwise as seen, in degrees (a skew of
+1 means the text lines climb to the right by 1°). A quarter turn and a rotation about the
centre commute, so a skew measured on a turned page is the skew of the upright page too.

Typical use::

    up = make_upright(img, quarter, estimate_skew(img))
    words = ocr(up.image)
    boxes = [map_box(up.to_source, w.bbox) for w in words]  # in ``img``'s pixels
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageFilter

log = logging.getLogger(__name__)

BBox = tuple[float, float, float, float]

QUARTERS = (0, 90, 180, 270)
MIN_SKEW = 0.1  # degrees: a smaller skew is left alone (no resampling)

_SKEW_CELL = 16  # pixels of the small copy per cell of the paper-brightness map
_SKEW_SIDE = 1200  # the long side the skew estimate works at, in pixels
_SKEW_COARSE = 0.25  # degrees between candidate angles in the first pass
_SKEW_FINE = 0.05  # … and in the second, around the best of the first
_SKEW_MIN_POINTS = 300  # fewer ink pixels than this: no estimate (0)
_SKEW_MAX_POINTS = 120_000  # more are thinned evenly, for speed
_TRANSPOSE = {
    90: Image.Transpose.ROTATE_270,  # Pillow's ROTATE_n turn counter-clockwise
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True, slots=True, eq=False)
class Upright:
    """A page turned upright and deskewed, with the way back to the source's pixels.

    Attributes:
        image: the upright page (the canvas grows to hold a deskewed page; new area white).
        quarter: the clockwise quarter turn that was applied (0, 90, 180 or 270).
        skew: the skew that was removed, degrees counter-clockwise (0 when none was).
        to_source: 3 × 3 float64 matrix: ``to_source @ (x, y, 1)`` is the point of the
            source image that the upright image's point ``(x, y)`` shows.
    """

    image: Image.Image
    quarter: int
    skew: float
    to_source: np.ndarray


def quarter_matrix(quarter: int, width: float, height: float) -> np.ndarray:
    """The matrix that turns a ``width`` × ``height`` image ``quarter`` degrees clockwise.

    Raises:
        ValueError: ``quarter`` is not 0, 90, 180 or 270.
    """
    w, h = width, height
    if quarter == 0:
        m = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    elif quarter == 90:
        m = [[0, -1, h], [1, 0, 0], [0, 0, 1]]
    elif quarter == 180:
        m = [[-1, 0, w], [0, -1, h], [0, 0, 1]]
    elif quarter == 270:
        m = [[0, 1, 0], [-1, 0, w], [0, 0, 1]]
    else:
        raise ValueError(f"quarter {quarter} is not one of {QUARTERS}")
    return np.array(m, dtype=np.float64)


def rotation_matrix(degrees: float, cx: float, cy: float) -> np.ndarray:
    """The matrix that rotates ``degrees`` counter-clockwise (as seen) about ``(cx, cy)``."""
    t = math.radians(degrees)
    c, s = math.cos(t), math.sin(t)
    return np.array([[c, s, cx - c * cx - s * cy], [-s, c, cy + s * cx - c * cy], [0, 0, 1]],
                    dtype=np.float64)


def map_point(m: np.ndarray, x: float, y: float) -> tuple[float, float]:
    """The point ``(x, y)`` mapped through the 3 × 3 matrix ``m``."""
    u, v, w = m @ np.array([x, y, 1.0])
    return float(u / w), float(v / w)


def map_box(m: np.ndarray, bbox: BBox) -> BBox:
    """The axis-aligned box around the 4 corners of ``bbox`` mapped through ``m``.

    Args:
        m: a 3 × 3 matrix, e.g. :attr:`Upright.to_source`.
        bbox: ``(x0, top, x1, bottom)``.

    Returns:
        ``(x0, top, x1, bottom)`` of the mapped corners.
    """
    x0, y0, x1, y1 = bbox
    pts = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]], dtype=np.float64) @ m.T
    pts = pts[:, :2] / pts[:, 2:3]
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    return float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])


def _white(image: Image.Image) -> int | tuple[int, ...]:
    bands = len(image.getbands())
    return 255 if bands == 1 else (255,) * bands


def _warp(image: Image.Image, m: np.ndarray) -> tuple[Image.Image, np.ndarray]:
    """Apply the affine ``m`` (source → output) on a canvas that holds the whole result.

    Bilinear, by OpenCV: PIL's own warp took 110 ms for a grey A4 page at 300 dpi and
    216 ms for a colour one, OpenCV 26 and 71 ms; the two differ by 0.1 grey level on average.

    Returns:
        The new image and the matrix from the source to it (``m`` shifted to the canvas).
    """
    w, h = image.size
    corners = np.array([[0, 0, 1], [w, 0, 1], [w, h, 1], [0, h, 1]], dtype=np.float64) @ m.T
    lo, hi = corners[:, :2].min(axis=0), corners[:, :2].max(axis=0)
    out_w = max(1, math.ceil(hi[0] - lo[0] - 1e-6))
    out_h = max(1, math.ceil(hi[1] - lo[1] - 1e-6))
    fwd = np.array([[1, 0, -lo[0]], [0, 1, -lo[1]], [0, 0, 1]], dtype=np.float64) @ m
    inv = np.linalg.inv(fwd)
    if image.mode not in ("L", "RGB", "RGBA", "LA"):
        image = image.convert("RGB")
    if max(out_w, out_h, *image.size) < _CV_MAX_SIDE:
        # OpenCV samples at pixel indices, PIL at pixel centres: the same map, shifted
        shift = inv[:2, :2] @ np.array([0.5, 0.5]) + inv[:2, 2] - 0.5
        m_cv = np.hstack([inv[:2, :2], shift[:, None]])
        white = _white(image)
        out = cv2.warpAffine(np.asarray(image), m_cv, (out_w, out_h),
                             flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                             borderMode=cv2.BORDER_CONSTANT,
                             borderValue=white if isinstance(white, tuple) else (white,))
        return Image.fromarray(out, mode=image.mode), fwd
    coeffs = tuple(float(v) for v in inv[:2].ravel())
    out = image.transform((out_w, out_h), Image.Transform.AFFINE, coeffs,
                          Image.Resampling.BILINEAR, fillcolor=_white(image))
    return out, fwd


_CV_MAX_SIDE = 32767  # OpenCV's remapping takes sides below SHRT_MAX; PIL warps larger ones


def rotate(image: Image.Image, degrees: float) -> Image.Image:
    """``image`` rotated ``degrees`` counter-clockwise about its centre, nothing cut off.

    The canvas grows to hold the rotated page; the new area is white. Multiples of 90°
    are exact turns (no resampling).
    """
    quarter = round(-degrees) % 360
    if math.isclose(quarter, -degrees % 360, abs_tol=1e-9) and quarter in QUARTERS:
        return image.transpose(_TRANSPOSE[quarter]) if quarter else image.copy()
    w, h = image.size
    out, _ = _warp(image, rotation_matrix(degrees, w / 2, h / 2))
    return out


def make_upright(image: Image.Image, quarter: int, skew: float) -> Upright:
    """Turn ``image`` ``quarter`` degrees clockwise, then rotate away its ``skew``.

    Args:
        image: the page as scanned.
        quarter: the clockwise turn that makes it upright (0, 90, 180 or 270), as
            :func:`extractors._exec.tesseract.detect_orientation` returns it.
        skew: the page's skew, degrees counter-clockwise (:func:`estimate_skew`); below
            :data:`MIN_SKEW` it is left alone, so an upright straight page is not resampled.

    Returns:
        The upright page and the matrix back to ``image``'s pixels.

    Raises:
        ValueError: ``quarter`` is not 0, 90, 180 or 270.
    """
    w, h = image.size
    turn = quarter_matrix(quarter, w, h)
    if abs(skew) < MIN_SKEW:
        out = image.transpose(_TRANSPOSE[quarter]) if quarter else image
        return Upright(image=out, quarter=quarter, skew=0.0, to_source=np.linalg.inv(turn))
    tw, th = (h, w) if quarter in (90, 270) else (w, h)
    out, fwd = _warp(image, rotation_matrix(-skew, tw / 2, th / 2) @ turn)
    return Upright(image=out, quarter=quarter, skew=skew, to_source=np.linalg.inv(fwd))


def _ink(image: Image.Image) -> tuple[np.ndarray, np.ndarray, float]:
    """Coordinates of dark pixels (text, rules) of a small greyscale copy, and its scale.

    A pixel is ink when it is much darker than the paper around it (the paper's local
    brightness is a coarse maximum), so uneven light and a dark desk are not ink.
    """
    grey = image.convert("L")
    factor = max(1, math.ceil(max(grey.size) / _SKEW_SIDE))
    small = grey.reduce(factor) if factor > 1 else grey
    # the paper's brightness around each pixel: the brightest of 3 × 3 cells of 16 px
    paper_cells = small.reduce(_SKEW_CELL).filter(ImageFilter.MaxFilter(3))
    # … and where the paper is: cells whose whole neighbourhood is near the page's white,
    # so that a desk or scanner lid and the edge of the sheet against it are not ink
    cells = np.asarray(paper_cells, dtype=np.float32)
    white = float(np.percentile(cells, 90))
    on_paper = np.asarray(paper_cells.filter(ImageFilter.MinFilter(3)), dtype=np.float32)
    keep = Image.fromarray(((on_paper >= 0.75 * white) * 255).astype(np.uint8))
    paper = np.asarray(paper_cells.resize(small.size, Image.Resampling.BILINEAR),
                       dtype=np.float32)
    mask = np.asarray(keep.resize(small.size, Image.Resampling.NEAREST)) > 0
    # the outer tenth on each side is left out: frames, sheet edges and punch holes there
    # are long, straight and dark, and outweigh the text when they are not quite parallel
    h, w = mask.shape
    mask[: h // 10] = mask[h - h // 10 :] = False
    mask[:, : w // 10] = mask[:, w - w // 10 :] = False
    pixels = np.asarray(small, dtype=np.float32)
    ys, xs = np.nonzero((pixels < paper * 0.7) & mask)
    if len(xs) > _SKEW_MAX_POINTS:
        step = math.ceil(len(xs) / _SKEW_MAX_POINTS)
        xs, ys = xs[::step], ys[::step]
    return xs.astype(np.float64), ys.astype(np.float64), float(factor)


def _profile_score(along: np.ndarray, across: np.ndarray, degrees: float, sign: float) -> float:
    """Sum of squares of the projection profile of the points at ``degrees`` of skew."""
    proj = along + sign * across * math.tan(math.radians(degrees))
    bins = np.rint(proj - proj.min()).astype(np.int64)
    counts = np.bincount(bins).astype(np.float64)
    return float(counts @ counts)


def _best_angle(along: np.ndarray, across: np.ndarray, sign: float,
                max_angle: float) -> tuple[float, float]:
    """The skew whose projection profile is sharpest, and that profile's score."""
    n = max(1, round(max_angle / _SKEW_COARSE))
    coarse = np.linspace(-max_angle, max_angle, 2 * n + 1)
    scores = [_profile_score(along, across, a, sign) for a in coarse]
    centre = float(coarse[int(np.argmax(scores))])
    fine = centre + np.arange(-_SKEW_COARSE, _SKEW_COARSE + 1e-9, _SKEW_FINE)
    fine = fine[np.abs(fine) <= max_angle + 1e-9]
    scores = [_profile_score(along, across, a, sign) for a in fine]
    i = int(np.argmax(scores))
    best = float(fine[i])
    if 0 < i < len(fine) - 1:  # a parabola through the peak and its neighbours
        left, mid, right = scores[i - 1], scores[i], scores[i + 1]
        denom = left - 2 * mid + right
        if denom < 0:
            best += 0.5 * (left - right) / denom * _SKEW_FINE
    return best, float(scores[i])


def estimate_skew(image: Image.Image, *, max_angle: float = 5.0) -> float:
    """Estimate a page's small skew from the projection profiles of its ink.

    The ink of a small greyscale copy is projected along lines tilted by candidate angles
    (every 0.25°, then every 0.05° around the best, then interpolated); text lines and
    rules make the sharpest profile when the tilt matches theirs. Both directions are
    tried, so a page turned by a quarter (vertical lines) gets the same answer.

    Args:
        image: the page, in any mode and any quarter turn.
        max_angle: the largest skew considered, degrees either way.

    Returns:
        The skew in degrees, counter-clockwise positive, within ±``max_angle``; 0 for a page
        with too little ink to tell.
    """
    xs, ys, _ = _ink(image)
    if len(xs) < _SKEW_MIN_POINTS:
        return 0.0
    # horizontal lines tilted ccw by t: y + x·tan t is constant; vertical lines: x − y·tan t
    rows, row_score = _best_angle(ys, xs, 1.0, max_angle)
    cols, col_score = _best_angle(xs, ys, -1.0, max_angle)
    skew = rows if row_score >= col_score else cols
    log.debug("skew %.2f° (rows %.2f° %.3g, columns %.2f° %.3g)", skew, rows, row_score,
              cols, col_score)
    return skew
