"""Whether a PDF page's text layer can be trusted, or the page must be OCR'd instead.

A text layer can be present and still be garbage: glyphs without a Unicode mapping
(pdfplumber writes ``(cid:123)``), private-use or replacement characters, text decoded in the
wrong encoding (mojibake such as ``Ã©`` or ``å¤§``, UTF-16 with its bytes swapped, random
rare hanzi), or the invisible OCR layer of another engine that read a scan badly.
``text_layer_problem`` measures a page's text (``measure``) and says why it must not be
trusted, or None. Every threshold is a module constant, with the figures that set it.

Pure: no I/O; the caller passes the text and, optionally, the page's characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# --- unmapped glyphs -----------------------------------------------------------------------
MIN_CID_SHARE = 0.02
"""(cid:N) glyphs (no Unicode mapping) are judged once they are over this share of the page's
glyphs, and at least ``MIN_CID`` (an unmapped 10-character heading counts on a page of up to
500 glyphs). Maths fonts leave many symbols unmapped but few different ones; a text font
without a mapping leaves many different glyphs. So the page is flagged when unmapped glyphs
are most of it (``CID_MOSTLY``), or many different ones (``MIN_CID_DISTINCT_MANY``), or
mostly different ones (``MIN_CID_DISTINCT`` and ``MIN_CID_DISTINCT_RATIO``).

Measured with pdfplumber 0.11.10: GeoTopo-komprimiert.pdf (117 pages of German maths) has up
to 12 % (cid:N) on a page, but on its 56 pages over 2 % at most 13 different ones and a
distinct ratio of at most 0.60 (and p78, 6 different of 8, is 1 % of its page): none is
flagged. skipped_1page.pdf p2 (Korean, a font half mapped): 47 (cid:N), 13 %, 41 different
(0.87); type3_font_nomapping.pdf: 2 of 2 glyphs; a reportlab CJK subset stripped of its
ToUnicode: 100 %. An unmapped CJK heading has a distinct ratio of about 0.9."""
MIN_CID = 2
CID_MOSTLY = 0.5
MIN_CID_DISTINCT_MANY = 16
MIN_CID_DISTINCT = 4
MIN_CID_DISTINCT_RATIO = 0.7

MAX_UNMAPPED_SHARE = 0.05
"""Private-use (U+E000–U+F8FF, planes 15–16), U+FFFD and control characters standing two or
more in a row: at most this share of the glyphs (and at least ``MIN_UNMAPPED`` flag it). One
standing alone is a symbol: Word's Symbol-font bullets and check boxes come out as U+F0B7,
U+F0FE …, one per list item, however dense the list. A font whose ToUnicode points into the
private-use area, or text whose mapping failed, gives runs: ~100 % of its glyphs. No text
page of the corpus or of the generated dossiers has any such run."""
MIN_UNMAPPED = 3

# --- wrong encodings -------------------------------------------------------------------------
MAX_LATIN1_SHARE = 0.20
"""Characters U+0080–U+00FF other than common signs (° × · § © …), and cp1252's odd
letters: at most this share of the glyphs. Measured: German maths (GeoTopo, 117 pages) at
most 3.2 %, Spanish (issue-463) 1.0 %; GBK read as Latin-1 (``±ÏÒµÖ¤Êé``) 67 %, UTF-8
Chinese read as cp1252 (``æ¯•ä¸š``) 53 %."""

MIN_MOJIBAKE_PAIRS = 3
"""A UTF-8 lead byte read as Latin-1 followed by a continuation byte (``Ã©``, ``å¤``, ``â€``):
this many pairs, making at least ``MOJIBAKE_PAIR_SHARE`` of the glyphs, flag the page. It
catches mojibake of mostly-ASCII text, whose Latin-1 share stays low: ``Ã©tÃ© Ã  Paris,
Ã©cole supÃ©rieure …`` has 15 % but 6 pairs. Real text in the corpus: 0 pairs."""
MOJIBAKE_PAIR_SHARE = 0.02

MAX_RARE_SHARE = 0.10
"""Characters outside the scripts and signs documents use (Han, kana, Hangul, Latin, Greek,
Cyrillic, Hebrew, Arabic, Devanagari, Thai, CJK and general punctuation, maths, arrows,
boxes, enclosed numbers …): at most this share. Measured: 0 % on every text page of the
corpus and of the generated dossiers (pypdf/multilang.pdf, six scripts, included); broken
mappings land in Braille, Yi, Ethiopic, unassigned code points …"""

MIN_HANZI_FOR_COMMONNESS = 20
"""Below this many hanzi on a page the commonness test says nothing."""
MIN_COMMON_HANZI_SHARE = 0.40
"""Share of a page's hanzi that are GB 2312 level 1 (the 3755 most used): at least this.
Measured: the hanzi of the 2022 policy and RULES.md 98.3 % (178); the OCR layer of the
scanned Chinese report pr-136-example.pdf 99.8 % (3983, OCR errors included); a
traditional-character certificate text 51.7 % (89); uniformly random hanzi 17.9 % (level 1
is 3755 of the 20992 code points U+4E00–U+9FFF); byte-swapped UTF-16 (cmyk.pdf) 12.7 %."""

MIN_SWAPPED = 5
MAX_SWAPPED_SHARE = 0.5
"""Byte-swapped UTF-16 (``Multicolor`` → ``䴀甀氀琀椀挀漀氀漀爀``): hanzi whose code point
ends in 00 are 1 in 256 of real text; at least ``MIN_SWAPPED`` of them and over this share
of the hanzi flag the page (ocrmypdf/cmyk.pdf: 55 of 55)."""

# --- invisible layers (another engine's OCR) ----------------------------------------------
INVISIBLE_SHARE = 0.5
"""A page whose characters are mostly drawn invisibly (render mode 3 or 7, fill alpha 0, or
Tesseract's GlyphLessFont) carries another engine's OCR layer, held to the tests below.
Measured with PDFium's render modes: Seige_of_Vicksburg_Sample_OCR.pdf and
pr-136-example.pdf 100 % on every page, invisible_text_layer.pdf 54 % (a visible heading
over an OCR line), ordinary born-digital pages 0 %."""

MIN_WORD_CHAR_SHARE = 0.60
"""Letters (hanzi included) and digits: at least this share of an invisible layer's glyphs.
Measured: Vicksburg 96–97 %, pr-136 89–93 %, Tesseract chi_sim on a Chinese certificate
96 %, the OCR of a chart (ocrmypdf/multipage.pdf p4) 84 %; a layer of OCR noise
(``| ' ; ~ . , -``) 16 %."""

MAX_SINGLE_TOKEN_SHARE = 0.30
"""Whitespace-separated tokens that are one character, neither a hanzi nor a digit (``|``,
``l``, ``'``): at most this share of an invisible layer's tokens. Measured: Vicksburg
3.0–5.4 %, pr-136 0–7.7 %, chi_sim on a certificate 6.9 %, multipage.pdf p4 19 %, Tesseract
eng on a Chinese certificate 14 %; OCR noise 97 %. Tesseract's Chinese output puts spaces
between hanzi, so single hanzi are not counted."""

MIN_LATIN_WORDS = 8
"""An invisible layer with at least this many Latin words (2+ letters), and more of them than
hanzi, must read like English: ``MIN_COMMON_WORD_SHARE`` of its words among the most common
English words, or else mostly not in capitals (``MAX_CAPS_WORD_SHARE``) and shaped like words
(``MIN_WORD_SHAPE_SHARE``: a vowel, at most 4 consonants in a row, no letter 4 times in a
row, lower/Title/UPPER case)."""
MIN_COMMON_WORD_SHARE = 0.10
"""Measured: Vicksburg (an English OCR layer) 49–55 % per page; Tesseract ``eng`` on a
Chinese certificate (``FEN EB 4 nn Mea & IEE ATLA FIOOC=ILA …``) 6 %; random letters 0 %."""
MAX_CAPS_WORD_SHARE = 0.5
"""Words in capitals: Vicksburg 1–2 % (its running heads); ``eng`` on Chinese 89 %."""
MIN_WORD_SHAPE_SHARE = 0.70
"""Vicksburg 100 %; ``eng`` on Chinese 83 %; random lower-case letters 53–58 %."""

_CID = re.compile(r"\(cid:\d+\)")
_UNMAPPED_RUN = re.compile(
    "[\ue000-\uf8ff\ufffd\U000f0000-\U0010ffff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]{2,}")
_SIGNS = set("\u00a0·°×÷±§©®²³¹µ¼½¾«»¥£¢¬¦¯´¸¨ª¶º¿¡")
_CP1252_SPECIALS = set("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ")
_MOJIBAKE = re.compile(
    "[\u00c2-\u00ef][\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]")
_VOWELS = set("aeiouyAEIOUY")
_CONSONANT_RUN = re.compile(r"[^aeiouyAEIOUY]{5,}")
_REPEAT = re.compile(r"(.)\1{3,}")
_WORD_EDGE = re.compile(r"^[\W_]+|[\W_]+$")
_INVISIBLE_MODES = {3, 7}
# The most common English words (function words first), and the words of English covers and
# certificates, for telling English from OCR noise.
_COMMON_WORDS_TEXT = """
the of and to in is it that for on was with as by at be this are from or an not have has
had were which but they their there his her he she we you your our us its can will would
all one no so if more other into than then them these those been also may such any each
who what when where how only some new about up out over after before under between do
does did must should could shall per via vs very most many much well first two three year
years page vol issue journal university college school institute national china chinese
province zhejiang science technology engineering research security system systems study
studies based using application applications analysis design method certificate degree
bachelor master doctor award name date number title company ltd co
"""
_COMMON_WORDS = frozenset(_COMMON_WORDS_TEXT.split())
_GLYPHLESS = "glyphless"

# Unicode blocks (inclusive) a Chinese dossier's text plausibly uses.
_PLAUSIBLE = (
    (0x0020, 0x007E), (0x00A0, 0x024F), (0x02B0, 0x02FF), (0x0300, 0x036F),
    (0x0370, 0x03FF), (0x0400, 0x04FF), (0x1E00, 0x1EFF), (0x2000, 0x206F),
    (0x2070, 0x209F), (0x20A0, 0x20CF), (0x2100, 0x214F), (0x2150, 0x218F),
    (0x2190, 0x21FF), (0x2200, 0x22FF), (0x2300, 0x23FF), (0x2460, 0x24FF),
    (0x2500, 0x257F), (0x2580, 0x259F), (0x25A0, 0x25FF), (0x2600, 0x26FF),
    (0x2700, 0x27BF), (0x2E80, 0x2FDF), (0x3000, 0x303F), (0x3040, 0x30FF),
    (0x3200, 0x32FF), (0x3300, 0x33FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
    (0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7AF), (0xF900, 0xFAFF),
    (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0xFB00, 0xFB4F),
    # other scripts: real text, not mojibake (Hebrew, Arabic and its presentation forms,
    # Devanagari, Thai)
    (0x0590, 0x06FF), (0x0900, 0x097F), (0x0E00, 0x0E7F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF),
)


@dataclass(frozen=True, slots=True)
class LayerStats:
    """What ``measure`` counts on a page's text layer.

    Attributes:
        glyphs: non-whitespace characters, each ``(cid:N)`` counted as one glyph.
        cid: ``(cid:N)`` glyphs (no Unicode mapping).
        cid_distinct: different N among them.
        unmapped: private-use, U+FFFD and control characters in runs of two or more.
        latin1: characters U+0080–U+00FF other than common signs, and cp1252 specials that
            are not ordinary punctuation.
        mojibake_pairs: a UTF-8 lead byte read as Latin-1 followed by a continuation byte.
        rare: characters outside the plausible blocks.
        hanzi: CJK ideographs.
        common_hanzi: of them, GB 2312 level 1.
        swapped_hanzi: of them, code points ending in 00 (byte-swapped UTF-16).
        word_chars: letters (any script, hanzi included) and digits.
        tokens: whitespace-separated tokens.
        single_tokens: one-character tokens that are neither a hanzi nor a digit.
        latin_words: tokens of 2+ Latin letters (after trimming punctuation).
        common_words: of them, the ones among the most common English words.
        caps_words: of them, the ones in capitals.
        shaped_words: of them, the ones shaped like words.
    """

    glyphs: int
    cid: int
    cid_distinct: int
    unmapped: int
    latin1: int
    mojibake_pairs: int
    rare: int
    hanzi: int
    common_hanzi: int
    swapped_hanzi: int
    word_chars: int
    tokens: int
    single_tokens: int
    latin_words: int
    common_words: int
    caps_words: int
    shaped_words: int


def _is_hanzi(c: str) -> bool:
    o = ord(c)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or \
        0x20000 <= o <= 0x3FFFF


def _is_common_hanzi(c: str) -> bool:
    """GB 2312 level 1: rows 16–55 (first byte 0xB0–0xD7), the 3755 most used hanzi."""
    try:
        b = c.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(b) == 2 and 0xB0 <= b[0] <= 0xD7


def _is_unmapped(c: str) -> bool:
    o = ord(c)
    if 0xE000 <= o <= 0xF8FF or o >= 0xF0000 or o == 0xFFFD:
        return True
    return unicodedata.category(c) == "Cc"


def _is_plausible(c: str) -> bool:
    o = ord(c)
    if 0x20000 <= o <= 0x3FFFF:  # CJK extensions B–H
        return True
    return any(lo <= o <= hi for lo, hi in _PLAUSIBLE)


def _is_latin1_odd(c: str) -> bool:
    o = ord(c)
    if 0x80 <= o <= 0xFF:
        return c not in _SIGNS
    return c in _CP1252_SPECIALS and c not in "…‘’“”–—•™€"


def _word_shaped(word: str) -> bool:
    if not (word.islower() or word.istitle() or word.isupper()):
        return False
    if not any(c in _VOWELS for c in word):
        return False
    return _CONSONANT_RUN.search(word) is None and _REPEAT.search(word) is None


def measure(text: str) -> LayerStats:
    """Count what ``text_layer_problem`` judges a page's text by."""
    cids = _CID.findall(text)
    cid = len(cids)
    rest = _CID.sub(" ", text)
    chars = [c for c in rest if not c.isspace()]
    hanzi = [c for c in chars if _is_hanzi(c)]
    tokens = rest.split()
    singles = sum(1 for t in tokens if len(t) == 1 and not _is_hanzi(t) and not t.isdigit())
    latin = []
    for t in tokens:
        w = _WORD_EDGE.sub("", t)
        if len(w) >= 2 and w.isascii() and w.isalpha():
            latin.append(w)
    return LayerStats(
        glyphs=len(chars) + cid,
        cid=cid,
        cid_distinct=len(set(cids)),
        unmapped=sum(len(run) for run in _UNMAPPED_RUN.findall(rest)),
        latin1=sum(1 for c in chars if _is_latin1_odd(c)),
        mojibake_pairs=len(_MOJIBAKE.findall(rest)),
        rare=sum(1 for c in chars if not _is_unmapped(c) and not _is_plausible(c)),
        hanzi=len(hanzi),
        common_hanzi=sum(1 for c in hanzi if _is_common_hanzi(c)),
        swapped_hanzi=sum(1 for c in hanzi if ord(c) & 0xFF == 0),
        word_chars=sum(1 for c in chars if c.isalnum()),
        tokens=len(tokens),
        single_tokens=singles,
        latin_words=len(latin),
        common_words=sum(1 for w in latin if w.lower() in _COMMON_WORDS),
        caps_words=sum(1 for w in latin if w.isupper()),
        shaped_words=sum(1 for w in latin if _word_shaped(w)),
    )


def invisible_share(chars: Sequence[Mapping[str, object]]) -> float:
    """The share of ``chars`` drawn invisibly (0 when there are none).

    A char counts as invisible when its ``render_mode`` (or ``text_render_mode``) is 3
    (neither fill nor stroke) or 7 (clip only), when its ``fill_alpha`` is 0, or when its
    ``fontname`` is Tesseract's GlyphLessFont (always drawn invisibly). pdfplumber 0.11.10
    gives none of the first two: the caller adds them (see ``text_layer_problem``).
    """
    visible_text = [c for c in chars if str(c.get("text") or "").strip()]
    if not visible_text:
        return 0.0
    hidden = sum(1 for c in visible_text if _is_invisible(c))
    return hidden / len(visible_text)


def _is_invisible(char: Mapping[str, object]) -> bool:
    for key in ("render_mode", "text_render_mode"):
        mode = char.get(key)
        if isinstance(mode, int) and mode in _INVISIBLE_MODES:
            return True
    alpha = char.get("fill_alpha")
    if isinstance(alpha, int | float) and alpha <= 0:
        return True
    return _GLYPHLESS in str(char.get("fontname") or "").lower()


def text_layer_problem(text: str, chars: Sequence[Mapping[str, object]] | None = None,
                       ) -> str | None:
    """Why a page's text layer must not be trusted (the page is then OCR'd), or None.

    Args:
        text: the page's text as pdfplumber extracts it (``page.extract_text()``), with
            ``(cid:N)`` for glyphs that have no Unicode mapping.
        chars: the page's characters, as mappings with at least ``text``; optionally
            ``fontname``, ``render_mode`` (or ``text_render_mode``; PDF text render mode
            0–7) and ``fill_alpha`` (0–1). pdfplumber's ``page.chars`` dicts can be passed
            as they are, but pdfplumber 0.11.10 exposes neither render mode nor alpha:
            without them only Tesseract's GlyphLessFont reveals an invisible layer.

    Returns:
        A short reason in Chinese (for a note on the page), or None when the layer is fine.
        An empty page is fine here: the caller decides by the count of characters whether
        to OCR it.
    """
    s = measure(text)
    if s.glyphs == 0:
        return None
    if _unmapped_font(s):
        return (f"{s.cid} 个字形无 Unicode 映射（(cid:…)，占 {s.cid / s.glyphs:.0%}，"
                f"{s.cid_distinct} 种）")
    if s.unmapped >= MIN_UNMAPPED and s.unmapped / s.glyphs > MAX_UNMAPPED_SHARE:
        return f"{s.unmapped} 个私用区、替换或控制字符（占 {s.unmapped / s.glyphs:.0%}）"
    if s.latin1 / s.glyphs > MAX_LATIN1_SHARE:
        return f"西欧字符占 {s.latin1 / s.glyphs:.0%}，疑似编码错误（乱码）"
    if s.mojibake_pairs >= MIN_MOJIBAKE_PAIRS and \
            2 * s.mojibake_pairs / s.glyphs > MOJIBAKE_PAIR_SHARE:
        return f"{s.mojibake_pairs} 处 UTF-8 被当作西欧编码读出的乱码（如“Ã©”）"
    if s.swapped_hanzi >= MIN_SWAPPED and s.swapped_hanzi / max(s.hanzi, 1) > MAX_SWAPPED_SHARE:
        return "文字为字节序颠倒的 UTF-16（乱码）"
    if s.rare / s.glyphs > MAX_RARE_SHARE:
        return f"不常见字符占 {s.rare / s.glyphs:.0%}，疑似编码错误（乱码）"
    if s.hanzi >= MIN_HANZI_FOR_COMMONNESS and \
            s.common_hanzi / s.hanzi < MIN_COMMON_HANZI_SHARE:
        return f"常用汉字仅占 {s.common_hanzi / s.hanzi:.0%}，疑似字形映射错误（乱码）"
    if chars and invisible_share(chars) >= INVISIBLE_SHARE:
        return _invisible_layer_problem(s)
    return None


def _unmapped_font(s: LayerStats) -> bool:
    if s.cid < MIN_CID or s.cid / s.glyphs <= MIN_CID_SHARE:
        return False
    return (s.cid / s.glyphs > CID_MOSTLY or s.cid_distinct >= MIN_CID_DISTINCT_MANY or
            (s.cid_distinct >= MIN_CID_DISTINCT and
             s.cid_distinct / s.cid >= MIN_CID_DISTINCT_RATIO))


def _invisible_layer_problem(s: LayerStats) -> str | None:
    """Another engine's OCR layer: kept only when it reads like real text."""
    if s.word_chars / s.glyphs < MIN_WORD_CHAR_SHARE:
        return (f"隐藏的 OCR 文字层中文字和数字仅占 {s.word_chars / s.glyphs:.0%}，"
                "多为符号（识别质量差）")
    if s.tokens and s.single_tokens / s.tokens > MAX_SINGLE_TOKEN_SHARE:
        return (f"隐藏的 OCR 文字层中孤立单字符占 {s.single_tokens / s.tokens:.0%}"
                "（识别质量差）")
    if s.latin_words >= MIN_LATIN_WORDS and s.latin_words > s.hanzi:
        n = s.latin_words
        if s.common_words / n < MIN_COMMON_WORD_SHARE and (
                s.caps_words / n > MAX_CAPS_WORD_SHARE or
                s.shaped_words / n < MIN_WORD_SHAPE_SHARE):
            return (f"隐藏的 OCR 文字层不像真实文字（常用词仅占 {s.common_words / n:.0%}，"
                    f"大写词占 {s.caps_words / n:.0%}），疑为用错语言的识别结果")
    return None
