"""The applicant's name found on a page and tied to the mark on it: PAP003, CON003.

Pages are built as the reader returns them (words with boxes, marks with boxes), so each
rule is tested on its own; finding the marks on real pages has its own tests
(test_marks_pdf.py, test_marks_image.py).
"""

from __future__ import annotations

import dataclasses
import functools

import pytest

from checks.claims import check_claims
from checks.marks import mark_on, name_boxes, name_mark
from model.fields import DocumentFields, Family, FieldValue
from model.marks import Mark, MarkKind, MarkSource
from model.report import DocumentRead, NameMark, PageKind, PageRead, TextSource, Word
from tests._apps import APPLICANT, make_app

NAME = "王伟"


def page(rows: list[list[tuple[str, float, float]]], marks: tuple[Mark, ...] = (),
         rotation: int = 0, pageno: int = 4) -> PageRead:
    """A page of words (text, x0, x1) on 20-pt lines 40 pt apart, with marks."""
    words = tuple(Word(text=t, bbox=(x0, 100.0 + 40 * i, x1, 120.0 + 40 * i), conf=1.0, line=i)
                  for i, row in enumerate(rows) for t, x0, x1 in row)
    return PageRead(page=pageno, text="\n".join("".join(t for t, _, _ in r) for r in rows),
                    text_source=TextSource.TEXT, confidence=1.0, kind=PageKind.ARTICLE,
                    words=words, marks=marks, rotation=rotation)


def mark(kind: MarkKind, box: tuple[float, float, float, float], colour: str = "yellow") -> Mark:
    """A mark found on a page."""
    return Mark(kind=kind, colour=colour, bbox=box, source=MarkSource.DRAWING)


BYLINE = [[("孙海燕", 100, 160), ("王伟", 180, 220), ("李娜", 240, 280)]]


def test_a_name_is_found_in_its_own_word_split_or_run_together() -> None:
    """This test ensures that 王伟 is found alone, split by OCR (王 伟) and run into a row."""
    assert name_boxes(page(BYLINE), NAME) == [(180, 100, 220, 120)]
    split = page([[("王", 100, 120), ("伟", 124, 144), ("李娜", 170, 210)]])
    assert name_boxes(split, NAME) == [(100, 100, 144, 120)]
    row = page([[("2", 60, 70), ("王伟项目经理", 100, 220)]])  # a table row OCR ran together
    assert name_boxes(row, NAME) == [(100, 100, 140, 120)]


def test_another_person_whose_name_contains_it_is_not_the_applicant() -> None:
    """This test ensures that 王伟东 and 王伟强 are not taken for 王伟, nor 王莉 for 王丽."""
    assert name_boxes(page([[("责任编辑：王伟东", 100, 260)]]), NAME) == []
    assert name_boxes(page([[("王伟强", 100, 160), ("技术员", 200, 260)]]), NAME) == []
    assert name_boxes(page([[("王莉", 100, 140)]]), "王丽") == []


@pytest.mark.parametrize(
    ("kind", "box", "marked"),
    [
        (MarkKind.HIGHLIGHT, (176, 97, 224, 123), True),  # over the name
        (MarkKind.HIGHLIGHT, (96, 97, 286, 123), True),  # over the name and its neighbours
        (MarkKind.HIGHLIGHT, (236, 97, 284, 123), False),  # over the neighbour only
        (MarkKind.HIGHLIGHT, (150, 97, 190, 123), False),  # the neighbour and a sliver of it
        (MarkKind.UNDERLINE, (180, 121, 220, 123), True),  # under the name
        (MarkKind.UNDERLINE, (240, 121, 280, 123), False),  # under the neighbour
        (MarkKind.UNDERLINE, (180, 140, 220, 142), False),  # a line under the next line
        (MarkKind.BOX, (175, 95, 225, 125), True),  # a pen box around it
        (MarkKind.CIRCLE, (95, 90, 285, 130), True),  # an ellipse around the byline
        (MarkKind.BOX, (50, 50, 550, 800), False),  # a frame around the whole page
        (MarkKind.BOX, (235, 95, 285, 125), False),  # a box around the neighbour
    ],
)
def test_only_a_mark_on_the_name_marks_it(kind: MarkKind, box, marked: bool) -> None:
    """This test ensures each kind of mark counts on the name, not on its neighbour."""
    p = page(BYLINE, (mark(kind, box),))
    (name,) = name_boxes(p, NAME)
    assert (mark_on(name, p.marks) is not None) == marked


def test_a_highlight_in_two_pieces_over_a_name_split_by_ocr() -> None:
    """This test ensures that an annotation's two quads over 王 and 伟 mark the name."""
    split = page([[("王", 100, 120), ("伟", 124, 144)]])
    quads = Mark(kind=MarkKind.HIGHLIGHT, colour="yellow", bbox=(98, 98, 146, 122),
                 source=MarkSource.ANNOTATION, parts=((98, 98, 121, 122), (123, 98, 146, 122)))
    (name,) = name_boxes(split, NAME)
    assert mark_on(name, (quads,)) is quads


def test_an_underline_on_a_page_scanned_upside_down() -> None:
    """This test ensures that "under" means under on the upright page of a turned scan."""
    # the page read turned 180°: boxes in the page's own frame (600 × 800), upside down
    def turned(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        return (600 - box[2], 800 - box[3], 600 - box[0], 800 - box[1])

    words = tuple(Word(text=t, bbox=turned((x0, 100.0, x1, 120.0)), conf=0.9, line=0)
                  for t, x0, x1 in BYLINE[0])
    under = mark(MarkKind.UNDERLINE, turned((180, 121, 220, 123)), "red")
    above = mark(MarkKind.UNDERLINE, turned((180, 97, 220, 99)), "red")
    p = PageRead(page=1, text="", text_source=TextSource.OCR, confidence=0.9,
                 words=words, rotation=180)
    (name,) = name_boxes(p, NAME)
    assert name == pytest.approx(turned((180, 100, 220, 120)))
    assert mark_on(name, (under,), 180) is under
    assert mark_on(name, (above,), 180) is None


# ---------------------------------------------------------------------------------------
# the claim rules

PAPER = {"id": "P1", "type": "paper", "title": "浅析楼宇对讲工程的施工质量控制",
         "journal": "安防科技与应用", "issn": "2096-1138", "cn": "33-1417/TN", "year": 2019,
         "issue": "07", "representative": True}
PROJECT = {"id": "J1", "type": "project", "title": "杭州市第一中学周界报警及出入口控制系统工程",
           "amount": 1120000, "signed_on": "2018-02-11", "role": "技术负责人"}
app = functools.partial(make_app, name=NAME, achievements=[PAPER, PROJECT], education=[])


def fields(family: Family, file: str, parts: dict[str, int], **values: object) -> DocumentFields:
    """A document as a parser returns it."""
    fv = {k: FieldValue(value=tuple(v) if isinstance(v, list) else v,  # type: ignore[arg-type]
                        raw=str(v), page=1, bbox=(10.0, 20.0, 30.0, 40.0))
          for k, v in values.items()}
    return DocumentFields(family=family, kind=str(family), file=file, pages=(1, 2, 3, 4),
                          fields=fv, parts=parts)


def journal(authors: list[str]) -> DocumentFields:
    """The paper set proving PAPER, in volume-2.pdf pages 1–4 (article on 4)."""
    return fields(Family.JOURNAL, "volume-2.pdf", {"cover": 1, "copyright": 2, "toc": 3,
                                                   "article": 4},
                  title=PAPER["title"], journal=PAPER["journal"], issn=PAPER["issn"],
                  cn=PAPER["cn"], year=2019, issue="07", authors=authors)


def contract() -> DocumentFields:
    """The contract set proving PROJECT, in contracts/J1.pdf (participants on page 3)."""
    return fields(Family.CONTRACT, "contracts/J1.pdf", {"cover": 1, "amount": 2,
                                                        "participants": 3, "seal": 4},
                  title=PROJECT["title"], signed_on="2018-02-11", amount=1120000.0,
                  amount_capital="人民币壹佰壹拾贰万元整", amount_capital_value=1120000.0,
                  participants=[f"{NAME}|技术负责人|系统设计"], seal_page=True)


def id_card() -> DocumentFields:
    """The applicant's ID card."""
    return fields(Family.ID_CARD, "身份证.jpg", {}, name=NAME,
                  id_number=str(APPLICANT["id_number"]))


def read_files(article: PageRead, participants: PageRead) -> list[DocumentRead]:
    """The two files as read: the article on page 4, the participant list on page 3."""
    return [DocumentRead(file="volume-2.pdf", sha256="0" * 64, media_type="application/pdf",
                         pages=(article,)),
            DocumentRead(file="contracts/J1.pdf", sha256="1" * 64,
                         media_type="application/pdf", pages=(participants,))]


ROW = [[("1", 60, 70), (NAME, 100, 140), ("技术负责人", 200, 300)]]
ON_NAME = (mark(MarkKind.HIGHLIGHT, (176, 97, 224, 123)),)
ON_ROW = (mark(MarkKind.BOX, (95, 95, 145, 125), "red"),)


def outcome(article_marks=(), row_marks=(), authors=None):
    """check_claims on the two proofs, their pages read with these marks."""
    docs = [journal(authors or ["孙海燕", NAME, "李娜"]), contract(), id_card()]
    read = read_files(page(BYLINE, article_marks, pageno=4), page(ROW, row_marks, pageno=3))
    return check_claims(app(), read, docs)


def test_marked_names_raise_nothing_and_say_how_they_are_marked() -> None:
    """This test ensures that marked names pass and claims[] says which mark was seen."""
    out = outcome(ON_NAME, ON_ROW)
    assert [f.code for f in out.findings] == []
    nm = {c.id: c.name_mark for c in out.claims}
    assert nm["P1"] is not None and (nm["P1"].kind, nm["P1"].colour) == ("highlight", "yellow")
    assert nm["J1"] is not None and (nm["J1"].kind, nm["J1"].colour) == ("box", "red")
    assert [e.what for e in nm["P1"].evidence] == ["name", "mark"]
    assert nm["P1"].evidence[0].page == 4 and nm["P1"].evidence[0].bbox == (180, 100, 220, 120)


def test_unmarked_names_are_pap003_and_con003_with_the_name_s_box() -> None:
    """This test ensures that an unmarked name is PAP003/CON003 pointing at the name."""
    out = outcome((mark(MarkKind.HIGHLIGHT, (236, 97, 284, 123)),), ())
    found = {f.code: f for f in out.findings}
    assert sorted(found) == ["CON003", "PAP003"]
    pap = found["PAP003"]
    assert pap.claim == "P1" and pap.evidence[0].what == "name"
    assert (pap.evidence[0].file, pap.evidence[0].page) == ("volume-2.pdf", 4)
    assert pap.evidence[0].bbox == (180, 100, 220, 120)
    assert [e.what for e in pap.evidence] == ["name", "mark"]  # the neighbour's highlight
    assert {c.id: c.status for c in out.claims} == {"P1": "verified", "J1": "verified"}


def test_no_pap003_when_pap007_says_the_name_is_not_there() -> None:
    """This test ensures that a paper without the applicant is PAP007 alone."""
    docs = [journal(["孙海燕", "李娜"]), contract(), id_card()]
    read = read_files(page([[("孙海燕", 100, 160), ("李娜", 240, 280)]], pageno=4),
                      page(ROW, ON_ROW, pageno=3))
    codes = sorted(f.code for f in check_claims(app(), read, docs).findings)
    assert codes == ["PAP007"]


def test_a_marked_name_ocr_misread_is_still_her_marked_name() -> None:
    """This test ensures that OCR's 荆勇 under a pen box is 张勇 marked; unmarked it is not."""
    row = [[("1", 60, 70), ("荆勇", 100, 140), ("技术负责人", 200, 300)]]
    boxed = (mark(MarkKind.BOX, (95, 95, 145, 125), "red"),)
    docs = [contract()]

    def found(marks: tuple[Mark, ...], source: TextSource) -> NameMark | None:
        p = dataclasses.replace(page(row, marks, pageno=3), text_source=source)
        read = [DocumentRead(file="contracts/J1.pdf", sha256="1" * 64, media_type=None,
                             pages=(p,))]
        return name_mark("张勇", docs, read)

    got = found(boxed, TextSource.OCR)
    assert got is not None and got.marked and got.kind == "box"
    unmarked = found((), TextSource.OCR)
    assert unmarked is not None and not unmarked.marked and unmarked.found == 0
    layer = found(boxed, TextSource.TEXT)
    assert layer is not None and not layer.marked and layer.found == 0
