"""Tesseract, through pytesseract: one page image in, words with boxes and confidences out.

Tesseract runs as a subprocess with one OpenMP thread (OMP_THREAD_LIMIT=1): with more,
a busy machine slowed a page from ~2 s to over 100 s (../shared/LAB-NOTES.md). Parallelism
comes from running several pages at once, not from threads inside Tesseract.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytesseract
from PIL import Image

log = logging.getLogger(__name__)

os.environ.setdefault("OMP_THREAD_LIMIT", "1")


class OcrFailedError(Exception):
    """Tesseract failed or timed out on a page."""


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


def _words(page: Path, lang: str, psm: int, timeout: float) -> list[OcrWord]:
    try:
        data = pytesseract.image_to_data(
            str(page), lang=lang, config=f"--psm {psm}",
            output_type=pytesseract.Output.DICT, timeout=timeout,
        )
    except pytesseract.TesseractError as e:
        raise OcrFailedError(f"tesseract failed: {e.message}") from e
    except RuntimeError as e:  # pytesseract signals its timeout this way
        raise OcrFailedError(f"tesseract: {e}") from e
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
