"""A volume of several documents in one file: split by the reader, matched claim by claim."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from checks.claims import check_claims
from checks.policy import Policy
from extractors.fields import parse_document
from extractors.reading import read_document
from fixtures.dossier import draw_certs
from fixtures.dossier.docs import AwardDoc
from fixtures.dossier.draw_sets import draw_contract_set, draw_paper_set
from tests._apps import make_app
from tests._dossier import draw_pdf
from tests.test_fields_sets import APPLICANT, CONTRACT, PAPER, TITLE, style

AWARD = AwardDoc(holder=APPLICANT, title="浙江省安防行业优秀工程奖", level="一等奖",
                 project="智慧社区周界防范系统集成项目", date=dt.date(2020, 11, 8),
                 issuer="浙江省安全技术防范行业协会", number="2020-017")


def _volume(tmp: Path) -> tuple[Path, list[int]]:
    """One PDF: a paper set, an award certificate and a contract set, with no file hints."""
    writer = PdfWriter()
    sizes = []
    for draw, doc in ((draw_paper_set, PAPER), (draw_certs.draw_award, AWARD),
                      (draw_contract_set, CONTRACT)):
        pdf, _ = draw_pdf(draw, doc, style(0))
        part = tmp / f"part{len(sizes)}.pdf"
        part.write_bytes(pdf)
        reader = PdfReader(part)
        sizes.append(len(reader.pages))
        for page in reader.pages:
            writer.add_page(page)
    path = tmp / "第二册.pdf"
    with path.open("wb") as f:
        writer.write(f)
    return path, sizes


def test_three_documents_in_one_volume_are_split_and_matched(tmp_path: Path,
                                                             policy: Policy) -> None:
    """This test ensures that each claim finds its own pages inside one bound volume."""
    path, sizes = _volume(tmp_path)
    doc = read_document(path, "第二册.pdf", policy.reading)
    parts = [p.part for p in doc.pages]
    assert parts == [0] * sizes[0] + [1] * sizes[1] + [2] * sizes[2]
    fields = parse_document(doc)
    app = make_app(
        name=APPLICANT, current_title_date="2015-06-30",
        achievements=[
            {"id": "P1", "type": "paper", "title": TITLE, "journal": PAPER.journal,
             "issn": PAPER.issn, "cn": PAPER.cn, "year": PAPER.year, "issue": PAPER.issue},
            {"id": "J1", "type": "project", "title": CONTRACT.name,
             "amount": CONTRACT.amount_fen / 100, "signed_on": CONTRACT.signed.isoformat(),
             "role": "项目经理"},
            {"id": "A1", "type": "award", "title": AWARD.title, "level": AWARD.level,
             "year": AWARD.date.year},
        ])
    out = check_claims(app, [doc], fields)
    claims = {c.id: c for c in out.claims}
    assert {k: c.status for k, c in claims.items()} == {
        "P1": "verified", "J1": "verified", "A1": "verified"}
    first = 1
    expected = {}
    for cid, n in zip(("P1", "A1", "J1"), sizes, strict=True):
        expected[cid] = list(range(first, first + n))
        first += n
    for cid, pages in expected.items():
        assert [e.page for e in claims[cid].evidence] == pages, cid
        assert {e.file for e in claims[cid].evidence} == {"第二册.pdf"}
    codes = {f.code for f in out.findings}
    assert not codes & {"PAP001", "PAP002", "PAP004", "CON001", "CON002", "CON004", "CON005",
                        "CER001", "CER002"}, codes


def test_a_wrong_claim_in_the_volume_is_still_matched_and_flagged(tmp_path: Path,
                                                                 policy: Policy) -> None:
    """This test ensures that a claim with a wrong year still finds its set, as PAP004."""
    path, _ = _volume(tmp_path)
    doc = read_document(path, "第二册.pdf", policy.reading)
    app = make_app(name=APPLICANT, current_title_date="2015-06-30", achievements=[
        {"id": "P1", "type": "paper", "title": TITLE, "journal": PAPER.journal,
         "issn": PAPER.issn, "cn": PAPER.cn, "year": PAPER.year - 1, "issue": PAPER.issue}])
    out = check_claims(app, [doc], parse_document(doc))
    assert [c.status for c in out.claims] == ["mismatch"]
    assert [f.code for f in out.findings if f.claim == "P1"] == ["PAP004"]
    assert dataclasses.asdict(out.findings[0].evidence[0])["file"] == "第二册.pdf"
