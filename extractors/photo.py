"""Measure the ID photo for the PH rules: format, bytes, pixels, background."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from model.photo import PhotoInfo


def measure_photo(path: Path, rel: str) -> PhotoInfo:
    """Measure ``path``; image fields stay None when it cannot be decoded.

    The background sample is the top tenth of the image and the outer eighths of its
    upper half, where a head-and-shoulders photo shows only background.
    """
    size = path.stat().st_size
    try:
        with Image.open(path) as img:
            fmt = img.format
            img.load()
            rgb = ImageOps.exif_transpose(img).convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return PhotoInfo(file=rel, format=None, bytes=size)
    w, h = rgb.size
    boxes = [(0, 0, w, max(1, h // 10)),
             (0, 0, max(1, w // 8), max(1, h // 2)),
             (w - max(1, w // 8), 0, w, max(1, h // 2))]
    mins: list[int] = []
    spreads: list[int] = []
    for box in boxes:
        raw = rgb.crop(box).resize((32, 32)).tobytes()
        for i in range(0, len(raw), 3):
            lo, hi = min(raw[i:i + 3]), max(raw[i:i + 3])
            mins.append(lo)
            spreads.append(hi - lo)
    return PhotoInfo(file=rel, format=fmt, bytes=size, width=w, height=h,
                     border_min_mean=sum(mins) / len(mins),
                     border_spread_mean=sum(spreads) / len(spreads))
