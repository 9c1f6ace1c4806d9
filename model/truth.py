"""The ground truth of a generated batch: truth.json, written by ``fixtures.generate``.

The scorer (``pingshen evaluate``) reads it.

The truth is what a careful reviewer would conclude from the files as generated, not what
the program says: every expected finding comes from a defect the generator planted on
purpose. Page numbers are 1-based; bboxes are ``[x0, top, x1, bottom]`` in the file's own
page coordinates (PDF points for PDF pages, pixels for image files), as in report.json.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

TRUTH_SCHEMA_ID = "pingshen.truth/1"


class Medium(StrEnum):
    """How a file (and the claims it proves) was made."""

    BORN_DIGITAL = "born-digital"  # a PDF with a text layer
    SCANNED = "scanned"  # images or image-only PDFs
    OTHER = "other"  # a broken, refused or unsupported upload, or the declaration itself


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExpectedFinding(_Strict):
    """A finding the program must raise (``optional``: it may, without being wrong).

    ``file`` names the upload a FILE finding is about; ``why`` says what was planted.
    """

    code: str
    severity: str
    claim: str | None = None
    file: str | None = None
    medium: Medium = Medium.OTHER
    optional: bool = False
    why: str = ""


class NameTruth(_Strict):
    """Where the applicant's name is printed on a page and how it is marked (None: not)."""

    bbox: tuple[float, float, float, float]
    mark: str | None = None


class PageTruth(_Strict):
    """One page of an uploaded file as generated."""

    page: int
    kind: str
    document: str  # the document it belongs to, e.g. "P1", "id_card", "education:0/degree"
    claim: str | None = None
    rotation: int = 0  # 0/90/180/270: how far the page was turned when scanned
    names: tuple[NameTruth, ...] = ()
    seals: tuple[tuple[float, float, float, float], ...] = ()
    text: str = ""  # the page's text as drawn (the born-digital text layer), for OCR accuracy


class FileTruth(_Strict):
    """One uploaded file: how it was made and its pages (empty for broken uploads)."""

    medium: Medium
    media_type: str | None = None
    pages: tuple[PageTruth, ...] = ()
    note: str = ""


class ClaimTruth(_Strict):
    """What the evidence of one claim really says, and how it was made.

    ``fields`` are the values as printed on the proof (dates ISO, amounts in yuan as
    numbers); ``status`` is what a careful reviewer would conclude.
    """

    status: str  # verified | unproven | mismatch
    medium: Medium
    fields: dict[str, Any] = Field(default_factory=dict)
    evidence: tuple[str, ...] = ()  # files holding its pages


class PhotoTruth(_Strict):
    """The ID photo as written: ``codes`` are the PH codes it must raise."""

    filename: str | None
    format: str | None = None
    width: int | None = None
    height: int | None = None
    bytes: int | None = None
    codes: tuple[str, ...] = ()


class ApplicantTruth(_Strict):
    """Everything expected of one applicant."""

    name: str
    verdict: str
    findings: tuple[ExpectedFinding, ...]  # errors and warnings
    info_codes: tuple[str, ...]
    mountain_bonus: int
    interview_codes: tuple[str, ...]
    claims: dict[str, ClaimTruth] = Field(default_factory=dict)
    files: dict[str, FileTruth] = Field(default_factory=dict)
    photo: PhotoTruth | None = None
    defects: tuple[str, ...] = ()
    zipped: bool = False


class Truth(_Strict):
    """The truth of a whole generated batch."""

    schema_: str = Field(default=TRUTH_SCHEMA_ID, alias="schema")
    seed: int
    scanned_share: float
    policy: str
    applicants: dict[str, ApplicantTruth]

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def to_json(self) -> str:
        """The truth.json text."""
        return self.model_dump_json(by_alias=True, indent=1)

    @classmethod
    def load(cls, path: Path) -> Truth:
        """Read truth.json (pydantic's ValidationError on a malformed file)."""
        return cls.model_validate_json(path.read_bytes())
