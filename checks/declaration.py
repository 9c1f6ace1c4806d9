"""Declaration rules that need no evidence: APP002–APP005."""

from __future__ import annotations

import datetime as dt
import logging

import chinese_calendar

from checks.policy import Policy
from model.application import Application
from model.report import Evidence, Finding
from model.rules import finding

log = logging.getLogger(__name__)


def count_statement_chars(text: str) -> int:
    """Count the characters of a self-statement, whitespace not counted.

    Args:
        text: The self-statement as declared.

    Returns:
        The number of non-whitespace characters.
    """
    return sum(1 for ch in text if not ch.isspace())


def is_working_day(day: dt.date) -> tuple[bool, bool]:
    """Tell whether ``day`` is a working day on the Chinese public-holiday calendar.

    Args:
        day: The date to classify.

    Returns:
        ``(working, known)``: ``known`` is False when the calendar has no data for the
        year and Monday–Friday was assumed instead.
    """
    try:
        return bool(chinese_calendar.is_workday(day)), True
    except NotImplementedError:
        return day.weekday() < 5, False


def count_working_days(start: dt.date, end: dt.date) -> tuple[int, bool]:
    """Count working days from ``start`` to ``end``, both included.

    Args:
        start: First day of the period.
        end: Last day of the period; a period with ``end`` before ``start`` has 0 days.

    Returns:
        ``(count, known)``: ``known`` is False when any day fell in a year the holiday
        calendar does not know, so Monday–Friday was assumed for it.
    """
    count = 0
    known = True
    day = start
    while day <= end:
        working, day_known = is_working_day(day)
        count += working
        known = known and day_known
        day += dt.timedelta(days=1)
    return count, known


def check_self_statement(
    app: Application, policy: Policy, evidence: tuple[Evidence, ...]
) -> list[Finding]:
    """APP002: the self-statement is longer than the policy allows.

    Args:
        app: The declaration.
        policy: The evaluation year's policy.
        evidence: Where the declaration lives, attached to each finding.

    Returns:
        Zero or one APP002 finding.
    """
    limit = policy.self_statement.max_chars
    n = count_statement_chars(app.applicant.self_statement)
    if n <= limit:
        return []
    return [
        finding("APP002", f"本人述职 {n} 字（不计空白），超过 {limit} 字的上限", evidence=evidence)
    ]


def check_representative(app: Application, evidence: tuple[Evidence, ...]) -> list[Finding]:
    """APP003: exactly one achievement must be marked as the representative work.

    Args:
        app: The declaration.
        evidence: Where the declaration lives, attached to each finding.

    Returns:
        Zero or one APP003 finding.
    """
    ids = [a.id for a in app.achievements if a.representative]
    if len(ids) == 1:
        return []
    if not ids:
        message = "未指定代表作（0 项，应指定 1 项）"
    else:
        message = f"指定了 {len(ids)} 项代表作（{'、'.join(ids)}），应只指定 1 项"
    return [finding("APP003", message, evidence=evidence)]


def check_declared_on(
    app: Application, policy: Policy, evidence: tuple[Evidence, ...]
) -> list[Finding]:
    """APP004: the personal declaration was submitted after the deadline.

    Args:
        app: The declaration; an absent ``declared_on`` raises nothing.
        policy: The evaluation year's policy.
        evidence: Where the declaration lives, attached to each finding.

    Returns:
        Zero or one APP004 finding.
    """
    declared = app.applicant.declared_on
    deadline = policy.deadlines.personal_declaration
    if declared is None or declared <= deadline:
        return []
    return [
        finding("APP004", f"个人申报日期 {declared} 晚于截止日期 {deadline}", evidence=evidence)
    ]


def check_publicity(
    app: Application, policy: Policy, evidence: tuple[Evidence, ...]
) -> list[Finding]:
    """APP005: the employer's public notice lasted fewer working days than required.

    Working days are counted inclusively from the notice's start to its end or the
    employer's submission deadline, whichever is earlier, on the Chinese public-holiday
    calendar (Monday–Friday for a year the calendar does not know, said in the message).

    Args:
        app: The declaration.
        policy: The evaluation year's policy.
        evidence: Where the declaration lives, attached to each finding.

    Returns:
        Zero or one APP005 finding.
    """
    need = policy.publicity.min_working_days
    notice = app.applicant.publicity
    if notice is None:
        return [
            finding("APP005", f"未申报单位公示（应公示不少于 {need} 个工作日）", evidence=evidence)
        ]
    if notice.end < notice.start:
        return [
            finding(
                "APP005",
                f"单位公示结束日期 {notice.end} 早于开始日期 {notice.start}"
                f"（应公示不少于 {need} 个工作日）",
                evidence=evidence,
            )
        ]
    deadline = policy.deadlines.employer_submission
    until = min(notice.end, deadline)
    days, known = count_working_days(notice.start, until)
    if not known:
        log.warning(
            "holiday calendar has no data for %s..%s; counted Monday-Friday", notice.start, until
        )
    if days >= need:
        return []
    period = f"单位公示 {notice.start} 至 {notice.end}"
    if until < notice.end:
        period += f"（计至单位报送截止日 {deadline}）"
    note = "" if known else "（节假日安排未知的年份按周一至周五计算）"
    return [
        finding(
            "APP005", f"{period}共 {days} 个工作日，少于 {need} 个工作日{note}", evidence=evidence
        )
    ]


def check_application_fields(
    app: Application, policy: Policy, evidence: tuple[Evidence, ...]
) -> list[Finding]:
    """Run APP002–APP005 in code order.

    Args:
        app: The declaration.
        policy: The evaluation year's policy.
        evidence: Where the declaration lives, attached to each finding.

    Returns:
        The findings, APP002 first.
    """
    return [
        *check_self_statement(app, policy, evidence),
        *check_representative(app, evidence),
        *check_declared_on(app, policy, evidence),
        *check_publicity(app, policy, evidence),
    ]
