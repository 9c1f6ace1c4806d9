"""RapidOCR (PP-OCRv4 through onnxruntime), the second engine: text lines in, text out.

Debian's Tesseract chi_sim model lacks 叁 柒 捌 仟 ¥ and rare name characters
(../shared/LAB-NOTES.md); RapidOCR's recogniser has them. A whole page costs it about three
times Tesseract's CPU, so it only re-reads single lines that Tesseract has already found
(recognition only, no detection): about 0.1–0.3 s a line on one thread.

The models ship inside the wheel (rapidocr-onnxruntime): nothing is downloaded. When the
package is missing the engine is simply unavailable and the reader says which fields it
could not verify.
"""

from __future__ import annotations

import ctypes
import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

log = logging.getLogger(__name__)

ENGINE = "rapidocr-onnxruntime"


@dataclass(frozen=True, slots=True)
class LineText:
    """One line as the second engine read it.

    Attributes:
        text: the line's text; a wide gap is an ideographic space (U+3000).
        score: its confidence, 0–1.
        chars: each character with where its centre is across the crop (0–1), when the
            engine gave positions; gaps are not listed.
    """

    text: str
    score: float
    chars: tuple[tuple[str, float], ...] = ()


@functools.cache
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR  # imported late: it loads onnxruntime

    # one thread: parallelism comes from reading several files at once
    return RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)


@functools.cache
def is_available() -> bool:
    """Whether the second engine can be loaded here."""
    try:
        _engine()
    except Exception as e:  # not installed, or its native parts fail to load
        log.info("second OCR engine unavailable: %s", e)
        return False
    return True


def version() -> str:
    """The engine's package version, for cache keys and reports ("" when unavailable)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as pkg_version

    try:
        return pkg_version(ENGINE)
    except PackageNotFoundError:
        return ""


def read_lines(crops: Sequence[Image.Image]) -> list[LineText]:
    """Recognise each image as one line of text (no detection), in order.

    Raises:
        RuntimeError: the engine is not available (check :func:`is_available` first).
    """
    if not crops:
        return []
    arrays = [np.asarray(c.convert("RGB"))[:, :, ::-1].copy() for c in crops]  # BGR
    results, _ = _engine().text_rec(arrays, return_word_box=True)
    _release()
    return [LineText(text=str(r[0]), score=float(r[1]), chars=_chars(r)) for r in results]


@functools.cache
def _libc() -> Any:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


def _release() -> None:
    """Hand the recogniser's freed buffers back to the system.

    Each batch of line crops has its own tensor shapes; glibc keeps what they freed, and a
    100-page volume grew the reading process from 650 to 880 MB. ``malloc_trim`` after each
    page keeps it flat.
    """
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


def _chars(result: Sequence[Any]) -> tuple[tuple[str, float], ...]:
    """Characters with their centre across the crop, from the recogniser's word boxes.

    rapidocr-onnxruntime 1.4 gives ``(text, score, [width, groups, positions, …])``:
    ``width`` columns in all, and per group of characters their column positions.
    """
    try:
        width, groups, positions = result[2][0], result[2][1], result[2][2]
        out = []
        for chars, cols in zip(groups, positions, strict=True):
            for ch, col in zip(chars, cols, strict=True):
                if not ch.isspace():
                    out.append((str(ch), min(1.0, max(0.0, float(col) / float(width)))))
        return tuple(out)
    except (IndexError, TypeError, ValueError, ZeroDivisionError):
        return ()
