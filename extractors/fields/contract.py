"""Fields of a project contract's proof: cover, amount page, participant table, seal page.

:func:`parse` reads one document (the pages of one contract set, as the reader split them)
into ``DocumentFields`` with the fields of docs/evaluation.md (``title``, ``party_a``,
``party_b``, ``signed_on``, ``amount``, ``amount_capital``, ``number``; ``role`` depends on
the applicant: :func:`role_of`) and these of its own:

- ``amount_capital_value``: the capital-numeral amount's value in yuan, only when it was
  read and is written as the standard writes amounts. ``amount_capital`` (the text as
  read) has ``verified=False`` when it was not: Tesseract's chi_sim cannot read 叁 柒 捌 仟
  and reads 壹 as 喜, so on scanned pages the capital amount is often unreadable, and a
  second OCR engine has to re-read the box it carries;
- ``participants``: the participant table's rows as ``name|role|duties`` strings, in
  order (a field OCR missed is empty: ``王伟||系统联调``);
- ``seal_page``: True when a seal page (甲方（盖章）…) was found.

The contract's name and number are printed on several pages (cover, amount page,
participant page): every printing is read and the one most of them agree on wins.
``parts`` says which pages were found: ``cover``, ``amount``, ``participants``, ``seal``.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from extractors.fields.numbers import (
    capital_text,
    parse_amount_capital,
    parse_amount_figures,
    tesseract_may_misread,
)
from extractors.fields.text import (
    Line,
    compact,
    field_at,
    lines_of,
    parse_date,
    parts_by_kind,
    row_lines,
    same_name,
    union_bbox,
)
from model.fields import DocumentFields, Family, FieldData, FieldValue
from model.report import PageKind, PageRead, TextSource, Word

_CJK = re.compile(r"[\u3400-\u9fff]")
_NOISE = "”“\"'’‘|｜‖_〈〉<>「」『』"  # none is ever part of a party's name or a title
_DROP_NOISE = str.maketrans("", "", _NOISE)
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―一－~～_"})
_BRACKET = r"[（(〈<\[]\s*[^）)〉>\]]{1,6}?\s*[）)〉>\]]"
_ROLE_OF_PARTY = {
    "party_a": "发包人|委托[方人]|采购人|买方|建设单位|甲方",
    "party_b": "承包人|受托[方人]|供应商|卖方|施工单位|乙方",
}
_PARTY_LABEL = {
    # 甲方（发包人）：, 甲方：, OCR's 甲方发包人 ) with a bracket lost
    name: re.compile(
        rf"{label}\s*方\s*(?:[（(〈<\[]?\s*(?:{roles}|盖章|签章)\s*[）)〉>\]]?\s*[:：]?"
        rf"|{_BRACKET}\s*[:：]?|[:：])\s*"
    )
    for name, label, roles in (
        ("party_a", "甲", _ROLE_OF_PARTY["party_a"]),
        ("party_b", "乙", _ROLE_OF_PARTY["party_b"]),
    )
}
_PARTY_ROLE = {
    # （发包人） alone, when OCR garbled 甲方 itself (申亦 (发包人 ))
    name: re.compile(rf"[（(〈<\[]\s*(?:{roles})\s*[）)〉>\]]\s*[:：]?\s*")
    for name, roles in _ROLE_OF_PARTY.items()
}
_NUMBER = re.compile(r"合\s*同\s*编\s*号\s*[:：]?\s*(?P<v>.*)$")
_NAME_LABEL = re.compile(r"(?:合\s*同|项\s*目|工\s*程)\s*名\s*称\s*[:：]?\s*(?P<v>.+)$")
_SIGNED = re.compile(r"签\s*[订署]\s*日\s*期\s*[:：]?\s*(?P<v>.+)$")
_AMOUNT = re.compile(r"合\s*同\s*(?:总\s*)?金\s*额\s*[为:：]?|合\s*同\s*总\s*价\s*[为:：]?")
_COVER_WORD = re.compile(r"^[（(]?\s*合\s*同\s*[书協协]\s*[）)]?$")
_CLAUSE = re.compile(r"^(?:第\s*[一二三四五六七八九十\d]+\s*条|[一二三四五六七八九十]+\s*[、.])")
SEALS_OF_PARTIES = 2  # a contract page with this many stamps is its seal page (甲方, 乙方)
_HEADER = re.compile(r"(?:序号|姓名|.名).{0,3}(?:角色|职务|岗位)|(?:角色|职务|岗位).{0,4}工作内容")
_ROLE_WORDS = (
    "项目负责人",
    "技术负责人",
    "设计负责人",
    "项目经理",
    "项目总工",
    "总工程师",
    "调试工程师",
    "施工员",
    "质量员",
    "安全员",
    "技术员",
    "资料员",
    "造价员",
    "材料员",
    "工程师",
)
_ROLE = re.compile(
    r"(?:" + "|".join(_ROLE_WORDS) + r"|[\u4e00-\u9fff]{1,4}?(?:负责人|经理|工程师|员))"
)


@dataclass(frozen=True, slots=True)
class _Cand:
    """One printing of a field: its value, where it was read."""

    value: FieldData
    raw: str
    page: PageRead
    line: Line | None
    repairs: int = 0


@dataclass(slots=True)
class _Row:
    """One row of the participant table as it is being read."""

    cells: list[str]
    lines: list[Line]
    top: float
    bottom: float


def parse(pages: Sequence[PageRead], file: str) -> DocumentFields:
    """The fields of one project contract's proof.

    Args:
        pages: the document's pages, in order (kinds contract_cover, contract_amount,
            contract_participants, contract_seal; any may be missing).
        file: the evidence file, relative to the applicant folder.

    Returns:
        The fields that could be read, with ``parts`` saying which pages were found.
    """
    pages = list(pages)
    lines = {p.page: lines_of(p) for p in pages}
    parts = _parts(pages, lines)
    page_of = {p.page: p for p in pages}
    part_page = {k: page_of[v] for k, v in parts.items()}
    fields: dict[str, FieldValue] = {}

    title = _vote(_title_candidates(part_page, lines))
    number = _vote(
        _number_candidates(part_page, pages, lines), prefer=lambda c: str(c.value).count("-")
    )
    for name, value in (("title", title), ("number", number)):
        if value is not None:
            fields[name] = value

    cover = part_page.get("cover")
    seal = part_page.get("seal")
    for name in ("party_a", "party_b"):
        found = _party(cover, lines, name) if cover is not None else None
        if found is None and seal is not None:
            found = _party(seal, lines, name)
        if found is not None:
            fields[name] = found
    signed = _signed(cover, lines) if cover is not None else None
    if signed is None and seal is not None:
        signed = _first_date(seal, lines)
    if signed is not None:
        fields["signed_on"] = signed

    fields.update(_amounts(part_page.get("amount"), pages, lines))

    if "participants" in part_page:
        page = part_page["participants"]
        table = _participants(page, lines[page.page])
        if table is not None:
            fields["participants"] = table
    seal = part_page.get("seal")
    stamps = [s.bbox for s in seal.seals] if seal is not None else []
    fields["seal_page"] = FieldValue(
        "seal" in parts,
        f"{len(stamps)} seal(s)" if stamps else "",
        parts.get("seal", pages[0].page if pages else 1),
        union_bbox(stamps) if stamps else None,  # the stamps, where the marks saw them
        confidence=1.0 if "seal" in parts else 0.5,
    )

    kind = str(pages[0].kind) if pages else str(PageKind.CONTRACT_COVER)
    return DocumentFields(
        family=Family.CONTRACT,
        kind=kind,
        file=file,
        pages=tuple(p.page for p in pages),
        fields=fields,
        parts=parts,
    )


def role_of(fields: DocumentFields, name: str) -> str | None:
    """The role of ``name`` in the contract's participant table, or None when absent.

    Names are compared with :func:`extractors.fields.text.same_name` (never fuzzy: 王丽 is
    not 王莉, and 王伟 is not 王伟强). A row whose role OCR did not read gives "".
    """
    rows = fields.value("participants")
    if not isinstance(rows, tuple):
        return None
    for row in rows:
        person, role, _ = (row.split("|") + ["", ""])[:3]
        if same_name(person, name):
            return role
    return None


def participant_rows(fields: DocumentFields) -> list[tuple[str, str, str]]:
    """The participant table's rows as (name, role, duties)."""
    rows = fields.value("participants")
    if not isinstance(rows, tuple):
        return []
    out = []
    for row in rows:
        person, role, duties = (row.split("|") + ["", ""])[:3]
        out.append((person, role, duties))
    return out


# ---------------------------------------------------------------------------------------
# parts


def _parts(pages: list[PageRead], lines: dict[int, list[Line]]) -> dict[str, int]:
    """Which page is which part: by the reader's page kind, then by what a page prints."""
    kinds = {
        "cover": PageKind.CONTRACT_COVER,
        "amount": PageKind.CONTRACT_AMOUNT,
        "participants": PageKind.CONTRACT_PARTICIPANTS,
        "seal": PageKind.CONTRACT_SEAL,
    }
    parts = parts_by_kind(pages, kinds)
    used = set(parts.values())
    for p in pages:
        if p.page in used:
            continue
        text = "\n".join(ln.text for ln in lines[p.page])
        flat = compact(text)
        if (
            "amount" not in parts
            and _AMOUNT.search(text)
            and (parse_amount_figures(text) is not None or "人民币" in flat)
        ):
            parts["amount"] = p.page
        elif "participants" not in parts and "姓名" in flat and re.search(r"职务|角色|分工", flat):
            parts["participants"] = p.page
        elif "seal" not in parts and re.search(r"[甲乙]方[(（]?[盖签]章", flat):
            parts["seal"] = p.page
        elif "cover" not in parts and "合同编号" in flat and "甲方" in flat:
            parts["cover"] = p.page
    if "seal" not in parts:  # both parties' stamps where the text said nothing of them
        stamped = [p for p in pages if p.page not in used and len(p.seals) >= SEALS_OF_PARTIES
                   and p.page not in parts.values()]
        if stamped:
            parts["seal"] = stamped[-1].page
    return parts


# ---------------------------------------------------------------------------------------
# votes


def _vote(
    cands: Sequence[_Cand], prefer: Callable[[_Cand], float] | None = None
) -> FieldValue | None:
    """The value most printings agree on (ties: ``prefer``, then the first printing).

    Its confidence is the line's, times the share of printings that agree.
    """
    if not cands:
        return None
    counts = Counter(_key(c.value) for c in cands)
    best = max(
        cands,
        key=lambda c: (counts[_key(c.value)], prefer(c) if prefer else 0, -cands.index(c)),
    )
    share = counts[_key(best.value)] / len(cands)
    fv = field_at(best.value, best.raw, best.page, best.line, best.repairs)
    return dataclasses.replace(fv, confidence=round(fv.confidence * share, 3))


def _key(value: FieldData) -> FieldData:
    return compact(value) if isinstance(value, str) else value


def _title_candidates(part_page: dict[str, PageRead], lines: dict[int, list[Line]]) -> list[_Cand]:
    """The contract's name as printed.

    After a 合同名称/项目名称 label (cover grid, participant page), as the cover's title, as
    the amount page's heading.
    """
    out: list[_Cand] = []
    for part in ("cover", "participants", "amount"):
        page = part_page.get(part)
        if page is None:
            continue
        for ln in lines[page.page]:
            m = _NAME_LABEL.search(ln.text)
            if m and _CJK.search(m["v"]):
                out.append(_Cand(_clean(m["v"]), ln.text, page, ln))
                break
    cover = part_page.get("cover")
    if cover is not None:
        title_lines = _cover_title(lines[cover.page])
        if title_lines:
            text = _clean("".join(ln.text for ln in title_lines))
            if text:
                out.append(
                    _Cand(
                        text, " ".join(ln.text for ln in title_lines), cover, _merged(title_lines)
                    )
                )
    amount = part_page.get("amount")
    if amount is not None:
        for ln in lines[amount.page][:2]:
            text = _clean(ln.text)
            if _CLAUSE.match(text) or "合同条款" in text or _AMOUNT.search(text):
                break
            if len(_CJK.findall(text)) >= 6:
                out.append(_Cand(text, ln.text, amount, ln))
                break
    return [c for c in out if c.value]


def _cover_title(lines: list[Line]) -> list[Line]:
    """The cover's title lines: what stands above 合同书, the number line left out."""
    out: list[Line] = []
    for ln in sorted(lines, key=lambda ln: ln.bbox[1]) if all(x.words for x in lines) else lines:
        text = _clean(ln.text)
        if _COVER_WORD.match(compact(text)):
            return out
        if _NUMBER.search(text) or not _CJK.search(text):
            continue
        out.append(ln)
    return []


def _merged(lines: list[Line]) -> Line:
    """One Line standing for several (a title printed on two lines)."""
    words = tuple(w for ln in lines for w in ln.words)
    conf = min(ln.conf for ln in lines)
    return Line(
        text="".join(ln.text for ln in lines),
        bbox=union_bbox(ln.bbox for ln in lines),
        conf=conf,
        words=words,
    )


def _number_candidates(
    part_page: dict[str, PageRead], pages: list[PageRead], lines: dict[int, list[Line]]
) -> list[_Cand]:
    """The contract number after each 合同编号 label (cover and participant page first)."""
    order = [part_page[k] for k in ("cover", "participants", "amount", "seal") if k in part_page]
    order += [p for p in pages if p not in order]
    out: list[_Cand] = []
    for page in order:
        for ln in lines[page.page]:
            m = _NUMBER.search(ln.text)
            if not m:
                continue
            raw = m["v"].translate(_DASHES)
            token = re.match(r"[A-Za-z0-9][A-Za-z0-9\-/. ]*[A-Za-z0-9]", raw.strip())
            if token:
                value = re.sub(r"\s+", "", token.group())
                out.append(_Cand(value, ln.text, page, ln, int(value != token.group())))
    return out


# ---------------------------------------------------------------------------------------
# parties and date


def _party(page: PageRead, lines: dict[int, list[Line]], name: str) -> FieldValue | None:
    """甲方 or 乙方 as the page prints it after its label (甲方（发包人）：…).

    When no line carries the label, the bracketed role alone (（发包人）, （承包人）) stands
    for it: OCR garbles 甲方 in a table cell (申亦 (发包人 )) more often than the role.
    """
    other = "party_b" if name == "party_a" else "party_a"
    stops = (_PARTY_LABEL[other], _PARTY_ROLE[other])
    for rx, strict in ((_PARTY_LABEL[name], True), (_PARTY_ROLE[name], False)):
        for ln in lines[page.page]:
            m = rx.search(ln.text)
            if m is None or (strict and m.start() > 0 and _CJK.match(ln.text[m.start() - 1])):
                continue  # 甲方 inside a sentence (甲方向乙方支付…)
            value = ln.text[m.end() :]
            for stop in stops:
                cut = stop.search(value)
                if cut:
                    value = value[: cut.start()]
            value = _clean(value)
            value = re.sub(r"[\sA-Za-z0-9]+$", "", value)  # seal-ink noise read at the end
            if len(_CJK.findall(value)) >= 4 and not re.search(r"[，。；]", value):
                return field_at(value, ln.text, page, ln, repairs=0 if strict else 1)
    return None


def _signed(page: PageRead, lines: dict[int, list[Line]]) -> FieldValue | None:
    """签订日期 on the cover, as YYYY-MM-DD."""
    for ln in lines[page.page]:
        m = _SIGNED.search(ln.text)
        if m:
            found = parse_date(_squeeze(m["v"]))
            if found is not None:
                return field_at(found[0].isoformat(), found[1], page, ln)
    return None


def _first_date(page: PageRead, lines: dict[int, list[Line]]) -> FieldValue | None:
    """The first date on the page (the seal page's 日期), as YYYY-MM-DD."""
    for ln in lines[page.page]:
        found = parse_date(_squeeze(ln.text))
        if found is not None:
            return field_at(found[0].isoformat(), found[1], page, ln)
    return None


# ---------------------------------------------------------------------------------------
# amounts


def _amounts(
    page: PageRead | None, pages: list[PageRead], lines: dict[int, list[Line]]
) -> dict[str, FieldValue]:
    """``amount`` (from the figures), ``amount_capital`` and ``amount_capital_value``.

    The amount line is the one labelled 合同金额 (with the next line when it wraps); when it
    is not found on the amount page, every page is searched. The capital amount is verified
    when it parses; on a page Tesseract read it must also agree with the figures, or be
    written without the characters Tesseract cannot read, since a dropped or substituted
    character can leave another well-formed amount. One the second engine re-read (which
    reads 叁 柒 捌 仟) is taken as read.
    """
    order = ([page] if page is not None else []) + [p for p in pages if p is not page]
    for p in order:
        page_lines = lines[p.page]
        for i, ln in enumerate(page_lines):
            if not _AMOUNT.search(ln.text):
                continue
            text = ln.text[_AMOUNT.search(ln.text).end() :]  # type: ignore[union-attr]
            used = [ln]
            figures = parse_amount_figures(text)
            cap = capital_text(text)
            if (
                figures is None or cap is None or not cap.endswith(("整", "正", "角", "分"))
            ) and i + 1 < len(page_lines):
                nxt = page_lines[i + 1]
                joined = text + nxt.text
                if parse_amount_figures(joined) is not None or capital_text(joined):
                    text, used = joined, [ln, nxt]
                    figures = parse_amount_figures(text)
                    cap = capital_text(text)
            if figures is None and cap is None:
                continue
            return _amount_fields(p, used, figures, cap)
    return {}


def _amount_fields(
    page: PageRead, used: list[Line], figures: float | None, cap: str | None
) -> dict[str, FieldValue]:
    line = _merged(used) if len(used) > 1 else used[0]
    raw = " ".join(ln.text for ln in used)
    ocr = page.text_source == TextSource.OCR
    out: dict[str, FieldValue] = {}
    cap_value = parse_amount_capital(cap) if cap else None
    reread = any(w.engine and set(w.text) & set(cap or "") for w in line.words)
    if (
        cap_value is not None
        and ocr
        and not reread
        and figures is not None
        and cap_value != figures
        and tesseract_may_misread(figures)
    ):
        cap_value = None  # may be Tesseract's misreading, not a disagreement on paper
    if figures is not None:
        out["amount"] = field_at(figures, raw, page, line)
    elif cap_value is not None:
        out["amount"] = field_at(cap_value, raw, page, line, repairs=1)  # from the capital
    if cap is not None:
        box = _capital_box(line, cap) or line.bbox
        fv = field_at(cap, raw, page, line, verified=cap_value is not None)
        if cap_value is None:
            fv = dataclasses.replace(fv, confidence=round(fv.confidence * 0.5, 3))
        out["amount_capital"] = dataclasses.replace(fv, bbox=box if line.words else None)
        if cap_value is not None:
            out["amount_capital_value"] = dataclasses.replace(
                field_at(cap_value, cap, page, line), bbox=box if line.words else None
            )
    return out


def _capital_box(line: Line, cap: str) -> tuple[float, float, float, float] | None:
    """The box of the words that carry the capital amount ``cap`` (for a re-read)."""
    if not line.words:
        return None
    target = set(cap) - set("人民币")
    boxes = [w.bbox for w in line.words if set(w.text) & target and not re.search(r"\d", w.text)]
    return union_bbox(boxes) if boxes else None


# ---------------------------------------------------------------------------------------
# participant table


def _participants(page: PageRead, lines: list[Line]) -> FieldValue | None:
    """The participant table's rows as ``name|role|duties``.

    The columns are found from the header (姓名, 角色/职务, 工作内容): each character of a
    row goes to the column whose header starts left of it, so merged cells (Tesseract's
    ``王伟项目负责人项目总体组织``, a text layer's line ``1 王伟项目负责人…``) split apart. A
    row's lines are those whose name or role column is set; a line with only duties (a
    wrapped cell) joins the nearest row. Without a header, the role is found by its words
    (负责人, 经理, 工程师, …员).
    """
    header_i = next((i for i, ln in enumerate(lines) if _HEADER.search(compact(ln.text))), None)
    if header_i is None:  # the table read column by column: join each row's cells first
        rows_joined = row_lines(lines)
        header_i = next(
            (i for i, ln in enumerate(rows_joined) if _HEADER.search(compact(ln.text))), None
        )
        if header_i is not None:
            lines = rows_joined
    body = lines[header_i + 1 :] if header_i is not None else lines
    rows: list[_Row] = []
    bounds = _columns(lines[header_i]) if header_i is not None else None
    for ln in body:
        text = compact(ln.text)
        if text.startswith("注") or "说明" in text[:4]:
            break
        if bounds is not None and ln.words:
            cells = _split_cells(ln.words, bounds)
        else:
            cells = _split_by_role(ln.text)
            if cells is None:
                continue
        if not any(cells[1:]):
            continue
        if cells[1] or cells[2]:
            rows.append(_Row(cells, [ln], ln.bbox[1], ln.bbox[3]))
        elif rows:
            mid = (ln.bbox[1] + ln.bbox[3]) / 2
            near = min(rows, key=lambda r: abs((r.top + r.bottom) / 2 - mid))
            near.cells[3] += cells[3]
            near.lines.append(ln)
    rows = [r for r in rows if _CJK.search(r.cells[1] + r.cells[2])]
    if not rows:
        return None
    values = tuple(f"{r.cells[1]}|{r.cells[2]}|{r.cells[3]}" for r in rows)
    used = [ln for r in rows for ln in r.lines]
    bbox = union_bbox(ln.bbox for ln in used) if all(ln.words for ln in used) else None
    conf = min(ln.conf for ln in used)
    return FieldValue(values, "\n".join(ln.text for ln in used), page.page, bbox, round(conf, 3))


def _char_boxes(words: Sequence[Word]) -> list[tuple[float, float, str]]:
    """Every character with its share (x0, x1) of its word's box.

    OCR's stray quotes and bars are left out before the box is shared, so that they do not
    push the characters after them to the right (``”姓名``).
    """
    out: list[tuple[float, float, str]] = []
    for w in words:
        text = w.text.translate(_DROP_NOISE) or w.text
        step = (w.bbox[2] - w.bbox[0]) / (len(text) or 1)
        out += [(w.bbox[0] + step * i, w.bbox[0] + step * (i + 1), ch) for i, ch in enumerate(text)]
    return out


def _char_xs(words: Sequence[Word]) -> list[tuple[float, str]]:
    """Every character with the x of its centre (see :func:`_char_boxes`)."""
    return [((x0 + x1) / 2, ch) for x0, x1, ch in _char_boxes(words)]


def _columns(header: Line) -> list[float] | None:
    """The left edges of the columns 姓名, 角色/职务, 工作内容, from the header line.

    A column starts halfway between the end of the header text before its label and the
    label's first character (cells and labels are printed from the same left edge).
    """
    chars = _char_boxes(header.words)
    text = "".join(ch for _, _, ch in chars)
    lefts: list[float] = []
    for labels in (
        ("姓名", "名"),
        ("角色", "职务", "岗位", "分工", "职责"),
        ("主要", "工作", "内容", "任务", "分工", "职责"),
    ):
        at = min((i for i in (text.find(lb) for lb in labels) if i >= 0), default=-1)
        if labels[0] == "姓名" and text.find("姓名") < 0 and at > 0:
            at -= 1  # 姓 misread (验名): the column starts a character before 名
        if at < 0 or (lefts and chars[at][0] <= lefts[-1]):
            if labels[0] == "主要":
                lefts.append(float("inf"))
                continue
            return None
        start = chars[at][0]
        before = chars[at - 1][1] if at > 0 else start - 2 * (chars[at][1] - chars[at][0])
        lefts.append((min(before, start) + start) / 2)
    return lefts


def _split_cells(words: Sequence[Word], lefts: list[float]) -> list[str]:
    """The row's text cut into [序号, 姓名, 角色, 工作内容] by the columns' left edges."""
    cells = ["", "", "", ""]
    for x, ch in _char_xs(words):
        col = sum(1 for left in lefts if x >= left)
        cells[col] += ch
    cells = [_clean(c) for c in cells]
    cells[1] = "".join(_CJK.findall(cells[1])) or cells[1]
    return cells


def _split_by_role(text: str) -> list[str] | None:
    """A row read without column edges: ``[序号] 姓名 角色 工作内容``, cut at the role word."""
    flat = _clean(re.sub(r"\s+", "", text))
    if re.search(r"参加人员|人员名单|项目名称|合同编号|序号", flat):
        return None  # the page's heading and labels, not a row
    for roles in ("|".join(_ROLE_WORDS), _ROLE.pattern):  # the known role words first
        m = re.match(
            r"^(?P<n>[^\u4e00-\u9fff]{0,3})(?P<name>[\u4e00-\u9fff·]{2,5}?)(?P<role>"
            + roles
            + r")(?P<rest>.*)$",
            flat,
        )
        if m is not None:
            return [m["n"], m["name"], m["role"], m["rest"]]
    return None


# ---------------------------------------------------------------------------------------
# small helpers


_HAN_YEAR5 = re.compile(r"(?<![〇零OoО○0一二三四五六七八九])[〇零OoО○0一二三四五六七八九]{5}(?=年)")


def _squeeze(text: str) -> str:
    """``text`` without spaces: OCR spaces a date's parts apart (二 O 一九年).

    Tesseract also reads the 〇 of a year in Chinese numerals as two marks (二 O 〇一七年):
    a five-character year whose Latin O stands next to a 〇 loses the O.
    """
    flat = re.sub(r"\s+", "", text)

    def fix(m: re.Match[str]) -> str:
        year = m.group()
        return re.sub(r"[OoО](?=[〇○OoО])|(?<=[〇○])[OoО]", "", year, count=1)

    return _HAN_YEAR5.sub(fix, flat)


def _clean(text: str) -> str:
    """``text`` without OCR's stray quotes, bars and brackets, trimmed."""
    return text.translate(str.maketrans("", "", _NOISE)).strip(" 　:：,，.。·;；")
