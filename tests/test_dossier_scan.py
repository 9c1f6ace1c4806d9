"""Tests of the scan and phone-photo simulation in fixtures/dossier/scan.py."""

from __future__ import annotations

import dataclasses
import io
import random
from functools import cache

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageOps, ImageSequence
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from fixtures.dossier import scan
from fixtures.dossier.scan import Degradation

SQUARE = (120.0, 200.0, 180.0, 260.0)  # x0, top, x1, bottom in PDF points, top-left origin
DPI = 100


def _page_pdf(*, square: bool) -> bytes:
    """One A4 page with a line of text and, when ``square``, the black SQUARE."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setFont("Helvetica", 14)
    c.drawString(72, 780, "Synthetic scan test page")
    if square:
        x0, top, x1, bottom = SQUARE
        c.rect(x0, A4[1] - bottom, x1 - x0, bottom - top, fill=1, stroke=0)
    c.showPage()
    c.save()
    return buf.getvalue()


@cache
def _rendered(dpi: int, *, square: bool) -> Image.Image:
    return scan.rasterise(_page_pdf(square=square), 0, dpi)


def _mean_abs_diff(a: Image.Image, b: Image.Image) -> float:
    return float(np.abs(np.asarray(a, np.int16) - np.asarray(b, np.int16)).mean())


PHONE = Degradation(
    dpi=150,
    quarter=90,
    angle=-2.0,
    noise=6.0,
    blur=0.8,
    jpeg_quality=70,
    light=0.3,
    perspective=0.04,
    seed=7,
)


def test_rasterise_gives_the_page_size_in_pixels() -> None:
    """This test ensures that a page renders at page size × dpi / 72, in RGB."""
    img = _rendered(DPI, square=True)
    assert img.mode == "RGB"
    assert abs(img.width - A4[0] * DPI / 72) <= 1
    assert abs(img.height - A4[1] * DPI / 72) <= 1


def test_degrade_is_deterministic() -> None:
    """This test ensures that the same degradation gives the same pixels and homography."""
    img = _rendered(DPI, square=True)
    a, ha = scan.degrade(img, PHONE)
    b, hb = scan.degrade(img, PHONE)
    assert a.tobytes() == b.tobytes()
    assert np.array_equal(ha, hb)
    c, _ = scan.degrade(img, dataclasses.replace(PHONE, seed=8))
    assert c.tobytes() != a.tobytes()


@pytest.mark.parametrize(
    "d",
    [
        Degradation(dpi=DPI, seed=1),
        Degradation(dpi=DPI, quarter=90, seed=2),
        Degradation(dpi=DPI, quarter=180, angle=1.5, noise=5, blur=0.7, light=0.08, seed=3),
        Degradation(dpi=DPI, quarter=270, angle=-2.8, noise=4, seed=4),
        Degradation(dpi=200, angle=2.5, noise=10, blur=1.4, light=0.3, perspective=0.05, seed=5),
        Degradation(dpi=DPI, quarter=90, angle=-1, noise=3, light=0.2, perspective=0.03, seed=6),
    ],
    ids=["plain", "q90", "q180-skew", "q270-skew", "phone-200dpi", "phone-q90"],
)
def test_map_bbox_follows_the_pixels(d: Degradation) -> None:
    """This test ensures that map_bbox puts a square's box where its pixels end up.

    The page with the square and the page without it are degraded alike (same seed, so
    the same noise and background); the square is where they differ. Pages render at
    ``d.dpi``.
    """
    with_sq, h = scan.degrade(_rendered(d.dpi, square=True), d)
    without, h2 = scan.degrade(_rendered(d.dpi, square=False), d)
    assert np.array_equal(h, h2)
    diff = np.asarray(without.convert("L"), np.int16) - np.asarray(with_sq.convert("L"), np.int16)
    ys, xs = np.nonzero(diff > 100)
    assert len(xs) > 500
    x0, top, x1, bottom = scan.map_bbox(h, SQUARE, d.dpi / 72)
    cx, cy = xs.mean() + 0.5, ys.mean() + 0.5  # pixel centres
    assert abs(cx - (x0 + x1) / 2) <= 3
    assert abs(cy - (top + bottom) / 2) <= 3
    inside = (
        (xs + 0.5 >= x0 - 3)
        & (xs + 0.5 <= x1 + 3)
        & (ys + 0.5 >= top - 3)
        & (ys + 0.5 <= bottom + 3)
    )
    assert inside.mean() >= 0.9
    # the page's own corners stay inside the output image
    w, hh = _rendered(d.dpi, square=True).size
    corners = scan.map_bbox(h, (0, 0, w * 72 / d.dpi, hh * 72 / d.dpi), d.dpi / 72)
    assert corners[0] >= -0.5 and corners[1] >= -0.5
    assert corners[2] <= with_sq.width + 0.5 and corners[3] <= with_sq.height + 0.5


def test_quarter_turns_swap_the_size() -> None:
    """This test ensures that a page turned 90 or 270 degrees without skew is exactly swapped."""
    img = _rendered(DPI, square=True)
    for quarter in (90, 270):
        out, _ = scan.degrade(img, Degradation(dpi=DPI, quarter=quarter))
        assert out.size == (img.height, img.width)
        turn = Image.Transpose.ROTATE_270 if quarter == 90 else Image.Transpose.ROTATE_90
        assert _mean_abs_diff(out, img.transpose(turn)) < 1.0  # clockwise as documented
    out, _ = scan.degrade(img, Degradation(dpi=DPI, quarter=180))
    assert out.size == img.size


def test_phone_photo_has_a_darker_margin() -> None:
    """This test ensures that a phone photo lies on a larger, darker desk."""
    img = _rendered(DPI, square=False)
    out, _ = scan.degrade(img, Degradation(dpi=DPI, perspective=0.03, light=0.2, seed=11))
    assert out.width > img.width and out.height > img.height
    grey = np.asarray(out.convert("L"), np.float32)
    assert grey[:4].mean() < 160  # desk along the top edge
    assert grey[grey.shape[0] // 2, grey.shape[1] // 2] > 150  # paper in the middle


def test_random_degradation_stays_in_range() -> None:
    """This test ensures that random degradations respect the flatbed/phone ranges."""
    rng = random.Random(3)
    flat = [scan.random_degradation(rng, phone=False) for _ in range(200)]
    phone = [scan.random_degradation(rng, phone=True) for _ in range(200)]
    assert all(d.perspective == 0 and d.light <= 0.1 for d in flat)
    assert all(d.perspective > 0 and 0.1 <= d.light <= 0.35 for d in phone)
    assert all(d.jpeg_quality is not None for d in phone)
    turned = sum(d.quarter != 0 for d in flat + phone)
    assert 20 <= turned <= 80  # about one in eight
    again = random.Random(3)
    assert scan.random_degradation(again, phone=False) == flat[0]


def test_degradation_rejects_out_of_range_values() -> None:
    """This test ensures that impossible degradations are refused."""
    with pytest.raises(ValueError, match="quarter"):
        Degradation(dpi=200, quarter=45)
    with pytest.raises(ValueError, match="dpi"):
        Degradation(dpi=1200)


def test_savers_are_deterministic() -> None:
    """This test ensures that every saver writes identical bytes twice."""
    img, _ = scan.degrade(_rendered(DPI, square=True), PHONE)
    small = img.resize((img.width // 2, img.height // 2))
    for save in (
        lambda: scan.to_jpeg(img, 70, 150),
        lambda: scan.to_png(small, 150),
        lambda: scan.to_tiff([small, small.rotate(90, expand=True)], 150),
        lambda: scan.to_image_pdf([(img, 150, 70), (small, 75, None)]),
        lambda: scan.with_exif_orientation(scan.to_jpeg(small, 80, 150), 6),
    ):
        assert save() == save()


def test_jpeg_and_png_carry_the_dpi() -> None:
    """This test ensures that JPEG and PNG files carry the dpi and no EXIF."""
    img = _rendered(DPI, square=True)
    with Image.open(io.BytesIO(scan.to_jpeg(img, 80, 150))) as im:
        assert im.format == "JPEG"
        assert round(im.info["dpi"][0]) == 150
        assert not im.getexif()
    with Image.open(io.BytesIO(scan.to_png(img, 150))) as im:
        assert im.format == "PNG"
        assert round(im.info["dpi"][0]) == 150


def test_tiff_has_every_page_and_the_dpi() -> None:
    """This test ensures that the multi-page TIFF holds n frames, compressed, with the dpi."""
    img = _rendered(DPI, square=True)
    frames = [img, img.rotate(90, expand=True), img.convert("L")]
    with Image.open(io.BytesIO(scan.to_tiff(frames, 120))) as im:
        assert im.n_frames == 3
        seen = [
            (f.size, round(f.info["dpi"][0]), f.info["compression"])
            for f in ImageSequence.Iterator(im)
        ]
    assert [s for s, _, _ in seen] == [f.size for f in frames]
    assert {d for _, d, _ in seen} == {120}
    assert {c for _, _, c in seen} == {"tiff_adobe_deflate"}


def test_image_pdf_has_no_text_and_the_right_page_size() -> None:
    """This test ensures that the image PDF is image-only, sized by dpi, DCT or Flate."""
    img, _ = scan.degrade(_rendered(DPI, square=True), PHONE)
    small = img.resize((300, 400))
    data = scan.to_image_pdf([(img, 150, 60), (small, 100, None)])
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2
    filters = []
    for page in reader.pages:
        assert page.extract_text().strip() == ""
        xobjects = page["/Resources"]["/XObject"]
        (ref,) = xobjects.values()
        obj = ref.get_object()
        assert obj["/Subtype"] == "/Image"
        filters.append(obj["/Filter"])
    assert filters == ["/DCTDecode", "/FlateDecode"]
    doc = pdfium.PdfDocument(data)
    try:
        for i, (pic, dpi) in enumerate([(img, 150), (small, 100)]):
            page = doc[i]
            assert page.get_size() == pytest.approx(
                (pic.width * 72 / dpi, pic.height * 72 / dpi), abs=0.01
            )
            assert page.get_textpage().get_text_range().strip() == ""
            rendered = page.render(scale=dpi / 72).to_pil().convert("RGB")
            assert abs(rendered.width - pic.width) <= 1
            assert abs(rendered.height - pic.height) <= 1
            limit = 6.0 if i == 0 else 1.0  # JPEG 60 vs lossless
            assert _mean_abs_diff(rendered.resize(pic.size), pic) < limit
            page.close()
    finally:
        doc.close()


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_exif_orientation_round_trip(orientation: int) -> None:
    """This test ensures that stored-turned pixels plus the tag show upright in a viewer."""
    upright = _rendered(DPI, square=True).resize((300, 420))
    stored = scan.store_turned(upright, orientation)
    if orientation in (6, 8):
        assert stored.size == (upright.height, upright.width)
    plain = scan.to_jpeg(stored, 85, 150)
    tagged = scan.with_exif_orientation(plain, orientation)
    with Image.open(io.BytesIO(tagged)) as im:
        assert im.getexif()[scan.EXIF_ORIENTATION_TAG] == orientation
        assert im.size == stored.size
        assert round(im.info["dpi"][0]) == 150
        shown = ImageOps.exif_transpose(im).convert("RGB")
    assert shown.size == upright.size
    assert _mean_abs_diff(shown, upright) < 3.0
    with Image.open(io.BytesIO(plain)) as a, Image.open(io.BytesIO(tagged)) as b:
        assert a.tobytes() == b.tobytes()  # the pixels were not re-encoded
