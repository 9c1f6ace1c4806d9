"""Re-read the lines that matter with the second engine: amounts, names, doubtful lines.

Tesseract's chi_sim model cannot read 叁 柒 捌 仟 ¥ (the capital-numeral amount is never right)
and garbles highlighted or rare name characters; RapidOCR reads them, at about three times
the cost per page (../shared/LAB-NOTES.md). So after Tesseract has found a scanned page's
lines, the lines where a wrong character changes a finding are cropped from the upright
page and recognised again by RapidOCR (:mod:`extractors._exec.rapid`), and its reading
replaces Tesseract's where it is the more confident one:

1. amount lines (人民币, 大写, 元整, ¥, 金额 …), on any page;
2. the lines that carry names: every row of a participant table and of a table of
   contents, the first lines of an article (title, byline), on an ID card or a certificate
   the lines that introduce a person (姓名, 学生, 兹证明 …) and every short line;
3. any other line Tesseract read with a word below :data:`DOUBTFUL` confidence;

at most :data:`MAX_LINES` a page, in that order. Choosing the lines is pure
(:func:`lines_to_reread`); :func:`reread_page` crops and recognises them.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from extractors import kinds, orient, preprocess, text
from extractors._exec import rapid
from model.marks import MarkKind
from model.report import BBox, PageKind, PageRead, TextSource, Word

log = logging.getLogger(__name__)

MAX_LINES = 24  # lines re-read on one page, at most
DOUBTFUL = 0.80  # a line with a word below this Tesseract confidence is worth a second look
REPLACE_FROM = 0.80  # the second engine's reading replaces Tesseract's from this score …
_PAD = 0.25  # … of a line cropped with this share of its height above and below it …
_PAD_SIDE = 0.6  # … and this share at either end (a last character must not touch the edge)
MOST_SURE = 0.99  # the second engine's score (a mean of probabilities, rounded) is no proof
SURE = 0.85  # a Tesseract line this confident keeps its characters: a shorter reading loses
CELL_GAP = 1.2  # words further apart than this many line heights are in different cells
WORD_STEP = 1.45  # a step this many times the usual one between characters splits words

AMOUNT = re.compile(r"人民币|大写|元整|圆整|[万仟千]元|[¥￥]|金额|价款|总价")
NAME_CUE = re.compile(r"姓名|学生|兹证明|同志|持证人|获奖|发明人|设计人|作者")
_NAME_KINDS_ALL = {PageKind.CONTRACT_PARTICIPANTS, PageKind.JOURNAL_TOC}
_NAME_KINDS_SHORT = {PageKind.ID_CARD, PageKind.GRADUATION_CERTIFICATE,
                     PageKind.DEGREE_CERTIFICATE, PageKind.EDUCATION_REGISTRATION,
                     PageKind.OVERSEAS_CERTIFICATION, PageKind.TITLE_CERTIFICATE,
                     PageKind.AWARD_CERTIFICATE, PageKind.PATENT_CERTIFICATE,
                     PageKind.CE_CERTIFICATE}
_ARTICLE_HEAD = 12  # lines at the top of an article page: title, authors, affiliation
_SHORT = 30  # characters: a certificate's field line, not a paragraph


@dataclass(frozen=True, slots=True)
class PageLine:
    """One line of a page: its number, its words, its text and box (page coordinates)."""

    line: int
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        """The line's text, CJK joined without spaces."""
        return text.page_text(self.words)

    @property
    def bbox(self) -> BBox:
        """The union of the words' boxes."""
        return (min(w.bbox[0] for w in self.words), min(w.bbox[1] for w in self.words),
                max(w.bbox[2] for w in self.words), max(w.bbox[3] for w in self.words))

    def tight(self, rotation: int = 0) -> BBox:
        """The box across the line from the typical word, not the tallest one.

        Tesseract's box of a character it could not read is often much too tall; across the
        line (top and bottom, or left and right on a page scanned a quarter turn off) the
        median word's extent is the line's. Along the line, the extreme words.
        """
        b = self.bbox
        if rotation in (90, 270):
            return (statistics.median(w.bbox[0] for w in self.words), b[1],
                    statistics.median(w.bbox[2] for w in self.words), b[3])
        return (b[0], statistics.median(w.bbox[1] for w in self.words),
                b[2], statistics.median(w.bbox[3] for w in self.words))

    @property
    def conf(self) -> float:
        """The lowest word confidence of the line."""
        return min(w.conf for w in self.words)


def page_lines(page: PageRead) -> list[PageLine]:
    """The page's words grouped by line, in reading order."""
    by_line: dict[int, list[Word]] = {}
    for w in page.words:
        by_line.setdefault(w.line, []).append(w)
    return [PageLine(line=n, words=tuple(ws)) for n, ws in by_line.items()]


def segments(line: PageLine, rotation: int = 0) -> list[PageLine]:
    """The line cut where words are far apart: a table row into its cells.

    Words further apart than :data:`CELL_GAP` times the line's height are in different
    cells; re-reading cell by cell keeps the columns apart (the second engine reads a crop
    as one run of text). On a page scanned a quarter turn off (``rotation`` 90 or 270) the
    line runs down the page's own coordinates.
    """
    a = 1 if rotation in (90, 270) else 0  # the axis the line runs along
    box = line.bbox
    height = max(1e-6, box[3 - a] - box[1 - a])
    ordered = sorted(line.words, key=lambda w: w.bbox[a])
    out: list[list[Word]] = [[ordered[0]]]
    for w in ordered[1:]:
        gap = w.bbox[a] - max(o.bbox[a + 2] for o in out[-1])
        if gap > CELL_GAP * height:
            out.append([w])
        else:
            out[-1].append(w)
    return [PageLine(line=line.line, words=tuple(ws)) for ws in out]


def lines_to_reread(page: PageRead, kind: PageKind | None = None) -> list[PageLine]:
    """The lines of an OCR'd page worth a second engine's reading, cut into cells.

    Lines are chosen in the order of the module's list, up to :data:`MAX_LINES`; each is
    returned as its :func:`segments`, in reading order.

    Args:
        page: the page as Tesseract read it.
        kind: its kind, when known (else it is classified from its text).
    """
    if page.text_source != TextSource.OCR or not page.words:
        return []
    if kind is None:
        kind = kinds.classify_page(page.text)[0] if page.text.strip() else PageKind.UNKNOWN
    lines = page_lines(page)
    chosen: dict[int, PageLine] = {}

    def take(candidates: Sequence[PageLine]) -> None:
        for ln in candidates:
            if len(chosen) < MAX_LINES:
                chosen.setdefault(ln.line, ln)

    take([ln for ln in lines if AMOUNT.search(ln.text)])
    if kind in _NAME_KINDS_ALL:
        take(lines)
    elif kind == PageKind.ARTICLE:
        take(lines[:_ARTICLE_HEAD])
    elif kind in _NAME_KINDS_SHORT:
        take([ln for ln in lines if NAME_CUE.search(ln.text)])
        take([ln for ln in lines if len(ln.text) <= _SHORT])
    take(sorted((ln for ln in lines if ln.conf < DOUBTFUL), key=lambda ln: ln.conf))
    return [seg for ln in sorted(chosen.values(), key=lambda ln: ln.line)
            for seg in segments(ln, page.rotation)]


def replace_lines(page: PageRead, readings: Sequence[tuple[PageLine, rapid.LineText]],
                  ) -> PageRead:
    """The page with each re-read segment's words replaced where the new reading wins.

    The new words share the segment's box in proportion to their characters (the second
    engine gives a crop's text, not its words' boxes). A reading wins when its score is at
    least :data:`REPLACE_FROM` and above Tesseract's lowest word confidence there.
    """
    new_words: dict[int, list[Word]] = {}  # id of the first old word → its replacement
    dropped: set[int] = set()
    for seg, reading in readings:
        if reading.score < REPLACE_FROM or reading.score <= seg.conf or \
                not reading.text.strip():
            continue
        if seg.conf >= SURE and _letters(reading.text) < _letters(seg.text):
            continue  # a sure Tesseract reading is not cut short (2013 read 201 at an edge)
        reading = _sure_digits(seg, reading)
        new_words[id(seg.words[0])] = _spread(reading, seg.tight(page.rotation), seg.line,
                                              page.rotation)
        dropped.update(id(w) for w in seg.words)
    if not new_words:
        return dataclasses.replace(page, reread=len(readings))
    words: list[Word] = []
    for w in page.words:
        if id(w) in new_words:
            words.extend(new_words[id(w)])
        elif id(w) not in dropped:
            words.append(w)
    return dataclasses.replace(page, words=tuple(words), text=text.page_text(words),
                               confidence=text.mean_confidence(words), reread=len(readings))


def _spread(reading: rapid.LineText, box: BBox, line: int, rotation: int = 0) -> list[Word]:
    """The reading's tokens as words, each with its share of the segment's box.

    With character positions, a token ends at a gap (U+3000) or where the step to the next
    character is over :data:`WORD_STEP` times the usual one (two names a space apart), and
    its box spans its characters; without them, tokens are split at whitespace and share
    the box by their length. On a page scanned turned, the shares run along the line as it
    lies in the page's own coordinates.
    """
    tokens = _tokens(reading)
    conf = min(reading.score, MOST_SURE)
    return [Word(text=t, bbox=text.along_line(box, a, b, rotation), conf=conf, line=line,
                 engine=rapid.ENGINE) for t, a, b in tokens]


def _tokens(reading: rapid.LineText) -> list[tuple[str, float, float]]:
    """(text, start, end) of each token, start and end as shares of the segment (0–1)."""
    chars = reading.chars
    if chars and len(chars) == len("".join(reading.text.split())):
        steps = [b[1] - a[1] for a, b in zip(chars, chars[1:], strict=False)]
        usual = statistics.median(steps) if steps else 0.05
        gaps = {i for i, c in enumerate("".join(ch if not ch.isspace() else "\0"
                                                for ch in reading.text))
                if c == "\0"}
        # a gap in the text falls before the character at that index minus the gaps before
        breaks = {i - sum(1 for g in gaps if g < i) for i in gaps}
        out: list[list[tuple[str, float]]] = [[chars[0]]]
        for i, (prev, cur) in enumerate(zip(chars, chars[1:], strict=False), start=1):
            if i in breaks or cur[1] - prev[1] > WORD_STEP * usual:
                out.append([cur])
            else:
                out[-1].append(cur)
        half = usual / 2
        return [("".join(c for c, _ in tok), max(0.0, tok[0][1] - half),
                 min(1.0, tok[-1][1] + half)) for tok in out]
    words = reading.text.split()
    total = sum(len(t) for t in words) + max(0, len(words) - 1)
    result, pos = [], 0
    for t in words:
        result.append((t, pos / max(1, total), (pos + len(t)) / max(1, total)))
        pos += len(t) + 1
    return result


def _unskewed(box: BBox, skew: float) -> BBox:
    """The word box a skewed round trip inflated, shrunk back around its centre.

    A word's box went from the upright page to the source (the axis-aligned box around the
    turned box) and back again, and grew each time by its other side times sin(skew):
    undoing both growths keeps a crop from taking in the lines above and below.
    """
    c, s = abs(math.cos(math.radians(skew))), abs(math.sin(math.radians(skew)))
    det = c * c - s * s
    if s < 1e-3 or det <= 0.5:
        return box
    w, h = box[2] - box[0], box[3] - box[1]
    for _ in range(2):
        w, h = max(1.0, (w * c - h * s) / det), max(1.0, (h * c - w * s) / det)
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


MISSED_MAX = 16  # ink segments without words read on one page, at most
_INK = 0.6  # a pixel is ink when darker than this share of the page's typical brightness


def missed_segments(gray: np.ndarray, words: Sequence[BBox], height: float,
                    ) -> list[BBox]:
    """Boxes of printed text that Tesseract left out, on the upright page.

    Tesseract's layout analysis sometimes drops a whole short line (专业：通信工程 beside a
    photo box) or a block far from the body (a certificate's issuer, number and date in a
    corner). Here every pixel darker than :data:`_INK` times the page's median is ink; the
    words read (padded), long straight strokes (rules, borders, underlines) and the sheet's
    margin (a line height, at most a tenth of the page) are taken out; what remains is cut
    into rows a line high (lines set close together are cut apart at their empty rows) and
    those into pieces at gaps wider than :data:`CELL_GAP` line heights. A piece must be at
    least 0.7 line heights wide and hold ink like print (between 3 % and 60 % of its box):
    a photo or a speck does not.

    Args:
        gray: the upright page, one brightness value a pixel (0–255), its paper evened out
            and the desk around it white (:func:`extractors.preprocess.flatten_light`).
        words: the boxes of the words read, on the upright page.
        height: the typical height of a line of text, in pixels.

    Returns:
        At most :data:`MISSED_MAX` boxes (x0, top, x1, bottom), top to bottom.
    """
    if not words or height < 4:
        return []
    h_img, w_img = gray.shape
    lh = int(round(height))
    x0, x1 = min(lh, w_img // 10), max(w_img - lh, w_img - w_img // 10)
    y0, y1 = min(lh, h_img // 10), max(h_img - lh, h_img - h_img // 10)
    if x1 - x0 < 2 * lh or y1 - y0 < 2 * lh:
        return []
    region = gray[y0:y1, x0:x1]
    ink = region < _INK * median(region)
    pad = max(2, int(0.3 * height))
    for b in words:
        ink[max(0, int(b[1]) - y0 - pad):max(0, int(b[3]) - y0 + pad),
            max(0, int(b[0]) - x0 - pad):max(0, int(b[2]) - x0 + pad)] = False
    ink &= ~long_runs(ink, 3 * lh, axis=0) & ~long_runs(ink, 3 * lh, axis=1)
    rows = ink.sum(axis=1) >= 2
    out: list[BBox] = []
    bands = []
    for top, bottom in _runs(rows, bridge=max(1, int(0.25 * height))):
        # lines set close together (an issuer, a number and a date stacked) run into one
        # band: it is cut again at its empty rows
        bands += _lines_of_band(rows, top, bottom, height) if bottom - top > 2.0 * height \
            else [(top, bottom)]
    for top, bottom in bands:
        if not 0.5 * height <= bottom - top <= 2.0 * height:
            continue
        band = ink[top:bottom]
        cols = band.any(axis=0)
        for left, right in _runs(cols, bridge=int(CELL_GAP * height)):
            if right - left < 0.7 * height:
                continue
            piece = band[:, left:right]
            rows_used = np.flatnonzero(piece.any(axis=1))
            t, b = top + int(rows_used[0]), top + int(rows_used[-1]) + 1
            density = float(piece.sum()) / max(1, (b - t) * (right - left))
            if 0.03 <= density <= 0.6 and b - t >= 0.4 * height:
                out.append((float(x0 + left), float(y0 + t), float(x0 + right), float(y0 + b)))
    return out[:MISSED_MAX]


def median(a: np.ndarray) -> float:
    """``np.median(a)``, from a histogram when ``a`` holds bytes (a greyscale page).

    The same value as numpy's (the mean of the two middle values of an even count), in a
    third of its time on a page of 3 million pixels (13 against 43 ms): numpy sorts a copy.
    """
    if a.dtype != np.uint8 or a.size == 0:
        return float(np.median(a))
    counts = np.cumsum(np.bincount(a.ravel(), minlength=256))
    n = a.size
    lower = int(np.searchsorted(counts, (n - 1) // 2 + 1))  # the value at sorted index k:
    upper = int(np.searchsorted(counts, n // 2 + 1))  # the first whose count exceeds k
    return (lower + upper) / 2


def _lines_of_band(rows: np.ndarray, top: int, bottom: int, height: float
                   ) -> list[tuple[int, int]]:
    """A band of several lines cut at its empty rows into pieces a line high at most."""
    out: list[tuple[int, int]] = []
    for a, b in _runs(rows[top:bottom], bridge=0):
        if out and b + top - out[-1][0] <= 1.3 * height:
            out[-1] = (out[-1][0], b + top)
        else:
            out.append((a + top, b + top))
    return out


def _runs(mask: np.ndarray, *, bridge: int) -> list[tuple[int, int]]:
    """(start, end) of the True runs of a 1-d mask, runs less than ``bridge`` apart joined."""
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(idx) > bridge + 1)
    starts = np.concatenate(([idx[0]], idx[breaks + 1]))
    ends = np.concatenate((idx[breaks], [idx[-1]])) + 1
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]


def long_runs(ink: np.ndarray, length: int, *, axis: int) -> np.ndarray:
    """The pixels of ``ink`` in straight runs of at least ``length`` along ``axis``.

    A morphological opening by a line ``length`` long: the erosion marks where a full run
    starts, the dilation spreads each start over the run. Outside the image is no ink.
    """
    if length < 1 or ink.shape[axis] < length:
        return np.zeros_like(ink, dtype=bool)
    shape = (length, 1) if axis == 0 else (1, length)
    end = (0, length - 1) if axis == 0 else (length - 1, 0)  # cv2 anchors are (x, y)
    kernel = np.ones(shape, dtype=np.uint8)
    a = ink.astype(np.uint8)
    starts = cv2.erode(a, kernel, anchor=(0, 0), borderType=cv2.BORDER_CONSTANT,
                       borderValue=0)
    return cv2.dilate(starts, kernel, anchor=end, borderType=cv2.BORDER_CONSTANT,
                      borderValue=0).astype(bool)


def add_lines(page: PageRead, found: Sequence[tuple[float, BBox, rapid.LineText]],
              tops: dict[int, float], height: float) -> PageRead:
    """The page with the lines Tesseract left out added where they stand.

    Args:
        page: the page's reading.
        found: for each piece of missed print, its top on the upright page, its box in the
            page's coordinates and the second engine's reading of it. A reading below
            :data:`REPLACE_FROM` or without a letter or digit is dropped.
        tops: the top of each of the page's lines on the upright page, by line number.
        height: the typical line height on the upright page.

    Each new line goes before the first line that starts lower down; the lines are then
    numbered again in order.
    """
    new: list[tuple[float, list[Word]]] = []
    for top, box, reading in found:
        if reading.score < REPLACE_FROM or not _LETTER.search(reading.text):
            continue
        new.append((top, _spread(reading, box, -1, page.rotation)))
    if not new:
        return page
    groups: dict[int, list[Word]] = {}
    for w in page.words:
        groups.setdefault(w.line, []).append(w)
    order: list[list[Word]] = []
    pending = sorted(new, key=lambda t: t[0])
    for n in sorted(groups):
        while pending and pending[0][0] + 0.3 * height < tops.get(n, math.inf):
            order.append(pending.pop(0)[1])
        order.append(groups[n])
    order += [ws for _, ws in pending]
    words = tuple(dataclasses.replace(w, line=i) for i, ws in enumerate(order) for w in ws)
    return dataclasses.replace(page, words=words, text=text.page_text(words),
                               confidence=text.mean_confidence(words))


_LETTER = re.compile(r"[\u4e00-\u9fff0-9A-Za-z]")


def reread_page(image: Image.Image, page: PageRead, unit: float,
                up: orient.Upright | None = None) -> PageRead:
    """Re-read the page's chosen lines from ``image`` (the page as scanned) with RapidOCR.

    Also reads the print Tesseract left out (:func:`missed_segments`) and adds it as lines.

    Args:
        image: the source image the page's words were read from.
        page: Tesseract's reading (words in page coordinates, ``rotation`` and ``skew`` as
            read).
        unit: page coordinates per source pixel (72/dpi for a rendered PDF page, else 1).
        up: ``image`` already turned upright by the page's rotation and skew, when the
            caller has it (else it is made here).
    """
    if page.text_source != TextSource.OCR or not page.words or not rapid.is_available():
        return page
    chosen = lines_to_reread(page)
    if up is None:
        up = orient.make_upright(image, page.rotation, page.skew)
    to_upright = np.linalg.inv(up.to_source)
    upright = {id(w): _unskewed(orient.map_box(to_upright, tuple(v / unit for v in w.bbox)),
                                page.skew) for w in page.words}
    crops, spans = [], []
    for ln in chosen:
        boxes = [upright[id(w)] for w in ln.words]
        # left and right from the extreme words, top and bottom from the typical word:
        # Tesseract's box of a character it could not read is often too tall
        box = (min(b[0] for b in boxes), statistics.median(b[1] for b in boxes),
               max(b[2] for b in boxes), statistics.median(b[3] for b in boxes))
        crops.append(_crop(up.image, box))
        side = _PAD_SIDE * (box[3] - box[1])  # the crop reads this far beyond the words
        spans.append((box[0] - side, box[1], box[2] + side, box[3]))
    height = statistics.median(b[3] - b[1] for b in upright.values())
    # the paper evened out and the desk around it made white: print far from the words
    # (a certificate's issuer and date in a corner) is looked for over the whole sheet
    gray = np.asarray(preprocess.flatten_light(up.image))
    # what lies between the words of a re-read segment is in its new reading already
    missed = missed_segments(gray, [*upright.values(), *spans], height)
    crops += [_crop(up.image, box) for box in missed]
    try:
        readings = rapid.read_lines(crops)
    except Exception as e:  # the second engine failing must not lose Tesseract's reading
        log.warning("second engine failed on page %d: %s", page.page, type(e).__name__)
        return page
    out = replace_lines(page, list(zip(chosen, readings, strict=False)))
    if missed:
        out = _add_read(out, page, upright, missed, readings[len(chosen):], up, unit, height)
    return dataclasses.replace(out, reread=len(crops))


def _add_read(out: PageRead, page: PageRead, upright: dict[int, BBox], boxes: Sequence[BBox],
              readings: Sequence[rapid.LineText], up: orient.Upright, unit: float,
              height: float) -> PageRead:
    """``out`` with the readings of ``boxes`` (upright page) added as lines where they stand.

    ``upright`` holds the upright box of each of ``page``'s words (by ``id``): the lines'
    tops that place the new ones.
    """
    tops: dict[int, list[float]] = {}
    for w in page.words:
        tops.setdefault(w.line, []).append(upright[id(w)][1])
    found = [(box[1], tuple(v * unit for v in orient.map_box(up.to_source, box)), r)
             for box, r in zip(boxes, readings, strict=True)]
    return add_lines(out, found, {n: min(t) for n, t in tops.items()}, height)


UNDER_MARK_COVERED = 0.3  # a highlight this much covered by words read needs no re-reading
UNDER_MARK_WORD = 0.5  # … nor one that holds this much of a word read (a short name under
# a wide stroke of the highlighter covers little of it)


def _area(b: BBox) -> float:
    return max(1e-6, (b[2] - b[0]) * (b[3] - b[1]))


def read_under_highlights(page: PageRead, up: orient.Upright, unit: float) -> PageRead:
    """Read with the second engine what lies under a highlight Tesseract read nothing of.

    A name under a highlighter prints lighter than the page's other text; Tesseract's layout
    analysis may drop it as a whole line (an author line in a 目录), and
    :func:`missed_segments` does not see it as ink either. Each highlight on the page (found
    on ``up``, given in the page's coordinates) whose box the words read cover less than
    :data:`UNDER_MARK_COVERED` is cropped from the upright page and read by RapidOCR; what
    it reads is added as a line where it stands (:func:`add_lines`).

    Args:
        page: the page's reading, with its ``marks``.
        up: the page turned upright, as the marks were found on it.
        unit: page coordinates per source pixel.
    """
    highlights = [m for m in page.marks if m.kind == MarkKind.HIGHLIGHT]
    if (page.text_source != TextSource.OCR or not page.words or not highlights
            or not rapid.is_available()):
        return page
    to_upright = np.linalg.inv(up.to_source)

    def upright_of(box: BBox) -> BBox:
        return orient.map_box(to_upright, tuple(v / unit for v in box))

    words = {id(w): upright_of(w.bbox) for w in page.words}
    boxes: list[BBox] = []
    for m in highlights:
        b = upright_of(m.bbox)
        area = _area(b)
        inside = [text.overlap(b, w) for w in words.values()]
        read = any(o >= UNDER_MARK_WORD * _area(w) for o, w in zip(inside, words.values(),
                                                                    strict=True))
        if not read and sum(inside) / area < UNDER_MARK_COVERED:
            boxes.append(b)
    if not boxes:
        return page
    try:
        readings = rapid.read_lines([_crop(up.image, b) for b in boxes])
    except Exception as e:  # the second engine failing must not lose Tesseract's reading
        log.warning("second engine failed on page %d: %s", page.page, type(e).__name__)
        return page
    height = statistics.median(b[3] - b[1] for b in words.values())
    out = _add_read(page, page, words, boxes, readings, up, unit, height)
    return dataclasses.replace(out, reread=page.reread + len(boxes))


def _crop(image: Image.Image, box: BBox) -> Image.Image:
    """``box`` of ``image`` with margins: :data:`_PAD` and :data:`_PAD_SIDE` line heights."""
    h = box[3] - box[1]
    pad, side = _PAD * h, _PAD_SIDE * h
    return image.crop((int(max(0, box[0] - side)), int(max(0, box[1] - pad)),
                       int(min(image.width, box[2] + side)),
                       int(min(image.height, box[3] + pad))))


_DIGITS = re.compile(r"\d")


def _sure_digits(seg: PageLine, reading: rapid.LineText) -> rapid.LineText:
    """``reading``, its digits checked against Tesseract's.

    The second engine misreads a digit now and then (…875132 as …875138, at 0.97) where
    Tesseract read it right: the line's low confidence came from a punctuation mark. When
    both read as many digits but not the same ones, Tesseract's digits are kept where every
    Tesseract word holding digits is at least :data:`SURE`; otherwise the reading stands
    but its score drops to Tesseract's for those words, so that a field read from it is not
    trusted as a real difference.
    """
    theirs = _DIGITS.findall(seg.text)
    ours = _DIGITS.findall(reading.text)
    if not theirs or theirs == ours or len(theirs) != len(ours):
        return reading
    confs = [w.conf for w in seg.words if _DIGITS.search(w.text)]
    if min(confs) < SURE:
        return dataclasses.replace(reading, score=min(reading.score, min(confs)))
    digits = iter(theirs)
    return dataclasses.replace(reading, text=_DIGITS.sub(lambda _: next(digits), reading.text))


def _letters(s: str) -> int:
    """How many CJK characters, letters and digits ``s`` holds."""
    return len(_LETTER.findall(s))
