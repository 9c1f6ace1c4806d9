"""Identity and photo rules that need no evidence: ID001, ID002, PH001–PH006."""

from __future__ import annotations

import datetime as dt

from stdnum.cn import ric

from checks.policy import Policy
from model.application import Application
from model.photo import PhotoInfo
from model.report import Evidence, Finding
from model.rules import finding

ID_LENGTH = 18


def id_birth_date(number: str) -> dt.date | None:
    """The birth date encoded in digits 7–14 of an ID number.

    Args:
        number: An 18-character ID number.

    Returns:
        The date, or None when those digits are not a calendar date.
    """
    digits = number[6:14]
    if len(digits) != 8 or not digits.isdigit():
        return None
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


def id_gender(number: str) -> str:
    """The gender encoded in the 17th digit: odd is 男, even is 女.

    Args:
        number: An ID number that passed :func:`id_number_problem`.

    Returns:
        ``"男"`` or ``"女"``.
    """
    return "男" if int(number[16]) % 2 else "女"


def id_number_problem(number: str, *, latest_birth: dt.date | None = None) -> str | None:
    """Why an ID number fails GB 11643, or None when it passes.

    Checks the length, the characters (17 digits, then a digit or X), the birth date and
    the ISO 7064 MOD 11-2 check digit. The region code is deliberately not checked:
    ``stdnum.cn.ric.validate`` also looks the region up in its own table, which would
    reject numbers from retired or unlisted regions.

    Args:
        number: The ID number as declared (upper-case X).
        latest_birth: A birth date after this day is rejected (None: no bound).

    Returns:
        A Chinese description of the first problem found, or None.
    """
    if len(number) != ID_LENGTH:
        return f"身份证号码应为 {ID_LENGTH} 位，实为 {len(number)} 位"
    body, last = number[:-1], number[-1]
    if not (body.isascii() and body.isdigit() and (last.isdigit() or last == "X")):
        return "身份证号码应为 17 位数字加 1 位数字或 X"
    birth = id_birth_date(number)
    if birth is None:
        return f"身份证号码中的出生日期 {number[6:14]} 不是有效日期"
    if latest_birth is not None and birth > latest_birth:
        return f"身份证号码中的出生日期 {birth} 晚于 {latest_birth}"
    expected = ric.calc_check_digit(number)
    if last != expected:
        return f"身份证号码校验位错误：应为 {expected}，实为 {last}"
    return None


def check_id_number(
    app: Application, policy: Policy, evidence: tuple[Evidence, ...]
) -> list[Finding]:
    """ID001 and ID002: the ID number is valid and agrees with birth date and gender.

    ID002 is only checked when ID001 passed; declared fields that are absent are not
    compared.

    Args:
        app: The declaration.
        policy: The evaluation year's policy (its evaluation date bounds the birth date).
        evidence: Where the declaration lives, attached to each finding.

    Returns:
        Zero or one ID001 finding, or up to two ID002 findings.
    """
    applicant = app.applicant
    number = applicant.id_number
    problem = id_number_problem(number, latest_birth=policy.evaluation_date)
    if problem is not None:
        return [finding("ID001", f"{problem}（GB 11643）", evidence=evidence)]
    out: list[Finding] = []
    birth = id_birth_date(number)
    if applicant.birth_date is not None and birth != applicant.birth_date:
        out.append(
            finding(
                "ID002",
                f"身份证号码中的出生日期 {birth} 与申报的出生日期 {applicant.birth_date} 不一致",
                evidence=evidence,
            )
        )
    gender = id_gender(number)
    if applicant.gender is not None and gender != applicant.gender:
        out.append(
            finding(
                "ID002",
                f"身份证号码第 17 位表示性别为{gender}，与申报的性别{applicant.gender}不一致",
                evidence=evidence,
            )
        )
    return out


def _kb(n: float) -> str:
    return f"{n / 1024:.1f} KB"


def check_photo(photo: PhotoInfo | None, policy: Policy) -> list[Finding]:
    """PH001–PH006: the ID photo is present, a JPEG, and of the right size and shape.

    When the photo could not be decoded (``width`` is None) PH002 says so and the
    pixel rules PH004–PH006 are skipped; PH003 (file size) still applies.

    Args:
        photo: What was measured of the photo, or None when no photo file was found.
        policy: The evaluation year's policy.

    Returns:
        The findings in code order.
    """
    rule = policy.photo
    allowed = "/".join(rule.formats)
    if photo is None:
        return [finding("PH001", f"未找到证件照（应为 {allowed} 格式）")]
    evidence = (Evidence(file=photo.file),)
    out: list[Finding] = []
    decoded = photo.width is not None and photo.height is not None
    if not decoded:
        out.append(
            finding("PH002", f"证件照无法读取，不是可读的 {allowed} 图片", evidence=evidence)
        )
    elif (photo.format or "").upper() not in {f.upper() for f in rule.formats}:
        out.append(
            finding(
                "PH002", f"证件照格式为 {photo.format or '未知'}，应为 {allowed}", evidence=evidence
            )
        )
    if not rule.min_bytes_exclusive < photo.bytes < rule.max_bytes_exclusive:
        out.append(
            finding(
                "PH003",
                f"证件照文件大小 {_kb(photo.bytes)}（{photo.bytes} 字节），"
                f"应大于 {_kb(rule.min_bytes_exclusive)} 且小于 {_kb(rule.max_bytes_exclusive)}",
                evidence=evidence,
            )
        )
    if photo.width is None or photo.height is None:
        return out
    width, height = photo.width, photo.height
    if width <= rule.min_width_exclusive or height <= rule.min_height_exclusive:
        out.append(
            finding(
                "PH004",
                f"证件照尺寸 {width}×{height} 像素，应大于 "
                f"{rule.min_width_exclusive}×{rule.min_height_exclusive} 像素（宽×高）",
                evidence=evidence,
            )
        )
    if height > 0:
        ratio = width / height
        if not rule.min_ratio <= ratio <= rule.max_ratio:
            out.append(
                finding(
                    "PH005",
                    f"证件照宽高比 {ratio:.3f}（{width}/{height}），"
                    f"应在 {rule.min_ratio:g} 至 {rule.max_ratio:g} 之间",
                    evidence=evidence,
                )
            )
    low, spread = photo.border_min_mean, photo.border_spread_mean
    if low is None or spread is None:
        out.append(
            finding("PH006", "无法测量证件照背景颜色，请人工确认是否为白色背景", evidence=evidence)
        )
    elif low < rule.white_min_value or spread > rule.white_max_spread:
        out.append(
            finding(
                "PH006",
                f"证件照背景不是白色：边缘亮度 {low:.0f}（应不低于 {rule.white_min_value}），"
                f"色差 {spread:.0f}（应不高于 {rule.white_max_spread}）",
                evidence=evidence,
            )
        )
    return out
