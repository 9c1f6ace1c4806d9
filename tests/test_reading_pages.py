"""Reading pages: words where they sit, safety limits (pages, pixels, seconds), page kinds."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from checks.policy import Policy
from extractors.reading import read_document
from model.report import PageKind, TextSource
from tests._images import image_pdf, text_image, text_pdf


def test_text_layer_words_sit_where_the_text_is(tmp_path: Path, policy: Policy) -> None:
    """This test ensures that text-layer words carry boxes in PDF points, in lines."""
    pdf = text_pdf(tmp_path / "a.pdf", ["工程师资格证书 持证人 王丽 证书编号 2016001"])
    (page,) = read_document(pdf, "a.pdf", policy.reading).pages
    assert page.text_source == TextSource.TEXT
    words = {w.text: w for w in page.words}
    assert "王丽" in words and "2016001" in words
    x0, top, x1, bottom = words["王丽"].bbox
    assert 0 < x0 < x1 < 595 and 0 < top < bottom < 842
    assert words["王丽"].line == words["2016001"].line
    assert words["王丽"].bbox[0] < words["2016001"].bbox[0]


def test_too_many_pages_is_file004_naming_the_limit(tmp_path: Path, policy: Policy) -> None:
    """This test ensures that a PDF over the page limit is refused with FILE004."""
    pdf = text_pdf(tmp_path / "a.pdf", ["第一页 工程师资格证书", "第二页 工程师资格证书",
                                        "第三页 工程师资格证书"])
    rule = policy.reading.model_copy(update={"max_pages": 2})
    doc = read_document(pdf, "a.pdf", rule)
    (f,) = doc.findings
    assert f.code == "FILE004" and "max_pages" in f.message and doc.pages == ()


def test_too_many_pixels_is_file004_naming_the_limit(tmp_path: Path, policy: Policy) -> None:
    """This test ensures that an image over the pixel limit is refused before it is decoded."""
    path = tmp_path / "big.png"
    Image.new("1", (3000, 3000), 1).save(path)
    rule = policy.reading.model_copy(update={"max_page_pixels": 4_000_000})
    doc = read_document(path, "big.png", rule)
    assert [f.code for f in doc.findings] == ["FILE004"]
    assert "max_page_pixels" in doc.findings[0].message


@pytest.mark.needs_tesseract
def test_a_page_that_runs_too_long_is_cut_off_and_the_rest_goes_on(
        tmp_path: Path, policy: Policy) -> None:
    """This test ensures that OCR past the seconds-per-page limit is stopped, page by page."""
    # a full page of print: Tesseract's library reads two short lines within the limit
    img = text_image(["毕业证书", "学生 王丽 于二〇〇七年六月毕业"] * 10, size=(1654, 2339))
    pdf = image_pdf(tmp_path / "scan.pdf", img, img)
    rule = policy.reading.model_copy(update={"page_timeout_s": 0.05})
    doc = read_document(pdf, "scan.pdf", rule)
    assert [p.page for p in doc.pages] == [1, 2]
    assert [f.code for f in doc.findings] == ["FILE004", "FILE004"]
    assert "page_timeout_s" in doc.findings[0].message
    assert [f.evidence[0].page for f in doc.findings] == [1, 2]
    doc = read_document(pdf, "scan.pdf", policy.reading)  # the same file in time: read
    assert doc.findings == () and "王丽" in doc.pages[1].text


@pytest.mark.needs_tesseract
def test_ocr_words_are_in_page_coordinates(tmp_path: Path, policy: Policy) -> None:
    """This test ensures that OCR word boxes of a PDF page are in points, of an image in pixels."""
    img = text_image(["毕业证书", "学生 王丽 于二〇〇七年六月毕业"])
    png = tmp_path / "scan.png"
    img.save(png)
    (from_image,) = read_document(png, "scan.png", policy.reading).pages
    (from_pdf,) = read_document(image_pdf(tmp_path / "scan.pdf", img), "scan.pdf",
                                policy.reading).pages
    big = max(from_image.words, key=lambda w: w.bbox[2])
    assert big.bbox[2] <= img.width
    assert max(w.bbox[2] for w in from_pdf.words) <= 595.3 + 1
    assert all(w.conf > 0 for w in from_pdf.words)


def test_pages_get_a_kind_and_a_confidence(tmp_path: Path, policy: Policy) -> None:
    """This test ensures that every read page is classified, with a confidence."""
    pdf = text_pdf(tmp_path / "a.pdf", [
        "专业技术职务任职资格证书 姓名 王丽 资格名称 工程师 专业 安全技术防范 "
        "取得时间 2016年12月20日 发证机关 浙江省人力资源和社会保障厅 证书编号 ZJ2016001"])
    (page,) = read_document(pdf, "a.pdf", policy.reading).pages
    assert page.kind == PageKind.TITLE_CERTIFICATE
    assert 0.5 < page.kind_confidence <= 1
    assert page.part == 0


@pytest.mark.needs_tesseract
@pytest.mark.parametrize("turn", [90, 180, 270])
def test_turned_and_skewed_scans_are_read_upright(tmp_path: Path, policy: Policy,
                                                  turn: int) -> None:
    """This test ensures that a scan turned a quarter and skewed 2° is read upright."""
    img = text_image(["毕业证书", "学生 王丽 于二〇〇七年六月毕业", "证书编号 103371200705001234"],
                     size=(1240, 600))
    scanned = img.rotate(2, expand=True, fillcolor="white").rotate(-turn, expand=True)
    path = tmp_path / "scan.png"
    scanned.save(path)
    (page,) = read_document(path, "scan.png", policy.reading).pages
    assert "王丽" in page.text and "103371200705001234" in page.text.replace(" ", "")
    assert page.rotation == (360 - turn) % 360, page.rotation  # the clockwise turn back
    assert page.kind == PageKind.GRADUATION_CERTIFICATE
