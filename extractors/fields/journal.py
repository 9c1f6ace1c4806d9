"""Fields of a journal paper's proof: cover, 刊号 page, table of contents, the article.

:func:`parse` reads one document (the pages of one paper set, as the reader split them)
into ``DocumentFields`` with the fields of docs/evaluation.md (``title``, ``journal``,
``issn``, ``cn``, ``year``, ``issue``, ``authors``) and these of its own:

- ``toc``: the titles of the table of contents' entries, in reading order (a two-column
  table: the left column first); ``toc_authors``: each entry's authors joined by ``，``
  ("" when none were read), parallel to ``toc``;
- ``toc_entry``: the entry that is the article (its title as printed in the table, the box
  of its lines, authors included), when one matches the article's title.

The journal's name, ISSN, CN, year and issue are printed on several pages (cover, 刊号 page,
the table's head, the article's running head): every printing is read and the value most
of them agree on wins, so that one misread page (Tesseract garbles the cover's large title)
does not decide. ``parts`` says which pages were found: ``cover``, ``copyright`` (the 刊号
page; a cover that prints both ISSN and CN counts when there is none), ``toc``,
``article``.
"""

from __future__ import annotations

import dataclasses
import re
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from extractors.fields.numbers import find_cns, find_issns
from extractors.fields.text import (
    Line,
    compact,
    field_at,
    line_of_words,
    lines_of,
    parts_by_kind,
    same_name,
    union_bbox,
    upright_box,
)
from model.fields import DocumentFields, Family, FieldData, FieldValue
from model.report import PageKind, PageRead, TextSource, Word

_CJK = re.compile(r"[\u3400-\u9fff]")
_NOISE = "”“\"'’‘|｜‖_"
_ISSUE = re.compile(r"(?P<y>[12][09]\d{2})\s*年\s*[^\d第]{0,3}?\s*(?<!总)第\s*(?P<n>\d{1,2})\s*期")
_ISSUE_ONLY = re.compile(r"(?<![总\d])第\s*(?P<n>\d{1,2})\s*期")
_YEAR_TOTAL = re.compile(r"(?P<y>[12][09]\d{2})\s*年\s*[^\d]{0,3}?总\s*第")
_ARTICLE_NO = re.compile(
    r"\d{4}\s*-\s*\d{3}[\dXx]\s*\(\s*(?P<y>[12][09]\d{2})\s*\)\s*(?P<n>\d{2})\s*-"
)
_MASTHEAD = re.compile(
    r"[12][09]\d{2}\s*年|(?<!总)第\s*\d{1,2}\s*期|[（(]?\s*总\s*第\s*\d+\s*期\s*[）)]?"
    r"|[I1l|]\s*S\s*S\s*N.*$|C\s*N\s*\d.*$|[双半]?月刊|旬刊|季刊|本期目录|目\s*[次录]"
)
_HEAD_STOP = re.compile(r"摘\s*要|中图分类号|关\s*键\s*词|Abstract")
_RUNNING_HEAD = re.compile(r"ISSN|C\s*N\s*\d|(?<!总)第\s*\d{1,2}\s*期|年\s*第|·\s*\d+\s*·")
_AFFILIATION = re.compile(r"^\s*[（(〈<]|有限公司|大学|学院|研究[院所]|\d{6}")
_TOC_SKIP = re.compile(r"目\s*[次录]|本期目录|篇\s*名|页\s*码|^\s*[【\[].*[】\]]\s*$|ISSN|年\s*第")
_NAME_SEPS = re.compile(r"[\s　，,、;；/0-9!！*①-⑩¹²³⁴⁵等”“\"'‘’|]+")  # OCR: 　 → ”
_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}(?:[·・][\u4e00-\u9fff]{1,6})?$")
_LEAD_PAGE = re.compile(r"^\s*(?P<n>\d{1,3})(?:\s+|(?=[^\d\s.]))(?=\S)")
_TRAIL_PAGE = re.compile(r"(?<=[^\d\s])[\s.·…]*(?P<n>\d{1,3})\s*$")
_LEADERS = re.compile(r"[\s.·…\-—_]+$")  # dot leaders OCR left after a title


@dataclass(frozen=True, slots=True)
class _Cand:
    """One printing of a field: its value, where it was read, how it was repaired."""

    value: FieldData
    raw: str
    page: PageRead
    line: Line | None
    repairs: int = 0


@dataclass(slots=True)
class _Entry:
    """One entry of a table of contents as it is being read."""

    title: str = ""
    authors: tuple[str, ...] = ()
    lines: list[Line] = dataclasses.field(default_factory=list)
    done: bool = False


def parse(pages: Sequence[PageRead], file: str) -> DocumentFields:
    """The fields of one journal paper's proof.

    Args:
        pages: the document's pages, in order (kinds journal_cover, journal_copyright,
            journal_toc, article; any may be missing).
        file: the evidence file, relative to the applicant folder.

    Returns:
        The fields that could be read, with ``parts`` saying which pages were found.
    """
    pages = list(pages)
    lines = {p.page: lines_of(p) for p in pages}
    parts = _parts(pages, lines)
    page_of = {p.page: p for p in pages}
    fields: dict[str, FieldValue] = {}

    order = [page_of[parts[k]] for k in ("copyright", "toc", "article", "cover") if k in parts]
    order += [p for p in pages if p not in order]

    issn = _vote(
        [
            _Cand(v, ln.text, p, ln)
            for p in order
            for ln in lines[p.page]
            for v in find_issns(ln.text)
        ]
    )
    cn = _vote(
        [_Cand(v, ln.text, p, ln) for p in order for ln in lines[p.page] for v in find_cns(ln.text)]
    )
    journal = _vote(_journal_candidates(parts, page_of, lines))
    year, issue = _issue_votes(order, lines)
    for name, value in (
        ("issn", issn),
        ("cn", cn),
        ("journal", journal),
        ("year", year),
        ("issue", issue),
    ):
        if value is not None:
            fields[name] = value

    toc: list[_Entry] = []
    if "toc" in parts:
        toc_page = page_of[parts["toc"]]
        toc = _toc_entries(
            _columns(_drop_leaders(lines[toc_page.page])),
            ocr=toc_page.text_source == TextSource.OCR,
        )
        if toc:
            entry_lines = [ln for e in toc for ln in e.lines]
            bbox = _bbox(entry_lines)
            raw = "\n".join(ln.text for ln in entry_lines)
            conf = min((ln.conf for ln in entry_lines), default=toc_page.confidence)
            fields["toc"] = FieldValue(
                tuple(e.title for e in toc), raw, toc_page.page, bbox, round(conf, 3)
            )
            fields["toc_authors"] = FieldValue(
                tuple("，".join(e.authors) for e in toc), raw, toc_page.page, bbox, round(conf, 3)
            )

    if "article" in parts:
        article = page_of[parts["article"]]
        journal_name = journal.value if journal is not None else None
        ocr = article.text_source == TextSource.OCR
        head = _article_head(lines[article.page], str(journal_name or ""), ocr=ocr)
        if head is not None:
            title_lines, author_lines = head
            title = _clean("".join(ln.text for ln in title_lines))
            if title:
                fields["title"] = dataclasses.replace(
                    field_at(title, " ".join(ln.text for ln in title_lines), article),
                    bbox=_bbox(title_lines),
                    confidence=round(min(ln.conf for ln in title_lines), 3),
                )
            if author_lines:
                names = [n for ln in author_lines for n in _chunks(ln, ocr=ocr)]
                names = _resegment(names, title, toc)
                agrees = _toc_agrees(names, title, toc)
                fields["authors"] = dataclasses.replace(
                    field_at(
                        tuple(names),
                        " ".join(ln.text for ln in author_lines),
                        article,
                        verified=agrees,
                    ),
                    bbox=_bbox(author_lines),
                    confidence=round(
                        min(ln.conf for ln in author_lines) * (1 if agrees else 0.5), 3
                    ),
                )
        if "title" in fields and toc:
            entry = _matching_entry(str(fields["title"].value), toc)
            if entry is not None:
                toc_page = page_of[parts["toc"]]
                fields["toc_entry"] = FieldValue(
                    entry.title,
                    "\n".join(ln.text for ln in entry.lines),
                    toc_page.page,
                    _bbox(entry.lines),
                    round(min(ln.conf for ln in entry.lines), 3),
                )
        if "title" in fields:
            witnesses = [str(fields["toc_entry"].value)] if "toc_entry" in fields else []
            if "cover" in parts and parts["cover"] != article.page:
                on_cover = _best_match(str(fields["title"].value), lines[parts["cover"]])
                witnesses += [on_cover] if on_cover else []
            fields["title"] = _checked_title(fields["title"], witnesses)

    kind = str(pages[0].kind) if pages else str(PageKind.JOURNAL_COVER)
    return DocumentFields(
        family=Family.JOURNAL,
        kind=kind,
        file=file,
        pages=tuple(p.page for p in pages),
        fields=fields,
        parts=parts,
    )


# ---------------------------------------------------------------------------------------
# parts


def _parts(pages: list[PageRead], lines: dict[int, list[Line]]) -> dict[str, int]:
    """Which page is which part: by the reader's page kind, then by what a page prints."""
    kinds = {
        "cover": PageKind.JOURNAL_COVER,
        "copyright": PageKind.JOURNAL_COPYRIGHT,
        "toc": PageKind.JOURNAL_TOC,
        "article": PageKind.ARTICLE,
    }
    parts = parts_by_kind(pages, kinds)
    used = set(parts.values())
    for p in pages:
        if p.page in used:
            continue
        text = "\n".join(ln.text for ln in lines[p.page])
        if "article" not in parts and _HEAD_STOP.search(text) and re.search(r"关\s*键\s*词", text):
            parts["article"] = p.page
        elif "toc" not in parts and _looks_like_toc(p, lines[p.page], text):
            parts["toc"] = p.page
        elif (
            "copyright" not in parts
            and find_issns(text)
            and find_cns(text)
            and re.search(r"出版物号|出版日期|主\s*办|编辑出版", text)
        ):
            parts["copyright"] = p.page
    if "copyright" not in parts and "cover" in parts:
        cover_text = "\n".join(ln.text for ln in lines[parts["cover"]])
        if find_issns(cover_text) and find_cns(cover_text):
            parts["copyright"] = parts["cover"]  # a cover that prints the 刊号 serves for both
    return parts


def _looks_like_toc(page: PageRead, lines: list[Line], text: str) -> bool:
    """Whether a page the classifier left out reads as a table of contents.

    Its heading (目次, 目录) near the top, or a masthead (年第N期) in its first lines and at
    least two lines of authors (Tesseract may garble the heading and the dot leaders).
    """
    if re.search(r"目\s*[次录]", text[:60]):
        return True
    ocr = page.text_source == TextSource.OCR
    masthead = any(_ISSUE.search(ln.text) or _ISSUE_ONLY.search(ln.text) for ln in lines[:4])
    bylines = sum(1 for ln in lines if _names_like(_chunks(ln, ocr=ocr)))
    return masthead and bylines >= 2


# ---------------------------------------------------------------------------------------
# votes


def _vote(
    cands: Sequence[_Cand], prefer: Callable[[_Cand], float] | None = None
) -> FieldValue | None:
    """The value most printings agree on (ties: the first printing), as a FieldValue.

    Its confidence is the line's, times the share of printings that agree.
    """
    if not cands:
        return None
    counts = Counter(_key(c.value) for c in cands)
    best = max(
        cands, key=lambda c: (counts[_key(c.value)], prefer(c) if prefer else 0, -cands.index(c))
    )
    share = counts[_key(best.value)] / len(cands)
    fv = field_at(best.value, best.raw, best.page, best.line, best.repairs)
    return dataclasses.replace(fv, confidence=round(fv.confidence * share, 3))


def _key(value: FieldData) -> FieldData:
    """How votes compare values: text without spaces, after NFKC."""
    return compact(value) if isinstance(value, str) else value


def _journal_candidates(
    parts: dict[str, int], page_of: dict[int, PageRead], lines: dict[int, list[Line]]
) -> list[_Cand]:
    """The journal's name as printed on each page (刊号 page first, cover last)."""
    out: list[_Cand] = []
    if "copyright" in parts and parts["copyright"] != parts.get("cover"):
        page = page_of[parts["copyright"]]
        for ln in lines[page.page]:
            m = re.search(r"《\s*([^《》]{2,30}?)\s*》", ln.text)
            if m and _CJK.search(m.group(1)):
                out.append(_Cand(compact(m.group(1)), ln.text, page, ln))
                break
    for part in ("toc", "article"):
        if part not in parts:
            continue
        page = page_of[parts[part]]
        for ln in lines[page.page][:4]:
            if not (
                _ISSUE.search(ln.text) or _ISSUE_ONLY.search(ln.text) or re.search(r"ISSN", ln.text)
            ):
                continue
            name = _masthead_name(ln.text)
            if name:
                out.append(_Cand(name, ln.text, page, ln))
                break
    if "cover" in parts:
        page = page_of[parts["cover"]]
        best: tuple[float, str, Line] | None = None
        for ln in lines[page.page]:
            if re.search(r"主\s*办|要\s*目|导\s*读|ISSN|CN", ln.text):
                continue
            name = _masthead_name(ln.text)
            height = _em(ln)
            if name and (best is None or height > best[0]):
                best = (height, name, ln)
        if best is not None:
            out.append(_Cand(best[1], best[2].text, page, best[2]))
    return out


def _masthead_name(text: str) -> str | None:
    """A journal's name in a masthead line (``安防科技与应用　2021年第5期``), or None."""
    rest = _MASTHEAD.sub(" ", text)
    runs = re.findall(r"[\u3400-\u9fff]{4,30}", rest.translate(str.maketrans("", "", _NOISE)))
    return max(runs, key=len) if runs else None


def _issue_votes(
    order: list[PageRead], lines: dict[int, list[Line]]
) -> tuple[FieldValue | None, FieldValue | None]:
    """The year and the issue (``05``) as the pages print them, each by vote."""
    years: list[_Cand] = []
    issues: list[_Cand] = []
    for p in order:
        for ln in lines[p.page]:
            if re.search(r"收\s*稿|日\s*期", ln.text):
                continue
            found = False
            for rx in (_ISSUE, _ARTICLE_NO):
                for m in rx.finditer(ln.text):
                    years.append(_Cand(int(m["y"]), ln.text, p, ln))
                    issues.append(_Cand(f"{int(m['n']):02d}", ln.text, p, ln))
                    found = True
            if not found:
                for m in _ISSUE_ONLY.finditer(ln.text):
                    issues.append(_Cand(f"{int(m['n']):02d}", ln.text, p, ln))
                for m in _YEAR_TOTAL.finditer(ln.text):
                    years.append(_Cand(int(m["y"]), ln.text, p, ln))
    years = [c for c in years if 1950 <= int(str(c.value)) <= 2100]
    issues = [c for c in issues if 1 <= int(str(c.value)) <= 53]
    return _vote(years), _vote(issues)


# ---------------------------------------------------------------------------------------
# the article's head: title and authors


def _article_head(
    lines: list[Line], journal: str, *, ocr: bool
) -> tuple[list[Line], list[Line]] | None:
    """The title lines and the author lines of an article's first page.

    The head is what stands above the abstract (摘要, 中图分类号, 关键词): the running head
    (ISSN, 第N期, the journal's name) and the affiliation (a line in brackets) are left out;
    of what remains, the trailing lines that read as a list of names in a smaller type than
    the title are the authors, the lines before them the title.
    """
    if not lines:
        return None
    stop = next((ln for ln in lines if _HEAD_STOP.search(ln.text)), None)
    geometric = all(ln.words for ln in lines)
    if geometric:
        limit = stop.upright()[1] if stop is not None else float("inf")
        head = _rows([ln for ln in lines if ln.upright()[3] <= limit + 2])
    else:
        head = lines[: lines.index(stop)] if stop is not None else lines[:6]
    jname = compact(journal)
    rest: list[Line] = []
    affiliated = False
    for ln in head:
        text = compact(ln.text)
        running = _RUNNING_HEAD.search(ln.text) or (
            jname and jname in text and len(text) < len(jname) + 12
        )
        if running and not rest:
            continue
        if _AFFILIATION.search(ln.text) and rest:
            affiliated = True
            break
        if _CJK.search(ln.text):
            rest.append(ln)
    if not rest:
        return None
    title_em = _em(rest[0])
    authors: list[Line] = []
    while len(rest) > 1:
        # the line just above the affiliation is the byline, whatever OCR made of its
        # size (a highlighter inflates the boxes) and even when its names ran together;
        # lines above it must be in smaller type
        byline = affiliated and not authors
        if not _names_like(_chunks(rest[-1], ocr=ocr), run_together=byline):
            break
        if not byline and geometric and _em(rest[-1]) > 0.85 * title_em:
            break
        authors.insert(0, rest.pop())
    return rest, authors


def _rows(lines: list[Line]) -> list[Line]:
    """``lines`` top to bottom, those that share a row merged (OCR splits a byline in two)."""
    rows: list[list[Line]] = []
    for ln in sorted(lines, key=lambda ln: ln.upright()[1]):
        row = rows[-1] if rows else None
        if row is not None and _same_row(row[-1].upright(), ln.upright()):
            row.append(ln)
        else:
            rows.append([ln])
    out = []
    for row in rows:
        if len(row) == 1:
            out.append(row[0])
        else:
            turn = row[0].rotation
            words = sorted((w for ln in row for w in ln.words),
                           key=lambda w: upright_box(w.bbox, turn)[0])
            out.append(line_of_words(_unrepeat(words, turn), turn))
    return out


def _unrepeat(words: list[Word], rotation: int = 0) -> list[Word]:
    """A row's words (left to right) without what OCR read twice from its pieces.

    When a highlighter splits a line, Tesseract may read its start again as a sliver
    (郑 in a box 2 px wide) or as a word overlapping the next (郑平 | 平建): a sliver whose
    text the next word repeats is dropped, and characters that end one word and start an
    overlapping next one are kept once.
    """
    out: list[Word] = []
    last_end = 0.0
    for i, w in enumerate(words):
        b = upright_box(w.bbox, rotation)
        h = b[3] - b[1]
        nxt = words[i + 1].text if i + 1 < len(words) else ""
        if b[2] - b[0] < 0.25 * h * max(1, len(w.text)) and w.text and nxt.startswith(w.text):
            continue
        if out and b[0] < last_end:
            prev = out[-1].text
            k = next((k for k in range(min(len(prev), len(w.text)), 0, -1)
                      if prev.endswith(w.text[:k])), 0)
            if k:
                w = dataclasses.replace(w, text=w.text[k:])
        if w.text:
            out.append(w)
            last_end = b[2]
    return out


def _same_row(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """Whether two boxes share most of the smaller one's height."""
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    return overlap > 0.6 * min(a[3] - a[1], b[3] - b[1])


def _em(line: Line) -> float:
    """The line's type size: the median height of its CJK words (its box's height else)."""
    boxes = [upright_box(w.bbox, line.rotation) for w in line.words if _CJK.search(w.text)]
    if boxes:
        return float(statistics.median(b[3] - b[1] for b in boxes))
    box = line.upright()
    return box[3] - box[1]


def _chunks(line: Line, *, ocr: bool) -> list[str]:
    """The line cut at its separators (，、 spaces, superscript digits) into pieces.

    Each piece keeps its CJK characters (and a middle dot); empty pieces are dropped. A
    text layer's words are separated by spaces, so every word boundary cuts. Tesseract's
    words are arbitrary runs of characters: there, a run of five or more characters
    between separators (names printed with only white space between them, 赵志强　王伟) is
    cut where the gaps between characters are widest (:func:`_segment`).
    """
    if not line.words or not ocr:
        texts = [w.text for w in line.words] if line.words else [line.text]
        pieces = [q for t in texts for q in _NAME_SEPS.split(t)]
        return _dots_split([k for k in (_name_chars(q) for q in pieces) if k])
    em = statistics.median([w.bbox[3] - w.bbox[1] for w in line.words]) or 1.0
    out: list[str] = []
    run: list[tuple[float, float, str]] = []
    for x0, x1, ch in _char_boxes(line.words):
        if _NAME_SEPS.match(ch):
            out += _segment(run, em)
            run = []
        elif _CJK.match(ch) or ch in "·・":
            run.append((x0, x1, ch))
    return _dots_split([*out, *_segment(run, em)])


def _dots_split(chunks: list[str]) -> list[str]:
    """Chunks with a middle dot between names of 2–3 characters cut at the dot.

    OCR reads the wide space between two names as ·; a name written with a dot (a
    transliteration such as 阿依古丽·买买提) has a longer part and is kept.
    """
    out: list[str] = []
    for c in chunks:
        parts = re.split("[·・]", c)
        if len(parts) > 1 and all(2 <= len(p) <= 3 for p in parts):
            out += parts
        else:
            out.append(c)
    return out


def _name_chars(piece: str) -> str:
    return "".join(ch for ch in piece if _CJK.match(ch) or ch in "·・")


def _char_boxes(words: Sequence[Word]) -> list[tuple[float, float, str]]:
    """Every character with its share of its word's box (x0, x1), in order."""
    out: list[tuple[float, float, str]] = []
    for w in words:
        n = len(w.text) or 1
        step = (w.bbox[2] - w.bbox[0]) / n
        out += [
            (w.bbox[0] + step * i, w.bbox[0] + step * (i + 1), ch) for i, ch in enumerate(w.text)
        ]
    return out


def _segment(run: list[tuple[float, float, str]], em: float) -> list[str]:
    """A run of OCR'd characters cut into names (2–4 characters) at its widest gaps.

    Three characters or fewer are one name; four are two names only when the middle gap
    stands out. Longer runs take the cut into names whose narrowest cut gap (at least half
    an em) exceeds the widest gap left inside a name by the most (four-character names
    slightly penalised); when no cut stands out the run is kept whole.
    """
    text = "".join(ch for _, _, ch in run)
    n = len(run)
    if n <= 3 or n > 16:
        return [text] if text else []
    gaps = [run[i + 1][0] - run[i][1] for i in range(n - 1)]
    if n == 4:
        if gaps[1] > 0.5 * em and gaps[1] > max(gaps[0], gaps[2]) + 0.2 * em:
            return [text[:2], text[2:]]
        return [text]
    best: tuple[float, list[int]] | None = None
    for parts in _compositions(n):
        cuts = [sum(parts[: i + 1]) - 1 for i in range(len(parts) - 1)]
        inner = [g for i, g in enumerate(gaps) if i not in cuts]
        narrowest = min(gaps[c] for c in cuts)
        if narrowest < 0.5 * em:
            continue  # names stand an em apart: a narrower cut splits a word
        margin = narrowest - max(inner, default=-em) - 0.15 * em * sum(p == 4 for p in parts)
        if best is None or margin > best[0]:
            best = (margin, parts)
    if best is None or best[0] <= 0.1 * em:
        return [text]
    out, i = [], 0
    for size in best[1]:
        out.append(text[i : i + size])
        i += size
    return out


def _compositions(n: int) -> list[list[int]]:
    """Every way to write ``n`` as a sum of 2s, 3s and 4s, in order."""
    if n == 0:
        return [[]]
    return [[k, *rest] for k in (2, 3, 4) if k <= n for rest in _compositions(n - k)]


def _names_like(chunks: list[str], *, run_together: bool = False) -> bool:
    """Whether ``chunks`` read as a list of personal names (2–4 characters each).

    With several pieces, one of up to eight characters may be two names OCR ran together
    (兽莉霞曹娜艳) as long as most pieces are names. With ``run_together`` (the line stands
    where the byline must be), one piece of up to twelve characters may be two to four names
    run together (李霞吴建周超华, 赵华张俊肖平勇马梅玲).
    """
    if not chunks:
        return False
    if len(chunks) == 1 and run_together:
        return bool(re.fullmatch(r"[\u4e00-\u9fff]{2,12}", chunks[0]))
    if len(chunks) == 1:
        return bool(_NAME.match(chunks[0])) and len(chunks[0]) <= 3
    names = sum(bool(_NAME.match(c)) for c in chunks)
    return names * 2 >= len(chunks) and all(2 <= len(c) <= 8 for c in chunks)


def _resegment(names: list[str], title: str, toc: list[_Entry]) -> list[str]:
    """``names`` cut as the table of contents cuts them, when that is the only difference.

    Tesseract may merge names printed with spaces between them (赵志强王伟); the article's
    entry in the table of contents usually separates them with commas.
    """
    entry = _matching_entry(title, toc) if title else None
    if entry is None or not entry.authors or list(entry.authors) == names:
        return names
    if "".join(entry.authors) == "".join(names):
        return list(entry.authors)
    return names


def _best_match(title: str, lines: list[Line]) -> str | None:
    """The line that prints ``title`` (OCR noise allowed: ratio ≥ 85), as read, or None."""
    want = compact(title)
    best: tuple[float, str] | None = None
    for ln in lines:
        got = compact(_clean(ln.text))
        score = fuzz.ratio(got, want) if got else 0.0
        if score >= 85 and (best is None or score > best[0]):
            best = (score, got)
    return best[1] if best else None


def _checked_title(title: FieldValue, witnesses: list[str]) -> FieldValue:
    """The article's title checked against its other printings (table of contents, cover).

    The title is printed up to three times; when the other printings agree with each other
    and not with the article's (OCR misread a character there), theirs wins. When every
    printing reads differently, the title is not verified.
    """
    if not witnesses:
        return title
    mine = compact(str(title.value))
    counts = Counter([mine, *(compact(w) for w in witnesses)])
    best, n = counts.most_common(1)[0]
    if best != mine and n > counts[mine]:
        return dataclasses.replace(title, value=best, confidence=round(title.confidence * 0.8, 3))
    if counts[mine] == 1:
        return dataclasses.replace(
            title, verified=False, confidence=round(title.confidence * 0.5, 3)
        )
    return title


def _toc_agrees(names: list[str], title: str, toc: list[_Entry]) -> bool:
    """False when the article's entry in the table lists as many authors, but other ones.

    The byline and the table print the same names; when OCR read them differently, one of
    them is misread and neither is taken as verified. A table that lists fewer names
    (赵志强等) or none, or no matching entry, says nothing.
    """
    entry = _matching_entry(title, toc) if title else None
    if entry is None or len(entry.authors) != len(names):
        return True
    return all(same_name(a, b) for a, b in zip(names, entry.authors, strict=True))


def _matching_entry(title: str, toc: list[_Entry]) -> _Entry | None:
    """The entry of ``toc`` whose title is ``title`` (ignoring OCR noise), or None."""
    want = compact(title)
    best: tuple[float, _Entry] | None = None
    for e in toc:
        got = compact(e.title)
        if not got:
            continue
        score = 100.0 if got == want else fuzz.ratio(got, want)
        if score >= 85 and (best is None or score > best[0]):
            best = (score, e)
    return best[1] if best else None


# ---------------------------------------------------------------------------------------
# table of contents


def _columns(lines: list[Line]) -> list[Line]:
    """The lines of a two-column page cut at the gutter, the left column first.

    A page is two columns when a vertical strip in its middle third crosses (almost) no
    word and each side holds a fifth of its CJK characters; otherwise the lines are
    returned as they are.
    """
    words = [w for ln in lines for w in ln.words]
    cjk = [w for w in words if _CJK.search(w.text)]
    if len(cjk) < 10:
        return lines
    x0 = min(w.bbox[0] for w in words)
    x1 = max(w.bbox[2] for w in words)
    span = x1 - x0
    total = sum(len(_CJK.findall(w.text)) for w in cjk)
    xs = [x0 + span * i / 200 for i in range(60, 141)]
    crossings = [
        sum(1 for ln in lines if any(w.bbox[0] < x < w.bbox[2] for w in ln.words)) for x in xs
    ]
    least = min(crossings)
    if least > max(1, len(lines) // 10):
        return lines
    runs: list[list[float]] = []
    for i, (x, crossing) in enumerate(zip(xs, crossings, strict=True)):
        if crossing != least:
            continue
        if runs and crossings[i - 1] == least:
            runs[-1].append(x)
        else:
            runs.append([x])

    def starts(run: list[float]) -> int:  # lines whose right part begins just after the strip
        n = 0
        for ln in lines:
            right = [w.bbox[0] for w in ln.words if w.bbox[0] >= run[-1] and _CJK.search(w.text)]
            n += bool(right) and min(right) <= run[-1] + span * 0.04
        return n

    best = max(runs, key=lambda run: (starts(run), len(run)))
    gutter = (best[0] + best[-1]) / 2
    left_chars = sum(len(_CJK.findall(w.text)) for w in cjk if _mid(w) < gutter)
    if not 0.2 * total <= left_chars <= 0.8 * total:
        return lines
    left: list[Line] = []
    right: list[Line] = []
    for ln in lines:
        lw = [w for w in ln.words if _mid(w) < gutter]
        rw = [w for w in ln.words if _mid(w) >= gutter]
        if lw:
            left.append(line_of_words(lw))
        if rw:
            right.append(line_of_words(rw))
    return sorted(left, key=lambda ln: ln.bbox[1]) + sorted(right, key=lambda ln: ln.bbox[1])


def _drop_leaders(lines: list[Line]) -> list[Line]:
    """The lines without OCR's readings of dot leaders: flat, unsure words after a title.

    Tesseract reads a row of dots (title ····· page) as a run of low, flat "characters" of
    no confidence (和交二和客人…); they are dropped.
    """
    out = []
    for ln in lines:
        if not ln.words:
            out.append(ln)
            continue
        sure = [w.bbox[3] - w.bbox[1] for w in ln.words if w.conf >= 0.5]
        em = float(statistics.median(sure)) if sure else _em(ln)
        kept = [w for w in ln.words if not (w.conf < 0.5 and (w.bbox[3] - w.bbox[1]) < 0.4 * em)]
        if len(kept) == len(ln.words):
            out.append(ln)
        elif kept:
            out.append(line_of_words(kept))
    return out


def _mid(w: Word) -> float:
    return (w.bbox[0] + w.bbox[2]) / 2


def _toc_entries(lines: list[Line], *, ocr: bool) -> list[_Entry]:
    """The entries of a table of contents: title lines, then a line of authors.

    A page number before a title (``12 基于…``) starts an entry; one after it (``…设计 12``)
    ends its title; a line of names after a title is its authors.
    """
    entries: list[_Entry] = []
    cur: _Entry | None = None
    started = False
    for ln in lines:
        text = _clean(ln.text)
        if not text or not _CJK.search(text):
            continue
        if _TOC_SKIP.search(text) or (
            not started and (_MASTHEAD.search(text) or len(_CJK.findall(text)) <= 3)
        ):
            continue  # the heading (目次, or OCR's 目大), the masthead, section names
        started = True
        lead = _LEAD_PAGE.match(text)
        trail = _TRAIL_PAGE.search(text)
        if lead:
            cur = _Entry(title=text[lead.end() :].strip(), lines=[ln])
            entries.append(cur)
            continue
        chunks = _chunks(ln, ocr=ocr)
        if not trail and _names_like(chunks):
            if cur is None or cur.authors or not cur.title:
                cur = _Entry(lines=[])  # authors of an entry whose title was not read
                entries.append(cur)
            cur.authors = tuple(chunks)
            cur.lines.append(ln)
            cur.done = True
            continue
        if cur is None or cur.done:
            cur = _Entry(lines=[])
            entries.append(cur)
        cur.title += text[: trail.start()].strip() if trail else text
        cur.lines.append(ln)
        if trail:
            cur.done = True
    for e in entries:
        e.title = _clean(_LEADERS.sub("", re.sub(r"\s+", "", e.title)))
    return [e for e in entries if e.title]


# ---------------------------------------------------------------------------------------
# small helpers


def _clean(text: str) -> str:
    """``text`` without OCR's stray quotes and bars, trimmed."""
    return text.translate(str.maketrans("", "", _NOISE)).strip(" 　:：,，.。·")


def _bbox(lines: Sequence[Line]) -> tuple[float, float, float, float] | None:
    """The box around ``lines`` (None when none has words)."""
    boxes = [ln.bbox for ln in lines if ln.words]
    return union_bbox(boxes) if boxes else None
