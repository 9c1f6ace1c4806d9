"""Tests of extractors/marks_image.py on drawn, scanned and photographed dossier pages.

Every page is drawn by the dossier generator (fixtures/dossier), rasterised by PDFium,
optionally marked with a pen drawn by PIL on the rendered paper, degraded by
``fixtures.dossier.scan.degrade`` (a flatbed scan or a phone photo, saved as JPEG and read
back), then turned upright and deskewed as the reader does (``extractors.orient``). The
drawn name and seal boxes are carried into the final image through the same geometry.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import io
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image, ImageDraw

from extractors import orient
from extractors.marks_image import find_marks
from fixtures.dossier import draw_certs, scan
from fixtures.dossier.docs import (
    CeCertDoc,
    DateStyle,
    GraduationDoc,
    MarkKind,
    PageOut,
    Style,
    available_fonts,
)
from fixtures.dossier.draw_sets import draw_contract_set, draw_paper_set
from model.marks import Mark, Seal
from model.marks import MarkKind as Kind
from model.report import BBox
from tests._dossier import draw_pdf
from tests.test_fields_sets import CONTRACT, PAPER

FONT = available_fonts()[0]
STYLE = Style(layout=0, font=FONT, date_style=DateStyle.CN)
TOC, ARTICLE = 2, 3  # page indexes in a paper set
PARTICIPANTS, SEALS = 2, 3  # page indexes in a contract set
FLATBED = scan.Degradation(dpi=200, angle=0.7, noise=4.0, blur=0.6, jpeg_quality=75,
                           light=0.06, seed=11)
PHONE = scan.Degradation(dpi=220, angle=-1.3, noise=6.0, blur=1.0, jpeg_quality=70, light=0.3,
                         perspective=0.035, seed=23)
RED_PEN, BLUE_PEN = (205, 30, 35), (30, 60, 185)

GRADUATION = GraduationDoc(
    holder="王丽", gender="女", birth=dt.date(1986, 4, 17), school="杭州电子科技大学",
    major="通信工程", level="本科", start=dt.date(2004, 9, 1), end=dt.date(2008, 6, 30),
    number="103361200805123456", president="张明",
)  # fmt: skip
CE_CERT = CeCertDoc(
    holder="王丽", id_number="330106198604178221", year=2022, professional=66,
    industry_public=10, general_public=14, issuer="浙江省安全技术防范行业协会",
    date=dt.date(2022, 9, 15), number="JXJY202282683",
)  # fmt: skip

Pen = Callable[[ImageDraw.ImageDraw, BBox, float], None]


@dataclasses.dataclass(frozen=True)
class Scanned:
    """A degraded, upright page, its drawn boxes in its pixels, and the way there."""

    image: Image.Image
    names: tuple[BBox, ...]
    seals: tuple[BBox, ...]
    place: Callable[[BBox], BBox]  # a box on the drawn page (points) → the image's pixels

    @property
    def text_height(self) -> float:
        """The height of the first name box: the page's body text height."""
        return self.names[0][3] - self.names[0][1]


@functools.cache
def _drawn(what: str, mark: MarkKind | None, layout: int, applicant: str
           ) -> tuple[bytes, tuple[PageOut, ...]]:
    """Draw a paper set, contract set or certificate once per test session."""
    style = dataclasses.replace(STYLE, layout=layout)
    if what == "paper":
        doc: object = dataclasses.replace(PAPER, mark=mark, applicant=applicant)
        pdf, pages = draw_pdf(draw_paper_set, doc, style)
    elif what == "contract":
        doc = dataclasses.replace(CONTRACT, mark=mark, applicant=applicant)
        pdf, pages = draw_pdf(draw_contract_set, doc, style)
    elif what == "graduation":
        pdf, pages = draw_pdf(draw_certs.draw_graduation, GRADUATION, style)
    else:
        pdf, pages = draw_pdf(draw_certs.draw_ce_cert, CE_CERT, style)
    return pdf, tuple(pages)


@functools.cache
def scanned(what: str, pageno: int, d: scan.Degradation, *, mark: MarkKind | None = None,
            layout: int = 0, pen: Pen | None = None, applicant: str = "王伟") -> Scanned:
    """Draw, (pen-mark,) degrade, JPEG and deskew one page (once); map its boxes along."""
    pdf, pages = _drawn(what, mark, layout, applicant)
    page = pages[pageno]
    scale = d.dpi / 72
    img = scan.rasterise(pdf, pageno, d.dpi)
    if pen is not None:
        draw = ImageDraw.Draw(img, "RGBA")
        for nb in page.names:
            pen(draw, nb.bbox, scale)
    out, hom = scan.degrade(img, d)
    assert d.jpeg_quality is not None
    out = Image.open(io.BytesIO(scan.to_jpeg(out, d.jpeg_quality, d.dpi))).convert("RGB")
    up = orient.make_upright(out, 0, orient.estimate_skew(out))
    back = np.linalg.inv(up.to_source)

    def place(b: BBox) -> BBox:
        return orient.map_box(back, scan.map_bbox(hom, b, scale))

    return Scanned(image=up.image, names=tuple(place(nb.bbox) for nb in page.names),
                   seals=tuple(place(s) for s in page.seals), place=place)


def touching(marks: list[Mark], name: BBox) -> list[Mark]:
    """The marks whose box overlaps the name's box or lies just under it."""
    nh = name[3] - name[1]
    return [m for m in marks if m.bbox[0] < name[2] and name[0] < m.bbox[2]
            and m.bbox[1] < name[3] + 0.6 * nh and name[1] < m.bbox[3]]


def covers(mark: Mark, name: BBox) -> bool:
    """Whether ``mark`` covers the name as its kind should (a tolerance of 0.15 heights)."""
    nh, nw = name[3] - name[1], name[2] - name[0]
    m, tol = mark.bbox, 0.15 * nh
    if mark.kind is Kind.UNDERLINE:
        return (m[0] <= name[0] + 0.1 * nw and m[2] >= name[2] - 0.1 * nw
                and name[3] - 0.3 * nh <= m[1] and m[3] <= name[3] + 0.6 * nh)
    return (m[0] <= name[0] + tol and m[1] <= name[1] + tol and m[2] >= name[2] - tol
            and m[3] >= name[3] - tol)


def iou(a: BBox, b: BBox) -> float:
    """Intersection over union of two boxes."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    inter = max(0.0, w) * max(0.0, h)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union


def _red_circle(draw: ImageDraw.ImageDraw, b: BBox, s: float) -> None:
    x0, t, x1, bottom = (v * s for v in b)
    draw.ellipse((x0 - 0.25 * (x1 - x0), t - 0.5 * (bottom - t), x1 + 0.25 * (x1 - x0),
                  bottom + 0.5 * (bottom - t)), outline=RED_PEN, width=round(1.4 * s))


def _blue_box(draw: ImageDraw.ImageDraw, b: BBox, s: float) -> None:
    x0, t, x1, bottom = (v * s for v in b)
    draw.rectangle((x0 - 3 * s, t - 3 * s, x1 + 3 * s, bottom + 3 * s), outline=BLUE_PEN,
                   width=round(1.3 * s))


def _blue_underline(draw: ImageDraw.ImageDraw, b: BBox, s: float) -> None:
    x0, _, x1, bottom = (v * s for v in b)
    draw.line((x0, bottom + 2 * s, x1, bottom + 2.5 * s), fill=BLUE_PEN, width=round(1.3 * s))


def _orange_highlighter(draw: ImageDraw.ImageDraw, b: BBox, s: float) -> None:
    x0, t, x1, bottom = (v * s for v in b)
    draw.rectangle((x0 - 2 * s, t - 2 * s, x1 + 2 * s, bottom + 2 * s),
                   fill=(255, 150, 30, 110))


# ---------------------------------------------------------------------------------------
# each mark, on a flatbed scan and a phone photo

DRAWN = [
    (MarkKind.YELLOW, Kind.HIGHLIGHT, "yellow"),
    (MarkKind.GREEN, Kind.HIGHLIGHT, "green"),
    (MarkKind.PINK, Kind.HIGHLIGHT, "pink"),
    (MarkKind.RED_BOX, Kind.BOX, "red"),
    (MarkKind.RED_UNDERLINE, Kind.UNDERLINE, "red"),
]


@pytest.mark.parametrize("d", [FLATBED, PHONE], ids=["flatbed", "phone"])
@pytest.mark.parametrize(("mark", "kind", "colour"), DRAWN, ids=[m.value for m, _, _ in DRAWN])
def test_drawn_mark_is_found(mark: MarkKind, kind: Kind, colour: str,
                             d: scan.Degradation) -> None:
    """This test ensures that the generator's highlighter and pen marks are found and named."""
    page = scanned("paper", TOC, d, mark=mark)
    (name,) = page.names
    marks, seals = find_marks(page.image, page.text_height)
    assert seals == []
    assert len(marks) == 1, marks
    (m,) = marks
    assert (m.kind, m.colour) == (kind, colour)
    assert covers(m, name), (m.bbox, name)
    assert m.parts == ()


PEN = [
    (_red_circle, FLATBED, Kind.CIRCLE, "red"),
    (_red_circle, PHONE, Kind.CIRCLE, "red"),
    (_blue_box, FLATBED, Kind.BOX, "blue"),
    (_blue_box, PHONE, Kind.BOX, "blue"),
    (_blue_underline, FLATBED, Kind.UNDERLINE, "blue"),
    (_orange_highlighter, PHONE, Kind.HIGHLIGHT, "orange"),
]


@pytest.mark.parametrize(("pen", "d", "kind", "colour"), PEN,
                         ids=["red-circle-flatbed", "red-circle-phone", "blue-box-flatbed",
                              "blue-box-phone", "blue-underline-flatbed", "orange-phone"])
def test_pen_mark_is_found(pen: Pen, d: scan.Degradation, kind: Kind, colour: str) -> None:
    """This test ensures that hand-drawn circles, blue pen and orange highlighter are found."""
    page = scanned("paper", ARTICLE, d, pen=pen)
    (name,) = page.names
    marks, seals = find_marks(page.image, page.text_height)
    assert seals == []
    assert [(m.kind, m.colour) for m in marks] == [(kind, colour)]
    assert covers(marks[0], name), (marks[0].bbox, name)


@pytest.mark.parametrize("mark", [MarkKind.YELLOW, MarkKind.RED_BOX, MarkKind.RED_UNDERLINE])
def test_unmarked_neighbour_stays_unmarked(mark: MarkKind) -> None:
    """This test ensures that a mark on a name does not spill onto the names beside it."""
    page = scanned("paper", TOC, FLATBED, mark=mark)
    marks, _ = find_marks(page.image, page.text_height)
    (marked,) = page.names
    assert len(touching(marks, marked)) == 1
    for neighbour in ("孙海燕", "李娜"):  # 孙海燕，王伟，李娜 on one line
        _, pages = _drawn("paper", None, 0, neighbour)  # the same page, another applicant
        (other,) = [page.place(nb.bbox) for nb in pages[TOC].names]
        assert abs(other[1] - marked[1]) < 0.2 * page.text_height  # the same line
        assert touching(marks, other) == [], (neighbour, marks)


def test_participant_table_marks_one_row() -> None:
    """This test ensures that a boxed name in a ruled table gives one box on its row only."""
    page = scanned("contract", PARTICIPANTS, PHONE, mark=MarkKind.RED_BOX)
    (name,) = page.names
    marks, seals = find_marks(page.image, page.text_height)
    assert [(m.kind, m.colour) for m in marks] == [(Kind.BOX, "red")]
    assert covers(marks[0], name)
    assert marks[0].bbox[3] - marks[0].bbox[1] < 2.5 * page.text_height  # one row tall
    assert seals == []


# ---------------------------------------------------------------------------------------
# seals

@pytest.mark.parametrize("d", [FLATBED, PHONE], ids=["flatbed", "phone"])
def test_certificate_seal_is_one_seal(d: scan.Degradation) -> None:
    """This test ensures that a certificate's red seal is one Seal where it is, not marks."""
    page = scanned("graduation", 0, d, layout=1)
    (truth,) = page.seals
    marks, seals = find_marks(page.image, page.text_height)
    assert marks == []
    assert len(seals) == 1
    (seal,) = seals
    assert isinstance(seal, Seal)
    assert iou(seal.bbox, truth) >= 0.8, (seal.bbox, truth)
    assert seal.shape == "round"
    assert seal.confidence >= 0.8


def test_seals_over_print_and_signatures() -> None:
    """This test ensures that seals stamped over print are found and signatures are no marks."""
    page = scanned("contract", SEALS, FLATBED, layout=1)
    marks, seals = find_marks(page.image, 40.0)
    assert len(page.seals) == 2 and len(seals) == 2
    for truth in page.seals:
        assert max(iou(s.bbox, truth) for s in seals) >= 0.8
    assert [m for m in marks if m.kind is not Kind.INK] == []


# ---------------------------------------------------------------------------------------
# clean pages


@pytest.mark.parametrize(("what", "pageno", "layout", "d"), [
    ("ce", 0, 1, FLATBED),  # gold frame with ornamental corners, pale grid rules
    ("ce", 0, 1, PHONE),  # the same photographed: warm light, a dark desk around it
    ("ce", 0, 2, FLATBED),  # grey-blue frame, a full grid of pale grey rules
    ("contract", PARTICIPANTS, 2, FLATBED),  # light grey zebra bands, a blue-grey header
    ("paper", 0, 1, FLATBED),  # a journal cover: colour band and discs
], ids=["ce-gold-flatbed", "ce-gold-phone", "ce-grid", "zebra-table", "journal-cover"])
def test_clean_page_gives_nothing(what: str, pageno: int, layout: int,
                                  d: scan.Degradation) -> None:
    """This test ensures that print alone (rules, bands, gold ornaments, navy) is no mark."""
    page = scanned(what, pageno, d, layout=layout)
    th = page.text_height if page.names else 40.0
    assert find_marks(page.image, th) == ([], [])


def test_tiny_or_grey_page_gives_nothing() -> None:
    """This test ensures that a page smaller than a line of text, or without colour, is empty."""
    assert find_marks(Image.new("RGB", (5, 3), "white"), 40.0) == ([], [])
    assert find_marks(Image.new("L", (300, 200), 128), 20.0) == ([], [])


def test_text_height_must_be_positive() -> None:
    """This test ensures that a zero text height is refused rather than divided by."""
    with pytest.raises(ValueError, match="text_height"):
        find_marks(Image.new("RGB", (100, 100), "white"), 0.0)
