"""Tests of the declaration rules APP002–APP005 and of check_declaration as a whole."""

from __future__ import annotations

import datetime as dt
from functools import partial

import chinese_calendar
import pytest

from checks import CheckResult, check_declaration
from checks.declaration import count_statement_chars, count_working_days
from checks.policy import Policy
from model.photo import PhotoInfo
from model.report import Evidence, Severity
from tests import _apps
from tests._apps import CE_OK, PHOTO

ACHIEVEMENTS: list[dict[str, object]] = [
    {"id": "P1", "type": "paper", "title": "视频监控异常行为检测", "representative": True},
    {"id": "J1", "type": "project", "title": "某小区智能安防系统集成工程"},
]

make_app = partial(
    _apps.make_app,
    education=[{"level": "本科", "school": "浙江工业大学", "graduation_date": "2007-06-30"}],
    ce=CE_OK,
    assessments={2019: "合格", 2020: "优秀", 2021: "合格"},
    achievements=ACHIEVEMENTS,
    gender="女", birth_date="1949-12-31", specialty="系统集成", current_title="工程师",
    county="西湖区", county_service_years=16, self_statement="本人从事安防工作。",
    declared_on="2022-10-10", publicity={"start": "2022-10-11", "end": "2022-10-17"},
)  # fmt: skip
"""A clean application: every section filled; keywords replace fields (None removes one)."""


def codes(result: CheckResult) -> list[str]:
    """The codes of a result's findings, in order."""
    return [f.code for f in result.findings]


def test_clean_application_has_no_findings(policy: Policy) -> None:
    """This test ensures that a clean declaration and photo raise no finding at all."""
    result = check_declaration(make_app(), policy, PHOTO)
    assert result == CheckResult(findings=(), mountain_bonus=0, interview_codes=())


def test_self_statement_at_limit_passes(policy: Policy) -> None:
    """This test ensures that a self-statement of exactly the limit, plus spaces, passes."""
    text = "字" * policy.self_statement.max_chars + " \n\t　"
    assert count_statement_chars(text) == policy.self_statement.max_chars
    assert "APP002" not in codes(check_declaration(make_app(self_statement=text), policy, PHOTO))


def test_self_statement_over_limit_fails(policy: Policy) -> None:
    """This test ensures that one character over the limit raises APP002 with the count."""
    text = "字" * (policy.self_statement.max_chars + 1)
    result = check_declaration(make_app(self_statement=text), policy, PHOTO)
    [f] = [f for f in result.findings if f.code == "APP002"]
    assert f.severity is Severity.ERROR
    assert "1001" in f.message and "1000" in f.message
    assert f.evidence == (Evidence(file="application.yaml"),)
    assert f.claim is None


@pytest.mark.parametrize(("flags", "count"), [((False, False), "0"), ((True, True), "2")])
def test_representative_count_not_one_fails(
    policy: Policy, flags: tuple[bool, bool], count: str
) -> None:
    """This test ensures that zero or two representative works raise APP003."""
    achievements = [
        {**item, "representative": flag} for item, flag in zip(ACHIEVEMENTS, flags, strict=True)
    ]
    result = check_declaration(make_app(achievements=achievements), policy, PHOTO)
    [f] = [f for f in result.findings if f.code == "APP003"]
    assert count in f.message


def test_one_representative_passes(policy: Policy) -> None:
    """This test ensures that exactly one representative work raises no APP003."""
    assert "APP003" not in codes(check_declaration(make_app(), policy, PHOTO))


def test_declared_on_deadline_passes_and_day_after_fails(policy: Policy) -> None:
    """This test ensures that APP004 fires only after the personal-declaration deadline."""
    deadline = policy.deadlines.personal_declaration
    on_time = make_app(declared_on=deadline.isoformat())
    late = make_app(declared_on=(deadline + dt.timedelta(days=1)).isoformat())
    absent = make_app(declared_on=None)
    assert "APP004" not in codes(check_declaration(on_time, policy, PHOTO))
    assert "APP004" not in codes(check_declaration(absent, policy, PHOTO))
    [f] = [f for f in check_declaration(late, policy, PHOTO).findings if f.code == "APP004"]
    assert "2022-10-16" in f.message and "2022-10-15" in f.message


def test_national_day_week_is_counted_by_the_holiday_calendar() -> None:
    """This test ensures that working days follow the 2022 holiday calendar, make-up days on."""
    assert chinese_calendar.is_workday(dt.date(2022, 10, 8))
    assert chinese_calendar.is_workday(dt.date(2022, 10, 9))
    assert not chinese_calendar.is_workday(dt.date(2022, 10, 3))
    # 09-29, 09-30, 10-08 (Sat), 10-09 (Sun); 10-01..10-07 are off.
    assert count_working_days(dt.date(2022, 9, 29), dt.date(2022, 10, 9)) == (4, True)
    assert count_working_days(dt.date(2022, 9, 29), dt.date(2022, 10, 10)) == (5, True)


def test_publicity_over_national_day_fails(policy: Policy) -> None:
    """This test ensures that a notice spanning the National Day week is too short."""
    app = make_app(publicity={"start": "2022-09-29", "end": "2022-10-09"})
    [f] = [f for f in check_declaration(app, policy, PHOTO).findings if f.code == "APP005"]
    assert "共 4 个工作日" in f.message and "少于 5" in f.message


def test_publicity_of_five_working_days_passes(policy: Policy) -> None:
    """This test ensures that five working days, inclusive, satisfy APP005."""
    for notice in (
        {"start": "2022-10-11", "end": "2022-10-17"},
        {"start": "2022-09-29", "end": "2022-10-10"},
    ):
        assert "APP005" not in codes(check_declaration(make_app(publicity=notice), policy, PHOTO))


def test_publicity_is_cut_at_employer_deadline(policy: Policy) -> None:
    """This test ensures that days after the employer's deadline do not count."""
    app = make_app(publicity={"start": "2022-10-24", "end": "2022-11-04"})
    [f] = [f for f in check_declaration(app, policy, PHOTO).findings if f.code == "APP005"]
    assert "共 4 个工作日" in f.message and "2022-10-27" in f.message


@pytest.mark.parametrize(
    "notice",
    [
        None,
        {"start": "2022-10-17", "end": "2022-10-11"},
        {"start": "2022-10-28", "end": "2022-11-10"},
    ],
)
def test_publicity_absent_reversed_or_late_fails(
    policy: Policy, notice: dict[str, str] | None
) -> None:
    """This test ensures that a missing, reversed or too-late notice raises APP005."""
    assert "APP005" in codes(check_declaration(make_app(publicity=notice), policy, PHOTO))


def test_unknown_calendar_year_falls_back_to_weekdays(policy: Policy) -> None:
    """This test ensures that a year the calendar lacks counts Mon–Fri and says so."""
    assert count_working_days(dt.date(2040, 1, 2), dt.date(2040, 1, 8)) == (5, False)
    deadlines = policy.deadlines.model_copy(update={"employer_submission": dt.date(2040, 12, 31)})
    later = policy.model_copy(update={"deadlines": deadlines})
    short = make_app(publicity={"start": "2040-01-04", "end": "2040-01-09"})  # Wed..Tue
    [f] = [f for f in check_declaration(short, later, PHOTO).findings if f.code == "APP005"]
    assert "共 4 个工作日" in f.message and "周一至周五" in f.message
    enough = make_app(publicity={"start": "2040-01-02", "end": "2040-01-08"})
    assert "APP005" not in codes(check_declaration(enough, later, PHOTO))


def test_findings_are_ordered_by_catalog_and_cite_their_files(policy: Policy) -> None:
    """This test ensures that findings come in catalog order with the right evidence."""
    app = make_app(
        route="自评分申报",
        transfer=True,
        publicity=None,
        gender="男",
        county="淳安县",
        county_service_years=20,
    )
    photo = PhotoInfo(
        file="证件照.png",
        format="PNG",
        bytes=10,
        width=100,
        height=100,
        border_min_mean=100.0,
        border_spread_mean=80.0,
    )
    result = check_declaration(app, policy, photo, declaration_file="sub/application.json")
    assert codes(result) == [
        "APP005",
        "ID002",
        "PH002",
        "PH003",
        "PH004",
        "PH005",
        "PH006",
        "SCR001",
        "SCR002",
        "SCR004",
        "INT001",
        "INT002",
    ]
    for f in result.findings:
        expected = "证件照.png" if f.code.startswith("PH") else "sub/application.json"
        assert f.evidence == (Evidence(file=expected),)
    assert result.mountain_bonus == 6
    assert result.interview_codes == ("INT001", "INT002")
