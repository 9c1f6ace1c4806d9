"""The second engine's re-reading of amount, name and doubtful lines."""

from __future__ import annotations

from pathlib import Path

import pytest

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
