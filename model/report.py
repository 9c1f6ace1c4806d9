"""Types that cross stages: findings, evidence, read documents, the per-applicant report.

Page numbers here are 1-based, as report.json shows them to people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # model.marks imports BBox from here
    from model.marks import Mark, Seal

BBox = tuple[float, float, float, float]
"""[x0, top, x1, bottom]: PDF points (image files: pixels), origin top-left."""

REPORT_SCHEMA_ID = "pingshen.report/1"


class Severity(StrEnum):
    """How much a finding weighs."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Verdict(StrEnum):
    """An applicant's overall result."""

    PASS = "pass"
    REVIEW = "review"
    FAIL = "fail"


class PageKind(StrEnum):
    """What a page is (``unknown``: not classified, e.g. a page that could not be read)."""

    UNKNOWN = "unknown"
    ID_CARD = "id_card"
    GRADUATION_CERTIFICATE = "graduation_certificate"
    DEGREE_CERTIFICATE = "degree_certificate"
    EDUCATION_REGISTRATION = "education_registration"
    OVERSEAS_CERTIFICATION = "overseas_certification"
    TITLE_CERTIFICATE = "title_certificate"
    AWARD_CERTIFICATE = "award_certificate"
    PATENT_CERTIFICATE = "patent_certificate"
    CE_CERTIFICATE = "ce_certificate"
    JOURNAL_COVER = "journal_cover"
    JOURNAL_COPYRIGHT = "journal_copyright"
    JOURNAL_TOC = "journal_toc"
    ARTICLE = "article"
    CONTRACT_COVER = "contract_cover"
    CONTRACT_AMOUNT = "contract_amount"
    CONTRACT_PARTICIPANTS = "contract_participants"
    CONTRACT_SEAL = "contract_seal"
    OTHER = "other"


class TextSource(StrEnum):
    """Where a page's text came from."""

    TEXT = "text"
    OCR = "ocr"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Evidence:
    """A place in the applicant's files that a finding or claim rests on."""

    file: str
    page: int | None = None
    bbox: BBox | None = None
    what: str | None = None  # what the box shows: "name", "mark", "seal" (None: the field)
    crop: str | None = None  # a picture of the region, relative to OUT/<key>/ (evidence/…)

    def to_json(self) -> dict[str, object]:
        """The report.json form."""
        out: dict[str, object] = {"file": self.file}
        if self.page is not None:
            out["page"] = self.page
        if self.bbox is not None:
            out["bbox"] = [round(v, 1) for v in self.bbox]
        if self.what is not None:
            out["what"] = self.what
        if self.crop is not None:
            out["crop"] = self.crop
        return out


@dataclass(frozen=True, slots=True)
class Finding:
    """One result of one rule. ``claim`` is an achievement id, ``education:N`` or None."""

    code: str
    severity: Severity
    message: str
    claim: str | None = None
    evidence: tuple[Evidence, ...] = ()

    def to_json(self) -> dict[str, object]:
        """The report.json form."""
        return {
            "code": self.code,
            "severity": str(self.severity),
            "claim": self.claim,
            "message": self.message,
            "evidence": [e.to_json() for e in self.evidence],
        }


@dataclass(frozen=True, slots=True)
class Word:
    """One word (for CJK text: a run of characters) where it sits on its page.

    ``bbox`` is in the page's own coordinates (PDF points for PDF pages, pixels for image
    files, origin top-left); ``line`` numbers the page's lines from 0 in reading order;
    ``conf`` is 1.0 for a text layer, Tesseract's confidence (0–1) for OCR.
    """

    text: str
    bbox: BBox
    conf: float
    line: int
    engine: str = ""  # "": the page's own reading (text layer, Tesseract); else the re-reader


@dataclass(frozen=True, slots=True)
class PageRead:
    """One page as read: its text, its words, what kind of page it is. ``page`` is 1-based.

    Attributes:
        confidence: how sure the text is (1.0 for a trusted text layer, OCR confidence).
        kind_confidence: how sure ``kind`` is (0–1).
        rotation: the clockwise turn (0/90/180/270) that made a scanned page upright.
        skew: the small angle (degrees) it was straightened by.
        part: which document of the file the page belongs to (0-based; a scanned volume
            holds several), None before splitting.
        note: why the text layer was not used, when it was not (e.g. ``(cid:) glyphs``).
        timed_out: OCR of the page ran past the policy's seconds per page and was cut off.
        reread: how many of its lines the second OCR engine re-read (amounts, names,
            doubtful lines; :mod:`extractors.reread`).
        marks: highlighter, pen and annotation marks found on it (:mod:`model.marks`).
        seals: red round or oval stamps found on it.
    """

    page: int
    text: str
    text_source: TextSource
    confidence: float
    kind: PageKind = PageKind.UNKNOWN
    kind_confidence: float = 0.0
    words: tuple[Word, ...] = ()
    rotation: int = 0
    skew: float = 0.0
    part: int | None = None
    note: str = ""
    timed_out: bool = False
    reread: int = 0
    marks: tuple[Mark, ...] = ()
    seals: tuple[Seal, ...] = ()

    def to_json(self) -> dict[str, object]:
        """The report.json form (the text and words stay out of the report)."""
        out: dict[str, object] = {
            "page": self.page,
            "kind": str(self.kind),
            "text_source": str(self.text_source),
            "confidence": round(self.confidence, 3),
            "kind_confidence": round(self.kind_confidence, 3),
        }
        if self.rotation:
            out["rotation"] = self.rotation
        if self.skew:
            out["skew"] = round(self.skew, 2)
        if self.part is not None:
            out["part"] = self.part
        if self.note:
            out["note"] = self.note
        if self.reread:
            out["reread"] = self.reread
        if self.marks:
            out["marks"] = [m.to_json() for m in self.marks]
        if self.seals:
            out["seals"] = [m.to_json() for m in self.seals]
        return out


@dataclass(frozen=True, slots=True)
class DocumentRead:
    """One evidence file as read, with the findings reading it raised."""

    file: str
    sha256: str
    media_type: str | None
    pages: tuple[PageRead, ...] = ()
    findings: tuple[Finding, ...] = ()
    stopped: bool = False  # the reading was stopped short (stalled, out of memory, crashed)

    def to_json(self) -> dict[str, object]:
        """The report.json form."""
        return {
            "file": self.file,
            "sha256": self.sha256,
            "media_type": self.media_type,
            "pages": [p.to_json() for p in self.pages],
        }


@dataclass(frozen=True, slots=True)
class ClaimResult:
    """What the evidence says of one claim."""

    id: str
    status: str  # verified | unproven | mismatch
    evidence: tuple[Evidence, ...] = ()
    fields: dict[str, object] = field(default_factory=dict)
    unverified: tuple[str, ...] = ()  # fields read but not confirmed (e.g. amount_capital)
    name_mark: NameMark | None = None  # papers and projects: is the applicant's name marked

    def to_json(self) -> dict[str, object]:
        """The report.json form."""
        out: dict[str, object] = {
            "id": self.id,
            "status": self.status,
            "evidence": [e.to_json() for e in self.evidence],
            "fields": dict(self.fields),
        }
        if self.unverified:
            out["unverified"] = list(self.unverified)
        if self.name_mark is not None:
            out["name_mark"] = self.name_mark.to_json()
        return out


@dataclass(frozen=True, slots=True)
class NameMark:
    """Whether the applicant's name is marked on a claim's proof, and how.

    Attributes:
        marked: a mark covers one printing of the name on the proof's pages.
        found: how many printings of the name were found there.
        kind: the mark's kind (``highlight``, ``box``, ``underline``…) when marked.
        colour: its colour name, when marked.
        evidence: the name (``what`` = ``name``) and the mark (``mark``) on their page.
    """

    marked: bool
    found: int
    kind: str | None = None
    colour: str | None = None
    evidence: tuple[Evidence, ...] = ()

    def to_json(self) -> dict[str, object]:
        """The report.json form."""
        return {"marked": self.marked, "found": self.found, "kind": self.kind,
                "colour": self.colour, "evidence": [e.to_json() for e in self.evidence]}


def verdict_of(findings: list[Finding] | tuple[Finding, ...]) -> Verdict:
    """``fail`` on any error, ``review`` on any warning, else ``pass``."""
    severities = {f.severity for f in findings}
    if Severity.ERROR in severities:
        return Verdict.FAIL
    if Severity.WARNING in severities:
        return Verdict.REVIEW
    return Verdict.PASS


@dataclass(frozen=True, slots=True)
class Report:
    """Everything known of one applicant after checking."""

    applicant: str
    name: str | None
    findings: tuple[Finding, ...]
    claims: tuple[ClaimResult, ...]
    documents: tuple[DocumentRead, ...]
    mountain_bonus: int = 0
    interview_codes: tuple[str, ...] = ()

    @property
    def verdict(self) -> Verdict:
        """The applicant's verdict from the findings."""
        return verdict_of(self.findings)

    def counts(self) -> dict[str, int]:
        """Findings counted by severity."""
        out = {str(s): 0 for s in Severity}
        for f in self.findings:
            out[str(f.severity)] += 1
        return out

    def to_json(self) -> dict[str, object]:
        """The report.json document (pingshen.report/1)."""
        return {
            "schema": REPORT_SCHEMA_ID,
            "applicant": self.applicant,
            "name": self.name,
            "verdict": str(self.verdict),
            "findings": [f.to_json() for f in self.findings],
            "claims": [c.to_json() for c in self.claims],
            "documents": [d.to_json() for d in self.documents],
            "scores": {"mountain_bonus": self.mountain_bonus},
            "interview": {
                "required": bool(self.interview_codes),
                "codes": list(self.interview_codes),
            },
        }
