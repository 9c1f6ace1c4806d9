"""Rules that need no evidence: the declaration, identity, photo, conditions and scoring."""

from __future__ import annotations

from dataclasses import dataclass

from checks.conditions import (
    check_assessments,
    check_continuing_education,
    check_tenure,
    tenure_short,
)
from checks.declaration import check_application_fields
from checks.identity import check_id_number, check_photo
from checks.policy import Policy
from checks.scoring import check_interview, check_mountain_bonus, check_self_score, mountain_bonus
from model.application import Application
from model.photo import PhotoInfo
from model.report import Evidence, Finding
from model.rules import catalog_order

__all__ = ["CheckResult", "check_declaration"]


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What the declaration alone says of an applicant.

    Attributes:
        findings: Findings ordered by code as the rule catalog lists them.
        mountain_bonus: Mountain-county bonus points (0 when none).
        interview_codes: The INT codes raised, sorted (e.g. ``("INT001", "INT004")``).
    """

    findings: tuple[Finding, ...]
    mountain_bonus: int
    interview_codes: tuple[str, ...]


def check_declaration(
    app: Application,
    policy: Policy,
    photo: PhotoInfo | None,
    *,
    declaration_file: str = "application.yaml",
) -> CheckResult:
    """Run every rule that needs only the declaration and the photo's measurements.

    Covers APP002–APP005, ID001–ID002, PH001–PH006, TEN001, CE001–CE004, AS001,
    SCR001, SCR002, SCR004 and INT001–INT004.

    Args:
        app: The validated declaration.
        policy: The evaluation year's policy; every number comes from it.
        photo: What was measured of the ID photo, or None when no photo was found.
        declaration_file: The declaration's path relative to the applicant folder, cited
            as the evidence of declaration findings.

    Returns:
        The findings, the mountain bonus and the interview codes.
    """
    evidence = (Evidence(file=declaration_file),)
    short = tenure_short(app, policy)
    findings = [
        *check_application_fields(app, policy, evidence),
        *check_id_number(app, policy, evidence),
        *check_photo(photo, policy),
        *check_tenure(app, policy, evidence),
        *check_continuing_education(app, policy, evidence),
        *check_assessments(app, policy, evidence),
        *check_self_score(app, policy, evidence),
        *check_mountain_bonus(app, policy, evidence),
        *check_interview(app, policy, evidence, tenure_short=short),
    ]
    findings.sort(key=catalog_order)
    interview = sorted({f.code for f in findings if f.code.startswith("INT")})
    return CheckResult(
        findings=tuple(findings),
        mountain_bonus=mountain_bonus(app, policy),
        interview_codes=tuple(interview),
    )
