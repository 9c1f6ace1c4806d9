"""Tests of the field parsers' generic helpers (extractors/fields/text.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.fields import education
from extractors.fields.text import (
    Line,
    PageLines,
    body_of,
    by_rows,
    find_dates,
    label_pattern,
    labelled,
    last_date,
    line_of_words,
    lines_of,
    looks_like_name,
    looks_like_org,
    normalise_name,
    parse_date,
    prepare,
    repair_digits,
    same_name,
    strip_noise,
    tidy,
    value_after,
)
from model.report import PageKind, PageRead, TextSource, Word


def word(text: str, x0: float, top: float, line: int, *, conf: float = 1.0) -> Word:
    """A word 12 points high, 12 points a character wide, at ``(x0, top)``."""
    return Word(text=text, bbox=(x0, top, x0 + 12 * len(text), top + 12), conf=conf, line=line)


def page_of(*rows: list[Word], source: TextSource = TextSource.TEXT) -> PageRead:
    """A page of the given rows of words."""
    words = tuple(w for row in rows for w in row)
    return PageRead(
        page=1,
        text="\n".join(" ".join(w.text for w in row) for row in rows),
        text_source=source,
        confidence=1.0,
        kind=PageKind.GRADUATION_CERTIFICATE,
        words=words,
    )


def lines(*texts: str) -> list[Line]:
    """Lines of the given texts, one under the other."""
    return [line_of_words([word(t, 50, 50 + 20 * i, i)]) for i, t in enumerate(texts)]


# ---------------------------------------------------------------------------------------
# dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021年6月30日", dt.date(2021, 6, 30)),
        ("2021年06月30日", dt.date(2021, 6, 30)),
        ("2021年06月", dt.date(2021, 6, 1)),
        ("2021-06-30", dt.date(2021, 6, 30)),
        ("2021.06.30", dt.date(2021, 6, 30)),
        ("2021/6/30", dt.date(2021, 6, 30)),
        ("2021-06", dt.date(2021, 6, 1)),
        ("2021.06", dt.date(2021, 6, 1)),
        ("二〇二一年六月三十日", dt.date(2021, 6, 30)),
        ("二〇二一年十二月一日", dt.date(2021, 12, 1)),
        ("一九九九年十月", dt.date(1999, 10, 1)),
        ("二零二一年六月三十日", dt.date(2021, 6, 30)),
        ("二O二一年六月三十日", dt.date(2021, 6, 30)),
        ("二 OO 四年六月三十日", dt.date(2004, 6, 30)),
        ("２０２１年６月３０日", dt.date(2021, 6, 30)),
    ],
)
def test_parse_date_reads_every_written_form(text: str, expected: dt.date) -> None:
    """This test ensures that a date in each written form is read, with its raw text."""
    found = parse_date(f"毕业日期：{text}。")
    assert found is not None
    assert found[0] == expected
    assert found[1] and tidy(found[1]) in tidy(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021 年 6 月 30 日", dt.date(2021, 6, 30)),  # Tesseract's spaces
        ("202 1年 1 2月 3 日", dt.date(2021, 12, 3)),  # a number split in two
        ("2021午6月30日", dt.date(2021, 6, 30)),  # 年 read as 午
        ("2021牟6月30曰", dt.date(2021, 6, 30)),  # 年 as 牟, 日 as 曰
        ("2O2l年O6月3O日", dt.date(2021, 6, 30)),  # O for 0, l for 1
        ("2021 .12 .20", dt.date(2021, 12, 20)),  # spaces before the dots
        ("I998-O3-I5", dt.date(1998, 3, 15)),  # I for 1
        ("2021年6月30", dt.date(2021, 6, 30)),  # 日 lost
        ("20 1 6- 12- 05", dt.date(2016, 12, 5)),  # a spaced year with dashes
        ("2 01 5-1 0-2 9", dt.date(2015, 10, 29)),  # every part spaced
        ("20 1 8.0 2.09", dt.date(2018, 2, 9)),  # and with dots
    ],
)
def test_parse_date_reads_through_ocr_noise(text: str, expected: dt.date) -> None:
    """This test ensures that OCR's spaces and look-alike characters do not lose a date."""
    found = parse_date(text)
    assert found is not None and found[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "2021年度",  # a year alone
        "2021年2月30日",  # no such day
        "2021-13-01",  # no such month
        "专利号：ZL 2021 2 31141806.9",  # digits that are no date
        "330106198808227301",  # an ID number
        "2021.6",  # a decimal-looking number
        "证书编号：2016-065",  # a certificate number
        "2 0 1 9-0 6",  # spaced digits without a day
        "取得时间二 @ 一五千直三月于从日",  # OCR garbage
        "一九八二年五月下七日",  # a day printed but misread: not the 1st
        "",
    ],
)
def test_parse_date_finds_nothing_where_there_is_no_date(text: str) -> None:
    """This test ensures that non-dates and unreadable dates give None, not a wrong date."""
    assert parse_date(text) is None


def test_find_dates_returns_every_date_in_order() -> None:
    """This test ensures that find_dates gives all dates in order (a validity range)."""
    dates = find_dates("有效期限 2016.03.12-2036.03.12")
    assert [d for d, _ in dates] == [dt.date(2016, 3, 12), dt.date(2036, 3, 12)]
    assert [raw for _, raw in dates] == ["2016.03.12", "2036.03.12"]
    assert [d for d, _ in find_dates("于2000年9月1日至2004年6月30日在本校")] == [
        dt.date(2000, 9, 1),
        dt.date(2004, 6, 30),
    ]


def test_find_dates_prefers_the_longest_reading() -> None:
    """This test ensures that a full date is not also counted as its year-month prefix."""
    assert len(find_dates("2021-06-30")) == 1
    assert len(find_dates("2019.09—2023.06")) == 2


# ---------------------------------------------------------------------------------------
# names


def test_same_name_is_never_fuzzy() -> None:
    """This test ensures that two different characters never make the same name (王丽 ≠ 王莉)."""
    assert not same_name("王丽", "王莉")
    assert not same_name("陈建国", "陈建")
    assert not same_name("", "")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("王丽", "王 丽"),  # Tesseract's space
        ("王丽", " 王丽\n"),
        ("买买提·艾力", "买买提艾力"),  # middle dot
        ("买买提・艾力", "买买提•艾力"),  # its variants
        ("阿依古丽．买买提", "阿依古丽买买提"),  # full-width full stop
        ("王一", "王—"),  # em dash for 一
        ("李工", "李エ"),  # katakana e for 工
        ("张力", "张カ"),  # katakana ka for 力
        ("ＡＢ", "AB"),  # full width
    ],
)
def test_same_name_tolerates_spacing_dots_and_lookalikes(a: str, b: str) -> None:
    """This test ensures that spaces, middle dots, widths and true look-alikes are ignored."""
    assert same_name(a, b)


def test_normalise_name_keeps_distinct_characters() -> None:
    """This test ensures that normalisation maps only its small table, nothing else."""
    assert normalise_name(" 王 莉 ") == "王莉"
    assert normalise_name("王丽") != normalise_name("王莉")
    assert normalise_name("陈己") == normalise_name("陈已")
    assert normalise_name("陈巳") != normalise_name("陈己")


def test_looks_like_name() -> None:
    """This test ensures that 2–4 CJK characters pass as a name and a sentence does not."""
    assert (
        looks_like_name("王丽") and looks_like_name("欧阳娜娜") and looks_like_name("买买提·艾力")
    )
    assert not looks_like_name("王") and not looks_like_name("修完教学计划规定的全部课程")


# ---------------------------------------------------------------------------------------
# lines and labelled values


def test_lines_of_groups_words_by_line_left_to_right() -> None:
    """This test ensures that words are grouped by line and ordered by x, CJK joined."""
    page = page_of(
        [word("陈建国", 160, 100, 0), word("姓名", 100, 100, 0)],  # drawn value first
        [
            word("出", 100, 130, 1),
            word("生", 112, 130, 1),
            word("1982", 140, 130, 1),
            word("年", 190, 130, 1),
        ],
    )
    got = lines_of(page)
    assert [ln.text for ln in got] == ["姓名陈建国", "出生 1982 年"]
    assert got[0].bbox == (100, 100, 196, 112)
    assert got[0].conf == 1.0


def test_lines_of_joins_cjk_without_spaces() -> None:
    """This test ensures that one-character OCR words of a CJK run are joined with no space."""
    page = page_of([word("继", 100, 100, 0), word("续", 114, 100, 0), word("教", 128, 100, 0)])
    assert lines_of(page)[0].text == "继续教"


def test_lines_of_splits_at_wide_gaps_on_request() -> None:
    """This test ensures that split_gap cuts a row at a wide gap (a seal's stray characters)."""
    page = page_of([word("取得时间:2015-12-18", 100, 100, 0), word("人会", 500, 100, 0)])
    assert [ln.text for ln in lines_of(page)] == ["取得时间:2015-12-18 人会"]
    assert [ln.text for ln in lines_of(page, split_gap=3)] == ["取得时间:2015-12-18", "人会"]


def test_lines_of_weights_confidence_by_length() -> None:
    """This test ensures that a line's confidence is its words' length-weighted mean."""
    page = page_of([word("王丽", 100, 100, 0, conf=0.5), word("x", 200, 100, 0, conf=1.0)])
    assert lines_of(page)[0].conf == pytest.approx((0.5 * 2 + 1.0) / 3)


def test_lines_of_falls_back_to_text() -> None:
    """This test ensures that a page without words is cut into lines of its text."""
    page = PageRead(
        page=1, text="姓名 王 丽\n\n性别 女", text_source=TextSource.OCR, confidence=0.8
    )
    got = lines_of(page)
    assert [ln.text for ln in got] == ["姓名王丽", "性别女"]
    assert got[0].conf == 0.8


@pytest.mark.parametrize(
    "text",
    ["姓名：王丽", "姓名:王丽", "姓 名 ： 王丽", "姓名 王丽", "姓名王丽", "|姓名 :王丽"],
)
def test_value_after_on_the_same_line(text: str) -> None:
    """This test ensures that the value after a label is read whatever spacing and colon."""
    hit = value_after(lines(text), ["姓名"])
    assert hit is not None and hit[0].replace(" ", "") == "王丽"


def test_value_after_on_the_next_line() -> None:
    """This test ensures that a label ending its line takes the next line as its value."""
    hit = value_after(lines("证书编号：", "103371200405003127"), ["证书编号"])
    assert hit is not None and hit[0] == "103371200405003127"
    assert hit[1].text == "103371200405003127"


def test_value_after_on_the_same_row_to_the_right() -> None:
    """This test ensures that a value OCR split off to the right of its label is found."""
    rows = [
        line_of_words([word("姓名", 77, 180, 0)]),
        line_of_words([word("性别", 77, 210, 1)]),
        line_of_words([word("王丽", 167, 180, 2)]),  # OCR put the value column last
    ]
    hit = value_after(rows, ["姓名"])
    assert hit is not None and hit[0] == "王丽"


def test_value_after_stops_at_the_next_label() -> None:
    """This test ensures that ``stops`` cuts a value where another label follows."""
    hit = value_after(lines("姓名 王丽 性别 女"), ["姓名"], stops=["性别"])
    assert hit is not None and hit[0] == "王丽"


def test_value_after_anchored_ignores_labels_inside_sentences() -> None:
    """This test ensures that an anchored label inside a sentence is no label."""
    ls = lines("在本校自动化专业本科学习", "专业：自动化")
    assert value_after(ls, ["专业"])[0] == "本科学习"  # type: ignore[index]
    assert value_after(ls, ["专业"], anchored=True)[0] == "自动化"  # type: ignore[index]


def test_value_after_accept_skips_refused_values() -> None:
    """This test ensures that a value ``accept`` refuses is passed over."""
    ls = lines("专业技术职务任职资格证书", "专业：安全技术防范")
    hit = value_after(ls, ["专业"], anchored=True, accept=lambda v: "证书" not in v)
    assert hit is not None and hit[0] == "安全技术防范"


def test_value_after_without_the_label() -> None:
    """This test ensures that None comes back when no label is on the page."""
    assert value_after(lines("毕业证书"), ["姓名"]) is None


def test_label_pattern_tolerates_spaces_and_colons() -> None:
    """This test ensures that a label regex matches the label spaced out and with a colon."""
    import re

    assert re.match(label_pattern("签发机关"), "签 发 机 关 ： 桐庐县公安局")
    assert not re.match(label_pattern("签发机关"), "签发单位")


def test_labelled_tidies_the_value() -> None:
    """This test ensures that labelled() gives the value in NFKC without OCR's spaces."""
    pl = prepare(
        [
            page_of(
                [
                    word("专业", 100, 100, 0),
                    word(":", 130, 100, 0),
                    word("安全技术防范（系统集成 ）", 140, 100, 0),
                ]
            )
        ]
    )[0]
    hit = labelled(pl, ["专业"])
    assert hit is not None and hit[0] == "安全技术防范(系统集成)"


# ---------------------------------------------------------------------------------------
# small helpers


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("：王 丽 |", "王 丽"),
        ("“杭州市优秀安防工程师”", "杭州市优秀安防工程师"),
        ("安全技术防范（系统集成）", "安全技术防范（系统集成）"),
        ("安全技术防范(系统集成", "安全技术防范(系统集成"),
        ("工程师)", "工程师"),
        ("—", ""),
    ],
)
def test_strip_noise(raw: str, clean: str) -> None:
    """This test ensures that end punctuation goes and matched brackets stay."""
    assert strip_noise(raw) == clean


def test_tidy_keeps_spaces_only_between_latin_and_digits() -> None:
    """This test ensures that tidy() drops OCR's spaces around CJK but keeps ZL 2021 2 …."""
    assert tidy("专利号 : ZL 2021 2 0123456.7") == "专利号:ZL 2021 2 0123456.7"
    assert tidy("英国伦敦大学学院 〈University  College London)") == (
        "英国伦敦大学学院(University College London)"
    )
    assert tidy("证书编号 ： ＨＺ２０２１") == "证书编号:HZ2021"


def test_body_of_rejoins_a_sentence_broken_over_lines() -> None:
    """This test ensures that the running text mends a date broken at a line end."""
    body = body_of(lines("学生王丽，性别女，于2000.09.01至", "2004.06.30在本校"))
    assert "至2004.06.30在本校" in body
    assert [d for d, _ in find_dates(body)] == [dt.date(2000, 9, 1), dt.date(2004, 6, 30)]


def test_last_date_is_the_lowest_on_the_page() -> None:
    """This test ensures that the certificate's own date is the lowest one printed."""
    page = page_of(
        [word("出生日期:1982.05.17", 100, 100, 0)],
        [word("2021年11月8日", 300, 700, 1)],
    )
    found = last_date(PageLines(page, tuple(lines_of(page)), ""))
    assert found is not None and found[0] == dt.date(2021, 11, 8)


def test_repair_digits_counts_its_repairs() -> None:
    """This test ensures that O, l, I and spaces in a digit string are repaired and counted."""
    assert repair_digits("1O3 37l2OO4") == ("1033712004", 4)
    assert repair_digits("2021") == ("2021", 0)


def test_looks_like_org() -> None:
    """This test ensures that issuers are recognised by their endings, sentences are not."""
    assert looks_like_org("浙江省安全技术防范行业协会")
    assert looks_like_org("杭州市人民政府")
    assert looks_like_org("浙江省人力资源和社会保障厅")
    assert not looks_like_org("特发此证，以资鼓励。")
    assert not looks_like_org("证书编号:2021-017")


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_lines_of_reads_a_turned_page_in_reading_order(rotation: int) -> None:
    """This test ensures that OCR boxes of a page turned upright still give words in order."""
    from extractors.fields.text import upright_box

    # "姓名" then "王丽" on one upright row; store their boxes as the unturned page has them
    upright = [(100.0, 100.0, 124.0, 112.0), (130.0, 100.0, 154.0, 112.0)]
    inverse = {0: 0, 90: 270, 180: 180, 270: 90}[rotation]
    stored = [upright_box(b, inverse) for b in upright]
    stored = [(min(b[0], b[2]), min(b[1], b[3]), max(b[0], b[2]), max(b[1], b[3])) for b in stored]
    words = (
        Word("王丽", stored[1], 0.9, 0),  # listed out of order on purpose
        Word("姓名", stored[0], 0.9, 0),
    )
    page = PageRead(
        page=1, text="", text_source=TextSource.OCR, confidence=0.9, words=words, rotation=rotation
    )
    (line,) = lines_of(page, split_gap=3)
    assert line.text == "姓名王丽"
    assert line.rotation == rotation


def test_lines_are_read_row_by_row() -> None:
    """This test ensures that the end of a row Tesseract listed after the next row comes back."""
    def w(text: str, box: tuple[float, float, float, float], line: int) -> Word:
        return Word(text=text, bbox=box, conf=0.9, line=line)

    page = PageRead(page=1, text="", text_source=TextSource.OCR, confidence=0.9, words=(
        w("你参与完成的“楼宇对讲系统集成方案探讨项目”项目，", (576, 876, 2147, 938), 0),
        w("等奖。特发此证，以资鼓励。", (443, 996, 1227, 1060), 1),
        w("荣获杭州市科学技术进步奖一", (2243, 882, 3037, 946), 2)))
    lines = by_rows(lines_of(page))
    assert [ln.text[:2] for ln in lines] == ["你参", "荣获", "等奖"]


@pytest.mark.parametrize("said", ["授予", "授子", "投予"])
def test_the_degree_is_read_through_ocr_s_look_alikes(said: str) -> None:
    """This test ensures that 授予 read 授子 or 投予 still gives the degree."""
    page = PageRead(page=1, text=f"学士学位证书\n经审核符合规定，{said}工学学士学位。",
                    text_source=TextSource.OCR, confidence=0.9,
                    kind=PageKind.DEGREE_CERTIFICATE)
    assert education.parse([page], "学位证.jpg").value("degree") == "工学学士"
