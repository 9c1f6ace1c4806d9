"""Every claim of an applicant against the documents read: matching, rules, claims[] (pure).

Achievements and education entries find their proof among all the applicant's documents
(:mod:`checks.evidence`); each family's rules then say whether it proves the claim
(:mod:`checks.papers`, :mod:`checks.projects`, :mod:`checks.certificates`,
:mod:`checks.education`); the ID card and the social-security proof are checked by
:mod:`checks.documents`; whether the applicant's name is marked on a paper's or a project's
proof (PAP003, CON003) by :mod:`checks.marks`; SCR003 looks at all claims together.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from checks import evidence, marks
from checks.certificates import check_certificate
from checks.documents import check_id_card, check_social_security
from checks.education import check_education
from checks.papers import check_paper
from checks.projects import check_project
from checks.proof import ClaimCheck
from model.application import Achievement, AchievementType, Application, Route
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
            checks.append(_with_name_mark(check_paper(a, match, name, title_date), a, match,
                                          name, read))
        elif a.type == AchievementType.PROJECT:
            checks.append(_with_name_mark(check_project(a, match, name, title_date), a, match,
                                          name, read))
        else:
            checks.append(check_certificate(a, match, name, title_date))
    for i, entry in enumerate(app.education):
        checks.append(check_education(i, entry, matches.get(f"education:{i}"), name))
    findings = [f for c in checks for f in c.findings]
    findings.extend(check_id_card(app, docs))
    findings.extend(check_social_security(app, read))
    findings.extend(_self_score(app, [c.result for c in checks[:len(app.achievements)]]))
    return ClaimsOutcome(findings=tuple(findings), claims=tuple(c.result for c in checks))


# the mark code of a claim type, and the code that already says the name is not there
_MARK_CODES = {AchievementType.PAPER: ("PAP003", "PAP007", "论文《{t}》的文章或目录"),
               AchievementType.PROJECT: ("CON003", "CON005", "项目《{t}》合同的参加人员名单")}


def _with_name_mark(check: ClaimCheck, claim: Achievement, match: evidence.Match | None,
                    name: str, read: Sequence[DocumentRead]) -> ClaimCheck:
    """PAP003 / CON003 when the applicant's name is not marked on the claim's proof.

    Nothing is said without a proof (PAP001 / CON001), nor when the name is not found and
    PAP007 / CON005 already says it is missing.
    """
    if match is None:
        return check
    code, absent_code, where = _MARK_CODES[claim.type]
    nm = marks.name_mark(name, match.docs, read)
    if nm is None:
        return check
    result = dataclasses.replace(check.result, name_mark=nm)
    findings = list(check.findings)
    place = where.format(t=claim.title)
    if nm.marked:
        pass
    elif nm.found:
        findings.append(finding(code, f"{place}中申报人姓名（{nm.found} 处）未明显标明"
                                "（未见荧光笔、方框、圆圈或下划线）", claim=claim.id,
                                evidence=nm.evidence))
    elif not any(f.code == absent_code for f in findings):
        findings.append(finding(code, f"{place}中未找到申报人姓名，无法确认已标明",
                                claim=claim.id, evidence=match.evidence()))
    return ClaimCheck(findings=tuple(findings), result=result)


def _self_score(app: Application, results: Sequence[ClaimResult]) -> list[Finding]:
    """SCR003: on the self-score route, a third or more of the achievements unproven."""
    if app.applicant.route != Route.SELF_SCORE or not results:
        return []
    unproven = [r.id for r in results if r.status == "unproven"]
    if len(unproven) / len(results) < SELF_SCORE_UNPROVEN_SHARE:
        return []
    return [finding("SCR003", f"自评分申报：{len(results)} 项业绩中 {len(unproven)} 项"
                    f"（{'、'.join(unproven)}）无证明材料，自评分可能严重高估")]
