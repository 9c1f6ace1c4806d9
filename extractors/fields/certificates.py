"""Certificates: 任职资格证书 (title), 获奖/荣誉证书 (award, honour), 专利证书, 继续教育学时证明.

Fields (names of docs/evaluation.md where it names them):

- title certificate: ``holder``, ``title`` (the qualification, e.g. 工程师), ``specialty``,
  ``issuer``, ``date``, ``number``; also ``gender``, ``birth_date``, ``employer``.
- award and honour: ``holder``, ``title``, ``level`` (一等奖…; absent for an honour),
  ``year``, ``date``, ``issuer``, ``number``; also ``project`` and ``honour`` (True for a
  荣誉证书).
- patent: ``title``, ``inventors`` (tuple, in order), ``patent_number`` (``ZL 2021 2
  31141806.9``), ``year`` (of the grant), ``granted``, ``number`` (``第9850494号``); also
  ``filed``, ``patentee``, ``invention`` (True: 发明, False: 实用新型).
- continuing education: ``holder``, ``hours`` (the total), ``year``, ``issuer``, ``date``,
  ``number``; also ``id_number``, ``professional``, ``industry_public``, ``general_public``.

``DocumentFields.kind`` is the page kind (an honour is an ``award_certificate`` whose
``honour`` field is True).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from extractors.fields.idcard import id_field
from extractors.fields.text import (
    FieldReader,
    PageLines,
    field_at,
    holder_clean,
    iso,
    labelled,
    last_date,
    line_with,
    looks_like_org,
    plain_value,
    prepare,
    repair_digits,
    search,
    tidy,
)
from model.fields import DocumentFields, Family, FieldValue
from model.report import PageKind, PageRead

AWARD_LEVELS = (
    "特等奖",
    "一等奖",
    "二等奖",
    "三等奖",
    "优秀奖",
    "金奖",
    "银奖",
    "铜奖",
    "鼓励奖",
)
_LEVEL_RX = "|".join(AWARD_LEVELS)
# OCR's readings of 奖 after 等 (二等交): read through, the level written right
_LEVEL_OCR_RX = r"(特|一|二|三)等[奖交桨浆]|优秀奖|金奖|银奖|铜奖|鼓励奖"
_NAME = r"[\u4e00-\u9fff·]{2,6}?"
_QUOTES = "\"“”'‘’「」『』"
NUMBER_LABELS = ("证书编号", "证书号码", "编号")
_PATENT_NUMBER = re.compile(
    r"ZL\s*([12][09OolI]\d{2}|[12O][0-9O]{3})\s*([1-9])\s*([0-9OolI]{7,8})\s*[.·,]\s*([0-9XxOolI])"
)


def _issue_date(r: FieldReader, pl: PageLines) -> None:
    """``date`` and ``year``: the lowest date on the page (the certificate's date)."""
    if not r.has("date") and (d := last_date(pl)):
        r.put("date", field_at(iso(d[0]), d[1], pl.page, d[2]))
    _year_of(r, "date")


def _year_of(r: FieldReader, source: str) -> None:
    """``year``: the year of the date field ``source``."""
    fv = r.fields.get(source)
    if fv is not None and not r.has("year"):
        r.put("year", FieldValue(int(str(fv.value)[:4]), fv.raw, fv.page, fv.bbox, fv.confidence))


def _number(r: FieldReader, pl: PageLines, labels: Sequence[str] = NUMBER_LABELS) -> None:
    """``number``: the code after 证书编号 (an all-digit one with OCR's O, l… repaired)."""
    if r.has("number"):
        return
    hit = labelled(pl, labels, anchored=False)
    if hit:
        compact = re.sub(r"\s+", "", hit[0])
        m = re.match(r"[0-9A-Za-z][0-9A-Za-z\-_/]*", compact)
        if m:
            value, repairs = m.group(), 0
            if re.fullmatch(r"[0-9OoIl|\-]+", value) and any(c.isdigit() for c in value):
                value, repairs = repair_digits(value)
            elif re.search("[A-Z]", value) and value != value.upper():
                value, repairs = value.upper(), 1  # codes are capitals: OCR's Zj is ZJ
            r.value("number", pl, value, hit[0], hit[1], repairs=repairs)


def _holder(s: str) -> str | None:
    name = holder_clean(s) if plain_value(s) else ""
    return name if 2 <= len(name) <= 6 else None


def _issuer_before_number(r: FieldReader, pl: PageLines) -> None:
    """``issuer``: the organisation printed just above the certificate number (a footer)."""
    if r.has("issuer"):
        return
    lines = list(pl.lines)
    at = next((i for i, ln in enumerate(lines) if re.search(r"证\s*书\s*编\s*号", ln.text)), None)
    candidates = lines[max(0, at - 3) : at][::-1] if at is not None else []
    candidates += [ln for ln in lines[::-1] if ln not in candidates]
    for ln in candidates:
        text = tidy(ln.text)
        text = re.sub(r"^(?:发证机关|颁发单位|发证单位|颁发机构):?", "", text)
        if looks_like_org(text):
            r.value("issuer", pl, text, ln.text, ln)
            return


# ---------------------------------------------------------------------------------------
# title certificates


def _title(r: FieldReader, pl: PageLines) -> None:
    r.label("holder", pl, ("姓名",), _holder)
    r.pattern("gender", pl, r"性别:?([男女])")
    r.date_label("birth_date", pl, ("出生日期", "出生日其", "出生年月"))
    r.label("employer", pl, ("工作单位", "单位"))
    r.label("title", pl, ("资格名称", "职务名称", "资格", "职称"))
    r.pattern("title", pl, r"具备(.{2,12}?)任职资格")
    r.label("specialty", pl, ("专业名称", "专业"), _specialty)
    r.date_label("date", pl, ("取得时间", "取得日期", "评审通过时间", "批准日期", "发证日期"))
    r.label("issuer", pl, ("发证机关", "发证单位", "颁发单位"), anchored=False)
    _number(r, pl)
    _issuer_before_number(r, pl)


def _specialty(s: str) -> str | None:
    value = plain_value(s)
    return None if value is None or re.search("证书|任职资格|职务", value) else value


# ---------------------------------------------------------------------------------------
# awards and honours


def _quoted(s: str) -> str | None:
    s = s.strip(_QUOTES + " ")
    return plain_value(s)


def _award(r: FieldReader, pl: PageLines, honour: bool) -> None:
    r.label("holder", pl, ("获奖者", "获奖人", "姓名", "授予"), _holder)
    r.pattern("holder", pl, rf"^({_NAME})同志", lines=True)
    r.label("title", pl, ("奖项名称", "荣誉名称", "荣誉称号"), _quoted)
    r.label("level", pl, ("获奖等级", "奖励等级", "等级"), _level)
    r.label("project", pl, ("获奖项目", "项目名称"), _quoted)
    q = f"[{_QUOTES}]"
    if honour:
        r.pattern("title", pl, rf"荣获{q}?(.{{2,40}}?){q}?称号", _quoted)
        r.pattern("level", pl, rf"称号\(({_LEVEL_RX})\)")
    else:
        r.pattern("project", pl, rf"完成的{q}?(.{{2,60}}?){q}?项目", _quoted)
        r.pattern("title", pl, rf"荣获{q}?(.{{2,40}}?){q}?(?:{_LEVEL_OCR_RX})", _quoted)
        r.pattern("level", pl, rf"荣获.{{2,40}}?((?:{_LEVEL_OCR_RX}))", _level)
    _number(r, pl)
    _issuer_before_number(r, pl)
    _issue_date(r, pl)


def _level(s: str) -> str | None:
    m = re.search(_LEVEL_OCR_RX, s)
    return None if m is None else (f"{m.group(1)}等奖" if m.group(1) else m.group())


def _is_honour(pls: Sequence[PageLines]) -> bool:
    bodies = "".join(pl.body for pl in pls)
    if "获奖证书" in bodies or re.search(_LEVEL_RX, bodies):
        return False
    return "荣誉证书" in bodies or "称号" in bodies


# ---------------------------------------------------------------------------------------
# patents


def _inventors(s: str) -> tuple[str, ...]:
    names = [holder_clean(n) for n in re.split(r"[、,，;；\s丶]+", tidy(s))]
    return tuple(n for n in names if 2 <= len(n) <= 6)


def patent_number(raw: str) -> tuple[str, int] | None:
    """A patent number as ``ZL 2021 2 31141806.9``, from its printing or OCR's, or None.

    Returns the number and how many characters had to be repaired.
    """
    m = _PATENT_NUMBER.search(tidy(raw))
    if m is None:
        return None
    parts = [repair_digits(g) for g in m.groups()]
    year, kind, serial, check = (p[0] for p in parts)
    check = check.upper().replace("0X", "X")
    return f"ZL {year} {kind} {serial}.{check}", sum(p[1] for p in parts)


def _patent(r: FieldReader, pl: PageLines) -> None:
    r.label("title", pl, ("发明名称", "实用新型名称", "外观设计名称", "发明创造名称"))
    r.label("inventors", pl, ("发明人", "设计人"), _inventors)
    if not r.has("patent_number"):
        hit = labelled(pl, ("专利号",), anchored=False)
        found = patent_number(hit[0]) if hit else None
        line = hit[1] if hit else None
        if found is None and (m := search(pl, _PATENT_NUMBER)):
            found, line = patent_number(m[0].group()), m[1]
        if found:
            r.value(
                "patent_number", pl, found[0], hit[0] if hit else found[0], line, repairs=found[1]
            )
    r.date_label("filed", pl, ("专利申请日", "申请日"))
    r.date_label("granted", pl, ("授权公告日", "授权日", "公告日"))
    r.label("patentee", pl, ("专利权人",))
    if not r.has("number"):
        hit = search(pl, r"证书号:?(第?[0-9OoIl| ]{5,10}号)")
        if hit:
            digits, repairs = repair_digits(re.sub(r"[第号]", "", hit[0].group(1)))
            r.value("number", pl, f"第{digits}号", hit[0].group(), hit[1], repairs=repairs)
    if not r.has("invention"):
        if re.search(r"实用新型专利证书|实用新型名称", pl.body):
            r.value("invention", pl, False, "实用新型", None)
        elif re.search(r"发明专利证书|发明名称", pl.body):
            r.value("invention", pl, True, "发明", None)
    _year_of(r, "granted")


# ---------------------------------------------------------------------------------------
# continuing education

_HOURS = {
    "professional": r"专业科目:?(\d{1,3})学时",
    "industry_public": r"行业公需科目:?(\d{1,3})学时",
    "general_public": r"一般公需科目:?(\d{1,3})学时",
    "hours": r"合计:?(\d{1,3})学时",
}


def _ce(r: FieldReader, pl: PageLines) -> None:
    r.label("holder", pl, ("姓名",), _holder)
    r.pattern("holder", pl, r"证明((?:(?!证明)[\u4e00-\u9fff·]){2,6})\(身份证")
    r.pattern("holder", pl, rf"兹证明({_NAME})(?:同志|参加|,)")
    if not r.has("id_number"):
        hit = search(pl, r"身份证号(?:码)?:?([0-9OoDIl| ]{17,22}[0-9Xx])")
        if hit:
            r.put("id_number", id_field(hit[0].group(1), pl.page, hit[1]))
    r.pattern("year", pl, r"参加(\d{4})年度", int)
    r.pattern("year", pl, r"年度:?(\d{4})年度", int)
    body = pl.body.translate(str.maketrans("OoIl", "0011"))  # hours as OCR reads digits
    for name, rx in _HOURS.items():
        if not r.has(name) and (m := re.search(rx, body)):
            r.value(name, pl, int(m.group(1)), m.group(), line_with(pl.lines, m.group()))
    _number(r, pl)
    _issuer_before_number(r, pl)
    if d := last_date(pl):
        r.put("date", field_at(iso(d[0]), d[1], pl.page, d[2]))
    parts = [r.fields.get(k) for k in ("professional", "industry_public", "general_public")]
    if not r.has("hours") and all(parts):
        total = sum(int(str(p.value)) for p in parts if p is not None)
        conf = min(p.confidence for p in parts if p is not None)
        first = parts[0]
        if first is not None:
            r.put(
                "hours",
                FieldValue(
                    total,
                    "+".join(p.raw for p in parts if p),
                    first.page,
                    first.bbox,
                    round(conf * 0.8, 3),
                ),
            )


# ---------------------------------------------------------------------------------------


def parse(pages: Sequence[PageRead], file: str) -> DocumentFields:
    """The fields of one certificate (one or more pages of one kind)."""
    r = FieldReader()
    kind = pages[0].kind if pages else PageKind.AWARD_CERTIFICATE
    pls = prepare(pages)
    honour = kind is PageKind.AWARD_CERTIFICATE and _is_honour(pls)
    for pl in pls:
        if kind is PageKind.TITLE_CERTIFICATE:
            _title(r, pl)
        elif kind is PageKind.PATENT_CERTIFICATE:
            _patent(r, pl)
        elif kind is PageKind.CE_CERTIFICATE:
            _ce(r, pl)
        else:
            _award(r, pl, honour)
    if kind is PageKind.AWARD_CERTIFICATE and pls:
        r.value("honour", pls[0], honour, "荣誉证书" if honour else "获奖证书", None)
    return DocumentFields(
        family=Family.CERTIFICATE,
        kind=str(kind),
        file=file,
        pages=tuple(p.page for p in pages),
        fields=r.fields,
    )
