"""Which document proves which claim: matching by what the pages say (pure).

Every claim looks for its proof among all the applicant's documents, whatever file they are
in and whether or not the claim names files: a paper by its title (in the article or the
table of contents), journal, year and ISSN; a project by the contract's name, amount and
date; a certificate by its title, holder and year; an education entry by school, number and
date. A document proves at most one claim: each goes to the claim it fits best.

Titles are compared with rapidfuzz (OCR garbles a character here and there); names never
are (:mod:`model.names`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from model.application import Achievement, AchievementType, Education
from model.fields import DocumentFields, Family, FieldData
from model.report import Evidence

# A title this similar (rapidfuzz ratio on normalised text, 0–100) is the same title.
SAME_TITLE = 80
# A journal, school or major name this similar is the same name.
SAME_NAME_OF_THING = 85
# The least score for a document to count as a claim's proof at all.
MIN_MATCH = 1.0

_PUNCT = re.compile(r"[\s\u3000:：;；,，.。、·・'\"“”‘’「」『』【】\[\]()（）<>《》—\-_]+")


def norm(value: FieldData | str | None) -> str:
    """Text for comparison: NFKC, no whitespace or punctuation, Latin upper-cased."""
    if value is None:
        return ""
    text = " ".join(value) if isinstance(value, tuple) else str(value)
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text)).upper()


def similarity(a: FieldData | str | None, b: FieldData | str | None) -> float:
    """0–100: how alike two texts are after :func:`norm` (0 when either is empty)."""
    na, nb = norm(a), norm(b)
    if not na or not nb:
        return 0.0
    return float(fuzz.ratio(na, nb))


def contains_title(text: FieldData | str | None, title: str) -> float:
    """0–100: how well ``title`` appears inside ``text`` (a TOC entry with its authors)."""
    nt, nx = norm(title), norm(text)
    if not nt or not nx:
        return 0.0
    return float(fuzz.partial_ratio(nt, nx)) if len(nx) >= len(nt) else float(fuzz.ratio(nt, nx))


@dataclass(frozen=True, slots=True)
class Match:
    """A claim's proof: the documents chosen for it, best first."""

    docs: tuple[DocumentFields, ...]

    def evidence(self) -> tuple[Evidence, ...]:
        """Every page of the chosen documents; a contract's seal page with its stamps' box."""
        out = []
        for d in self.docs:
            seal = d.fields.get("seal_page")
            for p in d.pages:
                if seal is not None and seal.value is True and seal.page == p and seal.bbox:
                    out.append(Evidence(file=d.file, page=p, bbox=seal.bbox, what="seal"))
                else:
                    out.append(Evidence(file=d.file, page=p))
        return tuple(out)


def _named(doc: DocumentFields, files: Sequence[str]) -> bool:
    return any(norm(doc.file) == norm(f) for f in files)


def paper_score(claim: Achievement, doc: DocumentFields) -> float:
    """How well a journal set fits a paper claim (0: not at all)."""
    if doc.family != Family.JOURNAL:
        return 0.0
    title = max([similarity(doc.value("title"), claim.title)]
                + [contains_title(e, claim.title) for e in _toc(doc)])
    score = 2.0 if title >= SAME_TITLE else 0.0
    if claim.journal and similarity(doc.value("journal"), claim.journal) >= SAME_NAME_OF_THING:
        score += 0.5
    if claim.year and doc.value("year") == claim.year:
        score += 0.3
    if claim.issn and norm(doc.value("issn")) == norm(claim.issn):
        score += 0.3
    if _named(doc, claim.files):
        score += 1.0
    return score


def _toc(doc: DocumentFields) -> tuple[str, ...]:
    toc = doc.value("toc")
    return toc if isinstance(toc, tuple) else ()


def project_score(claim: Achievement, doc: DocumentFields) -> float:
    """How well a contract set fits a project claim."""
    if doc.family != Family.CONTRACT:
        return 0.0
    score = 2.0 if similarity(doc.value("title"), claim.title) >= SAME_TITLE else 0.0
    amount = doc.value("amount")
    if claim.amount is not None and isinstance(amount, int | float) \
            and abs(float(amount) - claim.amount) < 0.5:
        score += 0.5
    if claim.signed_on and doc.value("signed_on") == claim.signed_on.isoformat():
        score += 0.5
    if _named(doc, claim.files):
        score += 1.0
    return score


CERT_KINDS: dict[AchievementType, tuple[str, ...]] = {
    AchievementType.AWARD: ("award_certificate",),
    AchievementType.PATENT: ("patent_certificate",),
    AchievementType.QUALIFICATION: ("title_certificate", "award_certificate"),
    AchievementType.STANDARD: ("award_certificate", "title_certificate"),
    AchievementType.SOFTWARE_COPYRIGHT: ("award_certificate", "patent_certificate"),
}


def certificate_score(claim: Achievement, doc: DocumentFields) -> float:
    """How well a certificate fits an award, patent, qualification… claim."""
    if doc.family != Family.CERTIFICATE or doc.kind not in CERT_KINDS.get(claim.type, ()):
        return 0.0
    score = 2.0 if similarity(doc.value("title"), claim.title) >= SAME_TITLE else 0.0
    year = doc.value("year")
    if claim.year and year == claim.year:
        score += 0.3
    if claim.level and norm(doc.value("level")) == norm(claim.level):
        score += 0.3
    if _named(doc, claim.files):
        score += 1.0
    return score


def education_score(entry: Education, doc: DocumentFields) -> float:
    """How well an education document fits a declared education entry."""
    if doc.family != Family.EDUCATION:
        return 0.0
    score = 0.0
    if similarity(doc.value("school"), entry.school) >= SAME_NAME_OF_THING:
        score += 1.0
    if entry.certificate_number and norm(doc.value("certificate_number")) == \
            norm(entry.certificate_number):
        score += 1.0
    date = doc.value("graduation_date")
    if isinstance(date, str) and date[:4] == str(entry.graduation_date.year):
        score += 0.5 if date != entry.graduation_date.isoformat() else 0.8
    if entry.foreign and doc.kind == "overseas_certification":
        score += 0.5
    return score


Scorer = Callable[[object, DocumentFields], float]


def assign(claims: Sequence[tuple[str, object, Scorer]], docs: Sequence[DocumentFields],
           ) -> dict[str, Match]:
    """Give each document to the claim it fits best (at least :data:`MIN_MATCH`).

    A claim may get several documents (an education entry: diploma, degree, registration
    form; a paper whose set was scanned as separate files), best first.

    Args:
        claims: ``(id, claim, scorer)`` for every claim.
        docs: every document of the applicant.

    Returns:
        claim id → its match; a claim with no document is absent.
    """
    chosen: dict[str, list[tuple[float, DocumentFields]]] = {}
    for doc in docs:
        best: tuple[float, str] | None = None
        for cid, claim, scorer in claims:
            score = scorer(claim, doc)
            if score >= MIN_MATCH and (best is None or score > best[0]):
                best = (score, cid)
        if best is not None:
            chosen.setdefault(best[1], []).append((best[0], doc))
    out = {}
    for cid, scored in chosen.items():
        scored.sort(key=lambda sd: -sd[0])
        out[cid] = Match(docs=tuple(d for _, d in scored))
    return out
