"""Helpers that draw small real images and PDFs with Chinese text for the tests."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from generators import fonts


def text_image(lines: list[str], *, size: tuple[int, int] = (1240, 400),
               font_px: int = 44) -> Image.Image:
    """A white page image with ``lines`` in black CJK print."""
    path = fonts.font_path()
    assert path is not None, "a CJK font is needed for the tests (scripts/setup.sh)"
    font = ImageFont.truetype(str(path), font_px, index=0)
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((60, 50 + i * int(font_px * 1.8)), line, font=font, fill="black")
    return img


def text_pdf(path: Path, pages: list[str]) -> Path:
    """A born-digital PDF, one page per string, the CJK font embedded."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    name = fonts.cjk_font()
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for text in pages:
        c.setFont(name, 16)
        c.drawString(72, 760, text)
        c.showPage()
    c.save()
    return path


def image_pdf(path: Path, image: Image.Image, *more: Image.Image) -> Path:
    """An image-only PDF (a scan): no text layer, one page per image."""
    image.save(path, "PDF", resolution=150, save_all=True, append_images=list(more))
    return path
