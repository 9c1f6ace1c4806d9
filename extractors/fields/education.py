"""Education documents: 毕业证书, 学位证书, 学历电子注册备案表, 国外学历学位认证书.

Fields (names of docs/evaluation.md): ``holder``, ``school``, ``major``, ``level`` (本科,
大专, 硕士研究生, 博士研究生), ``degree`` (工学学士; 硕士学位 on an overseas certification, as
printed), ``graduation_date``, ``start_date``, ``certificate_number``; also ``gender``,
``birth_date``; ``form_number`` (在线验证码), ``id_number`` and ``issued`` (更新日期) on a
registration form; ``country`` and ``issued`` on an overseas certification. A degree
certificate's date is its ``graduation_date``, its number its ``certificate_number``.

Certificates print their facts either as label/value rows (姓名：…) or as one running
sentence (学生王丽，性别女，…于2000年9月1日至2004年6月30日在本校自动化专业本科学习); both
are tried, the sentence first where a label word also occurs inside it (专业).

OCR repairs: digits of an all-digit certificate number (O → 0, l → 1), the 期 → 其 of
labels, the final 士 of a degree read as 十/廿/土. A date printed in Han numerals
(二〇〇四年六月三十日) is often garbled past reading by Tesseract (〇 → @/O, 十 → 下); it is
then left out rather than guessed (a month with an unreadable day is not taken as the 1st).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from extractors.fields.idcard import id_field
from extractors.fields.text import (
    FieldReader,
    Line,
    PageLines,
    field_at,
    find_dates,
    holder_clean,
    iso,
    labelled,
    last_date,
    line_with,
    plain_value,
    prepare,
    repair_digits,
    tidy,
)
from model.fields import DocumentFields, Family, FieldValue
from model.report import PageKind, PageRead

LEVELS: dict[str, str] = {
    "硕士研究生": "硕士研究生",
    "博士研究生": "博士研究生",
    "大学本科": "本科",
    "本科": "本科",
    "大学专科": "大专",
    "专科": "大专",
    "大专": "大专",
    "高职": "大专",
    "硕士": "硕士研究生",
    "博士": "博士研究生",
}
"""Level as printed → level as the declaration names it."""
_LEVEL_RX = "|".join(sorted(LEVELS, key=len, reverse=True))
_DEGREE_LEVEL = {"学士": "本科", "硕士": "硕士研究生", "博士": "博士研究生"}
_NAME = r"[\u4e00-\u9fff·]{2,6}?"

# labels, with the 期 → 其 misreading Tesseract makes
NAME_LABELS = ("姓名",)
BIRTH_LABELS = ("出生日期", "出生日其")
START_LABELS = ("入学日期", "入学日其", "入学时间")
END_LABELS = ("毕业日期", "毕业日其", "毕业时间")
SCHOOL_LABELS = ("学校名称", "校名", "学校", "颁发机构", "院校名称")
MAJOR_LABELS = ("所学专业", "专业")
LEVEL_LABELS = ("层次", "学历层次")
DEGREE_LABELS = ("授予学位", "授子学位", "授于学位", "投予学位", "获得学位", "学位名称")
NUMBER_LABELS = ("证书编号", "证书号码", "证书号")
ID_LABELS = ("证件号码", "身份证号", "公民身份号码")
FORM_LABELS = ("在线验证码", "验证码")
UPDATED_LABELS = ("更新日期", "打印日期")
COUNTRY_LABELS = ("国别", "国家")
AWARDED_LABELS = ("授予日期", "获得日期", "授予时间")


def normalise_level(s: str) -> str | None:
    """The level named in ``s`` as the declaration writes it (本科, 大专, 硕士研究生, …)."""
    m = re.search(_LEVEL_RX, s)
    return LEVELS[m.group()] if m else None


def _number(raw: str) -> tuple[str, int]:
    """A certificate number without spaces; an all-digit one has OCR's O, l, I… repaired."""
    s = raw.strip()
    compact = re.sub(r"\s+", "", s)
    if re.fullmatch(r"[0-9OoDIl|]{6,}", compact) and sum(c.isdigit() for c in compact) >= 0.7 * len(
        compact
    ):
        return repair_digits(compact)
    return compact, 0


def _holder(s: str) -> str | None:
    name = holder_clean(s) if plain_value(s) else ""
    return name if 2 <= len(name) <= 6 else None


def _strip_degree(s: str) -> str | None:
    """A degree as named (工学学士): 学位 dropped, OCR's 十/廿/土 for the final 士 repaired."""
    s = re.sub(r"学位$", "", plain_value(s) or "")
    s = re.sub(r"(学|硕|博)[十廿土]$", r"\1士", s)
    return s if 2 <= len(s) <= 10 else None


def _date_before(pl: PageLines, suffix: str) -> tuple[str, str, Line | None] | None:
    """The first date in the running text followed by ``suffix`` (生, 出生)."""
    for d, raw in find_dates(pl.body):
        at = pl.body.find(raw)
        if pl.body[at + len(raw) : at + len(raw) + len(suffix)] == suffix:
            return iso(d), raw, line_with(pl.lines, raw)
    return None


def _common(r: FieldReader, pl: PageLines) -> None:
    """Name, gender, birth date: rows or the sentence's opening."""
    r.pattern("holder", pl, rf"学生({_NAME}),?性别")
    r.pattern("holder", pl, rf"^({_NAME}),[男女],", lines=True)
    r.label("holder", pl, NAME_LABELS, _holder, stops=("性别",))
    r.pattern("gender", pl, r"性别:?([男女])")
    r.pattern("gender", pl, rf"{_NAME},([男女]),")
    r.date_label("birth_date", pl, BIRTH_LABELS)
    if not r.has("birth_date"):
        hit = _date_before(pl, "生") or _date_before(pl, "出生")
        if hit:
            r.put("birth_date", field_at(hit[0], hit[1], pl.page, hit[2]))


def _number_field(r: FieldReader, name: str, pl: PageLines, labels: Sequence[str]) -> None:
    if r.has(name):
        return
    hit = labelled(pl, labels, anchored=False)
    if hit:
        value, repairs = _number(hit[0])
        if value:
            r.put(name, field_at(value, hit[0], pl.page, hit[1], repairs=repairs))


def _graduation(r: FieldReader, pl: PageLines) -> None:
    r.date_pattern("start_date", pl, r"于(.{6,30}?)至")
    r.date_pattern("graduation_date", pl, r"至(.{6,30}?)在本校")
    r.pattern("major", pl, r"在本校(.{2,30}?)专业")
    r.pattern("level", pl, rf"专业({_LEVEL_RX})学习", normalise_level)
    r.date_label("start_date", pl, START_LABELS)
    r.date_label("graduation_date", pl, END_LABELS)
    r.label("major", pl, MAJOR_LABELS)
    r.label("level", pl, LEVEL_LABELS, normalise_level)
    r.label("school", pl, SCHOOL_LABELS)
    r.pattern("school", pl, r"^校名:?(.{2,30})$", lines=True)
    _number_field(r, "certificate_number", pl, NUMBER_LABELS)
    if not r.has("graduation_date") and (d := last_date(pl)):
        r.put("graduation_date", field_at(iso(d[0]), d[1], pl.page, d[2]))


def _degree(r: FieldReader, pl: PageLines) -> None:
    r.label("school", pl, SCHOOL_LABELS)
    r.pattern("school", pl, r"^([\u4e00-\u9fff]{2,30}?)学位评定委员会", lines=True)
    school = str(r.fields["school"].value) if r.has("school") else ""
    if school:
        r.pattern("major", pl, rf"在{re.escape(school)}(.{{2,30}}?)专业")
    r.label("major", pl, MAJOR_LABELS)
    r.label("degree", pl, DEGREE_LABELS, _strip_degree)
    r.pattern("degree", pl, r"[授投][予子于](?!上述)([\u4e00-\u9fff]{2,10}?)学位", _strip_degree)
    r.pattern("level", pl, rf"完成了({_LEVEL_RX})学习", normalise_level)
    if not r.has("level"):
        r.pattern("level", pl, r"(学士|硕士|博士)学位证书", lambda s: _DEGREE_LEVEL[s])
    _number_field(r, "certificate_number", pl, NUMBER_LABELS)
    if d := last_date(pl):
        r.put("graduation_date", field_at(iso(d[0]), d[1], pl.page, d[2]))


def _registration(r: FieldReader, pl: PageLines) -> None:
    r.label("school", pl, SCHOOL_LABELS)
    r.label("major", pl, MAJOR_LABELS)
    r.label("level", pl, LEVEL_LABELS, normalise_level)
    r.date_label("start_date", pl, START_LABELS)
    r.date_label("graduation_date", pl, END_LABELS)
    r.date_label("issued", pl, UPDATED_LABELS)
    _number_field(r, "certificate_number", pl, NUMBER_LABELS)
    if not r.has("id_number"):
        hit = labelled(pl, ID_LABELS)
        if hit:
            r.put("id_number", id_field(hit[0], pl.page, hit[1]))
    if not r.has("form_number"):
        hit = labelled(pl, FORM_LABELS, anchored=False)
        if hit and (m := re.search(r"[0-9A-Z]{8,20}", hit[0].replace(" ", ""))):
            r.put("form_number", field_at(m.group(), hit[0], pl.page, hit[1]))


def _overseas(r: FieldReader, pl: PageLines) -> None:
    r.pattern("school", pl, r",在(.{2,80}?)\(([\u4e00-\u9fff]{1,8})\)学习")
    r.pattern("country", pl, r",在.{2,80}?\(([\u4e00-\u9fff]{1,8})\)学习")
    r.pattern("major", pl, r"专业为(.{2,30}?)[。.]")
    r.pattern("degree", pl, r"获得([\u4e00-\u9fff]{0,8}?(?:学士|硕士|博士)学位)")
    r.date_pattern("graduation_date", pl, r"于(.{6,30}?)获得")
    r.label("school", pl, SCHOOL_LABELS)
    r.label("country", pl, COUNTRY_LABELS)
    r.label("major", pl, MAJOR_LABELS)
    r.label("degree", pl, DEGREE_LABELS)
    r.date_label("graduation_date", pl, AWARDED_LABELS)
    r.pattern("certificate_number", pl, r"(教留服认.{0,3}?\[?\d{4}\]?\d{3,6}号)")
    if r.has("school") and (cont := _school_continues(pl, str(r.fields["school"].value))):
        fv = r.fields["school"]
        r.fields["school"] = FieldValue(
            f"{fv.value} {cont}", fv.raw, fv.page, fv.bbox, fv.confidence, fv.verified
        )
    if d := last_date(pl):
        r.put("issued", field_at(iso(d[0]), d[1], pl.page, d[2]))
    if r.has("degree") and not r.has("level"):
        fv = r.fields["degree"]
        m = re.search("学士|硕士|博士", str(fv.value))
        if m:
            r.put(
                "level",
                FieldValue(_DEGREE_LEVEL[m.group()], fv.raw, fv.page, fv.bbox, fv.confidence),
            )


def _school_continues(pl: PageLines, school: str) -> str | None:
    """The rest of a school name whose Latin part wrapped onto the next row (颁发机构 rows)."""
    if school.count("(") <= school.count(")"):
        return None
    lines = list(pl.lines)
    for i, ln in enumerate(lines[:-1]):
        if school[:6] in tidy(ln.text):
            nxt = tidy(lines[i + 1].text)
            if re.fullmatch(r"[A-Za-z .,'&-]+\)?", nxt):
                return nxt
    return None


_BY_KIND: dict[PageKind, Callable[[FieldReader, PageLines], None]] = {
    PageKind.GRADUATION_CERTIFICATE: _graduation,
    PageKind.DEGREE_CERTIFICATE: _degree,
    PageKind.EDUCATION_REGISTRATION: _registration,
    PageKind.OVERSEAS_CERTIFICATION: _overseas,
}


def parse(pages: Sequence[PageRead], file: str) -> DocumentFields:
    """The fields of one education document (one or more pages of one kind)."""
    r = FieldReader()
    kind = pages[0].kind if pages else PageKind.GRADUATION_CERTIFICATE
    for pl in prepare(pages):
        _common(r, pl)
        _BY_KIND.get(pl.page.kind, _BY_KIND.get(kind, _graduation))(r, pl)
    return DocumentFields(
        family=Family.EDUCATION,
        kind=str(kind),
        file=file,
        pages=tuple(p.page for p in pages),
        fields=r.fields,
    )
