"""Is the applicant's name marked on a claim's proof: PAP003 and CON003 (pure).

The notice asks for the applicant's name to be clearly marked (个人姓名处明显标明) on the
article or its table of contents (papers) and in the participant list (projects). Each
page already carries its words (text layer or OCR) and the marks found on it
(:mod:`extractors.marks_pdf`, :mod:`extractors.marks_image`); here the name is found among
the words and tied to a mark by where both lie:

- the name is found character by character across the words of a line (OCR may split it,
  张 伟, or run it into its neighbours), compared after :func:`model.names.normalise_name`;
  on a page OCR read without the name, a *marked* printing with one character misread
  (荆勇 for 张勇, under a pen box) is taken for it;
  a printing followed, in the same word, by more characters of a name (王伟东 when looking
  for 王伟) is another person and is skipped, unless what follows is a role (王伟项目经理
  in a table row OCR ran together) or 同志;
- a highlight marks it when it covers at least :data:`COVER` of the name's box; a box, a
  circle, a note or free-hand ink when it holds the name's centre and is no taller than
  :data:`MAX_ENCLOSING` name heights (a box around the name and its neighbours counts, one
  around the whole page does not); an underline when it lies under the name (its top
  within :data:`UNDER_ABOVE` above to :data:`UNDER_BELOW` name heights below the name's
  bottom) along at least :data:`COVER` of its width. A mark on a neighbouring word touches
  too little of the name to count.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from extractors.fields.text import upright_box
from extractors.text import along_line, overlap
from model.fields import DocumentFields
from model.marks import Mark, MarkKind
from model.names import normalise_name
from model.report import BBox, DocumentRead, Evidence, NameMark, PageRead, TextSource, Word

COVER = 0.5  # share of the name a highlight must cover (of its width, for an underline)
MAX_ENCLOSING = 5.0  # name heights: the tallest box or circle that still marks one name
UNDER_ABOVE = 0.35  # name heights above the name's bottom an underline may start …
UNDER_BELOW = 0.9  # … and below it
NEAR = 3.0  # name heights: a mark this close to an unmarked name is shown with it

_CJK = re.compile(r"[\u4e00-\u9fff]")
_ROLE_AFTER = ("项目负责人", "技术负责人", "设计负责人", "项目经理", "项目总工", "总工程师",
               "调试工程师", "施工员", "质量员", "安全员", "技术员", "资料员", "造价员",
               "材料员", "工程师", "同志")

# The parts of a proof the name must be marked on, by the document's family.
PARTS = {"journal": ("article", "toc"), "contract": ("participants",)}


@dataclass(frozen=True, slots=True)
class NameHit:
    """One printing of the applicant's name: where, and the mark on it (None: unmarked)."""

    file: str
    page: int
    bbox: BBox
    mark: Mark | None


def name_boxes(page: PageRead, name: str, *, misread: bool = False) -> list[BBox]:
    """The boxes of every printing of ``name`` on ``page`` (page coordinates).

    Lines are the page's words grouped by ``Word.line``; each word's box is shared among
    its characters along the line (on the upright page), so a name inside a longer word
    gets its own characters' box. With ``misread``, the printings OCR read with one
    character wrong (荆勇 for 张勇) instead.
    """
    want = normalise_name(name)
    if not want or not page.words:
        return []
    lines: dict[int, list[Word]] = {}
    for w in page.words:
        lines.setdefault(w.line, []).append(w)
    out = []
    for words in lines.values():
        chars = _chars(words, page.rotation)
        text = "".join(c for c, _, _ in chars)
        for start in _starts(text, want, misread):
            end = start + len(want)
            word_ends = end == len(chars) or chars[end][2] != chars[end - 1][2]
            if word_ends or _stands_alone(text, end):
                boxes = [b for _, b, _ in chars[start:end]]
                out.append((min(b[0] for b in boxes), min(b[1] for b in boxes),
                            max(b[2] for b in boxes), max(b[3] for b in boxes)))
    return out


def _starts(text: str, want: str, misread: bool) -> list[int]:
    """Where ``want`` starts in ``text``: exactly, or (``misread``) with one CJK misread."""
    if not misread:
        out, start = [], text.find(want)
        while start >= 0:
            out.append(start)
            start = text.find(want, start + 1)
        return out
    n = len(want)
    return [i for i in range(len(text) - n + 1)
            if sum(a != b for a, b in zip(text[i:i + n], want, strict=True)) == 1
            and all(_CJK.match(c) for c in text[i:i + n])]


def _chars(words: Sequence[Word], rotation: int) -> list[tuple[str, BBox, int]]:
    """The normalised characters of a line's words, with their boxes and their word's index.

    Each character gets its share of its word's box. Words are ordered left to right on
    the upright page; a character's share runs along the line as it lies in the page's own
    coordinates.
    """
    out: list[tuple[str, BBox, int]] = []
    for k, w in enumerate(sorted(words, key=lambda w: upright_box(w.bbox, rotation)[0])):
        chars = [normalise_name(c) for c in unicodedata.normalize("NFKC", w.text)]
        chars = [c for c in chars if c]
        n = len(chars)
        if not n:
            continue
        for i, c in enumerate(chars):
            box = along_line(w.bbox, i / n, (i + 1) / n, rotation)
            out.append((c, box, k))
    return out


def _stands_alone(text: str, end: int) -> bool:
    """Whether the name ending at ``end`` is not the start of a longer name (王伟 of 王伟东)."""
    rest = text[end:]
    return not rest or not _CJK.match(rest[0]) or rest.startswith(_ROLE_AFTER)


def mark_on(name: BBox, marks: Sequence[Mark], rotation: int = 0) -> Mark | None:
    """The mark that marks the name at ``name``, or None (rules in the module docstring)."""
    up = upright_box(name, rotation)
    h = max(up[3] - up[1], 1e-6)
    w = max(up[2] - up[0], 1e-6)
    for m in marks:
        pieces = [upright_box(p, rotation) for p in m.pieces()]
        if m.kind == MarkKind.HIGHLIGHT:
            if sum(overlap(p, up) for p in pieces) >= COVER * w * h:
                return m
        elif m.kind == MarkKind.UNDERLINE:
            for p in pieces:
                under = up[3] - UNDER_ABOVE * h <= p[1] <= up[3] + UNDER_BELOW * h
                along = min(p[2], up[2]) - max(p[0], up[0])
                if under and along >= COVER * w:
                    return m
        else:  # box, circle, note, free-hand ink: around the name
            box = upright_box(m.bbox, rotation)
            cx, cy = (up[0] + up[2]) / 2, (up[1] + up[3]) / 2
            if box[0] <= cx <= box[2] and box[1] <= cy <= box[3] and \
                    box[3] - box[1] <= MAX_ENCLOSING * h:
                return m
    return None


def proof_pages(docs: Sequence[DocumentFields]) -> list[tuple[str, int]]:
    """(file, page) of the parts of a claim's proof where the name must be marked.

    The article and table of contents of a journal set, the participant list of a contract
    set; all of a document's pages when none of those parts was recognised.
    """
    out: list[tuple[str, int]] = []
    for d in docs:
        wanted = PARTS.get(str(d.family), ())
        pages = [d.parts[p] for p in wanted if p in d.parts]
        for page in pages or list(d.pages):
            if (d.file, page) not in out:
                out.append((d.file, page))
    return out


def find_name_marks(name: str, docs: Sequence[DocumentFields],
                    read: Sequence[DocumentRead]) -> list[NameHit]:
    """Every printing of ``name`` on the proof pages of ``docs``, with the mark on it."""
    pages = {(d.file, p.page): p for d in read for p in d.pages}
    hits = []
    for file, pageno in proof_pages(docs):
        page = pages.get((file, pageno))
        if page is None:
            continue
        found = [NameHit(file, pageno, box, mark_on(box, page.marks, page.rotation))
                 for box in name_boxes(page, name)]
        if not found and page.text_source == TextSource.OCR:
            # a marked printing OCR read one character wrong is hers: the mark says so
            found = [h for h in (NameHit(file, pageno, box,
                                         mark_on(box, page.marks, page.rotation))
                                 for box in name_boxes(page, name, misread=True))
                     if h.mark is not None]
        hits += found
    return hits


def name_mark(name: str, docs: Sequence[DocumentFields],
              read: Sequence[DocumentRead]) -> NameMark | None:
    """Whether the name is marked on the proof of one claim, with the evidence either way.

    Marked: the first marked printing and its mark. Not marked: every printing found, and
    the marks near them (within :data:`NEAR` name heights), so a person sees what is there.
    None when none of the proof's pages is among ``read`` (nothing to look at).
    """
    available = {(d.file, p.page) for d in read for p in d.pages}
    if not any(fp in available for fp in proof_pages(docs)):
        return None
    hits = find_name_marks(name, docs, read)
    marked = next((h for h in hits if h.mark is not None), None)
    if marked is not None and marked.mark is not None:
        return NameMark(marked=True, found=len(hits), kind=str(marked.mark.kind),
                        colour=marked.mark.colour, evidence=(
                            Evidence(marked.file, marked.page, marked.bbox, what="name"),
                            Evidence(marked.file, marked.page, marked.mark.bbox, what="mark")))
    pages = {(d.file, p.page): p for d in read for p in d.pages}
    evidence: list[Evidence] = []
    for h in hits:
        evidence.append(Evidence(h.file, h.page, h.bbox, what="name"))
        page = pages[(h.file, h.page)]
        size = min(h.bbox[3] - h.bbox[1], h.bbox[2] - h.bbox[0])  # the name's height
        for m in page.marks:
            if _distance(m.bbox, h.bbox) <= NEAR * size:
                evidence.append(Evidence(h.file, h.page, m.bbox, what="mark"))
    return NameMark(marked=False, found=len(hits), evidence=tuple(evidence))


def _distance(a: BBox, b: BBox) -> float:
    dx = max(0.0, max(a[0], b[0]) - min(a[2], b[2]))
    dy = max(0.0, max(a[1], b[1]) - min(a[3], b[3]))
    return (dx * dx + dy * dy) ** 0.5
