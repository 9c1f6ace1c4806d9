"""Every claim of an applicant against the documents read: matching, rules, claims[] (pure).

Achievements and education entries find their proof among all the applicant's documents
(:mod:`checks.evidence`); each family's rules then say whether it proves the claim
(:mod:`checks.papers`, :mod:`checks.projects`, :mod:`checks.certificates`,
:mod:`checks.education`); the ID card and the social-security proof are checked by
:mod:`checks.documents`; SCR003 looks at all claims together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from checks import evidence
from checks.certificates import check_certificate
from checks.documents import check_id_card, check_social_security
from checks.education import check_education
from checks.papers import check_paper
from checks.projects import check_project
from checks.proof import ClaimCheck
from model.application import AchievementType, Application, Route
from model.fields import DocumentFields
from model.report import ClaimResult, DocumentRead, Finding
from model.rules import finding

SELF_SCORE_UNPROVEN_SHARE = 1 / 3  # SCR003: this share of achievements unproven or more


@dataclass(frozen=True, slots=True)
class ClaimsOutcome:
    """The findings of the evidence checks and report.json's claims[]."""

    findings: tuple[Finding, ...]
    claims: tuple[ClaimResult, ...]


def check_claims(app: Application, read: Sequence[DocumentRead],
                 docs: Sequence[DocumentFields]) -> ClaimsOutcome:
    """Match every claim to its proof and run the claim rules."""
    scorers: list[tuple[str, object, evidence.Scorer]] = []
    for a in app.achievements:
        scorer = (evidence.paper_score if a.type == AchievementType.PAPER else
                  evidence.project_score if a.type == AchievementType.PROJECT else
                  evidence.certificate_score)
        scorers.append((a.id, a, scorer))  # type: ignore[arg-type]
    for i, entry in enumerate(app.education):
        scorers.append((f"education:{i}", entry, evidence.education_score))  # type: ignore[arg-type]
    matches = evidence.assign(scorers, docs)
    name = app.applicant.name
    title_date = app.applicant.current_title_date
    checks: list[ClaimCheck] = []
    for a in app.achievements:
        match = matches.get(a.id)
        if a.type == AchievementType.PAPER:
            checks.append(check_paper(a, match, name, title_date))
        elif a.type == AchievementType.PROJECT:
            checks.append(check_project(a, match, name, title_date))
        else:
            checks.append(check_certificate(a, match, name, title_date))
    for i, entry in enumerate(app.education):
        checks.append(check_education(i, entry, matches.get(f"education:{i}"), name))
    findings = [f for c in checks for f in c.findings]
    findings.extend(check_id_card(app, docs))
    findings.extend(check_social_security(app, read))
    findings.extend(_self_score(app, [c.result for c in checks[:len(app.achievements)]]))
    return ClaimsOutcome(findings=tuple(findings), claims=tuple(c.result for c in checks))


def _self_score(app: Application, results: Sequence[ClaimResult]) -> list[Finding]:
    """SCR003: on the self-score route, a third or more of the achievements unproven."""
    if app.applicant.route != Route.SELF_SCORE or not results:
        return []
    unproven = [r.id for r in results if r.status == "unproven"]
    if len(unproven) / len(results) < SELF_SCORE_UNPROVEN_SHARE:
        return []
    return [finding("SCR003", f"自评分申报：{len(results)} 项业绩中 {len(unproven)} 项"
                    f"（{'、'.join(unproven)}）无证明材料，自评分可能严重高估")]
