"""The second engine's re-reading of amount, name and doubtful lines."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from PIL import ImageDraw

from checks.marks import mark_on, name_boxes
from extractors import reread
from extractors._exec import rapid
from extractors.fields.numbers import parse_amount_capital
from extractors.reading import read_document
from model.report import PageKind, PageRead, TextSource, Word
from tests._images import text_image

needs_rapid = pytest.mark.skipif(not rapid.is_available(), reason="RapidOCR not installed")


def ocr_page(lines: list[list[tuple[str, float, float]]], conf: float = 0.95) -> PageRead:
    """A page as Tesseract read it: per line, words as (text, x0, x1) on a 30-pt line."""
    words = tuple(Word(text=t, bbox=(x0, 40.0 * i, x1, 40.0 * i + 30), conf=conf, line=i)
                  for i, line in enumerate(lines) for t, x0, x1 in line)
    text = "\n".join("".join(t for t, _, _ in line) for line in lines)
    return PageRead(page=1, text=text, text_source=TextSource.OCR, confidence=conf,
                    words=words)


def test_amount_lines_come_first_and_text_layers_never() -> None:
    """This test ensures that the amount line is chosen first, and no text-layer page is."""
    page = ocr_page([[("第三条付款方式", 0, 300)], [("本工程包括周界防范", 0, 400)],
                     [("合同金额：人民币喜佰万元整", 0, 500)]])
    chosen = reread.lines_to_reread(page, PageKind.CONTRACT_AMOUNT)
    assert [c.line for c in chosen] == [2]
    layer = PageRead(page=1, text=page.text, text_source=TextSource.TEXT, confidence=1.0,
                     words=page.words)
    assert reread.lines_to_reread(layer, PageKind.CONTRACT_AMOUNT) == []


def test_participant_rows_are_reread_cell_by_cell() -> None:
    """This test ensures that a table row is cut into its cells, so columns stay apart."""
    page = ocr_page([[("序号", 0, 40), ("姓名", 100, 160), ("角色", 300, 360)],
                     [("1", 0, 12), ("田静霞", 100, 190), ("项目经理", 300, 420)]])
    chosen = reread.lines_to_reread(page, PageKind.CONTRACT_PARTICIPANTS)
    assert [(c.line, c.text) for c in chosen] == [
        (0, "序号"), (0, "姓名"), (0, "角色"), (1, "1"), (1, "田静霞"), (1, "项目经理")]


def test_doubtful_lines_are_capped() -> None:
    """This test ensures that no more than MAX_LINES lines of a page are re-read."""
    page = ocr_page([[(f"第{i}行文字", 0, 200)] for i in range(60)], conf=0.5)
    chosen = reread.lines_to_reread(page, PageKind.OTHER)
    assert len({c.line for c in chosen}) == reread.MAX_LINES


def test_a_more_confident_reading_replaces_the_line_and_keeps_its_box() -> None:
    """This test ensures that the new words take the old segment's place and box."""
    page = ocr_page([[("人民币喜佰万元整", 0, 400)], [("其余", 0, 80)]], conf=0.7)
    seg = reread.lines_to_reread(page, PageKind.CONTRACT_AMOUNT)[0]
    better = reread.replace_lines(page, [(seg, rapid.LineText("人民币壹佰万元整", 0.97))])
    assert better.text == "人民币壹佰万元整\n其余"
    assert better.words[0].bbox == (0, 0, 400, 30) and better.reread == 1
    worse = reread.replace_lines(page, [(seg, rapid.LineText("人民币", 0.5))])
    assert worse.text == page.text and worse.reread == 1


@needs_rapid
@pytest.mark.needs_tesseract
def test_capital_amount_tesseract_cannot_read_is_read_by_the_second_engine(
        tmp_path: Path, policy) -> None:
    """This test ensures that 叁 柒 捌 仟 in a scanned amount line come out right."""
    path = tmp_path / "amount.png"
    text_image(["第三条 合同价款", "合同金额：人民币叁佰柒拾捌万伍仟元整（¥3,785,000.00）"],
               size=(1500, 300), font_px=40).save(path)
    alone = read_document(path, "amount.png",
                          policy.reading.model_copy(update={"second_engine": False}))
    assert "叁佰柒拾捌万伍仟" not in alone.pages[0].text  # Debian's chi_sim lacks them
    both = read_document(path, "amount.png", policy.reading)
    (page,) = both.pages
    assert "人民币叁佰柒拾捌万伍仟元整" in page.text and page.reread >= 1
    assert parse_amount_capital(page.text) == 3785000.0


def _gray(img) -> np.ndarray:
    return np.asarray(img.convert("L"))


def test_print_left_out_by_tesseract_is_found_and_nothing_else() -> None:
    """This test ensures that a line with no word read is found, and not a rule or a photo."""
    img = text_image(["姓名：郭婷", "专业：通信工程", "授予学位：工学学士"],
                     size=(1240, 480), font_px=44)
    draw = ImageDraw.Draw(img)
    draw.line((60, 420, 1100, 420), fill="black", width=3)  # a rule under the text
    draw.rectangle((900, 40, 1150, 330), fill=(40, 40, 40))  # an ID photo, dark all over
    gray = _gray(img)
    # the words Tesseract gave: the first and the third line (rows at y = 50 + i·79)
    read = [(60.0, 50.0, 330.0, 100.0), (60.0, 208.0, 480.0, 258.0)]
    found = reread.missed_segments(gray, read, 50.0)
    assert len(found) == 1
    x0, top, x1, bottom = found[0]
    assert 40 <= x0 <= 80 and 120 <= top <= 140 and 350 <= x1 <= 420 and bottom <= 185
    every = [*read, found[0]]
    assert reread.missed_segments(gray, every, 50.0) == []


def test_a_block_far_from_the_words_is_found_line_by_line() -> None:
    """This test ensures that an issuer, number and date set close in a corner are found.

    A certificate's foot (seed 4242's a004): far below and right of the body Tesseract read,
    three lines so close that they run into one band; each is found as a line of its own.
    """
    from PIL import ImageFont

    from generators import fonts

    img = text_image(["获奖者：郭霞兰", "奖项名称：浙江省安防行业优秀工程师"], size=(1700, 1400),
                     font_px=44)
    font = ImageFont.truetype(str(fonts.font_path()), 44, index=0)
    draw = ImageDraw.Draw(img)
    foot = ["浙江省安全技术防范行业协会", "证书编号：2016-287", "2011年11月4日"]
    for i, line in enumerate(foot):  # 52 px apart: 8 px between 44 px lines
        draw.text((1000, 1050 + 52 * i), line, font=font, fill="black")
    read = [(60.0, 50.0, 380.0, 100.0), (60.0, 129.0, 820.0, 179.0)]
    found = reread.missed_segments(_gray(img), read, 48.0)
    assert len(found) == 3, found
    for (x0, top, _, bottom), i in zip(found, range(3), strict=True):
        assert 990 <= x0 <= 1010 and 1050 + 52 * i - 6 <= top <= 1050 + 52 * i + 12
        assert bottom - top <= 52


def _runs_by_hand(ink: np.ndarray, length: int, axis: int) -> np.ndarray:
    a = ink if axis == 0 else ink.T
    out = np.zeros_like(a, dtype=bool)
    for col in range(a.shape[1]):
        for start in range(a.shape[0] - length + 1):
            if a[start:start + length, col].all():
                out[start:start + length, col] = True
    return out if axis == 0 else out.T


@pytest.mark.parametrize("axis", [0, 1])
def test_long_runs_are_exactly_the_pixels_in_runs_that_long(axis: int) -> None:
    """This test ensures that rules are told from print by their runs, to the pixel.

    Every pixel in a straight run of at least the length counts, runs touching the image's
    edge included, and nothing else (checked against a plain loop, odd and even lengths).
    """
    rng = np.random.default_rng(7)
    for _ in range(40):
        h, w = rng.integers(1, 30, 2)
        ink = rng.random((h, w)) < rng.uniform(0.4, 0.95)
        for length in (1, 2, 5, 8):
            assert np.array_equal(reread.long_runs(ink, length, axis=axis),
                                  _runs_by_hand(ink, length, axis))


def test_lines_found_apart_go_where_they_stand() -> None:
    """This test ensures that a missed line goes between its neighbours, lines renumbered."""
    page = ocr_page([[("姓名：郭婷", 0, 300)], [("学位：工学学士", 0, 400)]])
    tops = {0: 0.0, 1: 80.0}
    found = [(40.0, (0.0, 40.0, 300.0, 70.0), rapid.LineText("专业：通信工程", 0.98)),
             (200.0, (0.0, 200.0, 90.0, 230.0), rapid.LineText("~。", 0.99)),  # no letter
             (120.0, (0.0, 120.0, 90.0, 150.0), rapid.LineText("签名", 0.4))]  # unsure
    out = reread.add_lines(page, found, tops, 30.0)
    assert out.text == "姓名：郭婷\n专业：通信工程\n学位：工学学士"
    assert [w.line for w in out.words] == [0, 1, 2]
    assert out.words[1].conf <= reread.MOST_SURE


def test_a_sure_line_is_not_cut_short_by_the_second_engine() -> None:
    """This test ensures that a reading that drops a character of a sure line loses."""
    page = ocr_page([[("2013", 0, 80)]], conf=0.92)
    seg = reread.page_lines(page)[0]
    out = reread.replace_lines(page, [(seg, rapid.LineText("201", 1.0))])
    assert out.text == "2013"
    unsure = ocr_page([[("2O1", 0, 80)]], conf=0.6)
    seg = reread.page_lines(unsure)[0]
    assert reread.replace_lines(unsure, [(seg, rapid.LineText("2013", 0.99))]).text == "2013"


def test_words_of_a_page_turned_half_run_right_to_left_in_its_own_frame() -> None:
    """This test ensures that a 180° page's first re-read token lies right in its own frame."""
    reading = rapid.LineText("摘 要", 0.95)
    words = reread._spread(reading, (100.0, 0.0, 300.0, 30.0), 0, rotation=180)
    assert [w.text for w in words] == ["摘", "要"]
    assert words[0].bbox[0] > words[1].bbox[0]


@needs_rapid
@pytest.mark.needs_tesseract
def test_a_page_reread_keeps_every_line_it_prints(tmp_path: Path, policy) -> None:
    """This test ensures that, end to end, every printed line of a certificate comes out."""
    lines = ["学士学位证书", "姓名：郭婷", "专业：通信工程", "授予学位：工学学士"]
    path = tmp_path / "degree.png"
    text_image(lines, size=(1240, 520), font_px=44).save(path)
    (page,) = read_document(path, "degree.png", policy.reading).pages
    text = page.text.replace(" ", "")
    assert all(line.replace("：", ":") in text.replace("：", ":") for line in lines), text


@pytest.mark.parametrize("rotation", [90, 270])
def test_words_of_a_page_turned_a_quarter_follow_the_line(rotation: int) -> None:
    """This test ensures that re-read tokens on a quarter-turned page keep their order."""
    from extractors.fields.text import upright_box

    reading = rapid.LineText("叶燕敏 技术负责人", 0.95)
    words = reread._spread(reading, (100.0, 50.0, 130.0, 450.0), 0, rotation=rotation)
    assert [w.text for w in words] == ["叶燕敏", "技术负责人"]
    first, second = (upright_box(w.bbox, rotation) for w in words)
    assert first[2] <= second[0] + 1e-6  # left of it on the upright page


def test_digits_the_engines_read_differently_keep_the_sure_one_or_lose_trust() -> None:
    """This test ensures that a second reading differing in a digit does not pass as sure."""
    sure = ocr_page([[("证书编号，", 0, 100), ("103351201109875132", 110, 400)]], conf=0.9)
    sure = dataclasses.replace(sure, words=(dataclasses.replace(sure.words[0], conf=0.38),
                                            sure.words[1]))
    seg = reread.page_lines(sure)[0]
    out = reread.replace_lines(sure, [(seg, rapid.LineText("证书编号：103351201109875138",
                                                          0.97))])
    assert "103351201109875132" in out.text.replace(" ", "")
    unsure = ocr_page([[("证书编号，", 0, 100), ("103351201109875132", 110, 400)]], conf=0.77)
    seg = reread.page_lines(unsure)[0]
    out = reread.replace_lines(unsure, [(seg, rapid.LineText("证书编号：103351201109875138",
                                                            0.97))])
    assert "103351201109875138" in out.text.replace(" ", "")
    assert max(w.conf for w in out.words) <= 0.77  # taken, but no surer than Tesseract was


DATA = Path(__file__).parent / "data"


@pytest.mark.needs_tesseract
@needs_rapid
@pytest.mark.parametrize("second_engine", [False, True])
def test_a_name_under_a_highlight_tesseract_dropped_is_read_and_marked(
    policy, second_engine: bool
) -> None:
    """This test ensures that an author line read by no one under a highlighter is read.

    The image is part of a generated scanned 目录 (seed 5150's a008): the highlighted author
    line prints lighter than the rest and Tesseract drops it whole. The second engine reads
    it from the highlight's box, and the name is then found under that highlight.
    """
    rule = policy.reading.model_copy(update={"second_engine": second_engine})
    (page,) = read_document(DATA / "toc-highlighted-name.jpg", "toc.jpg", rule).pages
    (highlight,) = page.marks
    boxes = name_boxes(page, "马鹏平")
    if not second_engine:  # what the second engine is for: Tesseract alone misses it
        assert boxes == []
        return
    assert len(boxes) == 1, page.text
    assert mark_on(boxes[0], page.marks) == highlight
    # the added line goes where it stands: after the title above it, before the next one
    text = page.text.replace(" ", "")
    assert text.index("深度学习在停车场管理工程中的实") < text.index("马鹏平") < text.index(
        "智慧社区安防系统中边缘计算技术")


@pytest.mark.needs_tesseract
@needs_rapid
def test_a_short_name_read_under_a_wide_highlight_is_not_read_twice(policy) -> None:
    """This test ensures that a name Tesseract read under a broad highlight is not added again.

    The image is part of a generated participant table scanned upside down (seed 4242's
    a010): the highlighter's stroke is much larger than 黄丽 (the name's box covers less than
    a third of it), yet the name was read; it must not come out a second time.
    """
    (page,) = read_document(DATA / "participants-upside-down.jpg", "t.jpg",
                            policy.reading).pages
    (highlight,) = page.marks
    text = page.text.replace(" ", "")
    assert text.count("黄丽") == 2, text  # row 1 and 黄丽强 of row 7, nothing more
    assert "1黄丽项目经理" in text
    boxes = name_boxes(page, "黄丽")
    assert len(boxes) == 1 and mark_on(boxes[0], page.marks, page.rotation) == highlight


@needs_rapid
def test_the_benchmark_gets_the_very_crops_the_second_engine_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """This test ensures that benchmarks/batch.py times the second engine on its real work.

    With $PINGSHEN_KEEP_CROPS set, each call's crops are saved, a folder a call, and read
    back pixel for pixel; unset, nothing is written.
    """
    crops = [text_image(["人民币叁万元整"], size=(420, 70), font_px=40),
             text_image(["郭婷"], size=(140, 70), font_px=40)]
    rapid.read_lines(crops[:1])  # not kept: the variable is unset
    monkeypatch.setenv(rapid.KEEP_CROPS_ENV, str(tmp_path / "crops"))
    first = rapid.read_lines(crops)
    rapid.read_lines(crops[1:])
    calls = rapid.crops_kept(tmp_path / "crops")
    assert [len(c) for c in calls] == [2, 1]
    for kept, crop in zip([*calls[0], *calls[1]], [*crops, crops[1]], strict=True):
        assert np.array_equal(np.asarray(kept), np.asarray(crop.convert("RGB")))
    assert [r.text for r in rapid.read_lines(calls[0])] == [r.text for r in first]


@pytest.mark.parametrize("shape", [(1,), (2,), (7, 5), (6, 4), (301, 217)])
def test_median_of_a_greyscale_page_is_numpys(shape: tuple[int, ...]) -> None:
    """This test ensures that the histogram median of bytes is numpy's, even counts too."""
    rng = np.random.default_rng(sum(shape))
    for high in (2, 256):  # few values: the two middle ones often differ
        a = rng.integers(0, high, size=shape, dtype=np.uint8)
        assert reread.median(a) == float(np.median(a))
    skewed = np.concatenate([np.full(10, 3, np.uint8), np.full(10, 250, np.uint8)])
    assert reread.median(skewed) == 126.5
    floats = rng.random(9)
    assert reread.median(floats) == float(np.median(floats))
