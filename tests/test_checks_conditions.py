"""Tests of the hard conditions TEN001, CE001–CE004 and AS001."""

from __future__ import annotations

import datetime as dt
from functools import partial

import pytest

from checks import CheckResult, check_declaration
from checks.conditions import completed_years, years_before
from checks.policy import Policy
from model.report import Evidence, Severity
from tests import _apps
from tests._apps import CE_OK

make_app = partial(_apps.make_app, ce=CE_OK, assessments={2019: "合格", 2020: "优秀", 2021: "称职"})
"""A valid application whose hours and assessments pass; keywords replace the defaults."""


def found(result: CheckResult, code: str) -> list[str]:
    """The messages of a result's findings with ``code``."""
    return [f.message for f in result.findings if f.code == code]


@pytest.mark.parametrize(
    ("start", "end", "years"),
    [
        ("2017-12-31", "2022-12-31", 5),
        ("2018-01-01", "2022-12-31", 4),
        ("2020-02-29", "2021-02-28", 0),
        ("2020-02-29", "2021-03-01", 1),
        ("2023-01-01", "2022-12-31", -1),
    ],
)
def test_completed_years_counts_anniversaries(start: str, end: str, years: int) -> None:
    """This test ensures that tenure is counted in whole anniversaries."""
    assert completed_years(dt.date.fromisoformat(start), dt.date.fromisoformat(end)) == years


def test_years_before_clamps_leap_day() -> None:
    """This test ensures that going back whole years keeps the day or clamps 29 February."""
    assert years_before(dt.date(2022, 12, 31), 2) == dt.date(2020, 12, 31)
    assert years_before(dt.date(2024, 2, 29), 1) == dt.date(2023, 2, 28)
    assert years_before(dt.date(2022, 12, 31), 0.5) == dt.date(2022, 6, 30)


def test_five_years_tenure_passes(policy: Policy) -> None:
    """This test ensures that exactly five anniversaries by 2022-12-31 raise no TEN001."""
    result = check_declaration(make_app(current_title_date="2017-12-31"), policy, None)
    assert found(result, "TEN001") == []
    assert "INT002" not in result.interview_codes


def test_four_years_tenure_warns_and_needs_interview(policy: Policy) -> None:
    """This test ensures that one day short of five years raises TEN001 and INT002."""
    result = check_declaration(make_app(current_title_date="2018-01-01"), policy, None)
    [f] = [f for f in result.findings if f.code == "TEN001"]
    assert f.severity is Severity.WARNING
    assert "任职 4 年" in f.message and "不满 5 年" in f.message
    assert f.evidence == (Evidence(file="application.yaml"),)
    assert result.interview_codes == ("INT002",)


def test_missing_title_date_warns(policy: Policy) -> None:
    """This test ensures that a normal-route applicant without a title date gets TEN001."""
    result = check_declaration(make_app(current_title_date=None), policy, None)
    assert len(found(result, "TEN001")) == 1


def test_tenure_is_not_checked_off_its_routes(policy: Policy) -> None:
    """This test ensures that TEN001 applies only on the routes the policy lists."""
    app = make_app(current_title_date="2021-01-01", route="标志性业绩直接申报")
    assert found(check_declaration(app, policy, None), "TEN001") == []
    wider = policy.model_copy(
        update={
            "tenure": policy.tenure.model_copy(
                update={"routes": ["正常申报", "标志性业绩直接申报"]}
            )
        }
    )
    assert len(found(check_declaration(app, wider, None), "TEN001")) == 1


def test_tenure_minimum_comes_from_the_policy(policy: Policy) -> None:
    """This test ensures that changing the policy's minimum changes the outcome."""
    app = make_app(current_title_date="2018-01-01")
    lenient = policy.model_copy(
        update={"tenure": policy.tenure.model_copy(update={"min_years": 4})}
    )
    assert found(check_declaration(app, lenient, None), "TEN001") == []


def test_sufficient_hours_pass(policy: Policy) -> None:
    """This test ensures that hours meeting every minimum raise no CE code."""
    result = check_declaration(make_app(), policy, None)
    assert [f.code for f in result.findings if f.code.startswith("CE")] == []


def test_low_year_total_raises_ce001(policy: Policy) -> None:
    """This test ensures that 84 hours in 2022 raise CE001 with both numbers."""
    ce = {**CE_OK, 2022: {"professional": 64, "industry_public": 10, "general_public": 10}}
    result = check_declaration(make_app(ce=ce), policy, None)
    assert found(result, "CE001") == ["2022年继续教育学时 84，低于 90 学时"]
    assert found(result, "CE002") == found(result, "CE003") == found(result, "CE004") == []


def test_low_professional_hours_raise_ce002(policy: Policy) -> None:
    """This test ensures that 59.5 professional hours raise CE002 only."""
    ce = {**CE_OK, 2022: {"professional": 59.5, "industry_public": 20, "general_public": 20}}
    result = check_declaration(make_app(ce=ce), policy, None)
    assert found(result, "CE002") == ["2022年专业科目学时 59.5，低于 60 学时"]
    assert found(result, "CE001") == []


def test_low_public_hours_raise_ce003(policy: Policy) -> None:
    """This test ensures that industry plus general public hours below 18 raise CE003."""
    ce = {**CE_OK, 2022: {"professional": 80, "industry_public": 9, "general_public": 8}}
    result = check_declaration(make_app(ce=ce), policy, None)
    [message] = found(result, "CE003")
    assert "共 17" in message and "18" in message
    ok = {**CE_OK, 2022: {"professional": 72, "industry_public": 9, "general_public": 9}}
    assert found(check_declaration(make_app(ce=ok), policy, None), "CE003") == []


def test_missing_years_count_zero(policy: Policy) -> None:
    """This test ensures that undeclared years count 0 hours toward CE004."""
    ce = {2021: CE_OK[2021], 2022: CE_OK[2022]}
    result = check_declaration(make_app(ce=ce), policy, None)
    [message] = found(result, "CE004")
    assert "182" in message and "270" in message and "2019、2020" in message


def test_missing_2022_raises_all_year_codes(policy: Policy) -> None:
    """This test ensures that no 2022 entry fails CE001–CE003 with zero hours."""
    ce = {y: h for y, h in CE_OK.items() if y != 2022}
    result = check_declaration(make_app(ce=ce), policy, None)
    codes = [f.code for f in result.findings if f.code.startswith("CE")]
    assert codes == ["CE001", "CE002", "CE003"]  # 92+90+90 = 272 still reaches 270


def test_cumulative_exactly_at_minimum_passes(policy: Policy) -> None:
    """This test ensures that 270 cumulative hours meet CE004 and 269.5 do not."""
    year = {"professional": 60, "industry_public": 10, "general_public": 20}
    exact = {2019: year, 2020: year, 2022: year}  # 2021 missing: 90 + 90 + 0 + 90
    assert found(check_declaration(make_app(ce=exact), policy, None), "CE004") == []
    short = {**exact, 2019: {**year, "professional": 59.5}}
    [message] = found(check_declaration(make_app(ce=short), policy, None), "CE004")
    assert "269.5" in message and "2021" in message


def test_passing_assessments_raise_nothing(policy: Policy) -> None:
    """This test ensures that 合格/优秀/称职 in every required year raise no AS001."""
    assert found(check_declaration(make_app(), policy, None), "AS001") == []


def test_missing_and_failing_assessments_raise_one_as001(policy: Policy) -> None:
    """This test ensures that one AS001 lists every missing or failing year."""
    app = make_app(assessments={2019: "合格", 2020: "基本合格"})
    result = check_declaration(app, policy, None)
    [message] = found(result, "AS001")
    assert "2020年为基本合格" in message and "2021年未申报" in message
    assert "2019" not in message
