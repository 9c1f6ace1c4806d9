"""Tests of loading and validating policy files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from checks.policy import POLICY_DIR, load_policy, parse_policy
from model.errors import PolicyError

BUNDLED = (POLICY_DIR / "zj-anfang-2022.yaml").read_text(encoding="utf-8")


def test_bundled_policy_has_the_notice_numbers() -> None:
    """This test ensures that the bundled 2022 policy loads with the notice's numbers."""
    policy = load_policy("zj-anfang-2022")
    assert policy == load_policy()
    assert policy.evaluation_date == dt.date(2022, 12, 31)
    assert len(policy.mountain.counties) == 26 == len(set(policy.mountain.counties))
    ce = policy.continuing_education
    assert (ce.min_total, ce.min_professional, ce.min_public, ce.min_cumulative) == (
        90,
        60,
        18,
        270,
    )
    assert (ce.year, ce.cumulative_from) == (2022, 2019)
    assert policy.tenure.min_years == 5
    assert policy.self_statement.max_chars == 1000
    assert policy.publicity.min_working_days == 5
    assert policy.deadlines.personal_declaration == dt.date(2022, 10, 15)
    assert policy.deadlines.employer_submission == dt.date(2022, 10, 27)
    assert policy.self_score.min_score == 80 and policy.self_score.min_recommenders == 2


def test_policy_loads_from_a_file_path(tmp_path: Path) -> None:
    """This test ensures that a policy given as a file path loads."""
    path = tmp_path / "custom.yaml"
    path.write_text(BUNDLED.replace("min_years: 5 ", "min_years: 3 "), encoding="utf-8")
    assert load_policy(path).tenure.min_years == 3
    assert load_policy(str(path)).tenure.min_years == 3


def test_unknown_policy_name_raises() -> None:
    """This test ensures that an unknown policy name raises PolicyError listing known ones."""
    with pytest.raises(PolicyError, match="zj-anfang-2022") as info:
        load_policy("zj-anfang-1999")
    assert "zj-anfang-1999" in str(info.value)


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("  min_professional: 60", "", "continuing_education.min_professional"),
        ("  min_total: 90", "  min_total: ninety", "continuing_education.min_total"),
        ("{min_years: 21, points: 7}", "{min_years: 19, points: 7}", "mountain"),
        ("evaluation_date: 2022-12-31", "evaluation_date: someday", "evaluation_date"),
    ],
)
def test_broken_policy_names_the_field(old: str, new: str, field: str) -> None:
    """This test ensures that a missing, mistyped or inconsistent field is named."""
    assert old in BUNDLED
    with pytest.raises(PolicyError) as info:
        parse_policy(BUNDLED.replace(old, new, 1), "broken.yaml")
    assert field in str(info.value) and "broken.yaml" in str(info.value)


def test_bonus_steps_must_ascend() -> None:
    """This test ensures that a descending bonus step is rejected with the reason."""
    text = BUNDLED.replace("{min_years: 21, points: 7}", "{min_years: 19, points: 7}")
    with pytest.raises(PolicyError, match="ascending"):
        parse_policy(text, "broken.yaml")


@pytest.mark.parametrize("text", ["name: [unclosed", "- just\n- a list\n", ""])
def test_not_yaml_or_not_a_mapping_raises(text: str) -> None:
    """This test ensures that text that is not a YAML mapping raises PolicyError."""
    with pytest.raises(PolicyError, match="bad.yaml"):
        parse_policy(text, "bad.yaml")


def test_broken_policy_file_raises_on_load(tmp_path: Path) -> None:
    """This test ensures that load_policy of a broken file raises PolicyError naming it."""
    path = tmp_path / "broken.yaml"
    path.write_text(BUNDLED.replace("  max_chars: 1000", "  max_chars: many"), encoding="utf-8")
    with pytest.raises(PolicyError, match=r"self_statement\.max_chars"):
        load_policy(path)
