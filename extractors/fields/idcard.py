"""居民身份证 (front and back, often photocopied on one page): the card's fields.

Fields: ``name``, ``gender``, ``ethnicity``, ``birth_date``, ``address``, ``id_number``,
``issuer`` (签发机关), ``valid_from``, ``valid_to`` (``长期`` for a card valid for life).

The ID number is checked with python-stdnum's ``stdnum.cn.ric`` (length, check digit, birth
date; not the birth place: its table of region codes lacks codes created since, such as
331002, and would refuse real cards). A number that fails is repaired for the usual OCR
confusions (O/o/D → 0, I/l/| → 1, x → X, stray spaces) and kept repaired only if it then
passes; otherwise the number is kept as read, unverified and with a low confidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from extractors.fields.text import (
    Line,
    PageLines,
    field_at,
    find_dates,
    holder_clean,
    iso,
    labelled,
    prepare,
    strip_noise,
    tidy,
)
from model.fields import DocumentFields, Family, FieldValue
from model.report import PageRead

NAME_LABELS = ("姓名",)
GENDER_LABELS = ("性别",)
BIRTH_LABELS = ("出生日期", "出生")
ADDRESS_LABELS = ("住址", "住 址")
ID_LABELS = ("公民身份号码", "公民身份证号码", "身份证号码", "身份号码")
ISSUER_LABELS = ("签发机关",)
VALID_LABELS = ("有效期限", "有效期")
ALL_LABELS = (
    *NAME_LABELS,
    *GENDER_LABELS,
    "民族",
    *BIRTH_LABELS,
    *ADDRESS_LABELS,
    *ID_LABELS,
    *ISSUER_LABELS,
    *VALID_LABELS,
)
UNVERIFIED_CONFIDENCE = 0.3
"""The factor on the confidence of an ID number that fails its check digit."""

# 18 characters of an ID number as OCR may print them: digits, their look-alikes, spaces
_ID_RUN = re.compile(r"(?<![0-9A-Za-z])[0-9OoDIl|](?:\s?[0-9OoDIl|]){16}\s?[0-9OoDIl|Xx×]")
_ID_FIX = str.maketrans(
    {"O": "0", "o": "0", "D": "0", "I": "1", "l": "1", "|": "1", "x": "X", "×": "X"}
)
_BORDER = re.compile("|".join((*ID_LABELS, *ISSUER_LABELS, *VALID_LABELS, "中华人民共和国")))


def id_number_valid(number: str) -> bool:
    """Whether ``number`` is an 18-character RIC with a right check digit and birth date."""
    try:
        n = ric.compact(number)
        if len(n) != 18 or not n[:-1].isdigit() or n[-1] != ric.calc_check_digit(n):
            return False
        ric.get_birth_date(n)
    except (ValidationError, ValueError, IndexError):
        return False
    return True


def repair_id_number(raw: str) -> tuple[str, int, bool]:
    """The ID number read as ``raw``, repaired when that makes it valid.

    Returns:
        ``(number, repairs, valid)``: the number (spaces removed; repaired only when the
        repair validates), how many characters were changed, whether it is valid.
    """
    compacted = re.sub(r"\s+", "", raw)
    if id_number_valid(compacted):
        return compacted, 0, True
    fixed = compacted.translate(_ID_FIX)
    if id_number_valid(fixed):
        return fixed, max(1, sum(a != b for a, b in zip(compacted, fixed, strict=True))), True
    return compacted.upper(), 0, False


def id_field(raw: str, page: PageRead, line: Line | None) -> FieldValue:
    """An ID number read as ``raw``: repaired if that validates it, else kept unverified.

    An unverified number's confidence is lowered by :data:`UNVERIFIED_CONFIDENCE`.
    """
    number, repairs, valid = repair_id_number(raw)
    fv = field_at(number, raw, page, line, repairs=repairs, verified=valid)
    if valid:
        return fv
    return FieldValue(
        fv.value, fv.raw, fv.page, fv.bbox, round(fv.confidence * UNVERIFIED_CONFIDENCE, 3), False
    )


def _id_field(pls: Sequence[PageLines]) -> FieldValue | None:
    """The ID number: on the labelled line first, else any 18-character run on the pages."""
    candidates: list[tuple[str, Line, PageLines]] = []
    for pl in pls:
        hit = labelled(pl, ID_LABELS)
        if hit:
            candidates += [(m.group(), hit[1], pl) for m in _ID_RUN.finditer(hit[0])]
    for pl in pls:
        for ln in pl.lines:
            candidates += [(m.group(), ln, pl) for m in _ID_RUN.finditer(tidy(ln.text))]
    unverified: FieldValue | None = None
    for raw, line, pl in candidates:
        fv = id_field(raw, pl.page, line)
        if fv.verified:
            return fv
        unverified = unverified or fv
    return unverified


def _address(pl: PageLines) -> tuple[str, Line] | None:
    """住址 and the lines that continue it (indented under the value, before the next label)."""
    hit = labelled(pl, ADDRESS_LABELS)
    if hit is None:
        return None
    value, line = hit
    lines = list(pl.lines)
    start = next((i for i, ln in enumerate(lines) if ln is line), None)
    if start is None:
        return hit
    first, last = line, line
    up = line.upright()
    height = max(up[3] - up[1], 1.0)
    parts = [value]
    for ln in lines[start + 1 : start + 4]:
        text = tidy(ln.text)
        if _BORDER.search(text) or _ID_RUN.search(text) or not text:
            break
        if ln.words and first.words:
            indented = ln.upright()[0] > first.upright()[0] + 0.5 * height
            close = ln.upright()[1] - last.upright()[3] < 2.5 * height
            if not (indented and close):
                break
        parts.append(text)
        last = ln
    return "".join(parts), hit[1]


_NAME_ONLY = re.compile(r"^(?:姓名)?:?([\u4e00-\u9fff·]{2,5})$")
_GENDER_ROW = re.compile(r"民族|^(?:性别)?:?[男女]$")
_BIRTH_ROW = re.compile(r"出生|生\d|^生")


def _unlabelled_name(pl: PageLines) -> tuple[str, Line] | None:
    """The name when OCR lost its label: the name-only line just above the gender row."""
    lines = list(pl.lines)
    at = next((i for i, ln in enumerate(lines) if _GENDER_ROW.search(tidy(ln.text))), None)
    if at is None:
        return None
    for ln in reversed(lines[max(0, at - 2) : at]):
        m = _NAME_ONLY.match(tidy(ln.text))
        if m and not re.search("身份证|共和国", m.group(1)):
            return m.group(1), ln
    return None


def _unlabelled_address(pl: PageLines) -> tuple[str, Line] | None:
    """The address when OCR lost its label: the lines between the birth row and the number."""
    lines = list(pl.lines)
    start = next((i for i, ln in enumerate(lines) if _BIRTH_ROW.search(tidy(ln.text))), None)
    if start is None:  # the birth row without its label: the first date under the gender row
        gender = next((i for i, ln in enumerate(lines) if _GENDER_ROW.search(tidy(ln.text))), None)
        if gender is None:
            return None
        start = next(
            (i for i, ln in enumerate(lines[gender:], gender) if find_dates(tidy(ln.text))), None
        )
        if start is None:
            return None
    parts: list[str] = []
    first: Line | None = None
    for ln in lines[start + 1 : start + 5]:
        text = tidy(ln.text)
        if _BORDER.search(text) or _ID_RUN.search(text):
            break
        if len(re.findall(r"[\u4e00-\u9fff\d]", text)) >= 2:
            parts.append(text)
            first = first or ln
    return (_clean_address("".join(parts)), first) if parts and first else None


def _clean_address(s: str) -> str:
    """An address without OCR's rules (|) and trailing punctuation."""
    return strip_noise(s.replace("|", ""))


def parse(pages: Sequence[PageRead], file: str) -> DocumentFields:
    """The fields of one ID card (its front and back, on one page or two)."""
    pls = prepare(pages)
    fields: dict[str, FieldValue] = {}

    def put(name: str, fv: FieldValue | None) -> None:
        if fv is not None and fv.value not in (None, ""):
            fields.setdefault(name, fv)

    for pl in pls:
        hit = labelled(pl, NAME_LABELS, stops=ALL_LABELS)
        if hit and (name := holder_clean(hit[0])):
            put("name", field_at(name, hit[0], pl.page, hit[1]))
        elif hit is None and (found := _unlabelled_name(pl)):
            put("name", field_at(found[0], found[1].text, pl.page, found[1], repairs=1))
        m = re.search(r"性\s*别:?\s*([男女])", pl.body)
        if m:
            line = next((ln for ln in pl.lines if "性" in ln.text and m.group(1) in ln.text), None)
            put("gender", field_at(m.group(1), m.group(), pl.page, line))
        m = re.search(r"民\s*族:?\s*([\u4e00-\u9fff]{1,4}?)(?:出生|住址|$|\d)", pl.body)
        if m:
            put("ethnicity", field_at(m.group(1), m.group(), pl.page))
        hit = labelled(pl, BIRTH_LABELS)
        if hit and (dates := find_dates(hit[0])):
            put("birth_date", field_at(iso(dates[0][0]), dates[0][1], pl.page, hit[1]))
        addr = _address(pl)
        if addr:
            put("address", field_at(_clean_address(addr[0]), addr[0], pl.page, addr[1]))
        elif found := _unlabelled_address(pl):
            put("address", field_at(found[0], found[0], pl.page, found[1], repairs=1))
        hit = labelled(pl, ISSUER_LABELS, stops=VALID_LABELS)
        if hit:
            put("issuer", field_at(hit[0], hit[0], pl.page, hit[1]))
        hit = labelled(pl, VALID_LABELS)
        if hit:
            dates = find_dates(hit[0])
            if dates:
                put("valid_from", field_at(iso(dates[0][0]), dates[0][1], pl.page, hit[1]))
            if len(dates) > 1:
                put("valid_to", field_at(iso(dates[1][0]), dates[1][1], pl.page, hit[1]))
            elif "长期" in hit[0]:
                put("valid_to", field_at("长期", hit[0], pl.page, hit[1]))

    number = _id_field(pls)
    put("id_number", number)
    if number is not None and number.verified:  # what the number itself says
        n = str(number.value)
        born = ric.get_birth_date(n)
        put(
            "birth_date",
            FieldValue(
                iso(born), number.raw, number.page, number.bbox, round(number.confidence * 0.8, 3)
            ),
        )
        put(
            "gender",
            FieldValue(
                "男" if int(n[16]) % 2 else "女",
                number.raw,
                number.page,
                number.bbox,
                round(number.confidence * 0.8, 3),
            ),
        )
    return DocumentFields(
        family=Family.ID_CARD,
        kind=str(pages[0].kind) if pages else "id_card",
        file=file,
        pages=tuple(p.page for p in pages),
        fields=fields,
    )
