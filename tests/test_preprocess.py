"""Page clean-ups before OCR: the brightest channel and evening out the light."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from extractors import preprocess
from extractors.reading import read_document
from tests._images import text_image

DATA = Path(__file__).parent / "data"

LINES = ["实用新型名称：一种目标检测周界防范装置", "发明人：马红、潘晨、程国东",
         "专利权人：金华市中控电子工程有限公司", "授权公告日：2020年3月2日"]


def photographed(img: Image.Image) -> Image.Image:
    """``img`` as a phone photographs it: light falling off, a dark desk around the sheet."""
    a = np.asarray(img.convert("RGB"), dtype=np.float32)
    h, w, _ = a.shape
    fall = np.linspace(1.0, 0.45, w, dtype=np.float32)[None, :, None]  # a lamp on the left
    lit = a * fall
    desk = np.full((h + 160, w + 160, 3), (60, 40, 70), dtype=np.float32)
    desk[80:80 + h, 80:80 + w] = lit
    return Image.fromarray(desk.clip(0, 255).astype(np.uint8))


def test_max_channel_fades_colour_and_keeps_black() -> None:
    """This test ensures that highlighter and red ink go light and black print stays black."""
    img = Image.new("RGB", (30, 10), "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, 9, 9), fill=(255, 240, 60))  # yellow highlighter
    draw.rectangle((10, 0, 19, 9), fill=(210, 30, 30))  # a red seal
    draw.rectangle((20, 0, 29, 9), fill=(20, 20, 20))  # print
    out = np.asarray(preprocess.max_channel(img))
    assert out[5, 5] >= 250 and out[5, 15] >= 200 and out[5, 25] <= 25


def test_flattening_whitens_the_paper_and_keeps_the_print() -> None:
    """This test ensures that unevenly lit paper and a desk come out white, print dark."""
    photo = photographed(text_image(LINES, size=(1300, 420), font_px=40))
    grey = preprocess.max_channel(photo)
    assert preprocess.light_spread(preprocess.paper_light(grey)) < 0.6
    flat = preprocess.flatten_light(photo)
    # evener than the threshold that flattens a page (the sheet's edge stays a step)
    assert preprocess.light_spread(preprocess.paper_light(flat)) > preprocess.EVEN_LIGHT
    a = np.asarray(flat)
    paper = a[100:130, 1200:1300]  # the dim right edge of the sheet, above the text
    assert paper.mean() > 235
    assert np.percentile(a[130:500, 140:1300], 1) < 90  # the print keeps its contrast


def test_an_evenly_lit_page_is_left_as_it_is_below_the_threshold() -> None:
    """This test ensures that a flatbed scan is not flattened when only uneven pages are."""
    page = text_image(LINES, size=(1300, 420), font_px=40)
    assert preprocess.light_spread(preprocess.paper_light(preprocess.max_channel(page))) > 0.95
    same = preprocess.flatten_light(page, below=preprocess.EVEN_LIGHT)
    assert np.array_equal(np.asarray(same), np.asarray(preprocess.max_channel(page)))


@pytest.mark.needs_tesseract
def test_a_dim_phone_photo_is_read_whole(policy) -> None:
    """This test ensures that the lines of a dim, grainy phone photo on a desk are all read.

    The image is part of a phone photo the dossier generator made (a024 of seed 2026); read
    as its brightest channel alone, Tesseract found 12 characters of it.
    """
    path = DATA / "phone-photo-patent.jpg"
    (page,) = read_document(path, path.name, policy.reading).pages
    text = unicodedata.normalize("NFKC", page.text).replace(" ", "")
    for line in ("实用新型名称:一种目标检测周界防范装置", "专利号:ZL2018241883961.6",
                 "授权公告日:2020年3月2日"):
        assert line in text, text


def test_paper_light_is_the_brightest_cell_mean_around_each_cell() -> None:
    """This test ensures that the paper's light is computed exactly as it is defined.

    Each cell is the mean of its FLAT_CELL² pixels, rounded down, and then takes the
    brightest cell within FLAT_REACH cells, the window cut off at the page's edge (checked
    against a plain loop on a random page whose size is not a whole number of cells).
    """
    rng = np.random.default_rng(3)
    a = rng.integers(0, 256, (75, 98), dtype=np.uint8)
    c, k = preprocess.FLAT_CELL, preprocess.FLAT_REACH
    hc, wc = a.shape[0] // c, a.shape[1] // c
    means = np.array([[int(a[y * c:(y + 1) * c, x * c:(x + 1) * c].sum()) // (c * c)
                       for x in range(wc)] for y in range(hc)])
    want = np.array([[means[max(0, y - k):y + k + 1, max(0, x - k):x + k + 1].max()
                      for x in range(wc)] for y in range(hc)])
    assert np.array_equal(preprocess.paper_light(Image.fromarray(a)), want)
