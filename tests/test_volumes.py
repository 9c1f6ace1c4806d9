"""The bound volumes (册): order, 目录 page ranges, bookmarks, stamps, A4, images, splitting."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pdfplumber
import pytest
from PIL import Image, ImageDraw, ImageOps
from pypdf import PdfReader

from extractors._backends import pdf as pdf_backend
from generators import volumes
from model.application import Application
from model.report import (
    ClaimResult,
    DocumentRead,
    Evidence,
    PageKind,
    PageRead,
    Report,
    TextSource,
)
from tests._apps import make_app
from tests._images import image_pdf, text_image, text_pdf
from tests.conftest import tree_digest

A4_W, A4_H = 595.28, 841.89
SCAN = "扫描/全部材料.pdf"
SCAN_PAGES: tuple[tuple[str, PageKind], ...] = (
    ("论文封面 P1", PageKind.JOURNAL_COVER),
    ("论文正文 P1", PageKind.ARTICLE),
    ("获奖证书 A1", PageKind.AWARD_CERTIFICATE),
    ("身份证 正面", PageKind.ID_CARD),
    ("项目合同 J1", PageKind.CONTRACT_COVER),
    ("社保缴费证明", PageKind.OTHER),
    ("职称证书 工程师", PageKind.TITLE_CERTIFICATE),
)
"""One scanned volume, its documents in the wrong order: (text on the page, kind)."""

V1_TITLES = ["身份证", "本科 浙江大学 学历学位证书", "现任职称证书", "继续教育证明"]
V2_TITLES = ["资格证书：注册安全工程师", "项目：某市平安城市视频监控工程", "获奖：浙江省科学技术奖",
             "专利：一种周界报警装置", "论文：《视频监控系统集成方法研究》", "其他材料"]


def marked_page(size: tuple[int, int] = (600, 850)) -> Image.Image:
    """An upright portrait page: a black square at its top left, a grey bar at its foot."""
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle((30, 30, 180, 180), fill="black")
    draw.rectangle((30, size[1] - 60, size[0] - 30, size[1] - 40), fill=(150, 150, 150))
    return img


def page(n: int, kind: PageKind, *, part: int = 0, rotation: int = 0) -> PageRead:
    """A page as the reading would have found it (1-based ``n``)."""
    return PageRead(page=n, text="", text_source=TextSource.OCR, confidence=0.9, kind=kind,
                    part=part, rotation=rotation)


def claim(cid: str, *pages: tuple[str, int]) -> ClaimResult:
    """A claim proven by ``pages`` (file, 1-based page)."""
    return ClaimResult(id=cid, status="verified" if pages else "unproven",
                       evidence=tuple(Evidence(file=f, page=p) for f, p in pages))


def application() -> Application:
    """A declaration: one degree, a current title, CE hours and five achievements."""
    return make_app(
        name="王丽", specialty="系统集成", employer="杭州某科技有限公司", current_title="工程师",
        education=[{"level": "本科", "school": "浙江大学", "graduation_date": "2010-06-30"}],
        ce={2022: {"professional": 64, "industry_public": 12, "general_public": 16}},
        achievements=[  # declared out of the printed order
            {"id": "P1", "type": "paper", "title": "视频监控系统集成方法研究"},
            {"id": "A1", "type": "award", "title": "浙江省科学技术奖"},
            {"id": "J1", "type": "project", "title": "某市平安城市视频监控工程"},
            {"id": "T1", "type": "patent", "title": "一种周界报警装置"},
            {"id": "Q1", "type": "qualification", "title": "注册安全工程师"},
        ],
    )


def write_sources(src: Path) -> Path:
    """Write the applicant's files under ``src`` (see :func:`sample_report`); return ``src``."""
    (src / "扫描").mkdir(parents=True)
    text_pdf(src / SCAN, [text for text, _ in SCAN_PAGES])
    text_image(["毕业证书 浙江大学"], size=(900, 640)).save(src / "毕业证.jpg", quality=85)
    # scanned turned a quarter to the left: the reading found 90° clockwise makes it upright
    marked_page().rotate(90, expand=True).save(src / "学位证.png")
    frames = [text_image(["继续教育 2021"], size=(500, 700)),
              text_image(["继续教育 2022"], size=(700, 500))]
    frames[0].save(src / "继续教育.tif", save_all=True, append_images=frames[1:])
    (src / "专利证书.pdf").write_bytes(b"%PDF-1.4\nthis is not a PDF at all\n")
    return src


def sample_report() -> Report:
    """The report of the files :func:`write_sources` writes, as the reading found them."""
    scan = tuple(page(n, kind, part=n - 1) for n, (_, kind) in enumerate(SCAN_PAGES, start=1))
    scan = (*scan[:1], dataclasses.replace(scan[1], part=0), *scan[2:])  # cover + article
    docs = (
        DocumentRead(SCAN, "0" * 64, "pdf", scan),
        DocumentRead("学位证.png", "0" * 64, "png",
                     (page(1, PageKind.DEGREE_CERTIFICATE, rotation=90),)),
        DocumentRead("专利证书.pdf", "0" * 64, "pdf", (page(1, PageKind.PATENT_CERTIFICATE),)),
        DocumentRead("毕业证.jpg", "0" * 64, "jpeg", (page(1, PageKind.GRADUATION_CERTIFICATE),)),
        DocumentRead("继续教育.tif", "0" * 64, "tiff",
                     (page(1, PageKind.CE_CERTIFICATE), page(2, PageKind.CE_CERTIFICATE))),
    )
    claims = (
        claim("P1", (SCAN, 1), (SCAN, 2)),
        claim("A1", (SCAN, 3)),
        claim("J1", (SCAN, 5)),
        claim("T1", ("专利证书.pdf", 1)),
        claim("Q1"),
        claim("education:0", ("学位证.png", 1), ("毕业证.jpg", 1)),  # degree first: reordered
    )
    return Report(applicant="a01", name="王丽", findings=(), claims=claims, documents=docs)


@dataclasses.dataclass(frozen=True)
class Rendered:
    """One applicant rendered: its inputs, its volumes and the source tree before/after."""

    src: Path
    out: Path
    report: Report
    paths: tuple[Path, ...]
    before: dict[str, tuple[int, int, bytes]] = dataclasses.field(repr=False)
    after: dict[str, tuple[int, int, bytes]] = dataclasses.field(repr=False)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """The volumes of the sample applicant (limit 500 pages), rendered once."""
    root = tmp_path_factory.mktemp("volumes")
    src, out = root / "in", root / "out"
    write_sources(src)
    report = sample_report()
    before = tree_digest(src)
    paths = volumes.render_volumes(report, application(), src, out, max_pages=500)
    return Rendered(src, out, report, paths, before, tree_digest(src))


def toc_rows(pdf: Path) -> list[tuple[str, str]]:
    """(title, page column) of every 目录 row of a volume, read back from its text."""
    rows = []
    with pdfplumber.open(pdf) as doc:
        for p in doc.pages[1:]:
            text = p.extract_text() or ""
            if "目 录" not in text and "目　录" not in text:
                break
            for line in text.splitlines():
                m = re.match(r"^(\d+) (.+) (\d+(?:-\d+)?|缺)$", line)
                if m:
                    rows.append((m.group(2), m.group(3)))
    return rows


def page_text(pdf: Path, index: int) -> str:
    """The text of page ``index`` (0-based) of ``pdf``."""
    return PdfReader(pdf).pages[index].extract_text()


def test_items_follow_the_printed_order_even_from_one_scanned_volume(rendered: Rendered) -> None:
    """This test ensures that the 目录 lists items in BRIEF.md's order, not the upload's."""
    assert [p.name for p in rendered.paths] == ["volume-1.pdf", "volume-2.pdf"]
    v1, v2 = (toc_rows(p) for p in rendered.paths)
    assert [t for t, _ in v1] == V1_TITLES
    assert [t.removesuffix("（文件无法打开）") for t, _ in v2] == V2_TITLES


def test_toc_page_ranges_are_where_the_pages_are(rendered: Rendered) -> None:
    """This test ensures that each 目录 range points at the item's pages, stamped alike."""
    v1, v2 = rendered.paths
    ranges1 = dict(toc_rows(v1))
    assert ranges1 == {"身份证": "3", "本科 浙江大学 学历学位证书": "4-5", "现任职称证书": "6",
                       "继续教育证明": "7-8"}
    assert "身份证 正面" in page_text(v1, 2)
    assert "职称证书 工程师" in page_text(v1, 5)
    ranges2 = dict((t.removesuffix("（文件无法打开）"), r) for t, r in toc_rows(v2))
    expected = {"项目：某市平安城市视频监控工程": ("项目合同 J1",),
                "获奖：浙江省科学技术奖": ("获奖证书 A1",),
                "论文：《视频监控系统集成方法研究》": ("论文封面 P1", "论文正文 P1"),
                "其他材料": ("社保缴费证明",)}
    for title, texts in expected.items():
        first, _, last = ranges2[title].partition("-")
        numbers = range(int(first), int(last or first) + 1)
        assert len(numbers) == len(texts)
        for n, text in zip(numbers, texts, strict=True):
            assert text in page_text(v2, n - 1)
            assert f"第二册 第{n}页" in page_text(v2, n - 1)


def test_every_item_with_pages_has_a_bookmark(rendered: Rendered) -> None:
    """This test ensures that each printed item has a bookmark to its first page."""
    for path in rendered.paths:
        reader = PdfReader(path)
        marks = {o.title: reader.get_destination_page_number(o) for o in reader.outline}
        assert marks.pop("目录") == 1
        printed = {t: int(r.partition("-")[0]) - 1 for t, r in toc_rows(path) if r != "缺"}
        assert marks == printed
        assert len(marks) >= 3


def test_every_page_is_a4_and_stamped(rendered: Rendered) -> None:
    """This test ensures that every page is A4 portrait and carries 「第N册 第N页」."""
    for number, (path, count) in enumerate(zip(rendered.paths, (8, 7), strict=True), start=1):
        reader = PdfReader(path)
        assert len(reader.pages) == count
        for n, p in enumerate(reader.pages, start=1):
            assert float(p.mediabox.width) == pytest.approx(A4_W, abs=1)
            assert float(p.mediabox.height) == pytest.approx(A4_H, abs=1)
            assert p.rotation == 0
            assert volumes.stamp_text(number, n) in p.extract_text()


def dark_centre(path: Path, index: int) -> tuple[float, float]:
    """Centre of the black pixels of a page, as fractions of its width and height.

    The stamp band at the top is left out.
    """
    with pdf_backend.open_renderer(path) as r:
        img = np.asarray(r.render(index, 36).convert("L"))
    img = img[int(img.shape[0] * 0.06):]
    ys, xs = np.nonzero(img < 60)
    return xs.mean() / img.shape[1], ys.mean() / img.shape[0]


def test_a_page_scanned_turned_comes_out_upright(rendered: Rendered) -> None:
    """This test ensures that a page read as turned 90° is printed upright, not mirrored."""
    v1 = rendered.paths[0]
    assert dict(toc_rows(v1))["本科 浙江大学 学历学位证书"] == "4-5"  # diploma, then degree
    x, y = dark_centre(v1, 4)
    assert x < 0.4 and y < 0.4  # the black square is at the top left again


def test_an_exif_turned_jpeg_is_placed_upright_without_reencoding(tmp_path: Path) -> None:
    """This test ensures that a JPEG's EXIF orientation is applied and its bytes kept."""
    src = tmp_path / "in"
    src.mkdir()
    exif = Image.Exif()
    exif[0x0112] = 6  # shown turned 90° clockwise
    marked_page().rotate(90, expand=True).save(src / "id.jpg", quality=80, exif=exif)
    report = Report(applicant="a01", name="王丽", findings=(), claims=(), documents=(
        DocumentRead("id.jpg", "0" * 64, "jpeg", (page(1, PageKind.ID_CARD),)),))
    v1, _ = volumes.render_volumes(report, None, src, tmp_path / "out", max_pages=500)
    x, y = dark_centre(v1, 2)
    assert x < 0.4 and y < 0.4
    assert_jpeg_embedded(v1, 2, src / "id.jpg")


STORED = {1: None, 2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
          4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
          6: Image.Transpose.ROTATE_90, 7: Image.Transpose.TRANSVERSE,
          8: Image.Transpose.ROTATE_270}
"""How a camera stores an upright page under each EXIF orientation (exif_transpose undoes it)."""


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_prints_upright(tmp_path: Path, orientation: int) -> None:
    """This test ensures that each EXIF orientation (mirrored too) prints as Pillow shows it."""
    src = tmp_path / "in"
    src.mkdir()
    upright = marked_page((300, 425))
    method = STORED[orientation]
    stored = upright if method is None else upright.transpose(method)
    exif = Image.Exif()
    exif[0x0112] = orientation
    stored.save(src / "p.jpg", quality=90, exif=exif)
    with Image.open(src / "p.jpg") as check:  # the test's own premise
        assert ImageOps.exif_transpose(check).size == upright.size
    report = Report(applicant="a01", name="王丽", findings=(), claims=(), documents=(
        DocumentRead("p.jpg", "0" * 64, "jpeg", (page(1, PageKind.ID_CARD),)),))
    v1, _ = volumes.render_volumes(report, None, src, tmp_path / "out", max_pages=500)
    x, y = dark_centre(v1, 2)
    assert x < 0.4 and y < 0.4  # the black square at the top left
    with pdf_backend.open_renderer(v1) as r:
        img = np.asarray(r.render(2, 36).convert("L"))
    ys, xs = np.nonzero((img > 120) & (img < 180))  # the grey bar, and the square's edges
    foot = ys > img.shape[0] * 0.85
    assert foot.mean() > 0.75  # the bar lies along the foot …
    assert np.ptp(xs[foot]) > img.shape[1] * 0.6  # … across the page


def assert_jpeg_embedded(pdf: Path, index: int, jpeg: Path) -> None:
    """Assert that page ``index`` shows ``jpeg`` as a /DCTDecode stream of its own bytes."""
    images = PdfReader(pdf).pages[index]["/Resources"]["/XObject"]
    (image,) = [x.get_object() for x in images.values()
                if x.get_object().get("/Subtype") == "/Image"]
    assert image["/Filter"] == "/DCTDecode"
    assert pdf.read_bytes().count(jpeg.read_bytes()) == 1  # the file's bytes, as they are


def test_a_jpeg_is_embedded_as_its_own_bytes(rendered: Rendered) -> None:
    """This test ensures that the diploma JPEG is embedded byte for byte as /DCTDecode."""
    assert_jpeg_embedded(rendered.paths[0], 3, rendered.src / "毕业证.jpg")


def test_png_and_tiff_frames_are_stored_losslessly(rendered: Rendered) -> None:
    """This test ensures that PNG and TIFF frames keep every pixel; TIFF page N is frame N."""
    reader = PdfReader(rendered.paths[0])
    png = reader.pages[4]["/Resources"]["/XObject"]
    (image,) = [x.get_object() for x in png.values()]
    assert image["/Filter"] == "/FlateDecode"
    original = Image.open(rendered.src / "学位证.png").convert("RGB")
    assert np.array_equal(np.asarray(image.decode_as_image().convert("RGB")),
                          np.asarray(original))
    with Image.open(rendered.src / "继续教育.tif") as tif:
        for n in range(2):
            tif.seek(n)
            frame = np.asarray(tif.convert("RGB"))
            xobjects = reader.pages[6 + n]["/Resources"]["/XObject"]
            (image,) = [x.get_object() for x in xobjects.values()]
            assert np.array_equal(np.asarray(image.decode_as_image().convert("RGB")), frame)


def test_a_missing_item_is_marked_in_red(rendered: Rendered) -> None:
    """This test ensures that an item without proof is listed with 「缺」 in red."""
    rows = dict(toc_rows(rendered.paths[1]))
    assert rows["资格证书：注册安全工程师"] == "缺"
    with pdfplumber.open(rendered.paths[1]) as doc:
        marks = [c for c in doc.pages[1].chars if c["text"] == "缺"]
    assert len(marks) == 2  # Q1 and the broken patent file
    for c in marks:
        r, g, b = c["non_stroking_color"]
        assert r > 0.7 and g < 0.2 and b < 0.2


def test_a_broken_file_is_marked_and_the_rest_printed(rendered: Rendered) -> None:
    """This test ensures that a file that cannot be opened leaves its item 缺, with a note."""
    rows = dict(toc_rows(rendered.paths[1]))
    assert rows["专利：一种周界报警装置（文件无法打开）"] == "缺"
    assert rows["论文：《视频监控系统集成方法研究》"] == "5-6"


def test_no_source_folder_lists_every_item_as_missing(tmp_path: Path) -> None:
    """This test ensures that without a source folder the volumes still come, every item 缺."""
    paths = volumes.render_volumes(sample_report(), application(), None, tmp_path / "out",
                                   max_pages=500)
    v1, v2 = (toc_rows(p) for p in paths)
    assert [t for t, _ in v1] == [f"{t}（文件无法打开）" for t in V1_TITLES]
    assert {r for _, r in v1 + v2} == {"缺"}
    assert [len(PdfReader(p).pages) for p in paths] == [2, 2]


def test_nothing_is_written_under_the_source_folder(rendered: Rendered) -> None:
    """This test ensures that rendering leaves the applicant's input folder as it was."""
    assert rendered.after == rendered.before
    assert sorted(p.name for p in rendered.out.iterdir()) == ["volume-1.pdf", "volume-2.pdf"]


def test_qpdf_and_pdffonts_accept_the_volumes(rendered: Rendered) -> None:
    """This test ensures that qpdf --check passes and pdffonts lists every font embedded."""
    if shutil.which("qpdf") is None or shutil.which("pdffonts") is None:
        pytest.skip("qpdf or pdffonts (poppler-utils) is not installed")
    for path in rendered.paths:
        check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                                 check=True).stdout.splitlines()[2:]
        assert listing  # the CJK font at least
        for line in listing:
            assert line.split()[-5] == "yes", line  # the emb column


def test_a_third_volume_takes_what_passes_the_limit(tmp_path: Path) -> None:
    """This test ensures that volume 2 over max_pages goes on in volume 3, split between items."""
    src = write_sources(tmp_path / "in")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "volume-4.pdf").write_bytes(b"left from an earlier run")
    paths = volumes.render_volumes(sample_report(), application(), src, tmp_path / "out",
                                   max_pages=5)
    assert [p.name for p in paths] == ["volume-1.pdf", "volume-2.pdf", "volume-3.pdf"]
    assert not (tmp_path / "out" / "volume-4.pdf").exists()
    v2, v3 = toc_rows(paths[1]), toc_rows(paths[2])
    assert [t.removesuffix("（文件无法打开）") for t, _ in v2 + v3] == V2_TITLES
    assert [t for t, _ in v3] == ["论文：《视频监控系统集成方法研究》", "其他材料"]
    assert [len(PdfReader(p).pages) for p in paths[1:]] == [4, 5]
    assert "第三册 第3页" in page_text(paths[2], 2)
    assert "论文封面 P1" in page_text(paths[2], 2)
    cover = page_text(paths[2], 0)
    assert "第三册" in cover and "共三册" in cover


def plan_items(*sizes: int) -> Report:
    """A report of one achievement claim per size, each proven by that many pages."""
    pages = tuple(page(n, PageKind.ARTICLE) for n in range(1, sum(sizes) + 1))
    claims, start = [], 1
    for k, size in enumerate(sizes):
        claims.append(claim(f"X{k}", *(("v.pdf", n) for n in range(start, start + size))))
        start += size
    return Report(applicant="a01", name="王丽", findings=(), claims=tuple(claims),
                  documents=(DocumentRead("v.pdf", "0" * 64, "pdf", pages),))


def test_an_item_is_only_cut_when_it_alone_exceeds_the_limit() -> None:
    """This test ensures that splitting is between items, a too-long item goes on （续）."""
    plan = volumes.plan_volumes(plan_items(3, 3, 9), None, max_pages=8)
    second = [[(i.title, len(i.pages), i.first) for i in p.items] for p in plan[1:]]
    assert second == [
        [("论文：《X0》", 3, 3), ("论文：《X1》", 3, 6)],  # cover, 目录, 3 + 3 pages = 8
        [("论文：《X2》", 6, 3)],
        [("论文：《X2》（续）", 3, 3)],
    ]
    assert [p.page_count for p in plan[1:]] == [8, 8, 5]
    assert [p.name for p in plan] == ["第一册", "第二册", "第三册", "第四册"]


def test_a_long_toc_takes_more_pages_and_shifts_the_numbers() -> None:
    """This test ensures that the 目录's own length is counted before pages are numbered."""
    plan = volumes.plan_volumes(plan_items(*[1] * 60), None, max_pages=500)[1]
    assert plan.toc_pages == 3
    assert plan.items[0].first == 1 + 3 + 1
    assert plan.items[-1].last == plan.page_count == 1 + 3 + 60


def test_without_a_declaration_claims_are_listed_by_kind() -> None:
    """This test ensures that with no declaration the report's claims still make items."""
    plan = volumes.plan_volumes(sample_report(), None, max_pages=500)
    titles = [[i.title for i in p.items] for p in plan]
    assert titles[0] == ["身份证", "学历学位证书（第1项）", "现任职称证书", "继续教育证明"]
    assert titles[1] == ["项目：J1", "获奖：A1", "专利：T1", "论文：《P1》", "业绩材料：Q1",
                         "其他材料"]


def test_text_in_a_font_not_embedded_is_rasterised(tmp_path: Path) -> None:
    """This test ensures that a page showing text in a non-embedded font is printed as an image."""
    from reportlab.pdfgen.canvas import Canvas

    src = tmp_path / "in"
    src.mkdir()
    c = Canvas(str(src / "letter.pdf"), invariant=1)
    c.setFont("Helvetica", 24)
    c.drawString(72, 700, "Certificate of employment")
    c.showPage()
    c.save()
    report = Report(applicant="a01", name="王丽", findings=(), claims=(), documents=(
        DocumentRead("letter.pdf", "0" * 64, "pdf", (page(1, PageKind.OTHER),)),))
    _, v2 = volumes.render_volumes(report, None, src, tmp_path / "out", max_pages=500)
    placed = PdfReader(v2).pages[2]
    assert [x.get_object()["/Subtype"] for x in placed["/Resources"]["/XObject"].values()] \
        == ["/Image"]
    fonts = placed["/Resources"]["/Font"].values()
    assert all("/FontFile2" in f.get_object()["/FontDescriptor"] for f in fonts)
    with pdf_backend.open_renderer(v2) as r:
        ink = np.asarray(r.render(2, 50).convert("L")) < 100
    assert ink[int(ink.shape[0] * 0.06):].sum() > 100  # the text is there, as pixels


def test_a_pdf_pages_own_rotate_and_the_readings_turn_add_up(tmp_path: Path) -> None:
    """This test ensures that a page's /Rotate is applied before the reading's rotation."""
    from pypdf import PdfWriter

    src = tmp_path / "in"
    src.mkdir()
    image_pdf(tmp_path / "upright.pdf", marked_page())
    writer = PdfWriter(clone_from=tmp_path / "upright.pdf")
    writer.pages[0].rotate(90)  # shown turned a quarter clockwise: the square at top right
    writer.write(src / "scan.pdf")
    report = Report(applicant="a01", name="王丽", findings=(), claims=(), documents=(
        DocumentRead("scan.pdf", "0" * 64, "pdf", (page(1, PageKind.ID_CARD, rotation=270),)),))
    v1, _ = volumes.render_volumes(report, None, src, tmp_path / "out", max_pages=500)
    x, y = dark_centre(v1, 2)
    assert x < 0.4 and y < 0.4


def test_highlights_come_along_and_links_do_not(tmp_path: Path) -> None:
    """This test ensures that markup annotations are kept, placed with the page, links dropped."""
    from pypdf import PdfWriter
    from pypdf.annotations import Highlight, Link
    from pypdf.generic import ArrayObject, FloatObject

    src = tmp_path / "in"
    src.mkdir()
    text_pdf(tmp_path / "paper.pdf", ["作者：王丽"])
    writer = PdfWriter(clone_from=tmp_path / "paper.pdf")
    quad = ArrayObject(FloatObject(v) for v in (70, 780, 170, 780, 70, 755, 170, 755))
    writer.add_annotation(0, Highlight(rect=(70, 755, 170, 780), quad_points=quad))
    writer.add_annotation(0, Link(rect=(70, 700, 170, 720), url="https://example.org"))
    writer.write(src / "paper.pdf")
    report = Report(applicant="a01", name="王丽", findings=(), claims=(), documents=(
        DocumentRead("paper.pdf", "0" * 64, "pdf", (page(1, PageKind.OTHER),)),))
    _, v2 = volumes.render_volumes(report, None, src, tmp_path / "out", max_pages=500)
    placed = PdfReader(v2).pages[2]
    (annot,) = [a.get_object() for a in placed["/Annots"]]
    assert annot["/Subtype"] == "/Highlight"
    x0, y0, x1, y1 = (float(v) for v in annot["/Rect"])
    assert 0 < x0 < x1 < A4_W / 2 and A4_H * 0.8 < y0 < y1 < A4_H  # still over the name


def test_a_file_the_reading_got_no_page_of_is_listed_not_lost() -> None:
    """This test ensures that an unreadable file (no page read) is an entry marked 缺."""
    report = plan_items(2)
    report = dataclasses.replace(report, documents=(
        *report.documents, DocumentRead("现场照片.heic", "1" * 64, None, ())))
    (_, second) = volumes.plan_volumes(report, None, max_pages=300)
    entry = next(i for i in second.items if "现场照片.heic" in i.title)
    assert entry.missing and entry.note == volumes.UNREADABLE_NOTE
    assert second.items[-1] is entry
