"""Tests of the identity and photo rules ID001, ID002 and PH001–PH006."""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import partial

import pytest
from stdnum.cn import ric

from checks import CheckResult, check_declaration
from checks.identity import id_number_problem
from checks.policy import Policy
from model.photo import PhotoInfo
from model.report import Evidence, Severity
from tests import _apps
from tests._apps import PHOTO, make_id

make_app = partial(
    _apps.make_app,
    id_number=make_id("19850312", "女"), gender="女", birth_date="1985-03-12",
    declared_on="2022-10-10", publicity={"start": "2022-10-11", "end": "2022-10-17"},
)  # fmt: skip
"""A minimal valid application born 1985-03-12, female; keywords replace the defaults."""


def of(result: CheckResult, prefix: str) -> list[str]:
    """The codes of a result's findings that start with ``prefix``."""
    return [f.code for f in result.findings if f.code.startswith(prefix)]


def test_make_id_agrees_with_the_library() -> None:
    """This test ensures that the test helper computes the same check digit as stdnum."""
    for number in (
        make_id("19850312", "女"),
        make_id("19491231", "女", "110105", "00"),
        make_id("20000229", "男"),
    ):
        assert number[-1] == ric.calc_check_digit(number)
    assert make_id("19491231", "女", "110105", "00") == "11010519491231002X"


@pytest.mark.parametrize(
    "number", ["11010519491231002X", make_id("19850312", "女"), make_id("20000229", "男", "990000")]
)
def test_valid_id_numbers_pass(number: str) -> None:
    """This test ensures that valid numbers pass, an unknown region code included."""
    assert id_number_problem(number, latest_birth=dt.date(2022, 12, 31)) is None


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("33010619850312451X", "校验位"),  # the CONTRACT example: check digit should be 2
        ("11010519491231002Y", "数字或 X"),
        ("1101051949123100X2", "数字或 X"),
        ("110105194902300020", "有效日期"),  # 1949-02-30
        ("11010519491231002", "18 位"),
        (make_id("20230101", "男"), "晚于"),
    ],
)
def test_invalid_id_numbers_fail(number: str, fragment: str) -> None:
    """This test ensures that length, characters, date and check digit are all checked."""
    problem = id_number_problem(number, latest_birth=dt.date(2022, 12, 31))
    assert problem is not None and fragment in problem


def test_bad_check_digit_raises_id001_and_no_id002(policy: Policy) -> None:
    """This test ensures that ID001 fires for a bad number and suppresses ID002."""
    app = make_app(id_number="33010619850312451X", gender="男")
    result = check_declaration(app, policy, PHOTO)
    [f] = [f for f in result.findings if f.code.startswith("ID")]
    assert f.code == "ID001" and f.severity is Severity.ERROR
    assert f.evidence == (Evidence(file="application.yaml"),)


def test_consistent_id_raises_nothing(policy: Policy) -> None:
    """This test ensures that a number matching birth date and gender raises no ID code."""
    assert of(check_declaration(make_app(), policy, PHOTO), "ID") == []


def test_birth_date_mismatch_raises_id002(policy: Policy) -> None:
    """This test ensures that a declared birth date unlike the number's raises ID002."""
    result = check_declaration(make_app(birth_date="1985-03-13"), policy, PHOTO)
    [f] = [f for f in result.findings if f.code == "ID002"]
    assert "1985-03-12" in f.message and "1985-03-13" in f.message


def test_gender_mismatch_raises_id002(policy: Policy) -> None:
    """This test ensures that a declared gender unlike the 17th digit's raises ID002."""
    result = check_declaration(make_app(gender="男"), policy, PHOTO)
    [f] = [f for f in result.findings if f.code == "ID002"]
    assert "女" in f.message and "男" in f.message
    male = make_app(id_number=make_id("19850312", "男"), gender="男")
    assert of(check_declaration(male, policy, PHOTO), "ID") == []


def test_absent_birth_date_and_gender_are_not_compared(policy: Policy) -> None:
    """This test ensures that ID002 compares only the fields that were declared."""
    app = make_app(gender=None, birth_date=None)
    assert of(check_declaration(app, policy, PHOTO), "ID") == []


def test_good_photo_passes(policy: Policy) -> None:
    """This test ensures that a photo inside every limit raises no PH code."""
    assert of(check_declaration(make_app(), policy, PHOTO), "PH") == []


def test_missing_photo_raises_ph001(policy: Policy) -> None:
    """This test ensures that no photo raises PH001 and nothing else of its family."""
    assert of(check_declaration(make_app(), policy, None), "PH") == ["PH001"]


def test_png_photo_raises_ph002(policy: Policy) -> None:
    """This test ensures that a photo that is not a JPEG raises PH002 naming its format."""
    photo = dataclasses.replace(PHOTO, file="photo.png", format="PNG")
    result = check_declaration(make_app(), policy, photo)
    [f] = [f for f in result.findings if f.code.startswith("PH")]
    assert f.code == "PH002" and "PNG" in f.message
    assert f.evidence == (Evidence(file="photo.png"),)


def test_undecodable_photo_skips_pixel_rules(policy: Policy) -> None:
    """This test ensures that an unreadable photo raises PH002 and PH003 but no pixel rule."""
    photo = PhotoInfo(file="photo.jpg", format=None, bytes=1000)
    result = check_declaration(make_app(), policy, photo)
    assert of(result, "PH") == ["PH002", "PH003"]
    [ph002] = [f for f in result.findings if f.code == "PH002"]
    assert "无法读取" in ph002.message


@pytest.mark.parametrize(
    ("size", "bad"), [(30720, True), (30721, False), (1048575, False), (1048576, True)]
)
def test_photo_size_limits_are_exclusive(policy: Policy, size: int, bad: bool) -> None:
    """This test ensures that PH003 needs a size strictly between 30 KB and 1 MB."""
    photo = dataclasses.replace(PHOTO, bytes=size)
    assert ("PH003" in of(check_declaration(make_app(), policy, photo), "PH")) is bad


@pytest.mark.parametrize(
    ("width", "height", "bad"), [(215, 310, True), (216, 300, True), (216, 301, False)]
)
def test_photo_pixel_limits_are_exclusive(
    policy: Policy, width: int, height: int, bad: bool
) -> None:
    """This test ensures that PH004 needs more than 215 × 300 pixels."""
    photo = dataclasses.replace(PHOTO, width=width, height=height)
    assert ("PH004" in of(check_declaration(make_app(), policy, photo), "PH")) is bad


@pytest.mark.parametrize(
    ("width", "height", "bad"),
    [(260, 400, False), (320, 400, False), (259, 400, True), (321, 400, True)],
)
def test_photo_ratio_limits_are_inclusive(
    policy: Policy, width: int, height: int, bad: bool
) -> None:
    """This test ensures that PH005 accepts width/height from 0.65 to 0.8 inclusive."""
    photo = dataclasses.replace(PHOTO, width=width, height=height)
    assert ("PH005" in of(check_declaration(make_app(), policy, photo), "PH")) is bad


@pytest.mark.parametrize(
    ("low", "spread", "bad"), [(225.0, 30.0, False), (224.9, 5.0, True), (250.0, 30.1, True)]
)
def test_photo_background_must_be_white(
    policy: Policy, low: float, spread: float, bad: bool
) -> None:
    """This test ensures that PH006 warns on a dark or coloured border."""
    photo = dataclasses.replace(PHOTO, border_min_mean=low, border_spread_mean=spread)
    result = check_declaration(make_app(), policy, photo)
    found = [f for f in result.findings if f.code == "PH006"]
    assert bool(found) is bad
    assert all(f.severity is Severity.WARNING for f in found)


def test_unmeasured_background_asks_a_person(policy: Policy) -> None:
    """This test ensures that a decoded photo without border measurements gets a PH006 warning."""
    photo = dataclasses.replace(PHOTO, border_min_mean=None, border_spread_mean=None)
    result = check_declaration(make_app(), policy, photo)
    [f] = [f for f in result.findings if f.code.startswith("PH")]
    assert f.code == "PH006" and "无法测量" in f.message
