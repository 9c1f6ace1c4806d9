"""Generic helpers of the field parsers: lines of words, dates, names, labelled values.

Everything here is pure and works on the reader's output (``model.report.PageRead``) as it
is, born-digital or OCR: Tesseract's chi_sim model splits CJK text into one-character words,
puts spaces between them, and confuses a few shapes (年→午/牟, 日→曰, 1→l/I, 0→O/o); the
helpers tolerate that (../shared/LAB-NOTES.md).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import cn2an

from extractors.text import join_cjk
from model.fields import FieldData, FieldValue
from model.names import normalise_name as normalise_name  # re-exported for the parsers
from model.names import same_name as same_name
from model.report import BBox, PageKind, PageRead, Word

# ---------------------------------------------------------------------------------------
# Lines


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a page: its words joined, where it sits, how sure the reading is.

    Attributes:
        text: the words joined (CJK runs without spaces, Latin words and digits with one).
        bbox: the union of the words' boxes (page coordinates, as ``Word.bbox``).
        conf: the words' confidence, weighted by their length (1.0 for a text layer).
        words: the words, in reading order.
        rotation: the page's ``PageRead.rotation``: the clockwise turn that makes the page
            upright. Boxes stay in the page's own coordinates; :meth:`upright` gives the box
            in the upright page's frame (for left/right and above/below).
    """

    text: str
    bbox: BBox
    conf: float
    words: tuple[Word, ...]
    rotation: int = 0

    def upright(self) -> BBox:
        """The line's box in the upright page's frame (an ordering frame: it may be negative)."""
        return upright_box(self.bbox, self.rotation)


def upright_box(b: BBox, rotation: int) -> BBox:
    """``b`` (page coordinates) as it lies once the page is turned ``rotation`` clockwise.

    The result orders boxes left to right and top to bottom on the upright page; it is
    shifted by the page size, which is not needed for that, so it may be negative.
    """
    x0, top, x1, bottom = b
    if rotation == 90:
        return (-bottom, x0, -top, x1)
    if rotation == 180:
        return (-x1, -bottom, -x0, -top)
    if rotation == 270:
        return (top, -x1, bottom, -x0)
    return b


def union_bbox(boxes: Iterable[BBox]) -> BBox:
    """The smallest box holding all ``boxes`` (a zero box when there are none)."""
    bs = list(boxes)
    if not bs:
        return (0.0, 0.0, 0.0, 0.0)
    return (
        min(b[0] for b in bs),
        min(b[1] for b in bs),
        max(b[2] for b in bs),
        max(b[3] for b in bs),
    )


def line_of_words(words: Sequence[Word], rotation: int = 0) -> Line:
    """One :class:`Line` from a run of words (in reading order) of a page turned ``rotation``."""
    total = weight = 0.0
    for w in words:
        n = max(len(w.text), 1)
        total += w.conf * n
        weight += n
    return Line(
        text=join_cjk(" ".join(w.text for w in words if w.text.strip())).strip(),
        bbox=union_bbox(w.bbox for w in words),
        conf=total / weight if weight else 0.0,
        words=tuple(words),
        rotation=rotation,
    )


def _split_at_gaps(words: Sequence[Word], gap: float, rotation: int) -> list[list[Word]]:
    """Cut a row of words (left to right) where two stand more than ``gap`` heights apart."""
    boxes = [upright_box(w.bbox, rotation) for w in words]
    height = max((b[3] - b[1] for b in boxes), default=0.0)
    runs: list[list[Word]] = []
    last: BBox | None = None
    for w, b in zip(words, boxes, strict=True):
        if runs and last is not None and b[0] - last[2] <= gap * height:
            runs[-1].append(w)
        else:
            runs.append([w])
        last = b
    return runs


def lines_of(page: PageRead, *, split_gap: float | None = None) -> list[Line]:
    """The page's lines in order: its words grouped by ``Word.line``, left to right.

    A page without words (an old reading, a test page) is cut into lines of its ``text``,
    with zero boxes and the page's confidence.

    Args:
        page: the page as read.
        split_gap: when given, a line is also cut where two words stand further apart than
            this many line heights: a value column of a table, or the characters of a seal
            that a text layer puts on the row they cross, become lines of their own (3 is a
            good value). None keeps the reader's lines whole.
    """
    if not page.words:
        return [
            Line(
                text=join_cjk(t.strip()), bbox=(0.0, 0.0, 0.0, 0.0), conf=page.confidence, words=()
            )
            for t in page.text.splitlines()
            if t.strip()
        ]
    groups: dict[int, list[Word]] = {}
    for w in page.words:
        if w.text.strip():
            groups.setdefault(w.line, []).append(w)
    turn = page.rotation
    out: list[Line] = []
    for _, ws in sorted(groups.items()):
        # left to right on the upright page: a text layer lists a row's words in drawing
        # order (a value drawn after its label may come first); OCR boxes of a page that
        # was turned upright are in the stored page's frame
        row = sorted(ws, key=lambda w: upright_box(w.bbox, turn)[0])
        runs = [row] if split_gap is None else _split_at_gaps(row, split_gap, turn)
        out.extend(line_of_words(run, turn) for run in runs)
    return [ln for ln in out if ln.text]


def page_text(lines: Sequence[Line]) -> str:
    """The lines' texts, one a line."""
    return "\n".join(ln.text for ln in lines)


# ---------------------------------------------------------------------------------------
# Noise, labels, labelled values

_NOISE = " \t\r\n\u3000:：;；,，.。、|｜_—–-－~·•'\"“”‘’「」『』"
_PAIRS = {"(": ")", "（": "）", "[": "]", "【": "】", "<": ">", "《": "》", "〈": "〉"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}


def strip_noise(s: str) -> str:
    """``s`` without the punctuation, rules and spaces OCR leaves at either end.

    Brackets go only when they are unmatched: ``安全技术防范（系统集成）`` keeps its ``）``.

    >>> strip_noise("：王 丽 |")
    '王 丽'
    >>> strip_noise("(工程师 |")
    '工程师'
    >>> strip_noise("安全技术防范〈系统集成 )")
    '安全技术防范〈系统集成 )'
    """
    while True:
        before = s
        s = s.strip(_NOISE)
        same = unicodedata.normalize("NFKC", s).translate(_BRACKETS)  # （ and 〈 as (
        if s and (s[-1] in _PAIRS or (s[-1] in _CLOSERS and _CLOSERS[same[-1]] not in same)):
            s = s[:-1]
        elif s and (s[0] in _CLOSERS or (s[0] in _PAIRS and _PAIRS[same[0]] not in same)):
            s = s[1:]
        if s == before:
            return s


_LOOSE_SPACE = re.compile(r"\s+")
_BRACKETS = str.maketrans({"〈": "(", "〉": ")"})  # OCR's angle brackets for parentheses
_KEEP_SPACE = re.compile(r"(?<=[A-Za-z0-9]) (?=[A-Za-z0-9])")


def tidy(s: str) -> str:
    """``s`` in NFKC, without the spaces OCR puts around CJK characters and punctuation.

    Full-width letters, digits and punctuation become half-width; one space stays between
    two Latin letters or digits.

    >>> tidy("姓名 ：陈 建国  出生 1982 年 5 月 （ZL 2021 2 0123456.7）")
    '姓名:陈建国出生1982年5月(ZL 2021 2 0123456.7)'
    """
    s = _LOOSE_SPACE.sub(" ", unicodedata.normalize("NFKC", s).translate(_BRACKETS)).strip()
    parts = _KEEP_SPACE.split(s)  # the spaces that stay are the separators
    return " ".join(p.replace(" ", "") for p in parts)


def body_of(lines: Sequence[Line]) -> str:
    """The lines as one tidy running text (a sentence broken over lines is whole again)."""
    return tidy(" ".join(ln.text for ln in lines))


def label_pattern(label: str) -> str:
    """A regex for ``label`` allowing spaces between its characters and a colon after it.

    >>> re.search(label_pattern("姓名"), "姓 名 ：王丽").group()
    '姓 名 ：'
    """
    chars = [re.escape(c) for c in label if not c.isspace()]
    return r"\s*".join(chars) + r"\s*[:：]?\s*"


def _label_regex(labels: Sequence[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{label_pattern(lb)})" for lb in labels))


def cut_at(value: str, stops: Sequence[str]) -> str:
    """``value`` up to the first of the labels ``stops`` (e.g. 性别 after a name)."""
    if not stops:
        return value
    m = _label_regex(stops).search(value)
    return value[: m.start()] if m else value


def _same_row(a: BBox, b: BBox) -> bool:  # upright boxes
    """Whether two boxes share most of their height (one visual row)."""
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    return overlap > 0.5 * min(a[3] - a[1], b[3] - b[1])


def value_after(
    lines: Sequence[Line],
    labels: Sequence[str],
    stops: Sequence[str] = (),
    *,
    anchored: bool = False,
    accept: Callable[[str], bool] | None = None,
) -> tuple[str, Line] | None:
    """The value that follows the first of ``labels`` found, and the line it was read from.

    The value is the rest of the label's line; when the label ends its line, the value is
    the line to its right on the same row (OCR often splits a row in two), else the next
    line. Labels are tolerant of spaces between characters and of a ``：``/``:`` after them.

    Args:
        lines: the page's lines, in order.
        labels: the label and its variants, most specific first (``专业``, ``所学专业``).
        stops: labels that end the value when they follow on the same line (``性别`` after
            ``姓名 王丽``).
        anchored: the label must start its line (after punctuation and at most one stray
            character, OCR's reading of a rule or a seal's edge): a label word inside a
            sentence (``在本校自动化专业学习``) is not a label.
        accept: when given, a value it refuses is passed over and the search goes on
            (``专业`` opening the title ``专业技术职务任职资格证书`` is no specialty).

    Returns:
        ``(value, line)`` with the value stripped of noise, or None when no label was found
        or nothing follows it.
    """
    rx = _label_regex(labels)
    tries = [rx]
    if anchored:  # the label at the start first, then after one stray character
        tries = [re.compile(rf"^[\W_]*(?:{rx.pattern})"), re.compile(rf"^[\W_]*\w(?:{rx.pattern})")]
    for attempt in tries:
        hit = _value_after(lines, attempt, stops, accept or (lambda _: True))
        if hit is not None:
            return hit
    return None


def _value_after(
    lines: Sequence[Line],
    rx: re.Pattern[str],
    stops: Sequence[str],
    accept: Callable[[str], bool],
) -> tuple[str, Line] | None:
    for i, ln in enumerate(lines):
        m = rx.search(ln.text)
        if m is None:
            continue
        rest = strip_noise(cut_at(ln.text[m.end() :], stops))
        if rest:
            if accept(rest):
                return rest, ln
            continue
        if m.end() < len(ln.text.rstrip()) and stops:
            continue  # the label was followed by another label: nothing here
        right = [
            o
            for o in lines
            if o is not ln
            and ln.words
            and o.words
            and _same_row(o.upright(), ln.upright())
            and o.upright()[0] >= ln.upright()[2] - 1
        ]
        nexts = sorted(right, key=lambda o: o.upright()[0]) + list(lines[i + 1 : i + 2])
        for nxt in nexts:
            val = strip_noise(cut_at(nxt.text, stops))
            if val and accept(val):
                return val, nxt
    return None


# ---------------------------------------------------------------------------------------
# Dates

_DIG = "0-9OoIl|"  # digits as OCR reads them
_DIGIT_FIX = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"})
_YEAR = rf"[12lI][09Oo][{_DIG}]{{2}}"
_NUM = rf"[{_DIG}]{{1,2}}"
# inside a 年/月/日 date OCR may split a number: "202 1 年 6 月 3 0 日"
_SPACED_YEAR = rf"[12lI] ?[09Oo] ?[{_DIG}] ?[{_DIG}]"
_SPACED_NUM = rf"[{_DIG}](?: ?[{_DIG}])?"
_NIAN = "年午牟"
_YUE = "月"
_RI = "日曰"
_CN_DIGITS = "〇零OoО○0@一二三四五六七八九"  # O, 0, @: Tesseract's readings of 〇
_CN_YEAR_FIX = str.maketrans(
    {"O": "〇", "o": "〇", "О": "〇", "○": "〇", "零": "〇", "0": "〇", "@": "〇"}
)

_DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "cjk",
        re.compile(
            rf"(?<![0-9])(?P<y>{_SPACED_YEAR})\s*[{_NIAN}]\s*(?P<m>{_SPACED_NUM})\s*{_YUE}"
            rf"(?:\s*(?P<d>{_SPACED_NUM})(?![0-9])(?:\s*[{_RI}])?)?"
        ),
    ),
    (
        "sep",
        re.compile(
            rf"(?<![0-9.])(?P<y>{_YEAR})\s*(?P<sep>[-./．／－])\s*(?P<m>{_NUM})"
            rf"(?:\s*(?P=sep)\s*(?P<d>{_NUM}))?(?![0-9])"
        ),
    ),
    (
        # OCR may space out a date printed with separators ("20 1 6- 12- 05"): taken only
        # with the day, so that a spaced number is not read as a month
        "sep",
        re.compile(
            rf"(?<![0-9.])(?P<y>{_SPACED_YEAR})\s*(?P<sep>[-/／－.．])\s*(?P<m>{_SPACED_NUM})"
            rf"\s*(?P=sep)\s*(?P<d>{_SPACED_NUM})(?![0-9])"
        ),
    ),
    (
        "cn",
        re.compile(
            rf"(?P<y>[{_CN_DIGITS}](?: ?[{_CN_DIGITS}]){{3,4}})\s*[{_NIAN}]"
            rf"\s*(?P<m>[一二三四五六七八九十]{{1,3}})\s*{_YUE}"
            rf"(?:\s*(?P<d>[一二三四五六七八九十]{{1,3}})(?![一二三四五六七八九十〇])(?:\s*[{_RI}])?)?"
        ),
    ),
)


def _digits(s: str) -> int:
    return int(s.translate(_DIGIT_FIX).replace(" ", ""))


def _cn_number(s: str) -> int | None:
    try:
        return int(cn2an.cn2an(s, "normal"))
    except (ValueError, KeyError, TypeError):
        return None


_DOUBLED_ZERO = re.compile("[Oo@]〇|〇[Oo@]")


def _cn_year(s: str) -> int | None:
    s = s.replace(" ", "")
    if len(s) == 5:  # Tesseract reads one 〇 as "O 〇": 二O〇一五 is 二〇一五
        s = _DOUBLED_ZERO.sub("〇", s, count=1)
    digits = s.translate(_CN_YEAR_FIX)
    if len(digits) != 4:
        return None
    try:
        return int("".join(str("〇一二三四五六七八九".index(c)) for c in digits))
    except ValueError:
        return None


_GARBLED_DAY = re.compile(r"\s*[0-9OoIl|一二三四五六七八九十〇零下干千于士]")


def _date_of(kind: str, m: re.Match[str]) -> datetime.date | None:
    if kind != "sep" and m["d"] is None and _GARBLED_DAY.match(m.string, m.end()):
        return None  # a day was printed but not read: better no date than the 1st
    if kind == "cn":
        y = _cn_year(m["y"])
        mo = _cn_number(m["m"])
        d = _cn_number(m["d"]) if m["d"] else 1
    else:
        y, mo = _digits(m["y"]), _digits(m["m"])
        d = _digits(m["d"]) if m["d"] else 1
        if kind == "sep" and m["d"] is None and len(m["m"]) != 2 and m["sep"] in ".．":
            return None  # 2021.6 is more often a number than a month
    if y is None or mo is None or d is None or not 1900 <= y <= 2099:
        return None
    try:
        return datetime.date(y, mo, d)
    except ValueError:
        return None


def find_dates(text: str) -> list[tuple[datetime.date, str]]:
    """Every date written in ``text``, in order: the date and the text it was read from.

    Recognised forms: 2021年6月30日, 2021年06月, 2021-06-30, 2021.06.30, 2021/6/30, 2021-06,
    二〇二一年六月三十日 (〇, 零, O as zero). Spaces may stand between the parts; OCR's 午/牟 for
    年, 曰 for 日, l/I/| for 1 and O/o for 0 are read through. A date without a day is the
    first of its month. Impossible dates (2021年2月30日) are skipped.

    >>> [d.isoformat() for d, _ in find_dates("自2019.09至2O23午6月30曰")]
    ['2019-09-01', '2023-06-30']
    """
    text = unicodedata.normalize("NFKC", text) if not text.isascii() else text
    found: list[tuple[int, int, datetime.date, str]] = []
    for kind, rx in _DATE_PATTERNS:
        for m in rx.finditer(text):
            d = _date_of(kind, m)
            if d is not None:
                found.append((m.start(), -(m.end() - m.start()), d, m.group().strip()))
    found.sort()
    out: list[tuple[datetime.date, str]] = []
    end = -1
    for start, neg_len, d, raw in found:
        if start >= end:
            out.append((d, raw))
            end = start - neg_len
    return out


def parse_date(text: str) -> tuple[datetime.date, str] | None:
    """The first date written in ``text`` (see :func:`find_dates`), or None.

    >>> parse_date("二〇二二年九月十五日")
    (datetime.date(2022, 9, 15), '二〇二二年九月十五日')
    """
    dates = find_dates(text)
    return dates[0] if dates else None


# ---------------------------------------------------------------------------------------
# Names

_PERSON_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}(?:[·・][\u4e00-\u9fff]{1,10})?$")


def looks_like_name(s: str) -> bool:
    """Whether ``s`` (normalised or not) could be a Chinese personal name (2–4 characters)."""
    return bool(_PERSON_NAME.match(re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))))


# ---------------------------------------------------------------------------------------
# Field values


def compact(s: str) -> str:
    """``s`` after NFKC with all whitespace removed (how fields are compared)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def field_at(
    value: FieldData,
    raw: str,
    page: PageRead,
    line: Line | None = None,
    repairs: int = 0,
    verified: bool = True,
) -> FieldValue:
    """A :class:`FieldValue` read on ``page`` from ``line``.

    Its confidence is the line's (the page's when no line), times 0.8 for every repair the
    parser had to make to the raw text.
    """
    conf = line.conf if line is not None else page.confidence
    return FieldValue(
        value=value,
        raw=raw,
        page=page.page,
        bbox=line.bbox if line is not None and line.words else None,
        confidence=round(conf * 0.8**repairs, 3),
        verified=verified,
    )


def find_line(
    lines: Sequence[Line], pattern: str | re.Pattern[str]
) -> tuple[re.Match[str], Line] | None:
    """The first line where ``pattern`` matches, with its match."""
    rx = re.compile(pattern) if isinstance(pattern, str) else pattern
    for ln in lines:
        m = rx.search(ln.text)
        if m:
            return m, ln
    return None


# ---------------------------------------------------------------------------------------
# Pages prepared for the family parsers


@dataclass(frozen=True, slots=True)
class PageLines:
    """One page ready for parsing: its lines (cut at wide gaps) and its running text.

    Attributes:
        page: the page as read.
        lines: :func:`lines_of` the page, cut at gaps of 3 line heights.
        body: the lines as one :func:`tidy` running text.
    """

    page: PageRead
    lines: tuple[Line, ...]
    body: str


def prepare(pages: Sequence[PageRead], split_gap: float = 3.0) -> list[PageLines]:
    """The pages with their lines (in :func:`by_rows` order) and running text."""
    out = []
    for p in pages:
        lines = tuple(by_rows(lines_of(p, split_gap=split_gap)))
        out.append(PageLines(page=p, lines=lines, body=body_of(lines)))
    return out


def by_rows(lines: Sequence[Line]) -> list[Line]:
    """``lines`` top to bottom, a row's lines left to right (on the upright page).

    Tesseract may put the end of a row in a block of its own and list it after the next row
    (…项目，| 等奖。特发此证 | 荣获杭州市科学技术进步奖一): a certificate, a card or a form
    reads row by row. Lines without boxes keep their order.
    """
    if not lines or any(not ln.words for ln in lines):
        return list(lines)
    rows: list[list[Line]] = []
    for ln in sorted(lines, key=lambda ln: ln.upright()[1]):
        box = ln.upright()
        row = rows[-1] if rows else None
        if row is not None and _same_row(row[0].upright(), box):
            row.append(ln)
        else:
            rows.append([ln])
    return [ln for row in rows for ln in sorted(row, key=lambda ln: ln.upright()[0])]


def row_lines(lines: Sequence[Line]) -> list[Line]:
    """The lines of one visual row (:func:`by_rows`) joined into one line, left to right.

    Tesseract may read a table column by column, each column a block of its own (序号姓名 |
    角色/职务 | 主要工作内容): a row's cells then come back as separate lines, far apart in the
    reading order. Lines without boxes are returned as they are.
    """
    if not lines or any(not ln.words for ln in lines):
        return list(lines)
    rows: list[list[Line]] = []
    for ln in by_rows(lines):
        if rows and _same_row(rows[-1][0].upright(), ln.upright()):
            rows[-1].append(ln)
        else:
            rows.append([ln])
    out: list[Line] = []
    for row in rows:
        rotation = row[0].rotation
        words = sorted(
            (w for ln in row for w in ln.words), key=lambda w: upright_box(w.bbox, rotation)[0]
        )
        out.append(line_of_words(words, rotation))
    return out


def labelled(
    pl: PageLines,
    labels: Sequence[str],
    stops: Sequence[str] = (),
    *,
    anchored: bool = True,
    accept: Callable[[str], bool] | None = None,
) -> tuple[str, Line] | None:
    """:func:`value_after` on the page's lines (labels at a line's start), value tidied.

    ``accept`` sees the tidied value.
    """
    check = None if accept is None else (lambda v: accept(strip_noise(cut_at(tidy(v), stops))))
    hit = value_after(pl.lines, labels, stops, anchored=anchored, accept=check)
    if hit is None:
        return None
    value = strip_noise(cut_at(tidy(hit[0]), stops))
    return (value, hit[1]) if value else None


def line_with(lines: Sequence[Line], snippet: str) -> Line | None:
    """The first line whose tidy text holds the start of ``snippet`` (for a bbox)."""
    key = tidy(snippet)[:6]
    if not key:
        return None
    return next((ln for ln in lines if key in tidy(ln.text)), None)


def search(
    pl: PageLines, pattern: str | re.Pattern[str]
) -> tuple[re.Match[str], Line | None] | None:
    """The first match of ``pattern`` in the page's running text, with the line it starts on.

    The line is found by the match's first group when it has one, else the whole match.
    """
    rx = re.compile(pattern) if isinstance(pattern, str) else pattern
    m = rx.search(pl.body)
    if m is None:
        return None
    snippet = next((g for g in m.groups() if g), None) or m.group()
    return m, line_with(pl.lines, snippet)


def search_lines(
    pl: PageLines, pattern: str | re.Pattern[str]
) -> tuple[re.Match[str], Line] | None:
    """The first match of ``pattern`` in one of the page's lines (tidied), with the line.

    Use it for what a line holds alone (a footer, a sentence's opening, ``^`` anchors);
    :func:`search` for what a sentence may carry over a line break.
    """
    rx = re.compile(pattern) if isinstance(pattern, str) else pattern
    for ln in pl.lines:
        m = rx.search(tidy(ln.text))
        if m:
            return m, ln
    return None


def plain_value(s: str) -> str | None:
    """``s`` when it reads as one short value (a name, a school), None for a sentence or ''."""
    s = strip_noise(s)
    return s if s and not re.search(r"[,，。;；]", s) else None


_DIGIT_REPAIR = str.maketrans({"O": "0", "o": "0", "D": "0", "I": "1", "l": "1", "|": "1"})


def repair_digits(s: str) -> tuple[str, int]:
    """``s`` with the letters OCR puts for digits (O o D → 0, I l | → 1) and spaces fixed.

    Returns the repaired text and how many characters were changed.
    """
    compacted = re.sub(r"\s+", "", s)
    fixed = compacted.translate(_DIGIT_REPAIR)
    return fixed, sum(a != b for a, b in zip(compacted, fixed, strict=True))


def iso(d: datetime.date) -> str:
    """A date as ``YYYY-MM-DD``."""
    return d.isoformat()


def date_field(
    text: str, pl: PageLines, line: Line | None, *, last: bool = False
) -> FieldValue | None:
    """The first (``last``: the last) date in ``text`` as a field, or None."""
    dates = find_dates(text)
    if not dates:
        return None
    d, raw = dates[-1] if last else dates[0]
    return field_at(iso(d), raw, pl.page, line)


def last_date(pl: PageLines, *, bare: bool = True) -> tuple[datetime.date, str, Line] | None:
    """The lowest date printed on the page (a certificate's date of issue), with its line.

    With ``bare`` (the default) only a line that is a date alone counts: a labelled row
    (入学日期：…) is no date of issue, even when OCR garbled its label and the real one.
    """
    best: tuple[datetime.date, str, Line] | None = None
    for ln in pl.lines:
        text = tidy(ln.text)
        dates = find_dates(text)
        if not dates or (bare and len(text) - len(tidy(dates[-1][1])) > 3):
            continue
        if best is None or ln.upright()[1] >= best[2].upright()[1]:
            best = (dates[-1][0], dates[-1][1], ln)
    return best


ORG_SUFFIX = (
    "协会|学会|研究会|政府|人民政府|厅|局|分局|中心|基地|委员会|公司|大学|学院|学校|部|院|所|"
    "办公室|总会|联合会|集团"
)
_ORG = re.compile(rf"^[\u4e00-\u9fff()（）]{{3,40}}(?:{ORG_SUFFIX})$")


def looks_like_org(s: str) -> bool:
    """Whether ``s`` reads as the name of an organisation (ends with 协会, 厅, 中心, …)."""
    return bool(_ORG.match(tidy(s)))


def holder_clean(s: str) -> str:
    """A person's name as read: the leading run of CJK characters (and middle dots).

    >>> holder_clean("王 丽 | 2021")
    '王丽'
    """
    m = re.match(r"[\u4e00-\u9fff·・]+", tidy(s))
    return m.group() if m else ""


def _same(s: str) -> str:
    return s


class FieldReader:
    """Collects the fields of one document as a parser finds them; the first reading wins.

    A parser tries the ways a field can be printed in order (a labelled row, a sentence, a
    footer); each ``label``/``pattern`` call is skipped once the field is known. ``fields``
    is the result, for ``DocumentFields.fields``.
    """

    def __init__(self) -> None:
        """Start with no field."""
        self.fields: dict[str, FieldValue] = {}

    def has(self, name: str) -> bool:
        """Whether field ``name`` is known."""
        return name in self.fields

    def put(self, name: str, fv: FieldValue | None) -> None:
        """Keep ``fv`` as field ``name`` unless it is empty or the field is known."""
        if fv is not None and fv.value not in (None, "", ()) and name not in self.fields:
            self.fields[name] = fv

    def value(
        self,
        name: str,
        pl: PageLines,
        value: FieldData,
        raw: str,
        line: Line | None,
        *,
        repairs: int = 0,
        verified: bool = True,
    ) -> None:
        """Keep ``value`` (read as ``raw`` on ``line``) as field ``name``."""
        if value not in (None, "", ()):
            self.put(name, field_at(value, raw, pl.page, line, repairs=repairs, verified=verified))

    def label(
        self,
        name: str,
        pl: PageLines,
        labels: Sequence[str],
        clean: Callable[[str], FieldData] = plain_value,
        *,
        stops: Sequence[str] = (),
        anchored: bool = True,
    ) -> None:
        """Field ``name``: the value after one of ``labels``, as ``clean`` accepts it."""
        if self.has(name):
            return
        hit = labelled(
            pl, labels, stops, anchored=anchored, accept=lambda v: clean(v) not in (None, "", ())
        )
        if hit:
            self.value(name, pl, clean(hit[0]), hit[0], hit[1])

    def date_label(self, name: str, pl: PageLines, labels: Sequence[str]) -> None:
        """Field ``name``: the first date after one of ``labels``, as ``YYYY-MM-DD``."""
        if self.has(name):
            return
        hit = labelled(pl, labels, accept=lambda v: bool(find_dates(v)))
        if hit and (dates := find_dates(hit[0])):
            self.put(name, field_at(iso(dates[0][0]), dates[0][1], pl.page, hit[1]))

    def pattern(
        self,
        name: str,
        pl: PageLines,
        rx: str | re.Pattern[str],
        clean: Callable[[str], FieldData] = _same,
        *,
        lines: bool = False,
    ) -> None:
        """Field ``name``: group 1 of ``rx`` in the running text (``lines``: in one line)."""
        if self.has(name):
            return
        hit = search_lines(pl, rx) if lines else search(pl, rx)
        if hit:
            m, line = hit
            self.value(name, pl, clean(m.group(1)), m.group(), line)

    def date_pattern(self, name: str, pl: PageLines, rx: str | re.Pattern[str]) -> None:
        """Field ``name``: the first date in group 1 of ``rx`` in the running text."""
        if self.has(name):
            return
        hit = search(pl, rx)
        if hit and (dates := find_dates(hit[0].group(1))):
            line = line_with(pl.lines, dates[0][1]) or hit[1]
            self.put(name, field_at(iso(dates[0][0]), dates[0][1], pl.page, line))


def parts_by_kind(pages: Sequence[PageRead], kinds: Mapping[str, PageKind]) -> dict[str, int]:
    """Each part of a set (name → page kind) on the first page the reader gave that kind."""
    parts: dict[str, int] = {}
    for name, kind in kinds.items():
        page = next((p for p in pages if p.kind == kind), None)
        if page is not None:
            parts[name] = page.page
    return parts
