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

import contextlib
import functools
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from extractors._exec import heap

log = logging.getLogger(__name__)

ENGINE = "rapidocr-onnxruntime"
KEEP_CROPS_ENV = "PINGSHEN_KEEP_CROPS"
"""For benchmarks/batch.py: when set to a folder, each :func:`read_lines` call saves its crops
there (a sub-folder a call), so that the second engine's work can be timed apart from the
run's. Unset, nothing is saved."""


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
    _keep(crops)
    arrays = [np.asarray(c.convert("RGB"))[:, :, ::-1].copy() for c in crops]  # BGR
    results, _ = _engine().text_rec(arrays, return_word_box=True)
    _release()
    return [LineText(text=str(r[0]), score=float(r[1]), chars=_chars(r)) for r in results]


def _keep(crops: Sequence[Image.Image]) -> None:
    """Save the crops under $PINGSHEN_KEEP_CROPS, when set (never fails the reading)."""
    folder = os.environ.get(KEEP_CROPS_ENV)
    if not folder:
        return
    with contextlib.suppress(OSError, ValueError):
        call = Path(folder) / f"{os.getpid()}-{time.monotonic_ns()}"
        call.mkdir(parents=True, exist_ok=True)
        for i, crop in enumerate(crops):  # not compressed: the run being timed pays less
            crop.save(call / f"{i:03d}.png", compress_level=0)


def crops_kept(folder: Path) -> list[list[Image.Image]]:
    """The crops :func:`read_lines` saved under ``folder``, a list a call."""
    calls = []
    for call in sorted(p for p in folder.iterdir() if p.is_dir()):
        crops = []
        for png in sorted(call.glob("*.png")):
            with Image.open(png) as img:
                crops.append(img.convert("RGB"))
        calls.append(crops)
    return calls


def _release() -> None:
    """Hand the recogniser's freed buffers back to the system.

    Each batch of line crops has its own tensor shapes; glibc keeps what they freed, and a
    100-page volume grew the reading process from 650 to 880 MB. ``malloc_trim`` after each
    page keeps it flat.
    """
    libc = heap.libc()
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
