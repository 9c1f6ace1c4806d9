"""Tests of extractors/fields/numbers.py: amounts in figures and capitals, ISSN, CN."""

from __future__ import annotations

import cn2an
import pytest
from stdnum import issn

from extractors.fields.numbers import (
    capital_text,
    find_cn,
    find_cns,
    find_issn,
    find_issns,
    parse_amount_capital,
    parse_amount_figures,
    tesseract_may_misread,
)

# ---------------------------------------------------------------------------------------
# figures


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("¥1,120,000.00", 1_120_000.0),
        ("￥1120000.00", 1_120_000.0),
        ("合同金额：人民币壹佰壹拾贰万元整（¥1,120,000.00）", 1_120_000.0),
        ("112万元", 1_120_000.0),
        ("112.5万元", 1_125_000.0),
        ("¥112万", 1_120_000.0),
        ("1120000元", 1_120_000.0),
        ("1,120,000.00元", 1_120_000.0),
        ("¥4,784,999.50", 4_784_999.5),
        ("¥1,000.5", 1000.5),
        # OCR's renderings of ¥ and of the separators
        ("Y1,120,000.00", 1_120_000.0),
        ("羊1,120,000.00", 1_120_000.0),
        ("(#1,860,000.00)", 1_860_000.0),
        ("(f750,000.00)", 750_000.0),
        ("¥1.120.000.00", 1_120_000.0),
        ("¥1 120 000.00", 1_120_000.0),
        ("¥ 1,860, 000.00", 1_860_000.0),
        ("¥1 ,860,000.00", 1_860_000.0),
        ("¥l,l20,OOO.OO", 1_120_000.0),
        ("(1860000.00)", 1_860_000.0),  # the ¥ dropped: a bare number with two decimals
    ],
)
def test_figures_are_read(text: str, value: float) -> None:
    """This test ensures that amounts in figures are read, through OCR's noise."""
    assert parse_amount_figures(text) == value


@pytest.mark.parametrize(
    "text",
    [
        "( 尖 ,860,000.00)",  # ¥1 read as one character: the leading digits are lost
        "¥1,86,0000.00",  # groups of the wrong length
        "每逾期一日按应付未付金额的万分之五",
        "合同签订后7个工作日内支付30%",
        "本工程总工期为120日历天",
        "",
        "yoga",
    ],
)
def test_figures_that_are_not_an_amount_give_none(text: str) -> None:
    """This test ensures that damaged figures and plain numbers are not taken as amounts."""
    assert parse_amount_figures(text) is None


# ---------------------------------------------------------------------------------------
# capitals


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("人民币壹佰壹拾贰万元整", 1_120_000.0),
        ("人民币伍佰零柒万元整", 5_070_000.0),
        ("人民币柒拾伍万元整", 750_000.0),
        ("人民币贰佰陆拾贰万肆仟玖佰肆拾陆元整", 2_624_946.0),
        ("人民币肆佰柒拾捌万肆仟玖佰玖拾玖元伍角", 4_784_999.5),
        ("人民币壹佰零伍万陆仟元整", 1_056_000.0),
        ("壹佰万伍仟元整", 1_005_000.0),  # 零 may be left out before a thousands digit
        ("壹佰万零伍仟元整", 1_005_000.0),
        ("壹万零伍佰元整", 10_500.0),
        ("壹拾万零伍元整", 100_005.0),
        ("壹亿贰仟万元整", 120_000_000.0),
        ("伍角", 0.5),
        ("壹佰元零伍分", 100.05),
        # tolerated: 圆, 正, spaces, no 整, a 大写 label
        ("壹佰壹拾贰万圆正", 1_120_000.0),
        ("人民币 壹 佰 壹 拾 贰 万 元 整", 1_120_000.0),
        ("壹佰贰拾万元", 1_200_000.0),
        ("（大写）壹佰贰拾万元整", 1_200_000.0),
        ("合同金额：人民币壹佰捌拾陆万元整（¥1,860,000.00）", 1_860_000.0),
    ],
)
def test_capitals_are_read(text: str, value: float) -> None:
    """This test ensures that capital-numeral amounts written as the standard says are read."""
    assert parse_amount_capital(text) == value


@pytest.mark.parametrize(
    "text",
    [
        "人民币壹佰零伍万陆元整",  # 仟 dropped (Tesseract cannot read it): 伍万陆元 has a gap
        "人民币壹万贰元整",  # 仟 dropped
        "人民币仟元整",  # 叁 dropped before 仟
        "人民币拾伍万元整",  # 柒 dropped: 拾 without its digit
        "人民币伍佰零万元整",  # 柒 dropped after 零
        "人民币喜佰喜拾贰万元整",  # 壹 read as 喜
        "喜佰喜拾贰万元整",  # … without the 人民币 before it
        "合同金额：喜佰万元整",
        "人民币壹佰抽拾陆万元整",  # 捌 read as 抽
        "人民币沫拾伍万元整",  # 柒 read as 沫
        "人民币壹佰伍元整",  # a gap without 零
        "人民币壹佰零零伍元整",  # two 零
        "人民币壹佰零拾元整",  # 零 before a unit
        "人民币壹佰元零",  # a trailing 零
        "人民币壹佰壹拾贰万",  # no 元
        "人民币元整",
        "",
        "合同金额：（¥1,120,000.00）",
    ],
)
def test_capitals_with_missing_or_wrong_characters_give_none(text: str) -> None:
    """This test ensures that a capital amount OCR damaged is refused, never guessed."""
    assert parse_amount_capital(text) is None


def test_every_standard_capital_round_trips() -> None:
    """This test ensures that cn2an's writing of many amounts is read back exactly."""
    values = [
        v + f / 100
        for v in (
            *range(1, 30_000, 97),
            100_000,
            1_000_000,
            1_005_000,
            1_050_000,
            10_500,
            100_005,
            1_000_005,
            123_456_789,
        )
        for f in (0, 5, 50, 55)
    ]
    for v in values:
        text = "人民币" + cn2an.an2cn(f"{v:.2f}", "rmb")
        assert parse_amount_capital(text) == round(v, 2), text


def test_capital_text_keeps_what_was_printed() -> None:
    """This test ensures that the capital text is cut from its line as read, misreads kept."""
    line = "合同金额：人民币壹佰抽拾陆万元整 (#1,860,000.00)"
    assert capital_text(line) == "人民币壹佰抽拾陆万元整"
    assert capital_text("大写：壹佰万元 小写：¥1,000,000.00") == "大写:壹佰万元"
    assert capital_text("合同金额：喜佰喜拾贰万元整") == "喜佰喜拾贰万元整"
    assert capital_text("¥1,120,000.00") is None


def test_tesseract_blind_characters_are_known() -> None:
    """This test ensures that amounts whose capitals hold 叁柒捌仟壹 are flagged for OCR."""
    assert tesseract_may_misread(1_120_000)  # 壹
    assert tesseract_may_misread(750_000)  # 柒
    assert tesseract_may_misread(2_624_946)  # 仟
    assert not tesseract_may_misread(5_400_000)  # 伍佰肆拾万
    assert not tesseract_may_misread(2_000_000)


# ---------------------------------------------------------------------------------------
# ISSN and CN


def _issn(first7: str) -> str:
    return f"{first7[:4]}-{first7[4:]}{issn.calc_check_digit(first7)}"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("ISSN 2096-1138", "2096-1138"),
        ("国际标准连续出版物号：ISSN 2096-1138", "2096-1138"),
        ("ISSN2095-5960", "2095-5960"),
        ("1SSN 2O96一1l38", "2096-1138"),  # OCR: 1 for I, O for 0, 一 for -, l for 1
        ("ISSN 2 0 9 6 - 1 1 3 8", "2096-1138"),
        ("ISSN 2095-596O", "2095-5960"),
        ("文章编号：2096-1138(2021)05-0012-04", "2096-1138"),
        (f"ISSN {_issn('0317847')}", _issn("0317847")),
        ("ISSN 0317-8471", "0317-8471"),
        ("ISSN 1050-124x", "1050-124X"),
    ],
)
def test_issn_is_found_and_normalised(text: str, value: str) -> None:
    """This test ensures that ISSNs are found through OCR noise and written NNNN-NNNC."""
    assert find_issn(text) == value


@pytest.mark.parametrize(
    "text",
    ["ISSN 2096-1139", "ISSN 2096-1183", "2019-12-15", "电话 0571-88881234", "ISSN", ""],
)
def test_issn_with_a_bad_check_digit_is_rejected(text: str) -> None:
    """This test ensures that a number whose check digit is wrong is not an ISSN."""
    assert find_issn(text) is None


def test_every_issn_of_a_line_is_found_once() -> None:
    """This test ensures that find_issns lists each valid ISSN once, labelled ones first."""
    text = "2095-5960(2019)12-0043-04 ISSN 2096-1138 ISSN 2096-1138 ISSN 2096-1139"
    assert find_issns(text) == ["2096-1138", "2095-5960"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("CN 33-1417/TN", "33-1417/TN"),
        ("国内统一连续出版物号：CN 33-1417/TN", "33-1417/TN"),
        ("CN33-1417/TN 0", "33-1417/TN"),
        ("CN 33-1417V/TN", "33-1417/TN"),  # the slash read as V/
        ("CN 33-1417VTN", "33-1417/TN"),  # … or as V
        ("CN 11-5207/D", "11-5207/D"),
        ("CN 11-5207/V", "11-5207/V"),  # V the class (aviation), not a misread slash
        ("CN 1l-52O7/D", "11-5207/D"),
        ("CN 11 - 5207 / D", "11-5207/D"),
        ("CN 10一1108/TP", "10-1108/TP"),
        ("CN 11-1234/G4", "11-1234/G4"),
        ("ISSN 2096-1138　CN 33-1417/TN　· 12 ·", "33-1417/TN"),
        ("33-1417/TN", "33-1417/TN"),
    ],
)
def test_cn_is_found_through_ocr_spacing(text: str, value: str) -> None:
    """This test ensures that CN serial numbers are found and written NN-NNNN/XX."""
    assert find_cn(text) == value


@pytest.mark.parametrize("text", ["CN", "33-1417", "CN 3-1417/TN", "2021-05-15", ""])
def test_what_is_not_a_cn_gives_none(text: str) -> None:
    """This test ensures that incomplete serial numbers are not taken for a CN."""
    assert find_cn(text) is None
    assert find_cns(text) == []


def test_noise_never_raises() -> None:
    """This test ensures that the parsers return None or a value on any noise, never raise."""
    import random

    alphabet = "人民币壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整零圆正喜¥Y#,.，。 0123456789OlISNC-/TV年"
    rng = random.Random(7)
    for _ in range(3000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        for fn in (parse_amount_figures, parse_amount_capital, find_issn, find_cn, capital_text):
            fn(s)
