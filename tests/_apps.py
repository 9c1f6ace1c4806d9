"""Builders of valid declarations, ID numbers and photos shared by the check tests.

``make_app`` builds a minimal normal-route declaration; a test file that needs a fuller one
binds its own defaults with ``functools.partial`` and still overrides any of them per call.
"""

from __future__ import annotations

from model.application import Application
from model.photo import PhotoInfo

WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
"""The GB 11643 weights of the first 17 digits of an ID number."""

PHOTO = PhotoInfo(
    file="photo.jpg",
    format="JPEG",
    bytes=100_000,
    width=300,
    height=400,
    border_min_mean=240.0,
    border_spread_mean=5.0,
)
"""A photo inside every PH limit: a 300 × 400 JPEG of 100 KB on a white background."""

CE_OK: dict[int, dict[str, float]] = {
    2019: {"professional": 62, "industry_public": 10, "general_public": 20},
    2020: {"professional": 60, "industry_public": 12, "general_public": 18},
    2021: {"professional": 66, "industry_public": 10, "general_public": 14},
    2022: {"professional": 64, "industry_public": 12, "general_public": 16},
}
"""Continuing-education hours that meet CE001–CE004 for 2019–2022."""

APPLICANT: dict[str, object] = {
    "name": "王丽", "id_number": "11010519491231002X", "route": "正常申报",
    "current_title_date": "2016-12-20",
}  # fmt: skip
"""The applicant fields every built declaration starts from."""


def make_id(birth: str, gender: str, region: str = "330106", order: str = "45") -> str:
    """A GB 11643 ID number with its check digit computed here.

    Args:
        birth: The birth date as YYYYMMDD.
        gender: 女 or 男; it sets the parity of the 17th digit.
        region: The six-digit region code.
        order: The two order digits before the gender digit.

    Returns:
        The 18-character number, ``X`` standing for a check value of 10.
    """
    body = f"{region}{birth}{order}{2 if gender == '女' else 1}"
    check = (12 - sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True)) % 11) % 11
    return body + ("X" if check == 10 else str(check))


def make_app(
    *,
    education: list[dict[str, str]] | None = None,
    ce: dict[int, dict[str, float]] | None = None,
    assessments: dict[int, str] | None = None,
    achievements: list[dict[str, object]] | None = None,
    **applicant: object,
) -> Application:
    """A valid normal-route application built from ``APPLICANT``.

    Args:
        education: The education entries; None leaves the section out.
        ce: Continuing-education hours by year; None leaves the section out.
        assessments: Annual assessments by year; None leaves the section out.
        achievements: The claimed achievements; None leaves the section out.
        **applicant: Applicant fields that replace or add to ``APPLICANT``; a field given as
            None is removed.

    Returns:
        The validated application.
    """
    fields = {**APPLICANT, **applicant}
    sections = {
        "education": education,
        "continuing_education": ce,
        "annual_assessments": assessments,
        "achievements": achievements,
    }
    data = {k: v for k, v in sections.items() if v is not None}
    data["applicant"] = {k: v for k, v in fields.items() if v is not None}
    return Application.model_validate(data)
