"""report.html and summary.html: structure, escaping, crops, and the pages in a real browser."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import pytest
from PIL import Image, ImageDraw

from generators.html import render_report_html, render_summary_html
from generators.report_json import SummaryRow
from model.report import (
    ClaimResult,
    DocumentRead,
    Evidence,
    NameMark,
    PageRead,
    Report,
    TextSource,
)
from model.rules import finding
from tests._images import text_image

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Route

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
SCRIPT_MESSAGE = "自述超长 <script>alert('x')</script> & <b>粗</b>"
CRASH = "UnreadableScanError: 扫描件无法读取 <i>P1.pdf</i>"
VALID_ID = "110101199003074477"  # a made-up number that passes GB 11643


# ---- a small DOM: the standard library's HTML parser, every element checked closed ---------

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "source", "track", "wbr"})


@dataclass(eq=False)
class Node:
    """One element of a parsed page."""

    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def iter(self) -> Iterator[Node]:
        """This element and every element under it, in document order."""
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        """The elements under this one (itself included) with ``tag`` and class ``cls``."""
        return [n for n in self.iter() if (tag is None or n.tag == tag)
                and (cls is None or cls in n.attrs.get("class", "").split())]

    def one(self, tag: str | None = None, cls: str | None = None) -> Node:
        """The only element under this one with ``tag`` and class ``cls``."""
        (found,) = self.all(tag, cls)
        return found

    def text(self) -> str:
        """The text under this element, whitespace runs collapsed to one space."""
        parts: list[str] = []
        for c in self.children:
            parts.append(c if isinstance(c, str) else c.text())
        return " ".join("".join(parts).split())


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        open_tag = self.stack.pop().tag
        if open_tag != tag:
            raise ValueError(f"</{tag}> closes <{open_tag}>")

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(path: Path) -> Node:
    """The page at ``path`` as a tree; every element must be closed in order."""
    b = _Builder()
    b.feed(path.read_text(encoding="utf-8"))
    b.close()
    if b.stack != [b.root]:
        raise ValueError(f"unclosed: {[n.tag for n in b.stack[1:]]}")
    return b.root


# ---- the batch: four applicants and a crash, real PNG crops -------------------------------


def crop_png(folder: Path, name: str, lines: list[str]) -> str:
    """Draw a crop like generators.crops does (print, the name outlined); its relative path."""
    img = text_image(lines, size=(620, 150), font_px=40)
    ImageDraw.Draw(img).rectangle((170, 40, 330, 100), outline=(30, 90, 220), width=4)
    path = folder / "evidence" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)
    return f"evidence/{name}"


def full_report(folder: Path) -> Report:
    """a01: findings of no claim, of claims, of a claim with no result; clean claims too."""
    p1 = crop_png(folder, "PAP003-P1.png", ["作者：王丽　李娜"])
    p1b = crop_png(folder, "PAP004-P1.png", ["中国安全防范技术与应用 2020"])
    j1 = crop_png(folder, "CON004-J1.png", ["合同金额：壹佰万元整"])
    edu = crop_png(folder, "证书-education-0.png", ["浙江大学 电子信息工程"])
    name = crop_png(folder, "name-P1.png", ["王丽"])
    mark = crop_png(folder, "name-P2.png", ["王丽（标记）"])
    ev_p1 = Evidence("papers/P1.pdf", 4, (72.0, 310.5, 180.2, 326.0), "name", p1)
    return Report(
        applicant="a01",
        name="王丽",
        findings=(
            finding("APP002", SCRIPT_MESSAGE, evidence=(Evidence("application.yaml"),)),
            finding("PAP003", "论文《基于深度学习的视频监控》的证明材料中未标明申报人姓名",
                    claim="P1", evidence=(ev_p1,)),
            finding("PAP004", "期刊年份 2020 与申报的 2021 不一致", claim="P1",
                    evidence=(Evidence("papers/P1.pdf", 1, (50.0, 60.0, 300.0, 90.0), None, p1b),
                              Evidence("papers/P1.pdf", 1, (50.0, 95.0, 300.0, 120.0), None,
                                       p1b))),
            finding("CON004", "合同金额 1,000,000.00 元与申报的 1,200,000.00 元不一致",
                    claim="J1", evidence=(Evidence("projects/J1.pdf", 2,
                                                   (80.0, 200.0, 400.0, 230.0), None, j1),)),
            finding("EDU002", "毕业证书上的学校“浙江大学”与申报的“浙江工业大学”不一致",
                    claim="education:0",
                    evidence=(Evidence("education/diploma.jpg", 1, (10.0, 10.0, 600.0, 140.0),
                                       None, edu),)),
            finding("CER001", "未找到获奖证书", claim="A9"),
            finding("SCR004", "山区26县加分 4 分"),
        ),
        claims=(
            ClaimResult("education:0", "mismatch", (Evidence("education/diploma.jpg", 1),),
                        {"school": "浙江工业大学", "level": "本科",
                         "certificate_number": "103371200705001234"}),
            ClaimResult("P1", "mismatch", (Evidence("papers/P1.pdf", 1),
                                           Evidence("papers/P1.pdf", 4)),
                        {"title": "基于深度学习的视频监控", "journal": "中国安全防范技术与应用",
                         "year": 2021}, ("year",),
                        NameMark(False, 2, evidence=(Evidence("papers/P1.pdf", 4,
                                                              (72.0, 310.5, 180.2, 326.0),
                                                              "name", name),))),
            ClaimResult("J1", "mismatch", (Evidence("projects/J1.pdf", 1),),
                        {"title": "杭州市某小区智能安防工程", "amount": 1200000.0}),
            ClaimResult("P2", "verified", (Evidence("papers/P2.pdf", 1),
                                           Evidence("papers/P2.pdf", 3)),
                        {"title": "周界报警系统设计", "year": 2020},
                        name_mark=NameMark(True, 1, "highlight", "黄色",
                                           (Evidence("papers/P2.pdf", 3, (60.0, 80.0, 120.0, 96.0),
                                                     "mark", mark),))),
            ClaimResult("A1", "verified", (Evidence("awards/A1.jpg", 1),),
                        {"title": "浙江省安全技术防范行业科学技术奖", "level": "二等奖"}),
        ),
        documents=(DocumentRead("papers/P1.pdf", "a" * 64, "application/pdf",
                                (PageRead(1, "", TextSource.TEXT, 1.0),
                                 PageRead(4, "", TextSource.OCR, 0.9))),),
        mountain_bonus=4,
        interview_codes=("INT001",),
    )


def plain_report(key: str, name: str, *codes: str) -> Report:
    """A report with one finding of each of ``codes`` and one verified claim."""
    return Report(applicant=key, name=name,
                  findings=tuple(finding(c, f"{c} 的说明") for c in codes),
                  claims=(ClaimResult("P1", "verified", (Evidence("papers/P1.pdf", 1),),
                                      {"title": "论文"}),),
                  documents=())


@dataclass(frozen=True)
class Batch:
    """A rendered output folder and the reports in it."""

    out: Path
    reports: dict[str, Report]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """OUT with report.html for a01 (fail), a02 (review), a03 (pass), a05 (fail), a04 crashed."""
    out = tmp_path_factory.mktemp("out")
    reports = {"a01": full_report(out / "a01"),
               "a02": plain_report("a02", "李娜", "FILE006", "SCR004"),
               "a03": plain_report("a03", "张伟"),
               "a05": plain_report("a05", "欧阳娜娜", "PAP003", "FILE006")}
    rows = []
    for key, report in reports.items():
        render_report_html(report, out / key)
        (out / key / "review-form.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
        rows.append(SummaryRow.of(report, ("report.json", "report.html", "review-form.pdf")))
    rows.append(SummaryRow(key="a04", name="赵敏", verdict="error", counts={}, error=CRASH))
    render_summary_html(rows, out / "summary.html", batch="2022-安防-第一批",
                        policy="zj-anfang-2022")
    return Batch(out, reports)


def findings_by_claim(page: Node) -> dict[str, set[str]]:
    """Claim id (``""``: no claim) → the codes of the findings shown in its section."""
    return {s.attrs["data-claim"]: {a.attrs["data-code"] for a in s.all("article", "finding")}
            for s in page.all("section", "group")}


# ---- report.html --------------------------------------------------------------------------


def test_report_groups_findings_under_their_claim(batch: Batch) -> None:
    """This test ensures that each finding sits in its claim's section, no-claim ones first."""
    page = parse(batch.out / "a01" / "report.html")
    assert findings_by_claim(page) == {
        "": {"APP002", "SCR004"}, "education:0": {"EDU002"}, "P1": {"PAP003", "PAP004"},
        "J1": {"CON004"}, "A9": {"CER001"}, "P2": set(), "A1": set()}
    sections = page.all("section", "group")
    assert [s.attrs["data-claim"] for s in sections] == ["", "education:0", "P1", "J1", "A9",
                                                         "P2", "A1"]
    assert sections[0].one("h2").text() == "申报与资格条件"
    assert sections[2].one("h2").text() == "P1 · 基于深度学习的视频监控"
    assert sections[1].one("h2").text() == "学历 1 · 浙江工业大学"
    statuses = {s.attrs["data-claim"]: s.one(cls="claim-status").attrs["data-status"]
                for s in sections if s.all(cls="claim-status")}
    assert statuses == {"education:0": "mismatch", "P1": "mismatch", "J1": "mismatch",
                        "P2": "verified", "A1": "verified"}
    verdict = page.one(cls="verdict")
    assert verdict.attrs["data-verdict"] == "fail" and verdict.text() == "不通过"
    assert page.one(cls="applicant-name").text() == "王丽"
    # navigation links point at the sections
    anchors = {a.attrs["href"] for a in page.one("nav").all("a")}
    ids = {n.attrs["id"] for n in page.iter() if "id" in n.attrs}
    assert anchors and {a.removeprefix("#") for a in anchors} <= ids


def test_report_shows_each_findings_code_message_and_places(batch: Batch) -> None:
    """This test ensures that every finding shows its severity, code, message and evidence."""
    report = batch.reports["a01"]
    page = parse(batch.out / "a01" / "report.html")
    articles = page.all("article", "finding")
    assert len(articles) == len(report.findings)
    shown = {a.attrs["data-code"]: a for a in articles}
    for f in report.findings:
        a = shown[f.code]
        assert a.one("code", "code").text() == f.code
        assert a.one("p", "message").text() == " ".join(f.message.split())
        assert a.attrs["data-severity"] == str(f.severity)
        places = a.all("ul", "evidence")
        assert len(places[0].all("li") if places else []) == len(f.evidence)
    pap003 = shown["PAP003"].one("ul", "evidence").one("li").text()
    assert pap003 == "papers/P1.pdf · 第 4 页 · 区域 [72, 310, 180, 326] · 姓名"
    p1 = next(s for s in page.all("section", "group") if s.attrs["data-claim"] == "P1")
    fields = dict(zip([d.text() for d in p1.all("dt")], [d.text() for d in p1.all("dd")],
                      strict=True))
    assert fields == {"题目": "基于深度学习的视频监控", "期刊": "中国安全防范技术与应用",
                      "年份": "2021 （未核实）"}
    claim_pages = [li.text() for li in p1.one(cls="claim-evidence").all("li")]
    assert claim_pages == ["papers/P1.pdf · 第 1 页", "papers/P1.pdf · 第 4 页"]


def test_clean_claims_are_listed_as_verified_with_their_pages(batch: Batch) -> None:
    """This test ensures that claims without findings are listed with status and proof pages."""
    page = parse(batch.out / "a01" / "report.html")
    clean = next(n for n in page.iter() if n.attrs.get("id") == "clean")
    claims = {s.attrs["data-claim"]: s for s in clean.all("section", "group")}
    assert set(claims) == {"P2", "A1"}
    assert claims["A1"].one(cls="claim-status").text() == "已核实"
    assert [li.text() for li in claims["P2"].one(cls="claim-evidence").all("li")] == [
        "papers/P2.pdf · 第 1 页", "papers/P2.pdf · 第 3 页"]
    passed = parse(batch.out / "a03" / "report.html")
    assert passed.one(cls="none").text() == "未发现问题。"
    assert findings_by_claim(passed) == {"P1": set()}
    assert passed.one(cls="verdict").attrs["data-verdict"] == "pass"


def test_name_marks_are_shown_marked_or_not(batch: Batch) -> None:
    """This test ensures that a claim's name mark says marked or not, with kind and colour."""
    page = parse(batch.out / "a01" / "report.html")
    marks = {s.attrs["data-claim"]: s.one(cls="name-mark") for s in page.all("section", "group")
             if s.all(cls="name-mark")}
    assert set(marks) == {"P1", "P2"}
    assert marks["P1"].attrs["data-marked"] == "false"
    assert "未标明" in marks["P1"].text() and "2 处" in marks["P1"].text()
    assert marks["P2"].attrs["data-marked"] == "true"
    assert "已标明（黄色、荧光笔涂色）" in marks["P2"].text()
    assert marks["P2"].one("img").attrs["src"] == "evidence/name-P2.png"


def test_markup_in_a_message_renders_as_text(batch: Batch) -> None:
    """This test ensures that a message holding <script> is escaped and shown as text."""
    page = parse(batch.out / "a01" / "report.html")
    assert page.all("script") == [] and page.all("b") == []
    app002 = next(a for a in page.all("article") if a.attrs.get("data-code") == "APP002")
    assert app002.one("p", "message").text() == " ".join(SCRIPT_MESSAGE.split())


def test_every_crop_is_shown_once_and_resolves(batch: Batch) -> None:
    """This test ensures that every crop has an <img> whose relative src names its PNG."""
    folder = batch.out / "a01"
    page = parse(folder / "report.html")
    imgs = page.all("img")
    report = batch.reports["a01"]
    crops = {e.crop for f in report.findings for e in f.evidence if e.crop}
    crops |= {e.crop for c in report.claims if c.name_mark for e in c.name_mark.evidence
              if e.crop}
    srcs = [unquote(i.attrs["src"]) for i in imgs]
    assert sorted(srcs) == sorted(crops)  # each once: PAP004's two boxes share one crop
    for img in imgs:
        src = img.attrs["src"]
        assert not urlsplit(src).scheme and not src.startswith("/")
        path = folder / unquote(src)
        assert path.is_file()
        with Image.open(path) as png:
            assert (int(img.attrs["width"]), int(img.attrs["height"])) == png.size
        assert img.attrs["alt"]
    edu = next(i for i in imgs if "education" in unquote(i.attrs["src"]))
    assert edu.attrs["src"] == "evidence/%E8%AF%81%E4%B9%A6-education-0.png"


def test_a_crop_not_on_disk_is_noted_without_an_image(tmp_path: Path) -> None:
    """This test ensures that a crop gone or outside the folder yields a note, not an <img>."""
    gone = (Evidence("x.pdf", 1, (0.0, 0.0, 9.0, 9.0), None, "evidence/gone.png"),
            Evidence("x.pdf", 2, (0.0, 0.0, 9.0, 9.0), None, "../a02/evidence/other.png"))
    (tmp_path / "a02" / "evidence").mkdir(parents=True)
    Image.new("RGB", (8, 8)).save(tmp_path / "a02" / "evidence" / "other.png")
    report = Report("a01", "王丽", (finding("PAP003", "未标明", claim="P1", evidence=gone),),
                    (), ())
    page = parse(render_report_html(report, tmp_path / "a01"))
    assert page.all("img") == []
    assert page.one(cls="missing-crop").text() == "（2 张证据截图缺失）"


def test_id_numbers_never_reach_the_page_in_full(tmp_path: Path) -> None:
    """This test ensures that an ID number in a field, message or name is shown masked."""
    report = Report(
        "a01", "王丽",
        (finding("ID004", f"身份证上的号码 {VALID_ID} 与申报的不一致"),),
        (ClaimResult("P1", "verified", fields={"id_number": VALID_ID, "holder": VALID_ID,
                                               "certificate_number": "103371200705001234"}),),
        ())
    text = render_report_html(report, tmp_path).read_text(encoding="utf-8")
    assert VALID_ID not in text
    assert text.count("1101**********4477") == 3
    assert "103371200705001234" in text  # a certificate number is not an ID number
    rows = [SummaryRow(key="a09", name=None, verdict="error", counts={},
                       error=f"bad id {VALID_ID}")]
    summary = render_summary_html(rows, tmp_path / "summary.html", batch="b", policy="p")
    assert VALID_ID not in summary.read_text(encoding="utf-8")


def test_pages_are_self_contained(batch: Batch) -> None:
    """This test ensures that the pages fetch nothing: inline CSS/JS, relative links only."""
    for path in (batch.out / "summary.html", batch.out / "a01" / "report.html"):
        page = parse(path)
        html = page.one("html")
        assert html.attrs["lang"] == "zh-CN"
        assert any(m.attrs.get("charset", "").lower() == "utf-8" for m in page.all("meta"))
        assert page.all("link") == [] and page.all("iframe") == []
        assert page.one("style").text()
        assert all("src" not in s.attrs for s in page.all("script"))
        for node in page.iter():
            for attr in ("href", "src", "action", "srcset"):
                if attr in node.attrs:
                    url = urlsplit(node.attrs[attr])
                    assert not url.scheme and not url.netloc and not url.path.startswith("/")
        assert "@import" not in path.read_text(encoding="utf-8")
        assert "url(" not in page.one("style").text()
        assert not list(path.parent.glob(".*.part"))  # written atomically


# ---- summary.html -------------------------------------------------------------------------


def summary_rows(page: Node) -> dict[str, Node]:
    """Key → the applicant's table row."""
    return {tr.attrs["data-key"]: tr for tr in page.one("table").one("tbody").all("tr")}


def test_summary_links_each_report_and_shows_crashes(batch: Batch) -> None:
    """This test ensures that every row links to its report.html, a crashed one shows why."""
    page = parse(batch.out / "summary.html")
    rows = summary_rows(page)
    assert list(rows) == ["a01", "a02", "a03", "a04", "a05"]
    for key in ("a01", "a02", "a03", "a05"):
        link = rows[key].one("a", "report-link")
        assert link.attrs["href"] == f"{key}/report.html"
        assert (batch.out / link.attrs["href"]).is_file()
        assert [a.attrs["href"] for a in rows[key].one(cls="outputs").all("a")] == [
            f"{key}/review-form.pdf"]  # report.json is not on disk: no link
    crashed = rows["a04"]
    assert crashed.all("a") == [] and crashed.attrs["data-verdict"] == "error"
    assert crashed.one(cls="crash").text() == f"处理出错：{CRASH}"
    cells = [td.text() for td in rows["a01"].all("td")]
    assert cells[:8] == ["a01", "王丽", "不通过", "6", "0", "1", "需要", "4"]
    assert rows["a02"].one(cls="badge").text() == "需复核"
    assert rows["a03"].one(cls="badge").text() == "通过"


def test_summary_filter_lists_every_code_present(batch: Batch) -> None:
    """This test ensures that the code filter offers each code present, rows carry theirs."""
    page = parse(batch.out / "summary.html")
    options = [o.attrs["value"] for o in page.one("select").all("option")]
    codes = {f.code for r in batch.reports.values() for f in r.findings}
    assert options[0] == "" and sorted(options[1:]) == sorted(codes)
    assert options[1:3] == ["FILE006", "APP002"]  # catalog order
    rows = summary_rows(page)
    for key, report in batch.reports.items():
        assert set(rows[key].attrs["data-codes"].split()) == {f.code for f in report.findings}
        assert [c.text() for c in rows[key].one(cls="codes").all("code")] == [
            c for c in options[1:] if c in {f.code for f in report.findings}]


# ---- in headless Chromium -----------------------------------------------------------------


def artifacts() -> Path:
    """Where screenshots go: $PINGSHEN_TEST_ARTIFACTS, else <repo>/test-artifacts/."""
    path = Path(os.environ.get("PINGSHEN_TEST_ARTIFACTS") or ROOT / "test-artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (skipped when either is missing)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed in .venv (pip install playwright==1.65.2)")
    if not CHROMIUM.is_file():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@dataclass
class Watch:
    """What a browser context did: errors, off-disk requests."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


def open_context(browser: Browser) -> tuple[BrowserContext, Watch]:
    """A fresh context that records every request and aborts any that is not file://."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    watch = Watch()
    ctx.on("request", lambda r: watch.requests.append(r.url))

    def gate(route: Route) -> None:
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        else:
            watch.blocked.append(url)
            route.abort()

    ctx.route("**/*", gate)
    return ctx, watch


def watch_page(page: Page, watch: Watch) -> None:
    """Record console errors and uncaught exceptions of ``page`` into ``watch``."""
    page.on("console", lambda m: watch.errors.append(f"console: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.errors.append(f"pageerror: {e}"))


def images_loaded(page: Page) -> list[tuple[str, bool, int]]:
    """Each <img>'s src, whether it is complete, and its natural width."""
    return page.evaluate("Array.from(document.images).map(i => [i.getAttribute('src'),"
                         " i.complete, i.naturalWidth])")


def test_report_opens_from_disk_in_chromium(batch: Batch, browser: Browser) -> None:
    """This test ensures that report.html loads as file:// with every image and no error."""
    ctx, watch = open_context(browser)
    page = ctx.new_page()
    watch_page(page, watch)
    page.goto((batch.out / "a01" / "report.html").as_uri(), wait_until="load")
    imgs = images_loaded(page)
    assert len(imgs) == 6
    assert all(complete and width > 0 for _, complete, width in imgs), imgs
    assert page.locator("article.finding").count() == len(batch.reports["a01"].findings)
    assert page.locator("section[data-claim='P1'] article.finding").count() == 2
    page.screenshot(path=artifacts() / "report.png", full_page=True)
    ctx.close()
    assert watch.errors == []
    assert watch.blocked == [] and all(u.startswith("file://") for u in watch.requests)
    assert len(watch.requests) == 1 + 6  # the page and its crops, nothing else


def test_summary_sorts_filters_and_links_in_chromium(batch: Batch, browser: Browser) -> None:
    """This test ensures that summary.html sorts by verdict, filters by code, links reports."""
    ctx, watch = open_context(browser)
    page = ctx.new_page()
    watch_page(page, watch)
    page.goto((batch.out / "summary.html").as_uri(), wait_until="load")

    def keys(visible_only: bool = False) -> list[str]:
        sel = "#applicants tbody tr" + (":not([hidden])" if visible_only else "")
        return page.eval_on_selector_all(sel, "rows => rows.map(r => r.dataset.key)")

    assert keys() == ["a01", "a02", "a03", "a04", "a05"]
    verdict = page.locator("th[data-col='verdict'] button")
    verdict.click()
    assert keys() == ["a04", "a01", "a05", "a02", "a03"]  # 出错 > 不通过 > 需复核 > 通过
    assert page.get_attribute("th[data-col='verdict']", "aria-sort") == "descending"
    verdict.click()
    assert keys() == ["a03", "a02", "a01", "a05", "a04"]
    page.locator("th[data-col='errors'] button").click()
    assert keys()[:2] == ["a01", "a05"]
    verdict.click()
    page.screenshot(path=artifacts() / "summary.png", full_page=True)

    page.select_option("#code-filter", "PAP003")
    assert keys(visible_only=True) == ["a01", "a05"]
    assert page.text_content("#shown") == "2"
    page.select_option("#code-filter", "FILE006")
    assert sorted(keys(visible_only=True)) == ["a02", "a05"]
    page.select_option("#code-filter", "")
    assert len(keys(visible_only=True)) == 5

    page.click("tr[data-key='a01'] a.report-link")
    page.wait_for_url("**/a01/report.html")
    page.wait_for_load_state("load")
    assert page.locator("h1").text_content() == "评审材料核查报告"
    assert all(ok and width > 0 for _, ok, width in images_loaded(page))
    ctx.close()
    assert watch.errors == []
    assert watch.blocked == [] and all(u.startswith("file://") for u in watch.requests)
