"""Pure text helpers: joining OCR words into lines, CJK spacing, confidence."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from model.report import BBox, Word

if TYPE_CHECKING:  # a type only: this module stays pure, free of the Tesseract wrapper
    from extractors._exec.tesseract import OcrWord

_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")


def join_cjk(text: str) -> str:
    """Remove the spaces Tesseract puts between CJK characters; keep them between Latin words.

    >>> join_cjk("王 丽 2021 年 6 月")
    '王丽 2021 年 6 月'
    """
    return _SPACE_BETWEEN_CJK.sub("", text)


def words_to_text(words: Iterable[OcrWord]) -> str:
    """Lines of words (in Tesseract's reading order) as text, one line per line."""
    lines: list[list[str]] = []
    last_key: tuple[int, int, int, int] | None = None
    for w in words:
        if w.line_key != last_key:
            lines.append([])
            last_key = w.line_key
        lines[-1].append(w.text)
    return "\n".join(join_cjk(" ".join(ws)) for ws in lines)


def page_text(words: Iterable[Word]) -> str:
    """A page's words (model ``Word``, numbered by line) as text, one line per line."""
    lines: dict[int, list[str]] = {}
    for w in words:
        lines.setdefault(w.line, []).append(w.text)
    return "\n".join(join_cjk(" ".join(ws)) for ws in lines.values())


def mean_confidence(words: Iterable[OcrWord | Word]) -> float:
    """Confidence of a page: word confidences weighted by word length (0 when no words)."""
    total = weight = 0.0
    for w in words:
        n = len(w.text)
        total += w.conf * n
        weight += n
    return total / weight if weight else 0.0


def visible_chars(text: str) -> int:
    """How many non-whitespace characters ``text`` has."""
    return sum(1 for c in text if not c.isspace())


def overlap(a: BBox, b: BBox) -> float:
    """The area two boxes (x0, top, x1, bottom) share; 0 when they do not meet."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def along_line(box: tuple[float, float, float, float], a: float, b: float,
               rotation: int = 0) -> tuple[float, float, float, float]:
    """The part of a word's ``box`` from share ``a`` to ``b`` (0–1) of the way along its line.

    ``box`` is in the page's own coordinates and the page was read turned ``rotation``
    (clockwise, to make it upright): the line runs left to right at 0, right to left at 180,
    down the page's y at 270 and up it at 90.
    """
    x0, top, x1, bottom = box
    if rotation == 90:
        return (x0, bottom - b * (bottom - top), x1, bottom - a * (bottom - top))
    if rotation == 270:
        return (x0, top + a * (bottom - top), x1, top + b * (bottom - top))
    if rotation == 180:
        return (x1 - b * (x1 - x0), top, x1 - a * (x1 - x0), bottom)
    return (x0 + a * (x1 - x0), top, x0 + b * (x1 - x0), bottom)
