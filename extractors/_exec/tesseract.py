"""Tesseract: one page image in, words with boxes and confidences out.

Tesseract runs with one OpenMP thread (OMP_THREAD_LIMIT=1): with more, a busy machine
slowed a page from ~2 s to over 100 s (../shared/LAB-NOTES.md). Parallelism comes from
reading several pages at once, not from threads inside Tesseract.

Two ways in, giving the same words:

- **Tesseract's library, in this process** (tesserocr, built against the system's
  libtesseract by scripts/setup.sh), when its version is the ``tesseract`` command's. The
  language model is loaded once, in the reading processes' forkserver
  (:mod:`extractors._exec.preload`), and every reading process forked from it has it. The
  command loads it again for every page: 0.13 s of a page's 0.2–1.5 s here, and on 30 pages
  of /tmp/b20 the command took 27.0 s of CPU against the library's 20.3 s. The page goes in
  as raw pixels (``SetImageBytes``): tesserocr's ``SetImage`` encodes a PNG first, which
  cost more than the command's whole start.
- **The ``tesseract`` command** (pytesseract), otherwise, or with ``PINGSHEN_TESSERACT=cli``.

A Tesseract crash in the library takes its reading process with it; the reading is then
tried once more, as a crashed command is (:data:`CRASH_RETRIES`, :mod:`extractors.reading`).
"""

from __future__ import annotations

import functools
import logging
import math
import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytesseract
from PIL import Image

# before the library loads OpenMP, which reads it once: with 2 threads it took 2.1 × the CPU
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
try:
    import tesserocr
except ImportError:  # the command is used instead
    tesserocr = None

log = logging.getLogger(__name__)


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

    In the library (:func:`in_process`), the image's pixels are handed over as they are.
    For the command, the image goes as an uncompressed TIFF that we write ourselves:
    pytesseract would write a PNG, and compressing an A4 page at 200 dpi took about a
    second, as long as the OCR itself (benchmarks/ocr_overhead.py). ``dpi`` is given to
    Tesseract either way, so it need not guess the resolution.

    Raises:
        OcrFailedError: Tesseract failed or ran past ``timeout`` seconds.
    """
    if in_process():
        return _parse(_library_tsv(image, lang, psm, timeout, dpi))
    with tempfile.TemporaryDirectory(prefix="pingshen-ocr-") as tmp:
        page = Path(tmp) / "page.tif"
        image.save(page, "TIFF", compression=None, **({"dpi": (dpi, dpi)} if dpi else {}))
        return _words(page, lang, psm, timeout)


CRASH_RETRIES = 1
"""Tries again after Tesseract was killed by a signal (a crash, the OOM killer): transient.
An error exit (a file it cannot read) is the input's fault and is never retried."""

_TSV_HEADER = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\t"
               "width\theight\tconf\ttext\n")  # the command writes it; the library does not
_MODES = {"L": 1, "RGB": 3}  # bytes a pixel, as the library takes them
_apis: dict[str, Any] = {}  # language -> the library's engine, loaded once a process
_engine_lock = threading.Lock()  # an engine reads one page at a time (a reading process has
# one thread; a process reading in threads takes turns)


@functools.cache
def in_process() -> bool:
    """True when pages are read by Tesseract's library in this process (tesserocr).

    Only when tesserocr is installed, ``PINGSHEN_TESSERACT`` is not ``cli``, and the
    library is the same Tesseract as the ``tesseract`` command: a tesserocr wheel brings
    its own (5.5.4), whose readings differ from the system's 5.3.0 (20 of 30 pages here),
    and the reading cache is keyed by the command's version.
    """
    if tesserocr is None or os.environ.get("PINGSHEN_TESSERACT", "").lower() == "cli":
        return False
    from extractors._exec.probe import TESSERACT

    library = tesserocr.tesseract_version().split()[1].lstrip("v")
    command = TESSERACT.version()
    if library != command:
        log.info("tesserocr has Tesseract %s, the command %s: using the command "
                 "(scripts/setup.sh builds tesserocr against the system's)", library, command)
        return False
    return True


def load(lang: str) -> None:
    """Load ``lang``'s model into this process now, when pages are read in it.

    Raises:
        OcrFailedError: the library cannot load the language.
    """
    if in_process():
        _engine(lang)


def _engine(lang: str) -> Any:
    api = _apis.get(lang)
    if api is None:
        try:
            api = tesserocr.PyTessBaseAPI(lang=lang, init=True)
        except RuntimeError as e:  # no such language data
            raise OcrFailedError(f"tesseract could not load language {lang!r}: {e}") from e
        _apis[lang] = api
    return api


def _library_tsv(image: Image.Image, lang: str, psm: int, timeout: float,
                 dpi: int | None) -> dict[str, list[Any]]:
    if image.mode not in _MODES:
        image = image.convert("L" if image.mode in ("1", "LA", "I;16") else "RGB")
    with _engine_lock:
        return _recognize(_engine(lang), image, psm, timeout, dpi)


def _recognize(api: Any, image: Image.Image, psm: int, timeout: float,
               dpi: int | None) -> dict[str, list[Any]]:
    bpp = _MODES[image.mode]
    api.SetPageSegMode(psm)
    api.SetImageBytes(image.tobytes(), image.width, image.height, bpp, image.width * bpp)
    if dpi:
        api.SetSourceResolution(dpi)
    started = time.monotonic()
    try:
        if not api.Recognize(timeout=max(1, round(timeout * 1000))):
            if time.monotonic() - started >= timeout:
                raise OcrTimeoutError(f"tesseract: ran past {timeout} s")
            raise OcrFailedError("tesseract could not read the page")
        tsv = api.GetTSVText(0)
    finally:
        api.Clear()
    return pytesseract.pytesseract.file_to_dict(_TSV_HEADER + tsv, "\t", -1)


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
    return _parse(data)


def _parse(data: dict[str, list[Any]]) -> list[OcrWord]:
    """The words of Tesseract's TSV (as pytesseract gives it: a list per column)."""
    words: list[OcrWord] = []
    if not data:  # no row at all
        return words
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
