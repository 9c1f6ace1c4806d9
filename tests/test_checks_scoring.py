"""Tests of the route, scoring and interview rules SCR001, SCR002, SCR004 and INT001–INT004."""

from __future__ import annotations

import pytest

from checks import CheckResult, check_declaration
from checks.policy import Policy
from model.application import Application
from model.report import Evidence, Severity
from tests._apps import make_app

SENIOR = [{"name": "李明", "title": "正高级工程师"}, {"name": "张强", "title": "教授"}]


def self_score_app(**applicant: object) -> Application:
    """A self-score application that meets SCR001 and SCR002 unless overridden."""
    fields: dict[str, object] = {"route": "自评分申报", "self_score": 80, "recommenders": SENIOR}
    fields.update(applicant)
    return make_app(**fields)


def codes(result: CheckResult, prefix: str) -> list[str]:
    """The codes of a result's findings that start with ``prefix``."""
    return [f.code for f in result.findings if f.code.startswith(prefix)]


def test_self_score_route_meeting_both_rules_passes(policy: Policy) -> None:
    """This test ensures that a score of 80 and two full-senior recommenders pass."""
    result = check_declaration(self_score_app(), policy, None)
    assert codes(result, "SCR") == []
    assert result.interview_codes == ("INT002",)


@pytest.mark.parametrize("score", [79.5, None])
def test_low_or_missing_self_score_raises_scr001(policy: Policy, score: float | None) -> None:
    """This test ensures that a self-score below 80, or none, raises SCR001."""
    result = check_declaration(self_score_app(self_score=score), policy, None)
    [f] = [f for f in result.findings if f.code == "SCR001"]
    assert f.severity is Severity.ERROR and "80" in f.message
    if score is not None:
        assert "79.5" in f.message


def test_self_score_rules_ignore_other_routes(policy: Policy) -> None:
    """This test ensures that SCR001 and SCR002 apply only on the self-score route."""
    app = make_app(self_score=10, recommenders=[])
    assert codes(check_declaration(app, policy, None), "SCR") == []


def test_recommenders_without_full_senior_title_raise_scr002(policy: Policy) -> None:
    """This test ensures that a 高级工程师 recommender does not count toward the two."""
    recommenders = [SENIOR[0], {"name": "赵六", "title": "高级工程师"}]
    result = check_declaration(self_score_app(recommenders=recommenders), policy, None)
    [f] = [f for f in result.findings if f.code == "SCR002"]
    assert "1 名" in f.message and "少于 2 名" in f.message


def test_title_containing_full_senior_counts(policy: Policy) -> None:
    """This test ensures that a title merely containing 正高级 counts as full-senior."""
    recommenders = [SENIOR[0], {"name": "钱七", "title": "正高级经济师"}]
    result = check_declaration(self_score_app(recommenders=recommenders), policy, None)
    assert codes(result, "SCR") == []


@pytest.mark.parametrize(
    ("years", "points"),
    [(14, 0), (14.9, 0), (15, 4), (19, 4), (20, 6), (21, 7), (24, 10), (30, 10)],
)
def test_mountain_bonus_by_years(policy: Policy, years: float, points: int) -> None:
    """This test ensures that the bonus follows the policy's steps up to the 10-point cap."""
    app = make_app(county="淳安县", county_service_years=years)
    result = check_declaration(app, policy, None)
    assert result.mountain_bonus == points
    scr004 = [f for f in result.findings if f.code == "SCR004"]
    if points:
        [f] = scr004
        assert f.severity is Severity.INFO
        assert f"加 {points} 分" in f.message and "淳安县" in f.message
        assert f.evidence == (Evidence(file="application.yaml"),)
    else:
        assert scr004 == []


@pytest.mark.parametrize("county", ["西湖区", None])
def test_no_bonus_outside_the_counties(policy: Policy, county: str | None) -> None:
    """This test ensures that a county not in the list, or none, earns no bonus."""
    result = check_declaration(make_app(county=county, county_service_years=30), policy, None)
    assert result.mountain_bonus == 0
    assert codes(result, "SCR") == []


def test_normal_applicant_needs_no_interview(policy: Policy) -> None:
    """This test ensures that a normal applicant with an old degree raises no INT code."""
    app = make_app(
        education=[{"level": "本科", "school": "浙江大学", "graduation_date": "2007-06-30"}]
    )
    result = check_declaration(app, policy, None)
    assert codes(result, "INT") == [] and result.interview_codes == ()


def test_transfer_needs_interview(policy: Policy) -> None:
    """This test ensures that a transfer (转评) raises INT001."""
    result = check_declaration(make_app(transfer=True), policy, None)
    assert result.interview_codes == ("INT001",)
    [f] = [f for f in result.findings if f.code == "INT001"]
    assert f.severity is Severity.INFO


def test_landmark_route_needs_interview(policy: Policy) -> None:
    """This test ensures that the landmark route raises INT003."""
    result = check_declaration(make_app(route="标志性业绩直接申报"), policy, None)
    assert result.interview_codes == ("INT003",)


def test_recent_degree_needs_interview(policy: Policy) -> None:
    """This test ensures that a latest degree within two years raises INT004 on that entry."""
    education = [
        {"level": "本科", "school": "浙江大学", "graduation_date": "2007-06-30"},
        {"level": "硕士研究生", "school": "浙江大学", "graduation_date": "2021-01-01"},
    ]
    result = check_declaration(make_app(education=education), policy, None)
    [f] = [f for f in result.findings if f.code == "INT004"]
    assert f.claim == "education:1"
    assert "2021-01-01" in f.message
    assert result.interview_codes == ("INT004",)


@pytest.mark.parametrize(("graduated", "needed"), [("2020-12-31", False), ("2021-01-01", True)])
def test_recent_degree_boundary(policy: Policy, graduated: str, needed: bool) -> None:
    """This test ensures that exactly two years before 2022-12-31 is not recent."""
    app = make_app(
        education=[{"level": "本科", "school": "浙江大学", "graduation_date": graduated}]
    )
    assert ("INT004" in check_declaration(app, policy, None).interview_codes) is needed


def test_interview_codes_are_sorted_and_match_findings(policy: Policy) -> None:
    """This test ensures that several reasons are all listed, sorted, once each."""
    app = self_score_app(
        transfer=True,
        current_title_date=None,
        education=[{"level": "本科", "school": "浙江大学", "graduation_date": "2022-06-30"}],
    )
    result = check_declaration(app, policy, None)
    assert result.interview_codes == ("INT001", "INT002", "INT004")
    assert codes(result, "INT") == list(result.interview_codes)
