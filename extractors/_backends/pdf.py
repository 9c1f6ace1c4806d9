"""PDF access: with :mod:`.pdf_marks`, the only modules that import the PDF libraries.

pypdf, pdfplumber and pypdfium2 are used here and nowhere else.

Third-party errors are translated into model.errors.FileProblemError subclasses. Page
numbers are zero-based (``pageno``) here.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image
from pypdf import PasswordType, PdfReader

from extractors._backends import pdf_marks
from model.errors import EncryptedPdfError, UnreadableFileError
from model.marks import Mark, Seal

log = logging.getLogger(__name__)

# PDFium is not thread-safe, not even across documents: every call into it holds this lock.
_PDFIUM_LOCK = threading.RLock()

# pdfminer and pypdf log loudly about every small defect of real-world PDFs.
for _name in ("pdfminer", "pdfplumber", "pypdf"):
    logging.getLogger(_name).setLevel(logging.ERROR)


def page_count(path: Path) -> int:
    """Number of pages; opens with the empty password when only an owner password is set.

    Raises:
        EncryptedPdfError: a user password is needed.
        UnreadableFileError: the file is not a PDF that can be parsed.
    """
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise EncryptedPdfError()
        return len(reader.pages)
    except EncryptedPdfError:
        raise
    except Exception as e:  # pypdf raises bare TypeError/ValueError/... on broken files
        raise UnreadableFileError(f"PDF 无法解析：{type(e).__name__}: {e}"[:300]) from e


@dataclass(frozen=True, slots=True)
class LayerPage:
    """A page's text layer as pdfplumber reads it.

    ``words`` are ``(text, (x0, top, x1, bottom))`` in PDF points, origin top-left, in
    reading order; ``lines`` gives each word's line number.
    """

    text: str
    words: tuple[tuple[str, tuple[float, float, float, float]], ...] = ()
    lines: tuple[int, ...] = ()
    marks: tuple[Mark, ...] = ()
    seals: tuple[Seal, ...] = ()


def _drawn(page: Any) -> tuple[tuple[Mark, ...], tuple[Seal, ...]]:
    """The marks and seals painted on the page (:func:`.pdf_marks.drawing_marks`)."""
    try:
        marks, seals = pdf_marks.drawing_marks(page)
    except Exception as e:  # marks are a help: a page whose drawing breaks keeps its text
        log.warning("the drawing of a page could not be read: %s", type(e).__name__)
        return (), ()
    return tuple(marks), tuple(seals)


def _layer_page(page: Any) -> LayerPage:
    text = page.extract_text() or ""
    marks, seals = _drawn(page)
    if not text.strip():
        return LayerPage(text=text, marks=marks, seals=seals)
    raw = sorted(page.extract_words(keep_blank_chars=False, use_text_flow=False),
                 key=lambda w: (round(w["top"]), w["x0"]))
    words, lines, line, last_top, last_height = [], [], -1, None, 0.0
    for w in raw:
        height = w["bottom"] - w["top"]
        if last_top is None or abs(w["top"] - last_top) > 0.5 * max(height, last_height):
            line += 1
            last_top, last_height = w["top"], height
        words.append((w["text"], (float(w["x0"]), float(w["top"]), float(w["x1"]),
                                  float(w["bottom"]))))
        lines.append(line)
    return LayerPage(text=text, words=tuple(words), lines=tuple(lines), marks=marks,
                     seals=seals)


class TextLayer:
    """The text layers of one open document, page by page (pdfplumber)."""

    def __init__(self, pdf: Any) -> None:
        """Wrap an open pdfplumber document."""
        self._pdf = pdf

    def page_count(self) -> int:
        """Number of pages pdfplumber sees (0 when its page tree cannot be walked)."""
        try:
            return len(self._pdf.pages)
        except Exception as e:  # a looping or broken page tree: PDFium may still see pages
            log.warning("pdfplumber cannot list the pages: %s", type(e).__name__)
            return 0

    def __iter__(self) -> Iterator[LayerPage]:
        """Each page's layer in order; a page whose layer breaks gives empty text."""
        try:
            pages = self._pdf.pages
        except Exception:
            return
        for page in pages:
            try:
                layer = _layer_page(page)
            except Exception as e:  # one broken page must not lose the others
                log.warning("text layer of a page could not be read: %s", type(e).__name__)
                layer = LayerPage(text="")
            finally:
                page.close()
            yield layer


def annotation_marks(path: Path) -> dict[int, list[Mark]]:
    """The marks of the file's annotations, by 0-based page (:mod:`.pdf_marks`); never raises."""
    try:
        return pdf_marks.annotation_marks(path)
    except Exception as e:  # marks are a help: a file whose annotations break keeps its text
        log.warning("the annotations could not be read: %s", type(e).__name__)
        return {}


@contextlib.contextmanager
def open_text_pages(path: Path) -> Iterator[TextLayer]:
    """Open ``path`` with pdfplumber for its pages' text layers.

    Raises:
        EncryptedPdfError: a user password is needed.
        UnreadableFileError: pdfplumber cannot open it.
    """
    try:
        pdf = pdfplumber.open(path, password="")
    except Exception as e:
        if "password" in repr(e).lower() or "PDFPassword" in repr(e.__cause__):
            raise EncryptedPdfError() from e
        raise UnreadableFileError(f"PDF 无法打开：{type(e).__name__}: {e}"[:300]) from e
    try:
        yield TextLayer(pdf)
    finally:
        with contextlib.suppress(Exception):
            pdf.close()


@contextlib.contextmanager
def open_renderer(path: Path) -> Iterator[PdfRenderer]:
    """Open ``path`` with PDFium for rasterising pages.

    Raises:
        EncryptedPdfError, UnreadableFileError: PDFium cannot load it.
    """
    try:
        with _PDFIUM_LOCK:
            doc = pdfium.PdfDocument(path, password=None)
    except pdfium.PdfiumError as e:
        if "password" in str(e).lower():
            raise EncryptedPdfError() from e
        raise UnreadableFileError(f"PDF 无法渲染：{e}"[:300]) from e
    try:
        yield PdfRenderer(doc)
    finally:
        with _PDFIUM_LOCK:
            doc.close()


class PdfRenderer:
    """Rasterises pages of one open document (PDFium: one document per thread at a time)."""

    def __init__(self, doc: pdfium.PdfDocument) -> None:
        """Wrap an open PDFium document."""
        self._doc = doc

    def page_count(self) -> int:
        """Number of pages PDFium sees."""
        with _PDFIUM_LOCK:
            return len(self._doc)

    def page_size(self, pageno: int) -> tuple[float, float]:
        """Page size in PDF points (after /Rotate)."""
        with _PDFIUM_LOCK:
            page = self._doc[pageno]
            try:
                return page.get_size()
            finally:
                page.close()

    def char_styles(self, pageno: int) -> tuple[dict[str, object], ...]:
        """Each character's text, render mode (0–7; -1 generated) and fill alpha (0–1).

        pdfplumber keeps neither the render mode nor the alpha, so an invisible text layer
        (render mode 3: another engine's OCR) is only visible through PDFium.
        """
        r, g, b, a = (ctypes.c_uint() for _ in range(4))
        with _PDFIUM_LOCK:
            page = self._doc[pageno]
            textpage = page.get_textpage()
            try:
                out: list[dict[str, object]] = []
                for i in range(textpage.count_chars()):
                    code = pdfium_c.FPDFText_GetUnicode(textpage.raw, i)
                    obj = pdfium_c.FPDFText_GetTextObject(textpage.raw, i)
                    mode = pdfium_c.FPDFTextObj_GetTextRenderMode(obj) if obj else -1
                    filled = pdfium_c.FPDFText_GetFillColor(textpage.raw, i, r, g, b, a)
                    out.append({"text": chr(code) if code else "", "render_mode": int(mode),
                                "fill_alpha": a.value / 255 if filled else None})
                return tuple(out)
            finally:
                textpage.close()
                page.close()

    def render(self, pageno: int, dpi: int) -> Image.Image:
        """The page as an RGB image at ``dpi``."""
        with _PDFIUM_LOCK:
            page = self._doc[pageno]
            try:
                bitmap = page.render(scale=dpi / 72)
                try:
                    return bitmap.to_pil().convert("RGB")
                finally:
                    bitmap.close()
            finally:
                page.close()
