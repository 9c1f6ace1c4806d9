"""Garbage text layers: unmapped glyphs, private-use and mojibake text, bad invisible OCR layers.

The PDFs are made for real (reportlab, pypdf) and read with pdfplumber, as the reading stage
does; invisible layers also need each character's render mode, which pdfplumber 0.11.10
does not give: ``pdfium_chars`` shows how to take it from PDFium.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from extractors._backends import pdf
from extractors.textlayer import invisible_share, measure, text_layer_problem
from generators import fonts
from tests._images import text_image, text_pdf
from tests.conftest import CORPUS

CERT_LINES = ["毕业证书", "学生王丽，性别女，一九八五年三月十二日生，于二〇〇三年九月至",
              "二〇〇七年六月在本校电子信息工程专业四年制本科学习，修完教学计划",
              "规定的全部课程，成绩合格，准予毕业。校长张三 证书编号 103371200705001234"]

# Recorded output of Tesseract 5.3.0 (``tesseract zh.png out -l eng pdf``) on an image of
# CERT_LINES: what an English-only OCR engine leaves as the invisible layer of a Chinese scan.
ENG_OCR_OF_CHINESE = ("FEN EB\n4 nn Mea & IEE ATLA\nFIOOC=ILA B>OOCENA EAR\nASSSW OLFA AS , 50\n"
                      "AAT RIALENS ERE , MARAE , HEP EEL.\nBK SK= WER48-S 103371200705001234")
# The same image with ``-l chi_sim``: Tesseract's spacing between hanzi, a few errors.
CHI_OCR = ("毕业证 书\n学 生 王 丽 性 别 女 一 九 八 五 年 三 月 十 二日 生\n"
           "于 二 OO 三 年 九 月 至 二 〇 OO 七 年 六 月 在 本 校\n"
           "电子 信息 工程 专业 四 年 制 本 科学 习 ， 修 完\n"
           "教学 计划 规定 的 全 部 课程 ， 成绩 合 格 ， 准予 毕业 。\n"
           "校长 张 三 证 书 编号 103371200705001234")
NOISE_OCR = ("| ' ; ~ . , - _ = i l 1 ! : \" ` ^ ) ( ] [ / \\ ee | = ~ a , . ' | ; : i\n"
             "~ — | I l . ' , ; ' ! | _ - = . : ' | ~ ^ ` , . ; i ' l | . ~")


def pdfium_chars(path: Path, pageno: int) -> list[dict[str, object]]:
    """Each character of a page with its render mode and fill alpha, as the reader gets them.

    ``pageno`` is zero-based. This is the data ``text_layer_problem`` needs to see an
    invisible layer (pdfplumber's char dicts lack both keys).
    """
    with pdf.open_renderer(path) as renderer:
        return list(renderer.char_styles(pageno))


def layer_of(path: Path, pageno: int = 0) -> tuple[str, list[dict[str, object]]]:
    """The page's text as pdfplumber extracts it, and its characters as PDFium sees them."""
    with pdfplumber.open(path) as pdf:
        text = pdf.pages[pageno].extract_text() or ""
    return text, pdfium_chars(path, pageno)


def scan_with_layer(path: Path, layer: str, *, mode: int = 3, alpha: float = 1.0) -> Path:
    """A scanned page (an image) with ``layer`` drawn over it in text render ``mode``."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    name = fonts.cjk_font()
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.drawImage(ImageReader(text_image(CERT_LINES, size=(1654, 500), font_px=40)),
                0, 500, width=595, height=180)
    c.setFillAlpha(alpha)
    t = c.beginText(40, 660)
    t.setTextRenderMode(mode)
    t.setFont(name, 12)
    for line in layer.splitlines():
        t.textLine(line)
    c.drawText(t)
    c.showPage()
    c.save()
    return path


def visible_pdf(path: Path, lines: list[str], font: str = "cjk") -> Path:
    """A born-digital page with ``lines`` in the CJK font (or Helvetica)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont(fonts.cjk_font() if font == "cjk" else "Helvetica", 12)
    for i, line in enumerate(lines):
        c.drawString(40, 780 - 18 * i, line)
    c.showPage()
    c.save()
    return path


def test_normal_cjk_pdf_passes(tmp_path: Path) -> None:
    """This test ensures that a born-digital CJK page with a proper text layer is trusted."""
    path = text_pdf(tmp_path / "ok.pdf", ["工程师资格证书 持证人 王丽 证书编号 2016001 浙江工业大学"
                                          "电子信息工程 本科 学历证书 中国安全防范技术与应用"])
    text, chars = layer_of(path)
    assert "王丽" in text and invisible_share(chars) == 0
    assert text_layer_problem(text, chars) is None
    assert text_layer_problem(text) is None


def test_font_without_tounicode_gives_cid_and_is_flagged(tmp_path: Path) -> None:
    """This test ensures that a TrueType subset stripped of ToUnicode yields (cid:N), flagged."""
    src = text_pdf(tmp_path / "src.pdf", [CERT_LINES[1]])
    writer = PdfWriter(clone_from=PdfReader(src))
    for font in writer.pages[0]["/Resources"]["/Font"].values():
        font.get_object().pop(NameObject("/ToUnicode"), None)
    path = tmp_path / "nomap.pdf"
    writer.write(path)
    text, chars = layer_of(path)
    assert "(cid:" in text and "王丽" not in text
    problem = text_layer_problem(text, chars)
    assert problem is not None and "(cid:" in problem


def test_maths_symbols_without_mapping_are_tolerated() -> None:
    """This test ensures that a few repeated unmapped symbols in running text pass."""
    body = "设函数 f 在区间上连续，则对任意 x (cid:2) U 有 f(x) (cid:20) g(x) 成立。" * 8
    s = measure(body)
    assert s.cid == 16 and s.cid_distinct == 2
    assert text_layer_problem(body) is None


def test_private_use_text_is_flagged_but_word_bullets_pass() -> None:
    """This test ensures that PUA text is flagged while a few Symbol-font bullets are not."""
    bullets = "\uf0b7 项目负责人 王丽\n\uf0b7 合同金额 120 万元\n\uf0b7 签订日期 2020 年 5 月\n" * 3
    assert text_layer_problem(bullets * 4) is None
    pua = "".join(chr(0xE000 + i * 7) for i in range(60)) + " 2016001"
    problem = text_layer_problem(pua)
    assert problem is not None and "私用区" in problem
    assert text_layer_problem("证书编号" + "\ufffd" * 30) is not None


def test_private_use_pdf_is_flagged(tmp_path: Path) -> None:
    """This test ensures that a font whose ToUnicode maps into the private-use area is flagged."""
    src = text_pdf(tmp_path / "src.pdf", [CERT_LINES[1]])
    writer = PdfWriter(clone_from=PdfReader(src))
    for font in writer.pages[0]["/Resources"]["/Font"].values():
        cmap = font.get_object().get("/ToUnicode")
        if cmap is not None:  # codes 01–1F are the hanzi of the subset: send them to U+E0xx
            data = cmap.get_object().get_data()
            for code in range(1, 0x20):
                data = re.sub(rb"(<%02X> )<[0-9A-F]{4}>" % code, rb"\1<E0%02X>" % code, data)
            cmap.get_object().set_data(data)
    path = tmp_path / "pua.pdf"
    writer.write(path)
    text, chars = layer_of(path)
    assert sum(1 for ch in text if 0xE000 <= ord(ch) <= 0xF8FF) >= 20 and "王丽" not in text
    assert "私用区" in (text_layer_problem(text, chars) or "")


@pytest.mark.parametrize("garbage", [
    "Ã©tÃ© Ã  Paris, Ã©cole supÃ©rieure, rÃ©sumÃ© du projet",  # UTF-8 read as Latin-1
    "±ÏÒµÖ¤Êé ÍõÀö Õã½­¹¤Òµ´óÑ§ µç×ÓÐÅÏ¢¹¤³Ì",  # GBK read as Latin-1
    "Ã¦Â¯â€¢Ã¤Â¸Å¡ Ã§Å½â€¹Ã¤Â¸Â½ Ã¦ÂµÂ™",  # UTF-8 read as Latin-1 twice
])
def test_mojibake_pdf_is_flagged(tmp_path: Path, garbage: str) -> None:
    """This test ensures that text decoded in the wrong encoding is flagged as mojibake."""
    path = visible_pdf(tmp_path / "moji.pdf", [garbage], font="helvetica")
    text, chars = layer_of(path)
    assert text.replace(" ", "")[:6] == garbage.replace(" ", "")[:6]
    problem = text_layer_problem(text, chars)
    assert problem is not None and "乱码" in problem


def test_cp1252_mojibake_of_chinese_is_flagged() -> None:
    """This test ensures that UTF-8 Chinese read as cp1252 (``æ¯•ä¸š``) is flagged."""
    text = "毕业证书 王丽 浙江工业大学".encode().decode("cp1252", errors="replace")
    assert "乱码" in (text_layer_problem(text) or "")


def test_accented_latin_text_passes() -> None:
    """This test ensures that French or German running text is not taken for mojibake."""
    text = ("Die Universität Zürich veröffentlicht regelmäßig Berichte über die Qualität der "
            "Forschung; l'école supérieure a présenté un résumé détaillé du projet à Paris.")
    assert text_layer_problem(text) is None


def test_random_rare_hanzi_are_flagged(tmp_path: Path) -> None:
    """This test ensures that a page of uniformly random hanzi (a wrong glyph map) is flagged."""
    rng = random.Random(7)
    line = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(40))
    path = visible_pdf(tmp_path / "rare.pdf", [line, line[::-1]])
    text, chars = layer_of(path)
    s = measure(text)
    assert s.hanzi == 80 and s.common_hanzi / s.hanzi < 0.4
    assert "常用汉字" in (text_layer_problem(text, chars) or "")


def test_byte_swapped_utf16_is_flagged() -> None:
    """This test ensures that UTF-16 with swapped bytes (ASCII → U+XX00) is flagged."""
    swapped = "".join(chr(ord(c) << 8) if c != "\n" else c for c in "Multicolor Black\nPure Cyan")
    assert "字节序" in (text_layer_problem(swapped) or "")


def test_invisible_layer_of_sensible_text_passes(tmp_path: Path) -> None:
    """This test ensures that a scan's invisible OCR layer that reads like Chinese is trusted."""
    path = scan_with_layer(tmp_path / "good.pdf", CHI_OCR)
    text, chars = layer_of(path)
    assert "王" in text and invisible_share(chars) == 1.0
    assert text_layer_problem(text, chars) is None


@pytest.mark.parametrize(("layer", "why"), [
    (ENG_OCR_OF_CHINESE, "常用词"),
    (NOISE_OCR, "文字和数字仅占"),
])
def test_invisible_layer_of_garbage_is_flagged(tmp_path: Path, layer: str, why: str) -> None:
    """This test ensures that an invisible layer of OCR garbage is flagged, a visible one not."""
    path = scan_with_layer(tmp_path / "bad.pdf", layer)
    text, chars = layer_of(path)
    assert invisible_share(chars) == 1.0
    assert why in (text_layer_problem(text, chars) or "")
    # The same text drawn visibly is someone's real (odd) text, not an OCR layer.
    shown = scan_with_layer(tmp_path / "shown.pdf", layer, mode=0)
    assert text_layer_problem(*layer_of(shown)) is None


def test_transparent_text_counts_as_invisible(tmp_path: Path) -> None:
    """This test ensures that text filled with alpha 0 is treated like render mode 3."""
    path = scan_with_layer(tmp_path / "alpha.pdf", ENG_OCR_OF_CHINESE, mode=0, alpha=0.0)
    text, chars = layer_of(path)
    assert {c["render_mode"] for c in chars if str(c["text"]).strip()} == {0}
    assert invisible_share(chars) == 1.0
    assert text_layer_problem(text, chars) is not None


def test_glyphless_font_reveals_an_ocr_layer_without_render_modes() -> None:
    """This test ensures that pdfplumber-only chars still reveal Tesseract's invisible font."""
    chars = [{"text": c, "fontname": "LMAWUV+GlyphLessFont"} for c in ENG_OCR_OF_CHINESE
             if not c.isspace()]
    assert invisible_share(chars) == 1.0
    assert text_layer_problem(ENG_OCR_OF_CHINESE, chars) is not None
    assert text_layer_problem(ENG_OCR_OF_CHINESE) is None  # nothing says it is hidden


def test_empty_text_is_not_judged() -> None:
    """This test ensures that an empty page is left to the caller's character count."""
    assert text_layer_problem("") is None
    assert text_layer_problem("  \n ", []) is None


needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared corpus not present")


@needs_corpus
@pytest.mark.parametrize(("name", "pageno", "why"), [
    ("ocrmypdf/type3_font_nomapping.pdf", 0, "(cid:"),
    ("docling/skipped_1page.pdf", 1, "(cid:"),
    ("ocrmypdf/cmyk.pdf", 0, "字节序"),
])
def test_corpus_garbage_layers_are_flagged(name: str, pageno: int, why: str) -> None:
    """This test ensures that the corpus's unmapped and byte-swapped layers are flagged."""
    text, chars = layer_of(CORPUS / name, pageno)
    assert why in (text_layer_problem(text, chars) or "")


@needs_corpus
@pytest.mark.parametrize(("name", "pages"), [
    ("pdfplumber/pr-136-example.pdf", range(6)),  # Chinese scan, another engine's OCR layer
    ("pypdf/Seige_of_Vicksburg_Sample_OCR.pdf", range(6)),  # English scan, OCR layer
    ("docling/invisible_text_layer.pdf", range(1)),
    ("sample-files/GeoTopo-komprimiert.pdf", (49, 52, 77, 84, 91)),  # most unmapped maths
    ("pypdf/multilang.pdf", range(1)),  # six scripts
])
def test_corpus_good_layers_pass(name: str, pages: range | tuple[int, ...]) -> None:
    """This test ensures that real OCR layers and maths-heavy pages of the corpus are trusted."""
    for pageno in pages:
        text, chars = layer_of(CORPUS / name, pageno)
        assert text_layer_problem(text, chars) is None, (name, pageno)
