"""Policy files: one YAML per evaluation year, validated when loaded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from model.errors import PolicyError

POLICY_DIR = Path(__file__).parent / "policies"
DEFAULT_POLICY = "zj-anfang-2022"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Deadlines(_Strict):
    """The year's dates."""

    declaration_open: dt.date
    personal_declaration: dt.date
    employer_submission: dt.date
    department_submission: dt.date


class PublicityRule(_Strict):
    """The employer's public notice."""

    min_working_days: int = Field(ge=1)


class SelfStatementRule(_Strict):
    """The self-statement's length."""

    max_chars: int = Field(ge=1)


class PhotoRule(_Strict):
    """ID photo rules."""

    formats: list[str]
    min_bytes_exclusive: int = Field(ge=0)
    max_bytes_exclusive: int = Field(gt=0)
    min_width_exclusive: int = Field(ge=0)
    min_height_exclusive: int = Field(ge=0)
    min_ratio: float = Field(gt=0)
    max_ratio: float = Field(gt=0)
    white_min_value: int = Field(ge=0, le=255)
    white_max_spread: int = Field(ge=0, le=255)

    @model_validator(mode="after")
    def _ranges(self) -> PhotoRule:
        if self.min_bytes_exclusive >= self.max_bytes_exclusive:
            raise ValueError("min_bytes_exclusive must be below max_bytes_exclusive")
        if self.min_ratio > self.max_ratio:
            raise ValueError("min_ratio must not exceed max_ratio")
        return self


class TenureRule(_Strict):
    """Years in the current title."""

    min_years: float = Field(ge=0)
    routes: list[str]


class CeRule(_Strict):
    """Continuing-education hours."""

    year: int
    min_total: float = Field(ge=0)
    min_professional: float = Field(ge=0)
    min_public: float = Field(ge=0)
    cumulative_from: int
    min_cumulative: float = Field(ge=0)


class AssessmentRule(_Strict):
    """Annual assessments."""

    years: list[int] = Field(min_length=1)
    passing: list[str] = Field(min_length=1)


class SelfScoreRule(_Strict):
    """The self-score route."""

    min_score: float
    min_recommenders: int = Field(ge=0)
    full_senior_titles: list[str] = Field(min_length=1)


class BonusStep(_Strict):
    """Points for at least ``min_years`` of service."""

    min_years: float = Field(ge=0)
    points: int = Field(ge=0)


class MountainRule(_Strict):
    """The 26 mountain counties and their bonus."""

    counties: list[str] = Field(min_length=1)
    bonus: list[BonusStep] = Field(min_length=1)

    @model_validator(mode="after")
    def _ascending(self) -> MountainRule:
        years = [b.min_years for b in self.bonus]
        if years != sorted(years) or len(set(years)) != len(years):
            raise ValueError("bonus steps must have strictly ascending min_years")
        return self

    def points_for(self, county: str | None, years: float | None) -> int:
        """Bonus points for ``years`` of service in ``county`` (0 outside the list)."""
        if not county or years is None or county.strip() not in self.counties:
            return 0
        points = 0
        for step in self.bonus:
            if years >= step.min_years:
                points = step.points
        return points


class InterviewRule(_Strict):
    """Interview triggers with a number."""

    recent_degree_years: float = Field(ge=0)


class EducationRule(_Strict):
    """Education verification."""

    auto_verified_from: dt.date


class ReadingRule(_Strict):
    """How evidence is read, and the safety limits."""

    ocr_lang: str
    dpi: int = Field(ge=50, le=600)
    min_text_chars: int = Field(ge=0)
    min_ocr_confidence: float = Field(ge=0, le=1)
    accepted_types: list[str]
    max_file_bytes: int = Field(gt=0)
    max_pages: int = Field(gt=0)
    max_page_pixels: int = Field(gt=0)
    page_timeout_s: float = Field(gt=0)
    stall_timeout_s: float = Field(default=300, gt=0)
    max_reader_memory_mb: int = Field(default=4096, ge=256)
    second_engine: bool = True
    max_zip_members: int = Field(gt=0)
    max_zip_bytes: int = Field(gt=0)
    max_zip_ratio: float = Field(gt=1)

    @model_validator(mode="after")
    def _limits_agree(self) -> ReadingRule:
        if self.max_zip_bytes < self.max_file_bytes:
            raise ValueError("max_zip_bytes must be at least max_file_bytes: an archive must "
                             "be able to hold one file of the largest accepted size")
        if self.stall_timeout_s < self.page_timeout_s:
            raise ValueError("stall_timeout_s must be at least page_timeout_s: a page may "
                             "take that long to OCR")
        return self


class PrintRule(_Strict):
    """What is printed: the review form's copies, the volumes' thickness, the fee."""

    copies: int = Field(default=3, ge=1)
    volume_max_pages: int = Field(default=300, gt=10)
    fee_yuan: int = Field(default=280, ge=0)


class Policy(_Strict):
    """One evaluation year's rules and numbers."""

    name: str
    title: str
    year: int
    evaluation_date: dt.date
    deadlines: Deadlines
    publicity: PublicityRule
    self_statement: SelfStatementRule
    photo: PhotoRule
    tenure: TenureRule
    continuing_education: CeRule
    assessment: AssessmentRule
    self_score: SelfScoreRule
    mountain: MountainRule
    interview: InterviewRule
    education: EducationRule
    reading: ReadingRule
    printing: PrintRule = Field(default_factory=PrintRule)


def _describe(e: ValidationError) -> str:
    parts = []
    for err in e.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def parse_policy(text: str, source: str) -> Policy:
    """Parse and validate a policy document.

    Raises:
        PolicyError: not YAML, or a field missing or invalid (named with the reason).
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise PolicyError(f"policy {source}: not valid YAML: {e}") from e
    if not isinstance(data, dict):
        raise PolicyError(f"policy {source}: expected a mapping at the top level")
    try:
        return Policy.model_validate(data)
    except ValidationError as e:
        raise PolicyError(f"policy {source}: {_describe(e)}") from e


def load_policy(name_or_file: str | Path | None = None) -> Policy:
    """Load a bundled policy by name, or a policy file by path.

    Raises:
        PolicyError: no such policy, or it does not validate.
    """
    ref = str(name_or_file or DEFAULT_POLICY)
    path = Path(ref)
    if not (path.suffix in {".yaml", ".yml"} or path.exists()):
        path = POLICY_DIR / f"{ref}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in POLICY_DIR.glob("*.yaml")))
        raise PolicyError(f"unknown policy {ref!r}: not a file, and not one of: {known}")
    return parse_policy(path.read_text(encoding="utf-8"), str(path))
