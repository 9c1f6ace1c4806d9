"""Route, scoring and interview rules that need no evidence: SCR001, SCR002, SCR004, INT."""

from __future__ import annotations

from checks.conditions import years_before
from checks.policy import Policy
from model.application import Application, Recommender, Route
from model.report import Evidence, Finding
from model.rules import finding

FULL_SENIOR_MARK = "正高级"
"""A recommender title containing this counts as full-senior whatever its exact wording."""


def is_full_senior(recommender: Recommender, policy: Policy) -> bool:
    """Whether a recommender holds a full-senior (正高级) title.

    Args:
        recommender: One declared recommender.
        policy: The evaluation year's policy (its list of full-senior titles).

    Returns:
        True when the title is one of ``policy.self_score.full_senior_titles`` or
        contains 正高级.
    """
    title = recommender.title.strip()
    return title in policy.self_score.full_senior_titles or FULL_SENIOR_MARK in title


def check_self_score(
    app: Application, policy: Policy, evidence: tuple[Evidence, ...]
) -> list[Finding]:
    """SCR001 and SCR002: the self-score route's score and recommenders.

    Args:
        app: The declaration.
        policy: The evaluation year's policy.
        evidence: Where the declaration lives, attached to each finding.

    Returns:
        The findings in code order; none off the self-score route.
    """
    applicant = app.applicant
    if applicant.route is not Route.SELF_SCORE:
        return []
    rule = policy.self_score
    out: list[Finding] = []
    if applicant.self_score is None:
        out.append(
            finding(
                "SCR001",
                f"自评分申报未填写自评分（应不低于 {rule.min_score:g} 分）",
                evidence=evidence,
            )
        )
    elif applicant.self_score < rule.min_score:
        out.append(
            finding(
                "SCR001",
                f"自评分 {applicant.self_score:g} 分，低于 {rule.min_score:g} 分",
                evidence=evidence,
            )
        )
    qualified = [r for r in applicant.recommenders if is_full_senior(r, policy)]
    if len(qualified) < rule.min_recommenders:
        out.append(
            finding(
                "SCR002",
                f"具有正高级职称的推荐人 {len(qualified)} 名（共申报 "
                f"{len(applicant.recommenders)} 名推荐人），少于 {rule.min_recommenders} 名",
                evidence=evidence,
            )
        )
    return out


def mountain_bonus(app: Application, policy: Policy) -> int:
    """Bonus points for service in a mountain county (0 when none).

    Args:
        app: The declaration.
        policy: The evaluation year's policy.

    Returns:
        The points from ``policy.mountain.points_for``.
    """
    return policy.mountain.points_for(app.applicant.county, app.applicant.county_service_years)


def check_mountain_bonus(
    app: Application, policy: Policy, evidence: tuple[Evidence, ...]
) -> list[Finding]:
    """SCR004: mountain-county bonus points are awarded.

    Args:
        app: The declaration.
        policy: The evaluation year's policy.
        evidence: Where the declaration lives, attached to each finding.

    Returns:
        Zero or one SCR004 finding.
    """
    points = mountain_bonus(app, policy)
    if points <= 0:
        return []
    applicant = app.applicant
    years = applicant.county_service_years or 0
    region = f"山区{len(policy.mountain.counties)}县"
    return [
        finding(
            "SCR004",
            f"在{region}（{(applicant.county or '').strip()}）工作 {years:g} 年，加 {points} 分",
            evidence=evidence,
        )
    ]


def check_interview(
    app: Application, policy: Policy, evidence: tuple[Evidence, ...], *, tenure_short: bool
) -> list[Finding]:
    """INT001–INT004: the reasons an interview (面试答辩) is required.

    Args:
        app: The declaration.
        policy: The evaluation year's policy.
        evidence: Where the declaration lives, attached to each finding.
        tenure_short: Whether TEN001 was raised.

    Returns:
        The info findings in code order.
    """
    applicant = app.applicant
    out: list[Finding] = []
    if applicant.transfer:
        out.append(finding("INT001", "需面试答辩：转评", evidence=evidence))
    if applicant.route is Route.SELF_SCORE or tenure_short:
        reason = "自评分申报" if applicant.route is Route.SELF_SCORE else "任现职年限不足"
        out.append(
            finding("INT002", f"需面试答辩：学历或资历不符合要求（{reason}）", evidence=evidence)
        )
    if applicant.route is Route.LANDMARK:
        out.append(finding("INT003", f"需面试答辩：{Route.LANDMARK}", evidence=evidence))
    if app.education:
        index, latest = max(enumerate(app.education), key=lambda e: e[1].graduation_date)
        years = policy.interview.recent_degree_years
        cutoff = years_before(policy.evaluation_date, years)
        if latest.graduation_date > cutoff:
            out.append(
                finding(
                    "INT004",
                    f"需面试答辩：最高学历（{latest.level}，{latest.school}）毕业于 "
                    f"{latest.graduation_date}，距 {policy.evaluation_date} 不满 {years:g} 年",
                    claim=f"education:{index}",
                    evidence=evidence,
                )
            )
    return out
