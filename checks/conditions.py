"""Hard conditions that need no evidence: TEN001, CE001–CE004, AS001."""

from __future__ import annotations

import calendar
import datetime as dt

from checks.policy import Policy
from model.application import Application, CeHours
from model.report import Evidence, Finding
from model.rules import finding


def completed_years(start: dt.date, end: dt.date) -> int:
    """Whole years from ``start`` to ``end``, counted by anniversaries.

    2017-12-31 → 2022-12-31 is 5 years; 2018-01-01 → 2022-12-31 is 4. A 29 February
    start reaches its anniversary on 1 March in common years. Negative when ``end`` is
    before ``start``.

    Args:
        start: The first day (e.g. the date the title was conferred).
        end: The day counted up to.

    Returns:
        The number of anniversaries reached.
    """
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


def years_before(day: dt.date, years: float) -> dt.date:
    """The date ``years`` years before ``day`` (fractions rounded to whole months).

    Args:
        day: The reference date.
        years: How far back; 2 gives the same day two years earlier.

    Returns:
        The earlier date, clamped to the month's last day (29 Feb → 28 Feb).
    """
    months = day.year * 12 + (day.month - 1) - round(years * 12)
    year, month = divmod(months, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def tenure_short(app: Application, policy: Policy) -> bool:
    """Whether TEN001 applies: a tenure route and too few years in the current title.

    Args:
        app: The declaration.
        policy: The evaluation year's policy.

    Returns:
        True when the route is in ``policy.tenure.routes`` and the years from
        ``current_title_date`` to ``policy.evaluation_date`` are below the minimum, or
        the date is not declared.
    """
    if str(app.applicant.route) not in policy.tenure.routes:
        return False
    since = app.applicant.current_title_date
    if since is None:
        return True
    return completed_years(since, policy.evaluation_date) < policy.tenure.min_years


def check_tenure(app: Application, policy: Policy, evidence: tuple[Evidence, ...]) -> list[Finding]:
    """TEN001: too few years in the current title on a route that requires them.

    Args:
        app: The declaration.
        policy: The evaluation year's policy.
        evidence: Where the declaration lives, attached to each finding.

    Returns:
        Zero or one TEN001 finding.
    """
    if not tenure_short(app, policy):
        return []
    need = f"{policy.tenure.min_years:g}"
    until = policy.evaluation_date
    since = app.applicant.current_title_date
    if since is None:
        message = f"未申报取得现职称的日期，无法计算任职年限（应满 {need} 年，计至 {until}）"
    else:
        years = completed_years(since, until)
        message = f"{since} 取得现职称，计至 {until} 任职 {years} 年，不满 {need} 年"
    return [finding("TEN001", message, evidence=evidence)]


def check_continuing_education(
    app: Application, policy: Policy, evidence: tuple[Evidence, ...]
) -> list[Finding]:
    """CE001–CE004: continuing-education hours of the year and cumulative.

    A year that is not declared counts 0 hours.

    Args:
        app: The declaration.
        policy: The evaluation year's policy.
        evidence: Where the declaration lives, attached to each finding.

    Returns:
        The findings in code order.
    """
    rule = policy.continuing_education
    hours = app.continuing_education
    year = rule.year
    this = hours.get(year, CeHours())
    out: list[Finding] = []
    if this.total < rule.min_total:
        out.append(
            finding(
                "CE001",
                f"{year}年继续教育学时 {this.total:g}，低于 {rule.min_total:g} 学时",
                evidence=evidence,
            )
        )
    if this.professional < rule.min_professional:
        out.append(
            finding(
                "CE002",
                f"{year}年专业科目学时 {this.professional:g}，低于 {rule.min_professional:g} 学时",
                evidence=evidence,
            )
        )
    if this.public < rule.min_public:
        out.append(
            finding(
                "CE003",
                f"{year}年公需科目学时（行业公需 {this.industry_public:g} + 一般公需 "
                f"{this.general_public:g}）共 {this.public:g}，低于 {rule.min_public:g} 学时",
                evidence=evidence,
            )
        )
    years = range(rule.cumulative_from, year + 1)
    total = sum(hours.get(y, CeHours()).total for y in years)
    if total < rule.min_cumulative:
        missing = [str(y) for y in years if y not in hours]
        note = f"（未申报：{'、'.join(missing)}年）" if missing else ""
        out.append(
            finding(
                "CE004",
                f"{rule.cumulative_from}—{year}年继续教育累计学时 {total:g}，"
                f"低于 {rule.min_cumulative:g} 学时{note}",
                evidence=evidence,
            )
        )
    return out


def check_assessments(
    app: Application, policy: Policy, evidence: tuple[Evidence, ...]
) -> list[Finding]:
    """AS001: an annual assessment of a required year is missing or not passing.

    Args:
        app: The declaration.
        policy: The evaluation year's policy.
        evidence: Where the declaration lives, attached to each finding.

    Returns:
        Zero or one AS001 finding listing every failing year.
    """
    rule = policy.assessment
    problems: list[str] = []
    for year in rule.years:
        result = app.annual_assessments.get(year)
        if result is None or not result.strip():
            problems.append(f"{year}年未申报")
        elif result.strip() not in rule.passing:
            problems.append(f"{year}年为{result.strip()}")
    if not problems:
        return []
    return [
        finding(
            "AS001",
            f"年度考核不符合要求：{'；'.join(problems)}（应为{'、'.join(rule.passing)}之一）",
            evidence=evidence,
        )
    ]
