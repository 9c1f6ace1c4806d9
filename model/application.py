"""The declaration (application.yaml / application.json) as validated model types.

Keys follow ../shared/spec/CONTRACT.md. Unknown keys are kept (``extra="allow"``) and
ignored; a missing or invalid required field raises pydantic's ValidationError, which
``extractors.declaration`` turns into an APP001 finding naming the field.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from model.report import Finding


class Specialty(StrEnum):
    """The four specialties of the security-technology sector."""

    DESIGN = "工程设计"
    MANUFACTURING = "产品制造"
    INTEGRATION = "系统集成"
    SERVICES = "技术服务"


class Route(StrEnum):
    """Application routes (申报方式)."""

    NORMAL = "正常申报"
    SKILLED = "技能人才申报"
    SELF_SCORE = "自评分申报"
    LANDMARK = "标志性业绩直接申报"


class EducationLevel(StrEnum):
    """Education levels accepted on the declaration."""

    COLLEGE = "大专"
    BACHELOR = "本科"
    MASTER = "硕士研究生"
    DOCTOR = "博士研究生"


class AchievementType(StrEnum):
    """Kinds of claimed achievement."""

    PAPER = "paper"
    PROJECT = "project"
    AWARD = "award"
    QUALIFICATION = "qualification"
    PATENT = "patent"
    STANDARD = "standard"
    SOFTWARE_COPYRIGHT = "software_copyright"


class _Open(BaseModel):
    """Base for declaration models: unknown keys are kept and ignored."""

    model_config = ConfigDict(extra="allow", frozen=True)


class Recommender(_Open):
    """A recommender of a self-score applicant."""

    name: str
    title: str = ""


class Publicity(_Open):
    """The employer's public notice of the declaration."""

    start: dt.date
    end: dt.date


class Applicant(_Open):
    """The person applying."""

    name: str = Field(min_length=1)
    id_number: str = Field(min_length=18, max_length=18)
    gender: str | None = Field(default=None, pattern="^(男|女)$")
    birth_date: dt.date | None = None
    employer: str | None = None
    specialty: Specialty | None = None
    route: Route = Route.NORMAL
    current_title: str | None = None
    current_title_date: dt.date | None = None
    transfer: bool = False
    county: str | None = None
    county_service_years: float | None = Field(default=None, ge=0)
    self_score: float | None = None
    recommenders: list[Recommender] = Field(default_factory=list)
    self_statement: str = ""
    declared_on: dt.date | None = None
    publicity: Publicity | None = None
    out_of_province_social_security: bool = False

    @field_validator("name")
    @classmethod
    def _strip_name(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("must not be blank")
        return v

    @field_validator("id_number", mode="before")
    @classmethod
    def _id_as_text(cls, v: object) -> object:
        # YAML reads an all-digit ID number as an int; keep it as text.
        return str(v).strip().upper() if isinstance(v, int | str) else v


class Education(_Open):
    """One education entry."""

    level: EducationLevel
    school: str
    major: str | None = None
    graduation_date: dt.date
    certificate_number: str | None = None
    degree: str | None = None
    foreign: bool = False

    @field_validator("certificate_number", mode="before")
    @classmethod
    def _number_as_text(cls, v: object) -> object:
        return str(v) if isinstance(v, int) else v


class WorkEntry(_Open):
    """One period of the work history (工作经历), an optional key added to the contract.

    ``start`` and ``end`` are dates or text as the applicant wrote them (``2007-07``,
    ``至今``); they are printed, not checked.
    """

    start: dt.date | str | None = None
    end: dt.date | str | None = None
    employer: str = ""
    position: str | None = None

    @field_validator("start", "end", mode="before")
    @classmethod
    def _period_as_text(cls, v: object) -> object:
        return str(v) if isinstance(v, int) else v


class CeHours(_Open):
    """Continuing-education hours of one year."""

    professional: float = Field(default=0, ge=0)
    industry_public: float = Field(default=0, ge=0)
    general_public: float = Field(default=0, ge=0)

    @property
    def public(self) -> float:
        """Industry plus general public hours."""
        return self.industry_public + self.general_public

    @property
    def total(self) -> float:
        """All hours of the year."""
        return self.professional + self.public


class Achievement(_Open):
    """One claimed achievement; ``id`` is unique within the declaration."""

    id: str = Field(min_length=1)
    type: AchievementType
    title: str = Field(min_length=1)
    journal: str | None = None
    issn: str | None = None
    cn: str | None = None
    year: int | None = Field(default=None, ge=1900, le=2100)
    issue: str | None = None
    representative: bool = False
    files: list[str] = Field(default_factory=list)
    amount: float | None = Field(default=None, ge=0)
    signed_on: dt.date | None = None
    role: str | None = None
    level: str | None = None

    @field_validator("id", "issue", "issn", "cn", mode="before")
    @classmethod
    def _as_text(cls, v: object) -> object:
        return str(v) if isinstance(v, int) else v


class Application(_Open):
    """The whole declaration."""

    applicant: Applicant
    education: list[Education] = Field(default_factory=list)
    continuing_education: dict[int, CeHours] = Field(default_factory=dict)
    annual_assessments: dict[int, str] = Field(default_factory=dict)
    achievements: list[Achievement] = Field(default_factory=list)
    work_history: list[WorkEntry] = Field(default_factory=list)

    @field_validator("achievements")
    @classmethod
    def _unique_ids(cls, v: list[Achievement]) -> list[Achievement]:
        seen: set[str] = set()
        for a in v:
            if a.id in seen:
                raise ValueError(f"achievement id {a.id!r} is used twice")
            seen.add(a.id)
        return v


class SalvagedApplicant(Applicant):
    """The applicant of a declaration that failed validation: only the name is required."""

    id_number: str | None = None  # type: ignore[assignment]


class SalvagedApplication(Application):
    """What could still be read of a declaration that failed validation (APP001).

    Its claims can be checked against the evidence, but not the declaration's own rules:
    the fields that were missing or invalid are dropped (an achievement or education entry
    with an invalid field is dropped whole).
    """

    applicant: SalvagedApplicant


@dataclass(frozen=True, slots=True)
class Declaration:
    """The parsed declaration, or None with the APP001 findings that explain why.

    ``salvaged`` is, when ``application`` is None, what could still be read of it: the
    claims and education entries that validated on their own, for the evidence checks.
    """

    application: Application | None
    file: str
    findings: tuple[Finding, ...] = ()
    salvaged: SalvagedApplication | None = None
