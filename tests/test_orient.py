"""Turning scanned pages upright: quarter turns, skew, and mapping boxes back to the scan."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageChops, ImageDraw

from extractors import orient, text
from extractors._exec import tesseract, upright
from tests._dossier import accuracy
from tests._images import text_image

LINES = [
    "专业技术职务任职资格评审表",
    "姓名 王丽 工作单位 浙江省安全技术防范行业协会",
    "现任职务 工程师 申报职务 高级工程师",
    "学历 本科 毕业学校 浙江工业大学 电子信息工程",
    "任现职以来主要业绩 完成视频监控系统集成项目三项",
    "发表论文两篇 获得实用新型专利一项",
]
MARK = (1150, 40)  # a red dot on the upright page, in its pixels


def _page() -> Image.Image:
    img = text_image(LINES, size=(1240, 640), font_px=36)
    x, y = MARK
    ImageDraw.Draw(img).ellipse((x - 6, y - 6, x + 6, y + 6), fill=(255, 0, 0))
    return img


def _scanned(page: Image.Image, quarter: int, skew: float) -> Image.Image:
    """The page skewed ``skew``° counter-clockwise, then turned ``quarter``° clockwise."""
    tilted = page.rotate(skew, resample=Image.Resampling.BICUBIC, expand=True,
                         fillcolor="white")
    return tilted.rotate(-quarter, expand=True)


def _red_dot(img: Image.Image) -> tuple[float, float]:
    """The centre of the red mark."""
    a = np.asarray(img.convert("RGB"), dtype=np.int16)
    ys, xs = np.nonzero((a[..., 0] > 180) & (a[..., 1] < 90) & (a[..., 2] < 90))
    return float(xs.mean()) + 0.5, float(ys.mean()) + 0.5


def _ocr_accuracy(img: Image.Image) -> float:
    words = tesseract.image_to_words(img, "chi_sim", timeout=60)
    return accuracy(text.words_to_text(words), "\n".join(LINES))


@pytest.fixture(scope="module")
def page() -> Image.Image:
    """The upright test page."""
    return _page()


@pytest.mark.parametrize("quarter", orient.QUARTERS)
def test_make_upright_undoes_a_quarter_turn_exactly(page: Image.Image, quarter: int) -> None:
    """This test ensures that a page turned by a quarter comes back pixel for pixel."""
    scan = _scanned(page, quarter, 0.0)
    up = orient.make_upright(scan, (360 - quarter) % 360, 0.0)
    assert up.image.size == page.size
    assert ImageChops.difference(up.image.convert("RGB"), page).getbbox() is None
    assert orient.map_point(up.to_source, *MARK) == pytest.approx(_red_dot(scan), abs=1.0)


@pytest.mark.parametrize(("quarter", "skew"), [(0, 2.5), (90, -2.0), (180, 3.0), (270, -2.5),
                                               (0, 0.0)])
def test_estimate_skew_is_within_half_a_degree(page: Image.Image, quarter: int,
                                               skew: float) -> None:
    """This test ensures that the skew is found on pages in any quarter turn."""
    assert orient.estimate_skew(_scanned(page, quarter, skew)) == pytest.approx(skew, abs=0.5)


def test_to_source_maps_a_point_of_the_upright_page_back_to_the_scan(page: Image.Image) -> None:
    """This test ensures that to_source carries the upright page's pixels to the scan's."""
    scan = _scanned(page, 90, 2.5)
    up = orient.make_upright(scan, 270, 2.5)
    assert up.image.width > up.image.height  # landscape again
    assert orient.map_point(up.to_source, *_red_dot(up.image)) == pytest.approx(
        _red_dot(scan), abs=1.5)
    x, y = _red_dot(up.image)
    box = orient.map_box(up.to_source, (x - 1, y - 1, x + 1, y + 1))
    sx, sy = _red_dot(scan)
    assert box[0] < sx < box[2] and box[1] < sy < box[3]


def test_map_box_is_the_box_around_the_mapped_corners() -> None:
    """This test ensures that map_box returns the axis-aligned box of the 4 mapped corners."""
    turn = orient.quarter_matrix(90, 100, 50)  # a 100 × 50 image turned clockwise: 50 × 100
    assert orient.map_box(turn, (10, 5, 30, 15)) == pytest.approx((35, 10, 45, 30))
    assert orient.map_box(np.eye(3), (1, 2, 3, 4)) == (1, 2, 3, 4)


def test_rotate_keeps_the_whole_page_on_white() -> None:
    """This test ensures that rotate grows the canvas, fills it white, and turns 90° exactly."""
    img = Image.new("L", (200, 100), 0)
    turned = orient.rotate(img, 90)
    assert turned.size == (100, 200) and turned.getextrema() == (0, 0)
    tilted = orient.rotate(img, 10)
    assert tilted.width > 200 and tilted.height > 100
    assert tilted.getpixel((0, 0)) == 255


def test_make_upright_rejects_a_bad_quarter(page: Image.Image) -> None:
    """This test ensures that only quarter turns are accepted."""
    with pytest.raises(ValueError, match="quarter"):
        orient.make_upright(page, 45, 0.0)


@pytest.mark.needs_tesseract
@pytest.mark.parametrize("quarter", [90, 180, 270])
def test_turned_page_is_read_upright(page: Image.Image, quarter: int) -> None:
    """This test ensures that a turned, skewed page is read right, its words in scan pixels."""
    scan = _scanned(page, quarter, 2.5)
    read = upright.read_upright(scan, "chi_sim", timeout=60)
    assert read.quarter == (360 - quarter) % 360
    # read as scanned first; Tesseract (psm 3) turns a page with vertical lines by itself,
    # other turns read too badly to be accepted and the page is read again turned 180°
    assert read.tries == (1 if quarter == 90 else 2)
    assert accuracy(text.words_to_text(read.words), "\n".join(LINES)) > 0.8
    w, h = scan.size
    for word in read.words:  # boxes are in the scan's pixels
        x0, y0, x1, y1 = word.bbox
        assert -2 <= x0 < x1 <= w + 2 and -2 <= y0 < y1 <= h + 2
    name = next(wd for wd in read.words if "王丽" in wd.text or "姓名" in wd.text)
    up = orient.make_upright(scan, read.quarter, orient.estimate_skew(scan))
    back = orient.map_box(np.linalg.inv(up.to_source), name.bbox)  # onto the upright page
    assert back[1] < page.height / 2 and back[0] < page.width / 2  # line 2, on the left


@pytest.mark.needs_tesseract
def test_upright_page_is_read_once(page: Image.Image) -> None:
    """This test ensures that an upright page costs one OCR run and is read well."""
    read = upright.read_upright(_scanned(page, 0, 1.0), "chi_sim", timeout=60)
    assert (read.quarter, read.tries) == (0, 1)
    assert accuracy(text.words_to_text(read.words), "\n".join(LINES)) > 0.8


@pytest.mark.needs_tesseract
def test_upright_returns_a_page_that_reads(page: Image.Image) -> None:
    """This test ensures that upright() turns and deskews a page so that OCR reads it."""
    scan = _scanned(page, 180, -2.0)
    assert _ocr_accuracy(scan) < 0.5
    up = upright.upright(scan, "chi_sim", timeout=60)
    assert up.quarter == 180 and up.skew == pytest.approx(-2.0, abs=0.5)
    assert _ocr_accuracy(up.image) > 0.8
    assert abs(orient.estimate_skew(up.image)) < 0.5


@pytest.mark.needs_tesseract
@pytest.mark.parametrize("quarter", [90, 180])
def test_osd_finds_the_turn(page: Image.Image, quarter: int) -> None:
    """This test ensures that Tesseract's OSD gives the clockwise turn that undoes the scan's."""
    turn, conf = tesseract.detect_orientation(_scanned(page, quarter, 0.0), timeout=60)
    assert turn == (360 - quarter) % 360
    assert conf > 1


@pytest.mark.needs_tesseract
def test_osd_on_a_blank_page_says_nothing() -> None:
    """This test ensures that a page without text gives no turn and no confidence."""
    assert tesseract.detect_orientation(Image.new("RGB", (600, 400), "white"),
                                        timeout=60) == (0, 0.0)


@pytest.mark.parametrize("mode", ["L", "RGB"])
def test_the_warp_matches_pils_own_bilinear_warp(page: Image.Image, mode: str) -> None:
    """OpenCV's warp (faster) gives PIL's picture: same place, same greys within a level."""
    img = page.convert(mode)
    m = orient.rotation_matrix(-2.5, img.width / 2, img.height / 2)
    out, fwd = orient._warp(img, m)
    coeffs = tuple(float(v) for v in np.linalg.inv(fwd)[:2].ravel())
    theirs = img.transform(out.size, Image.Transform.AFFINE, coeffs, Image.Resampling.BILINEAR,
                           fillcolor=255 if mode == "L" else (255, 255, 255))
    assert out.mode == mode and out.size == theirs.size
    diff = np.abs(np.asarray(out, dtype=np.int16) - np.asarray(theirs, dtype=np.int16))
    ink = np.asarray(theirs.convert("L")) < 250
    assert diff.max() <= 2  # half a pixel off, it was 10
    assert (diff if mode == "L" else diff.max(axis=2))[ink].mean() < 1.0  # … and 2.5 on ink
