"""Tests of the review form 《专业技术职务任职资格评审表》: real PDFs written and read back."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from generators import fonts, review_form
from generators.watermark import BLANK_TEXT, WATERMARK_TEXT, copy_mark, stamp_copies
from model.application import Application

NAME = "王丽"
ID_NUMBER = "11010519491231002X"
TITLES = (
    "基于深度学习的视频监控异常行为检测方法",
    "杭州市某某小区智能安防系统集成工程",
    "浙江省安全技术防范行业科学技术奖",
)
SHORT_STATEMENT = "本人从事安防系统集成工作十五年。"


def declaration(self_statement: str = SHORT_STATEMENT) -> dict[str, Any]:
    """A complete declaration as the applicant's YAML would give it."""
    return {
        "applicant": {
            "name": NAME,
            "id_number": ID_NUMBER,
            "gender": "女",
            "birth_date": "1949-12-31",
            "employer": "杭州某某安防科技有限公司",
            "specialty": "系统集成",
            "route": "正常申报",
            "current_title": "工程师",
            "current_title_date": "2016-12-20",
            "transfer": False,
            "self_statement": self_statement,
            "declared_on": "2022-10-10",
        },
        "education": [
            {
                "level": "本科",
                "school": "浙江工业大学",
                "major": "电子信息工程",
                "graduation_date": "2007-06-30",
                "certificate_number": "103371200705001234",
                "degree": "学士",
            }
        ],
        "continuing_education": {
            2019: {"professional": 62, "industry_public": 10, "general_public": 20},
            2020: {"professional": 60, "industry_public": 12, "general_public": 18},
            2021: {"professional": 66, "industry_public": 10, "general_public": 14},
            2022: {"professional": 64, "industry_public": 12, "general_public": 16},
        },
        "annual_assessments": {2019: "合格", 2020: "优秀", 2021: "合格"},
        "achievements": [
            {
                "id": "P1",
                "type": "paper",
                "title": TITLES[0],
                "journal": "中国安全防范技术与应用",
                "issn": "2096-8604",
                "cn": "33-1409/TN",
                "year": 2021,
                "issue": "05",
                "representative": True,
            },
            {
                "id": "J1",
                "type": "project",
                "title": TITLES[1],
                "amount": 1200000.00,
                "signed_on": "2020-05-10",
                "role": "项目负责人",
            },
            {"id": "A1", "type": "award", "title": TITLES[2], "level": "二等奖", "year": 2021},
        ],
    }


def long_statement(min_chars: int = 1500) -> str:
    """A self-statement of at least ``min_chars`` characters whose sentences all differ."""
    parts: list[str] = []
    i = 0
    while sum(len(p) for p in parts) < min_chars:
        i += 1
        parts.append(
            f"第{i}项工作：本人负责某某园区第{i}期安防工程的视频监控、入侵报警与出入口控制"
            f"子系统设计，完成联调测试{i * 3}次，编写技术文档{i + 7}份。"
        )
        if i % 6 == 0:
            parts.append("\n")
    return "".join(parts)


def page_texts(pdf: Path) -> list[str]:
    """The text of each page as pypdf extracts it (zero-based pageno order)."""
    return [page.extract_text() for page in PdfReader(pdf).pages]


def form_pages(pdf: Path) -> int:
    """The pages of the form itself: the duplex filler pages (本页空白) left out."""
    return sum(1 for t in page_texts(pdf) if BLANK_TEXT not in t)


def body_text(pdf: Path) -> str:
    """The upright text inside the page frames, all pages joined, whitespace removed.

    Rotated watermark characters and the header/footer lines are left out, so text that
    flows over a page break reads as one string.
    """
    top = review_form.MARGIN_TOP - 8
    bottom = review_form.PAGE_SIZE[1] - review_form.MARGIN_BOTTOM + 8
    chunks = []
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            upright = page.filter(
                lambda obj: obj.get("object_type") != "char" or abs(obj["matrix"][1]) < 1e-6
            )
            chunks.append(upright.crop((0, top, page.width, bottom)).extract_text())
    return re.sub(r"\s+", "", "".join(chunks))


@pytest.fixture(scope="module")
def app() -> Application:
    """The complete declaration with a short self-statement."""
    return Application.model_validate(declaration())


@pytest.fixture(scope="module")
def three_copies(app: Application, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The review form as printed: three copies."""
    return review_form.render(app, tmp_path_factory.mktemp("three") / "review-form.pdf")


@pytest.fixture(scope="module")
def one_copy(app: Application, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The review form rendered with a single copy."""
    out = tmp_path_factory.mktemp("one") / "review-form.pdf"
    return review_form.render(app, out, copies=1)


def test_three_copies_have_three_times_the_pages(three_copies: Path, one_copy: Path) -> None:
    """This test ensures that the default file holds exactly three copies of the form."""
    single = len(PdfReader(one_copy).pages)
    assert single >= 2  # form, self-statement and the three opinion boxes
    assert len(PdfReader(three_copies).pages) == 3 * single


def test_every_page_has_watermark_and_only_its_own_copy_mark(
    three_copies: Path, one_copy: Path
) -> None:
    """This test ensures that every page carries the watermark and its copy's mark alone."""
    per_copy = len(PdfReader(one_copy).pages)
    texts = page_texts(three_copies)
    for pageno, text in enumerate(texts):
        assert WATERMARK_TEXT in text, f"page {pageno + 1} lacks the watermark"
        own = pageno // per_copy + 1
        for copy_no in (1, 2, 3):
            expected = 1 if copy_no == own else 0
            assert text.count(copy_mark(copy_no, 3)) == expected, (pageno + 1, copy_no)
    for text in page_texts(one_copy):
        assert text.count(copy_mark(1, 1)) == 1
        assert "共3份" not in text


def test_text_holds_applicant_and_achievements(three_copies: Path, one_copy: Path) -> None:
    """This test ensures that the name, full ID number and every achievement are printed."""
    per_copy = len(PdfReader(one_copy).pages)
    texts = page_texts(three_copies)
    for copy_no in range(3):
        text = "".join(texts[copy_no * per_copy : (copy_no + 1) * per_copy])
        assert NAME in text
        assert ID_NUMBER in text
        for title in TITLES:
            assert title in re.sub(r"\s+", "", text), title
        assert text.count(review_form.REPRESENTATIVE_MARK) == 1
        for field in ("2096-8604", "33-1409/TN", "120.00", "项目负责人", "二等奖"):
            assert field in text, field
        for heading in ("单位意见", "主管部门意见", "评审委员会意见", "签名（盖章）"):
            assert heading in text, heading


def test_every_font_is_embedded(three_copies: Path) -> None:
    """This test ensures that pdffonts reports every font embedded and none is STSong-Light."""
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    listing = subprocess.run(
        ["pdffonts", str(three_copies)], capture_output=True, text=True, check=True
    ).stdout
    rows = listing.splitlines()[2:]
    assert rows, listing
    for row in rows:
        m = re.search(r"\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", row)
        assert m, row
        assert m.group(1) == "yes", f"not embedded: {row}"
        assert "STSong" not in row


def test_pages_are_a4(three_copies: Path) -> None:
    """This test ensures that every page is A4 portrait (595 × 842 pt within 1 pt)."""
    for page in PdfReader(three_copies).pages:
        assert abs(float(page.mediabox.width) - 595.28) <= 1
        assert abs(float(page.mediabox.height) - 841.89) <= 1


def test_long_self_statement_flows_onto_more_pages(one_copy: Path, tmp_path: Path) -> None:
    """This test ensures that a 3,000-character self-statement wraps, flows on and is complete."""
    statement = long_statement(3000)
    assert len(statement) >= 3000
    app = Application.model_validate(declaration(statement))
    out = review_form.render(app, tmp_path / "long.pdf", copies=1)
    assert form_pages(out) > form_pages(one_copy)
    assert re.sub(r"\s+", "", statement) in body_text(out)


def test_absent_fields_print_empty(tmp_path: Path) -> None:
    """This test ensures that a declaration with only the required fields prints no "None"."""
    app = Application.model_validate({"applicant": {"name": NAME, "id_number": ID_NUMBER}})
    out = review_form.render(app, tmp_path / "bare.pdf", copies=1)
    text = "".join(page_texts(out))
    assert NAME in text
    assert "None" not in text
    assert "null" not in text


def test_output_is_replaced_atomically(app: Application, tmp_path: Path) -> None:
    """This test ensures that an existing file is replaced by rename and no *.part remains."""
    out = tmp_path / "review-form.pdf"
    out.write_bytes(b"old contents")
    old_inode = out.stat().st_ino
    assert review_form.render(app, out, copies=1) == out
    assert out.read_bytes().startswith(b"%PDF-")
    assert out.stat().st_ino != old_inode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["review-form.pdf"]


def test_fewer_than_one_copy_is_refused(app: Application, tmp_path: Path) -> None:
    """This test ensures that copies=0 raises and leaves an existing file untouched."""
    out = tmp_path / "review-form.pdf"
    out.write_bytes(b"old contents")
    with pytest.raises(ValueError, match="copies"):
        review_form.render(app, out, copies=0)
    assert out.read_bytes() == b"old contents"


def test_font_from_environment_is_preferred(monkeypatch: pytest.MonkeyPatch) -> None:
    """This test ensures that $PINGSHEN_CJK_FONT picks the font before the system list."""
    other = next((p for p in fonts.FONT_CANDIDATES if p.is_file() and p != fonts.font_path()), None)
    if other is None:
        pytest.skip("only one CJK font is installed")
    monkeypatch.setenv(fonts.FONT_ENV_VAR, str(other))
    assert fonts.font_path() == other
    assert other.stem in fonts.cjk_font()
    monkeypatch.setenv(fonts.FONT_ENV_VAR, str(other.with_name("no-such-font.ttc")))
    assert fonts.font_path() not in (None, other.with_name("no-such-font.ttc"))


def _pages_pdf(n: int) -> bytes:
    """A plain PDF of ``n`` A4 pages, each saying its number."""
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4)
    for i in range(n):
        c.drawString(72, 720, f"page {i + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


@pytest.mark.parametrize("n", [1, 2, 3])
def test_every_copy_starts_on_an_odd_page_for_duplex(n: int) -> None:
    """This test ensures that a copy of odd length gets a blank page so copies start recto."""
    out = PdfReader(io.BytesIO(stamp_copies(_pages_pdf(n), 3)))
    texts = [p.extract_text() for p in out.pages]
    per_copy = n + n % 2
    assert len(texts) == 3 * per_copy
    for copy_no in range(3):
        first = copy_no * per_copy
        assert first % 2 == 0  # 0-based even: an odd page, the front of a sheet
        assert "page 1" in texts[first]
        assert copy_mark(copy_no + 1, 3) in texts[first]
        if n % 2:
            filler = texts[first + n]
            assert BLANK_TEXT in filler and WATERMARK_TEXT in filler
            assert copy_mark(copy_no + 1, 3) in filler
    assert len(PdfReader(io.BytesIO(stamp_copies(_pages_pdf(n), 3, duplex=False))).pages) == 3 * n


def test_page_numbers_count_each_copy_apart(three_copies: Path, one_copy: Path) -> None:
    """This test ensures that 第i页/共n页 restarts in every copy, n the copy's form pages."""
    per_copy = len(PdfReader(one_copy).pages)
    texts = page_texts(three_copies)
    for copy_no in range(3):
        pages = texts[copy_no * per_copy:(copy_no + 1) * per_copy]
        numbered = [t for t in pages if BLANK_TEXT not in t]
        total = len(numbered)
        for i, t in enumerate(numbered):
            assert f"第{i + 1}页/共{total}页" in t.replace(" ", ""), (copy_no, i)


SECTIONS = ("一、基本情况", "二、学历情况", "三、工作经历", "四、继续教育学时", "五、年度考核",
            "六、专业技术业绩", "七、本人述职", "八、审核意见")


def test_work_history_is_printed_in_its_section(tmp_path: Path) -> None:
    """This test ensures that the declared work history prints, the sections in the form's order."""
    doc = declaration()
    doc["work_history"] = [
        # dates as YAML reads 2007-07-01; text as written (2012-04, 至今)
        {"start": dt.date(2007, 7, 1), "end": dt.date(2012, 3, 31),
         "employer": "宁波某某电子有限公司", "position": "技术员"},
        {"start": "2012-04", "end": "至今", "employer": "杭州某某安防科技有限公司",
         "position": "项目经理"},
    ]
    app = Application.model_validate(doc)
    assert str(app.work_history[1].start) == "2012-04"
    text = body_text(review_form.render(app, tmp_path / "work.pdf", copies=1))
    at = [text.index(s) for s in SECTIONS]
    assert at == sorted(at)
    work = text[at[2]:at[3]]
    for s in ("2007年07月", "2012年03月", "宁波某某电子有限公司", "技术员", "2012-04", "至今",
              "项目经理"):
        assert s in work, s
