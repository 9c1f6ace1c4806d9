"""Numbers printed on proofs: amounts in figures and in capital numerals, ISSN, CN.

Every parser takes text as the reader produced it (a text layer, or Tesseract's chi_sim
output with its misreadings) and returns a normalised value or None. None means "not read",
never "read and guessed": a capital-numeral amount that is not written exactly as the
standard writes it (人民币壹佰零伍万元整) is refused, since Tesseract's chi_sim cannot read
叁 柒 捌 仟 and reads 壹 as 喜 (../shared/LAB-NOTES.md), and a dropped character often
leaves another well-formed number (柒拾伍万 → 拾伍万).
"""

from __future__ import annotations

import logging
import re
import unicodedata

from stdnum import issn as stdnum_issn
from stdnum.exceptions import ValidationError

log = logging.getLogger(__name__)

TESSERACT_BLIND = "叁柒捌仟壹"
"""Capital-numeral characters Tesseract's chi_sim model cannot read (壹: reads it as 喜)."""

# ---------------------------------------------------------------------------------------
# amounts in figures

# ¥ as printed and as OCR reads it (Y, 羊, #, 半); a sign glued to the number.
_YEN = "¥￥Yy羊#半"
_DASHES = "-‐‑‒–—―一－~～"
_SEP = ",，.．·"  # thousands separators as read (commas read as dots)
_FIGURES = re.compile(
    rf"(?P<yen>[{_YEN}]\s*)?"
    r"(?<![0-9,，.．])"
    r"(?P<num>[0-9OolI](?:[0-9OolI]|\s?[,，.．·]\s?(?=[0-9OolI])|\s(?=[0-9]{3}(?![0-9])))*)"
    r"\s*(?P<unit>万元|万|元)?"
)
_OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1"})


def _figures_value(num: str) -> float | None:
    """The value of a run of digits and separators (``1,120,000.00``, ``1.120.000.00``).

    The last separator followed by one or two digits is the decimal point; every other
    separator (comma, dot or space) must split off groups of exactly three digits.
    """
    s = re.sub(r"\s*([,，.．·])\s*", r"\1", num.translate(_OCR_DIGITS))
    parts = re.split(r"[,，.．·\s]", s)
    if any(not p.isdigit() for p in parts):
        return None
    decimals = ""
    if len(parts) > 1 and len(parts[-1]) in (1, 2):
        decimals = parts.pop()
    if len(parts) > 1 and (not 1 <= len(parts[0]) <= 3 or any(len(p) != 3 for p in parts[1:])):
        return None
    return float("".join(parts) + ("." + decimals if decimals else ""))


def parse_amount_figures(text: str) -> float | None:
    """The amount in yuan written in figures in ``text``, or None.

    Recognised: ``¥1,120,000.00``, ``￥1120000.00``, ``1120000元``, ``112万元``,
    ``112.5万元``, and OCR's renderings of them: ¥ read as Y, 羊 or #, commas read as dots or
    spaces, O/o for 0 and l/I for 1. The first number that carries a currency sign or a unit
    (元, 万元) wins; without either, a bare number with two decimals (``1860000.00``, as left
    when OCR drops the ¥) is taken. A separator followed by three digits is a thousands
    separator (``1.120`` is 1120). A number that starts with a separator (``,860,000.00``:
    OCR swallowed the leading digits into the ¥) or whose groups are not three digits long is
    refused.

    >>> parse_amount_figures("合同金额：人民币壹佰壹拾贰万元整（¥1,120,000.00）")
    1120000.0
    >>> parse_amount_figures("( 尖 ,860,000.00)") is None
    True
    """
    text = unicodedata.normalize("NFKC", text)
    bare: float | None = None
    for m in _FIGURES.finditer(text):
        num = m["num"].rstrip(" ")
        if not re.search(r"[0-9]", num):
            continue
        value = _figures_value(num)
        if value is None:
            continue
        if m["unit"] in ("万元", "万"):
            if m["unit"] == "万" and not m["yen"]:
                continue  # 万 alone (a count, 万分之五) is no amount
            return round(value * 10_000, 2)
        if m["yen"] or m["unit"] == "元":
            return value
        if bare is None and re.search(r"[.．]\d{2}$", num) and value >= 100:
            bare = value
    return bare


# ---------------------------------------------------------------------------------------
# amounts in capital numerals

_CAP_DIGITS = {ch: i for i, ch in enumerate("零壹贰叁肆伍陆柒捌玖")}
_CAP_UNITS = {"拾": 1, "佰": 2, "仟": 3}
_CAP_SECTIONS = {"万": 4, "亿": 8}
_CAP_CHARS = set(_CAP_DIGITS) | set(_CAP_UNITS) | set(_CAP_SECTIONS) | set("元角分整")
_CAP_FIX = str.maketrans({"圆": "元", "正": "整", "〇": "零", "两": "贰"})
_CAP_PREFIX = re.compile(r"(?:人民币|[(（]大写[)）][:：]?|大写[:：]?|RMB)+")


_CAP_FRACTION = re.compile(
    r"(?:零?(?P<jiao>[壹贰叁肆伍陆柒捌玖])角)?(?:零?(?P<fen>[壹贰叁肆伍陆柒捌玖])分)?"
)


class _CapitalError(ValueError):
    """A capital-numeral amount that is not written as the standard writes amounts."""


def _integer_positions(s: str) -> list[tuple[int, int, bool]]:
    """The nonzero digits of a capital integer: (power of ten, digit, a 零 before it).

    Raises:
        _CapitalError: the text breaks the grammar (a unit without a digit, 零 before a
            unit, units out of order, two 零 in a row).
    """
    out: list[tuple[int, int, bool]] = []
    section_marks = [(i, ch) for i, ch in enumerate(s) if ch in _CAP_SECTIONS]
    bounds = []
    start = 0
    for i, ch in section_marks:
        bounds.append((s[start:i], _CAP_SECTIONS[ch]))
        start = i + 1
    bounds.append((s[start:], 0))
    last_section = 99
    for chunk, base in bounds:
        if base >= last_section:
            raise _CapitalError("sections out of order")
        last_section = base
        if not chunk and base:
            raise _CapitalError("a 万/亿 without digits")
        i, last_unit, zero = 0, 4, False
        while i < len(chunk):
            ch = chunk[i]
            if ch == "零":
                if zero or not out:
                    raise _CapitalError("零 at the start or twice")
                zero = True
                i += 1
                continue
            if ch not in _CAP_DIGITS:
                raise _CapitalError(f"{ch} without a digit before it")
            digit = _CAP_DIGITS[ch]
            unit = 0
            if i + 1 < len(chunk) and chunk[i + 1] in _CAP_UNITS:
                unit = _CAP_UNITS[chunk[i + 1]]
                i += 1
            if unit >= last_unit:
                raise _CapitalError("units out of order")
            last_unit = unit
            out.append((base + unit, digit, zero))
            zero = False
            i += 1
            if unit == 0 and i < len(chunk):
                raise _CapitalError("digits after the ones")
        if zero:
            raise _CapitalError("零 at the end of a section")
    return out


def _check_zeros(positions: list[tuple[int, int, bool]]) -> None:
    """Each gap between nonzero digits has its 零, as the standard writes it.

    Within a section a gap needs exactly one 零; a 零 without a gap is wrong. Where the gap
    crosses into a lower section whose thousands digit is set (壹佰万伍仟), the 零 may be
    left out.

    Raises:
        _CapitalError: a missing or superfluous 零.
    """
    for (hi, _, _), (lo, _, zero) in zip(positions, positions[1:], strict=False):
        gap = hi - lo > 1
        if zero and not gap:
            raise _CapitalError("零 without a gap")
        if gap and not zero and not (lo % 4 == 3 and hi // 4 > lo // 4):
            raise _CapitalError("a gap without 零")


def _capital_value(body: str) -> float:
    """The value of a capital amount without prefix (``壹佰零伍万元整``).

    Raises:
        _CapitalError: it is not written as the standard writes amounts.
    """
    body = body.removesuffix("整")
    if not body:
        raise _CapitalError("empty")
    integer, sep, frac = body.partition("元")
    if not sep:
        integer, frac = "", body
        if not frac.endswith(("角", "分")):
            raise _CapitalError("no 元, 角 or 分")
    positions = _integer_positions(integer) if integer else []
    if sep and not positions:
        raise _CapitalError("元 without digits")
    _check_zeros(positions)
    value = sum(d * 10**p for p, d, _ in positions)
    fen = 0
    m = _CAP_FRACTION.fullmatch(frac)
    if m is None:
        raise _CapitalError(f"bad 角/分 part {frac!r}")
    if m["jiao"]:
        fen += 10 * _CAP_DIGITS[m["jiao"]]
    if m["fen"]:
        fen += _CAP_DIGITS[m["fen"]]
    if not (positions or fen):
        raise _CapitalError("nothing but 零")
    return round(value + fen / 100, 2)


_LABEL_ENDS = set("额计价款为写")  # 合同金额, 合计, 总价, 价款, 为, 大写 before an amount


def _is_ideograph(ch: str) -> bool:
    """Whether ``ch`` is a CJK ideograph (not punctuation, not Latin)."""
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def capital_text(text: str) -> str | None:
    """The capital-numeral amount as printed in ``text``, without spaces, or None.

    It starts at 人民币 (or 大写) when there is one, else at the first capital character
    (with any unreadable characters just before it), and runs to 整/正 or to the first
    bracket, ¥, punctuation or 小写 after it. What OCR made of it is kept as read
    (``人民币喜佰喜拾贰万元整``), so that a reader sees why it was refused.

    >>> capital_text("合同金额：人民币壹佰壹拾贰万元整（¥1,120,000.00）")
    '人民币壹佰壹拾贰万元整'
    """
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    m = _CAP_PREFIX.search(s)
    if m:
        start, body_start = m.start(), m.end()
    else:
        found = next((i for i, ch in enumerate(s) if ch in _CAP_CHARS - {"整"}), None)
        if found is None:
            return None
        start = body_start = found
        # an unreadable character just before (喜佰…) belongs to the amount: keep it, so
        # that the amount is refused rather than read from its second character on
        while start > 0 and _is_ideograph(s[start - 1]) and s[start - 1] not in _LABEL_ENDS:
            start -= 1
    end = re.search(r"[整正]|[(（¥#,，;；。:：)）]|小写", s[body_start:])
    if end is None:
        stop = len(s)
    else:
        stop = body_start + (end.end() if end.group() in ("整", "正") else end.start())
    cut = s[start:stop]
    return cut if cut != s[start:body_start] else None


def parse_amount_capital(text: str) -> float | None:
    """The amount in yuan written in capital numerals in ``text``, or None.

    ``人民币壹佰壹拾贰万元整`` → 1120000.0. Tolerated: spaces anywhere, 圆 for 元, 正 for 整,
    〇 for 零, a 人民币 / （大写） prefix, no 整. The amount must be written as the standard
    writes it: every digit before its unit, 壹拾 not 拾, one 零 for each gap (optional only
    before a thousands digit in the next section, 壹佰万伍仟元), nothing but capital numerals
    between the prefix and the end. Anything else is None: a character OCR could not read
    (喜 for 壹, 抽 for 捌) breaks the run, and a dropped one (仟 of 伍万陆仟元, 柒 of
    柒拾伍万) breaks the grammar.

    >>> parse_amount_capital("人民币壹佰零伍万陆仟元整")
    1056000.0
    >>> parse_amount_capital("人民币壹佰零伍万陆元整") is None  # 仟 dropped
    True
    """
    cap = capital_text(text)
    if cap is None:
        return None
    body = _CAP_PREFIX.sub("", cap).translate(_CAP_FIX)
    if not body or any(ch not in _CAP_CHARS for ch in body):
        return None
    try:
        return _capital_value(body)
    except _CapitalError as e:
        log.debug("capital amount %r refused: %s", cap, e)
        return None


def tesseract_may_misread(amount: float) -> bool:
    """Whether the standard capital writing of ``amount`` holds a character chi_sim misses.

    When it does, a capital amount read by Tesseract that disagrees with the figures may be
    a misreading, not a disagreement on paper.
    """
    return any(ch in TESSERACT_BLIND for ch in capital_of(amount))


def capital_of(amount: float) -> str:
    """The standard capital writing of ``amount`` yuan, without 人民币: ``壹佰零伍万元整``."""
    import cn2an

    return str(cn2an.an2cn(f"{amount:.2f}", "rmb"))


# ---------------------------------------------------------------------------------------
# ISSN and CN

_D = "0-9OoIl|"
_ISSN_LABELLED = re.compile(
    rf"[I1l|]\s*S\s*S\s*N\s*[:：]?\s*(?P<a>(?:[{_D}]\s?){{3}}[{_D}])\s*[{_DASHES}]?\s*"
    rf"(?P<b>(?:[{_D}]\s?){{3}}[{_D}XxＸ])(?![0-9])"
)
_ISSN_BARE = re.compile(r"(?<![0-9\-])(?P<a>[0-9]{4})\s?-\s?(?P<b>[0-9]{3}[0-9Xx])(?![0-9\-/])")
_ISSN_FIX = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1", "x": "X", "Ｘ": "X"})


def _issn_of(a: str, b: str) -> str | None:
    """``NNNN-NNNC`` from the two halves as read, when the check digit is right."""
    digits = re.sub(r"\s", "", a + b).translate(_ISSN_FIX)
    try:
        return str(stdnum_issn.format(stdnum_issn.validate(digits)))
    except ValidationError:
        log.debug("ISSN %s refused: bad check digit or form", digits)
        return None


def find_issns(text: str) -> list[str]:
    """Every ISSN with a valid check digit in ``text``, in order (labelled ones first).

    Labelled (``ISSN 2096-1138``, OCR's ``1SSN 2O96一1138``) or bare (``2096-1138``, e.g. in
    an article number ``2096-1138(2021)05-0012-04``). A number whose check digit is wrong is
    skipped: it was misread (or misprinted) and is not repaired by guessing.
    """
    text = unicodedata.normalize("NFKC", text)
    out: list[str] = []
    for rx in (_ISSN_LABELLED, _ISSN_BARE):
        for m in rx.finditer(text):
            value = _issn_of(m["a"], m["b"])
            if value is not None and value not in out:
                out.append(value)
    return out


def find_issn(text: str) -> str | None:
    """The first ISSN with a valid check digit in ``text`` (see :func:`find_issns`), or None.

    >>> find_issn("国际标准连续出版物号：ISSN 2O96-1l38")
    '2096-1138'
    >>> find_issn("ISSN 2096-1139") is None
    True
    """
    found = find_issns(text)
    return found[0] if found else None


_CN = re.compile(
    rf"C\s*N\s*[:：]?\s*(?P<a>(?:[{_D}]\s?)[{_D}])\s*[{_DASHES}]\s*(?P<b>(?:[{_D}]\s?){{3}}[{_D}])"
    r"\s*(?:[/／\\]|[VvIl|]\s*[/／]?)?\s*(?P<c>[A-Z]{1,2}[0-9]?)(?![A-Za-z])"
)
_CN_BARE = re.compile(
    r"(?<![0-9A-Za-z])(?P<a>[0-9]{2})\s?-\s?(?P<b>[0-9]{4})\s?[/／]\s?(?P<c>[A-Z]{1,2}[0-9]?)"
    r"(?![A-Za-z])"
)


def find_cns(text: str) -> list[str]:
    """Every CN serial number in ``text``, as ``NN-NNNN/XX``, in order (labelled first).

    Labelled: ``CN 33-1417/TN``, with OCR's spaces, dashes (一, —), a slash read as V or l
    or lost, O/l for 0/1 in the digits. Bare: ``33-1417/TN`` (the slash required).
    """
    text = unicodedata.normalize("NFKC", text)
    out: list[str] = []
    for rx in (_CN, _CN_BARE):
        for m in rx.finditer(text):
            a = re.sub(r"\s", "", m["a"]).translate(_ISSN_FIX)
            b = re.sub(r"\s", "", m["b"]).translate(_ISSN_FIX)
            if not (a.isdigit() and b.isdigit()):
                continue
            value = f"{a}-{b}/{m['c']}"
            if value not in out:
                out.append(value)
    return out


def find_cn(text: str) -> str | None:
    """The first CN serial number in ``text`` (see :func:`find_cns`), or None.

    >>> find_cn("国内统一连续出版物号 CN 33-1417V/TN")
    '33-1417/TN'
    """
    found = find_cns(text)
    return found[0] if found else None
