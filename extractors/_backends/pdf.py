"""PDF access: the only module that imports pypdf, pdfplumber and pypdfium2 for reading.

Third-party errors are translated into model.errors.FileProblemError subclasses. Page
numbers are zero-based (``pageno``) here.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
from PIL import Image
from pypdf import PasswordType, PdfReader

from model.errors import EncryptedPdfError, UnreadableFileError

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


@contextlib.contextmanager
def open_text_pages(path: Path) -> Iterator[Iterator[str]]:
    """Yield an iterator over each page's text layer (empty string when it has none).

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

    def pages() -> Iterator[str]:
        for page in pdf.pages:
            try:
                text = page.extract_text() or ""
            except Exception as e:  # one broken page must not lose the others
                log.warning("text layer of a page could not be read: %s", type(e).__name__)
                text = ""
            finally:
                page.close()
            yield text

    try:
        yield pages()
    finally:
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
