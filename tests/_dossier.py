"""Helpers shared by the dossier drawing tests: draw one document, OCR it, score the OCR."""

from __future__ import annotations

import io
import os
from collections.abc import Callable

from PIL import Image
from rapidfuzz.distance import Levenshtein
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from fixtures.dossier.docs import PageOut, Style


def draw_pdf(fn: Callable[..., list[PageOut]], doc: object,
             style: Style) -> tuple[bytes, list[PageOut]]:
    """Draw ``doc`` with ``fn`` on a fresh invariant canvas; return the PDF and the pages."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    pages = fn(c, doc, style)
    c.save()
    return buf.getvalue(), pages


def squash(s: str) -> str:
    """``s`` without any whitespace."""
    return "".join(s.split())


def accuracy(ocr: str, truth: str) -> float:
    """Character accuracy of ``ocr`` against ``truth`` (1 - CER), whitespace ignored."""
    ocr, truth = squash(ocr), squash(truth)
    return 1 - Levenshtein.distance(ocr, truth) / len(truth)


def ocr_image(img: Image.Image) -> str:
    """Tesseract's chi_sim text of ``img`` (one thread per process, psm 3)."""
    import pytesseract

    os.environ["OMP_THREAD_LIMIT"] = "1"
    return pytesseract.image_to_string(img, lang="chi_sim", config="--psm 3")
