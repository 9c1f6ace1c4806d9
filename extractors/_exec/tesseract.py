"""Tesseract, through pytesseract: one page image in, words with boxes and confidences out.

Tesseract runs as a subprocess with one OpenMP thread (OMP_THREAD_LIMIT=1): with more,
a busy machine slowed a page from ~2 s to over 100 s (../shared/LAB-NOTES.md). Parallelism
comes from running several pages at once, not from threads inside Tesseract.
"""

from __future__ import annotations

import logging
import math
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytesseract
from PIL import Image

log = logging.getLogger(__name__)

os.environ.setdefault("OMP_THREAD_LIMIT", "1")


class OcrFailedError(Exception):
    """Tesseract failed or timed out on a page."""


class OcrTimeoutError(OcrFailedError):
    """Tesseract ran past its time limit on a page and was stopped."""


@dataclass(frozen=True, slots=True)
class OcrWord:
    """One word as Tesseract saw it; bbox in the image's pixels, origin top-left."""

    text: str
    bbox: tuple[float, float, float, float]
    conf: float
    line_key: tuple[int, int, int, int]


def image_to_words(image: Image.Image, lang: str, *, psm: int = 3, timeout: float = 120,
                   dpi: int | None = None) -> list[OcrWord]:
    """OCR ``image`` and return its words in reading order.

    The image goes to Tesseract as an uncompressed TIFF that we write ourselves: pytesseract
    would write a PNG, and compressing an A4 page at 200 dpi took about a second, as long as
    the OCR itself (benchmarks/ocr_overhead.py). ``dpi`` is recorded in the file so
    Tesseract need not guess the resolution.

    Raises:
        OcrFailedError: Tesseract exited with an error or ran past ``timeout`` seconds.
    """
    with tempfile.TemporaryDirectory(prefix="pingshen-ocr-") as tmp:
        page = Path(tmp) / "page.tif"
        image.save(page, "TIFF", compression=None, **({"dpi": (dpi, dpi)} if dpi else {}))
        return _words(page, lang, psm, timeout)


CRASH_RETRIES = 1
"""Tries again after Tesseract was killed by a signal (a crash, the OOM killer): transient.
An error exit (a file it cannot read) is the input's fault and is never retried."""


def _words(page: Path, lang: str, psm: int, timeout: float) -> list[OcrWord]:
    for attempt in range(CRASH_RETRIES + 1):
        try:
            data = pytesseract.image_to_data(
                str(page), lang=lang, config=f"--psm {psm}",
                output_type=pytesseract.Output.DICT, timeout=timeout,
            )
            break
        except pytesseract.TesseractError as e:
            if e.status < 0 and attempt < CRASH_RETRIES:  # killed by a signal: once more
                log.warning("tesseract was killed by signal %d; trying the page again",
                            -e.status)
                continue
            raise OcrFailedError(f"tesseract failed: {e.message}") from e
        except RuntimeError as e:  # pytesseract signals its timeout this way
            raise OcrTimeoutError(f"tesseract: {e}") from e
    words: list[OcrWord] = []
    for i, text in enumerate(data["text"]):
        conf = float(data["conf"][i])
        if conf < 0 or not text.strip():
            continue
        x, y, w, h = (float(data[k][i]) for k in ("left", "top", "width", "height"))
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i], data["page_num"][i])
        words.append(OcrWord(text=text.strip(), bbox=(x, y, x + w, y + h), conf=conf / 100,
                             line_key=key))
    return words


OSD_SIDE: int | None = None  # OSD sees the page at full size: at 1600 px it was less accurate
OSD_MIN_CHARACTERS = 50  # Tesseract's min_characters_to_try (its default)
_OSD_ROTATE = re.compile(r"^Rotate:\s*(\d+)", re.MULTILINE)
_OSD_CONF = re.compile(r"^Orientation confidence:\s*([-\d.]+)", re.MULTILINE)


def detect_orientation(image: Image.Image, *, timeout: float, side: int | None = OSD_SIDE,
                       min_characters: int = OSD_MIN_CHARACTERS) -> tuple[int, float]:
    """Which quarter turn makes the page upright, by Tesseract's OSD (``--psm 0``).

    OSD runs on a greyscale copy, scaled down to ``side`` pixels on the long side when
    given. Measured on 248 scanned Chinese pages (benchmarks/orientation.py): right on 242
    at full size, 237 at 1600 px, and it cost about as much CPU as reading the page with
    chi_sim; pages need not be asked first (see :mod:`extractors._exec.upright`).

    Returns:
        The clockwise turn that makes the page upright (0, 90, 180 or 270) and Tesseract's
        orientation confidence (0 up; below about 1 it is a guess). A page with too few
        characters for OSD gives ``(0, 0.0)``.

    Raises:
        OcrFailedError: Tesseract exited with another error or ran past ``timeout`` seconds.
    """
    grey = image.convert("L")
    factor = side / max(grey.size) if side else 1.0
    if factor < 1:
        size = (max(1, round(grey.width * factor)), max(1, round(grey.height * factor)))
        grey = grey.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    with tempfile.TemporaryDirectory(prefix="pingshen-osd-") as tmp:
        page = Path(tmp) / "page.tif"
        grey.save(page, "TIFF", compression=None)
        try:
            out = pytesseract.image_to_osd(
                str(page), config=f"-c min_characters_to_try={min_characters}",
                timeout=timeout)
        except pytesseract.TesseractError as e:
            if "too few characters" in e.message.lower():
                log.debug("OSD: too few characters")
                return 0, 0.0
            raise OcrFailedError(f"tesseract OSD failed: {e.message}") from e
        except RuntimeError as e:  # pytesseract signals its timeout this way
            raise OcrTimeoutError(f"tesseract OSD: {e}") from e
    rotate, conf = _OSD_ROTATE.search(out), _OSD_CONF.search(out)
    if rotate is None or conf is None or int(rotate.group(1)) % 90:
        raise OcrFailedError(f"tesseract OSD: unexpected output {out[:200]!r}")
    value = float(conf.group(1))
    return int(rotate.group(1)) % 360, value if math.isfinite(value) else 0.0
