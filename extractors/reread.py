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

import numpy as np
from PIL import Image

from extractors import kinds, orient, text
from extractors._exec import rapid
from model.report import BBox, PageKind, PageRead, TextSource, Word

log = logging.getLogger(__name__)

MAX_LINES = 24  # lines re-read on one page, at most
DOUBTFUL = 0.80  # a line with a word below this Tesseract confidence is worth a second look
REPLACE_FROM = 0.80  # the second engine's reading replaces Tesseract's from this score …
_PAD = 0.25  # … of a line cropped with this share of its height around it
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
    the box by their length. On a page scanned a quarter turn off every token keeps the
    whole box.
    """
    tokens = _tokens(reading)
    x0, top, x1, bottom = box
    if rotation in (90, 270):
        return [Word(text=t, bbox=box, conf=reading.score, line=line) for t, _, _ in tokens]
    return [Word(text=t, bbox=(x0 + a * (x1 - x0), top, x0 + b * (x1 - x0), bottom),
                 conf=reading.score, line=line) for t, a, b in tokens]


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


def reread_page(image: Image.Image, page: PageRead, unit: float) -> PageRead:
    """Re-read the page's chosen lines from ``image`` (the page as scanned) with RapidOCR.

    Args:
        image: the source image the page's words were read from.
        page: Tesseract's reading (words in page coordinates, ``rotation`` and ``skew`` as
            read).
        unit: page coordinates per source pixel (72/dpi for a rendered PDF page, else 1).
    """
    chosen = lines_to_reread(page)
    if not chosen or not rapid.is_available():
        return page
    up = orient.make_upright(image, page.rotation, page.skew)
    to_upright = np.linalg.inv(up.to_source)
    crops = []
    for ln in chosen:
        boxes = [_unskewed(orient.map_box(to_upright, tuple(v / unit for v in w.bbox)),
                           page.skew) for w in ln.words]
        # left and right from the extreme words, top and bottom from the typical word:
        # Tesseract's box of a character it could not read is often too tall
        box = (min(b[0] for b in boxes), statistics.median(b[1] for b in boxes),
               max(b[2] for b in boxes), statistics.median(b[3] for b in boxes))
        pad = _PAD * (box[3] - box[1])
        crops.append(up.image.crop((int(max(0, box[0] - pad)), int(max(0, box[1] - pad)),
                                    int(min(up.image.width, box[2] + pad)),
                                    int(min(up.image.height, box[3] + pad)))))
    try:
        readings = rapid.read_lines(crops)
    except Exception as e:  # the second engine failing must not lose Tesseract's reading
        log.warning("second engine failed on page %d: %s", page.page, type(e).__name__)
        return page
    return replace_lines(page, list(zip(chosen, readings, strict=True)))
