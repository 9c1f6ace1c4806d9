"""The claim checks: matching claims to documents, and every PAP/CON/CER/EDU/ID code they raise.

Documents are built as the field parsers return them (DocumentFields), so that each rule is
tested on its own; the parsers have their own tests on real drawn and scanned pages.
"""

from __future__ import annotations

import dataclasses
import functools
import json

from checks.assemble import build_report
from checks.claims import check_claims
from checks.policy import load_policy
from extractors.declaration import parse_declaration
from model.fields import DocumentFields, Family, FieldValue
from model.report import DocumentRead, PageRead, TextSource
from tests._apps import APPLICANT, make_app

NAME = str(APPLICANT["name"])  # 王丽
ID = str(APPLICANT["id_number"])

PAPER = {"id": "P1", "type": "paper", "title": "浅析楼宇对讲工程的施工质量控制",
         "journal": "安防科技与应用", "issn": "2096-1138", "cn": "33-1417/TN", "year": 2019,
         "issue": "07", "representative": True}
PROJECT = {"id": "J1", "type": "project", "title": "杭州市第一中学周界报警及出入口控制系统工程",
           "amount": 1120000, "signed_on": "2018-02-11", "role": "技术负责人"}
AWARD = {"id": "A1", "type": "award", "title": "浙江省安防行业优秀工程奖", "year": 2020,
         "level": "一等奖"}
EDU = {"level": "本科", "school": "温州大学", "major": "计算机科学与技术",
       "graduation_date": "2010-06-30", "certificate_number": "103511201003300710",
       "degree": "工学学士"}

app = functools.partial(make_app, achievements=[PAPER, PROJECT, AWARD], education=[EDU])


def doc(family: Family, kind: str, file: str, parts: dict[str, int] | None = None,
        **values: object) -> DocumentFields:
    """A document as a parser would return it: every field on page 1 at one box."""
    fields = {k: FieldValue(value=tuple(v) if isinstance(v, list) else v,  # type: ignore[arg-type]
                            raw=str(v), page=1, bbox=(10.0, 20.0, 30.0, 40.0))
              for k, v in values.items()}
    return DocumentFields(family=family, kind=kind, file=file, pages=(1, 2, 3, 4),
                          fields=fields, parts=parts or {})


def journal(**over: object) -> DocumentFields:
    """The journal set proving PAPER."""
    values: dict[str, object] = {
        "title": PAPER["title"], "journal": PAPER["journal"], "issn": PAPER["issn"],
        "cn": PAPER["cn"], "year": 2019, "issue": "07", "authors": [NAME, "高莉燕"]}
    parts = over.pop("parts", {"cover": 1, "copyright": 2, "toc": 3, "article": 4})
    values.update(over)
    return doc(Family.JOURNAL, "journal_cover", "volume-2.pdf", parts, **values)  # type: ignore[arg-type]


def contract(**over: object) -> DocumentFields:
    """The contract set proving PROJECT."""
    values: dict[str, object] = {
        "title": PROJECT["title"], "party_a": "杭州市公安局", "party_b": "杭州网安工程有限公司",
        "signed_on": "2018-02-11", "amount": 1120000.0, "amount_capital": "人民币壹佰壹拾贰万元整",
        "amount_capital_value": 1120000.0, "number": "HT-2018-370",
        "participants": [f"{NAME}|技术负责人|系统设计", "马霞|项目经理|现场管理"],
        "seal_page": True}
    parts = over.pop("parts", {"cover": 1, "amount": 2, "participants": 3, "seal": 4})
    values.update(over)
    return doc(Family.CONTRACT, "contract_cover", "contracts/J1.pdf", parts, **values)  # type: ignore[arg-type]


def award(**over: object) -> DocumentFields:
    """The award certificate proving AWARD."""
    values: dict[str, object] = {"holder": NAME, "title": AWARD["title"], "level": "一等奖",
                                 "year": 2020, "date": "2020-11-05",
                                 "issuer": "浙江省安全技术防范行业协会"}
    values.update(over)
    return doc(Family.CERTIFICATE, "award_certificate", "获奖证书.jpg", **values)  # type: ignore[arg-type]


def diploma(**over: object) -> DocumentFields:
    """The graduation certificate of EDU."""
    values: dict[str, object] = {"holder": NAME, "school": "温州大学", "major": "计算机科学与技术",
                                 "level": "本科", "graduation_date": "2010-06-30",
                                 "certificate_number": "103511201003300710"}
    values.update(over)
    return doc(Family.EDUCATION, "graduation_certificate", "毕业证.pdf", **values)  # type: ignore[arg-type]


def id_card(**over: object) -> DocumentFields:
    """The ID card front."""
    values: dict[str, object] = {"name": NAME, "id_number": ID}
    values.update(over)
    return doc(Family.ID_CARD, "id_card", "身份证.jpg", **values)  # type: ignore[arg-type]


def everything() -> list[DocumentFields]:
    """A full, consistent set of proofs."""
    return [id_card(), diploma(), journal(), contract(), award()]


def codes(app_, docs, read=()) -> list[str]:
    """The codes raised, sorted."""
    return sorted(f.code for f in check_claims(app_, list(read), docs).findings)


def test_consistent_proofs_raise_nothing_and_verify_every_claim() -> None:
    """This test ensures that complete, agreeing proofs raise nothing and verify all claims."""
    out = check_claims(app(), [], everything())
    assert [f.code for f in out.findings] == []
    assert {c.id: c.status for c in out.claims} == {
        "P1": "verified", "J1": "verified", "A1": "verified", "education:0": "verified"}
    paper = next(c for c in out.claims if c.id == "P1")
    assert paper.fields["journal"] == "安防科技与应用"
    assert paper.fields["authors"] == [NAME, "高莉燕"]
    assert {(e.file, e.page) for e in paper.evidence} == {("volume-2.pdf", p) for p in (1, 2, 3, 4)}
    project = next(c for c in out.claims if c.id == "J1")
    assert project.fields["role"] == "技术负责人" and project.fields["amount"] == 1120000.0


def test_claim_finds_its_proof_without_naming_files_and_among_others() -> None:
    """This test ensures that matching is by content, whatever the files are called."""
    other = journal(title="基于视频分析的周界防范系统设计", year=2020, issue="03")
    out = check_claims(app(), [], [other, *everything()])
    paper = next(c for c in out.claims if c.id == "P1")
    assert paper.status == "verified"
    assert paper.fields["title"] == PAPER["title"]


def test_missing_proofs_are_001_with_what_was_looked_for() -> None:
    """This test ensures that a claim with no proof is PAP001/CON001/CER001/EDU001."""
    out = check_claims(app(), [], [id_card()])
    assert sorted(f.code for f in out.findings) == ["CER001", "CON001", "EDU001", "PAP001"]
    assert all(c.status == "unproven" for c in out.claims)
    pap = next(f for f in out.findings if f.code == "PAP001")
    assert "安防科技与应用" in pap.message and PAPER["title"] in pap.message


def test_paper_set_without_toc_is_pap002() -> None:
    """This test ensures that an incomplete paper set is PAP002 naming the missing part."""
    docs = [id_card(), diploma(), contract(), award(),
            journal(parts={"cover": 1, "copyright": 2, "article": 3})]
    out = check_claims(app(), [], docs)
    assert [f.code for f in out.findings] == ["PAP002"]
    assert "目录" in out.findings[0].message


def test_issn_printed_on_the_cover_serves_as_copyright_page() -> None:
    """This test ensures that a cover carrying the 刊号 counts for the copyright page."""
    docs = [id_card(), diploma(), contract(), award(),
            journal(parts={"cover": 1, "toc": 2, "article": 3})]
    assert codes(app(), docs) == []


def test_paper_year_differs_is_pap004_with_evidence() -> None:
    """This test ensures that a year that disagrees with the journal is PAP004 with its box."""
    out = check_claims(app(), [], [id_card(), diploma(), contract(), award(), journal(year=2020)])
    assert [f.code for f in out.findings] == ["PAP004"]
    ev = out.findings[0].evidence[0]
    assert (ev.file, ev.page, ev.bbox) == ("volume-2.pdf", 1, (10.0, 20.0, 30.0, 40.0))


def test_bad_issn_in_the_claim_is_pap005_and_pap004() -> None:
    """This test ensures that a claimed ISSN with a wrong check digit is PAP005."""
    bad = {**PAPER, "issn": "2096-1137"}
    a = make_app(achievements=[bad, PROJECT, AWARD], education=[EDU])
    assert codes(a, everything()) == ["PAP004", "PAP005"]


def test_malformed_cn_in_the_claim_is_pap005() -> None:
    """This test ensures that a CN not of the form NN-NNNN/XX is PAP005."""
    a = make_app(achievements=[{**PAPER, "cn": "33-14171/TN"}, PROJECT, AWARD], education=[EDU])
    assert "PAP005" in codes(a, everything())


def test_paper_before_the_title_is_pap006() -> None:
    """This test ensures that a paper published before the current title is PAP006."""
    docs = [id_card(), diploma(), contract(signed_on="2021-01-01"),
            award(year=2021, date="2021-01-01"), journal()]
    a = make_app(achievements=[PAPER, {**PROJECT, "signed_on": "2021-01-01"},
                               {**AWARD, "year": 2021}], education=[EDU],
                 current_title_date="2020-03-01")
    assert codes(a, docs) == ["PAP006"]


def test_applicant_not_among_authors_is_pap007() -> None:
    """This test ensures that PAP007 is raised when the authors do not include the applicant."""
    docs = [id_card(), diploma(), contract(), award(), journal(authors=["王丽华", "高莉燕"])]
    assert codes(app(), docs) == ["PAP007"]


def test_contract_without_seal_page_is_con002() -> None:
    """This test ensures that a contract set missing its seal page is CON002."""
    docs = [id_card(), diploma(), journal(), award(),
            contract(parts={"cover": 1, "amount": 2, "participants": 3}, seal_page=False)]
    out = check_claims(app(), [], docs)
    assert [f.code for f in out.findings] == ["CON002"] and "盖章页" in out.findings[0].message


def test_claimed_amount_differs_is_con004() -> None:
    """This test ensures that a claimed amount that is not the contract's is CON004."""
    a = make_app(achievements=[PAPER, {**PROJECT, "amount": 1400000}, AWARD], education=[EDU])
    assert codes(a, everything()) == ["CON004"]


def test_capital_amount_disagreeing_with_figures_is_con004() -> None:
    """This test ensures that a 大写 amount read and verified but different is CON004."""
    docs = [id_card(), diploma(), journal(), award(),
            contract(amount_capital="人民币贰佰壹拾贰万元整", amount_capital_value=2120000.0)]
    assert codes(app(), docs) == ["CON004"]


def test_unverified_capital_amount_is_not_a_finding() -> None:
    """This test ensures that a 大写 amount that could not be read verified raises nothing."""
    c = contract(amount_capital_value=20000.0)
    field = c.fields["amount_capital"]
    c.fields["amount_capital"] = FieldValue(value=field.value, raw=field.raw, page=1,
                                            verified=False)
    assert codes(app(), [id_card(), diploma(), journal(), award(), c]) == []


def test_role_and_absence_in_participants_are_con005() -> None:
    """This test ensures that another role, or no row at all, is CON005."""
    other_role = contract(participants=[f"{NAME}|项目经理|系统设计"])
    absent = contract(participants=["王莉|技术负责人|系统设计"])
    base = [id_card(), diploma(), journal(), award()]
    assert codes(app(), [*base, other_role]) == ["CON005"]
    assert codes(app(), [*base, absent]) == ["CON005"]


def test_contract_before_the_title_is_con006() -> None:
    """This test ensures that a contract signed before the current title is CON006."""
    a = make_app(achievements=[PAPER, {**PROJECT, "signed_on": "2016-03-01"}, AWARD],
                 education=[EDU])
    docs = [id_card(), diploma(), journal(), award(), contract(signed_on="2016-03-01")]
    assert codes(a, docs) == ["CON006"]


def test_award_level_differs_is_cer002_and_holder_is_never_fuzzy() -> None:
    """This test ensures that CER002 is raised for another level, and for 王莉 against 王丽."""
    base = [id_card(), diploma(), journal(), contract()]
    assert codes(app(), [*base, award(level="二等奖")]) == ["CER002"]
    assert codes(app(), [*base, award(holder="王莉")]) == ["CER002"]
    assert codes(app(), [*base, award(holder="王 丽")]) == []


def test_award_before_the_title_is_cer003() -> None:
    """This test ensures that an award obtained before the current title is CER003."""
    a = make_app(achievements=[PAPER, PROJECT, {**AWARD, "year": 2016}], education=[EDU])
    docs = [id_card(), diploma(), journal(), contract(), award(year=2016, date="2016-05-01")]
    assert codes(a, docs) == ["CER003"]


def test_major_differs_is_edu002() -> None:
    """This test ensures that a certificate's other major is EDU002."""
    docs = [id_card(), journal(), contract(), award(), diploma(major="自动化")]
    out = check_claims(app(), [], docs)
    assert [f.code for f in out.findings] == ["EDU002"] and "自动化" in out.findings[0].message


def test_degree_before_2001_needs_the_registration_form() -> None:
    """This test ensures that EDU003 is raised for a pre-2001 degree without its form."""
    old = {**EDU, "graduation_date": "1998-06-30"}
    a = make_app(achievements=[PAPER, PROJECT, AWARD], education=[old])
    docs = [id_card(), journal(), contract(), award(), diploma(graduation_date="1998-06-30")]
    assert codes(a, docs) == ["EDU003"]
    form = doc(Family.EDUCATION, "education_registration", "备案表.pdf", holder=NAME,
               school="温州大学", graduation_date="1998-06-30", level="本科")
    assert codes(a, [*docs, form]) == []


def test_foreign_degree_needs_the_certification() -> None:
    """This test ensures that EDU004 is raised for a foreign degree without certification."""
    foreign = {"level": "硕士研究生", "school": "University of Sydney",
               "graduation_date": "2015-12-15", "foreign": True}
    a = make_app(achievements=[PAPER, PROJECT, AWARD], education=[EDU, foreign])
    assert codes(a, everything()) == ["EDU001", "EDU004"]
    cert = doc(Family.EDUCATION, "overseas_certification", "认证书.pdf", holder=NAME,
               school="University of Sydney", graduation_date="2015-12-15", level="硕士研究生")
    assert codes(a, [*everything(), cert]) == []


def test_no_id_card_is_id003_and_another_name_or_number_id004() -> None:
    """This test ensures that ID003 and ID004 come from the ID card among the evidence."""
    rest = [diploma(), journal(), contract(), award()]
    assert codes(app(), rest) == ["ID003"]
    assert codes(app(), [*rest, id_card(name="王莉")]) == ["ID004"]
    assert codes(app(), [*rest, id_card(id_number="110105194912310038")]) == ["ID004"]


def test_out_of_province_social_security_needs_its_proof() -> None:
    """This test ensures that APP006 is raised only when no page mentions the proof."""
    a = app(out_of_province_social_security=True)
    page = PageRead(page=1, text="江苏省社会保险个人参保证明", text_source=TextSource.TEXT,
                    confidence=1.0)
    proof = DocumentRead(file="社保.pdf", sha256="0" * 64, media_type="pdf", pages=(page,))
    assert codes(a, everything()) == ["APP006"]
    assert codes(a, everything(), [proof]) == []


def test_self_score_with_a_third_unproven_is_scr003() -> None:
    """This test ensures that SCR003 warns when a third of the achievements lack proof."""
    a = app(route="自评分申报")
    out = codes(a, [id_card(), diploma(), journal(), contract()])
    assert "SCR003" in out and "CER001" in out
    assert "SCR003" not in codes(a, everything())


def test_a_field_read_unverified_is_listed_on_its_claim() -> None:
    """This test ensures that claims[] names the fields that could not be confirmed."""
    c = contract()
    field = c.fields["amount_capital"]
    c.fields["amount_capital"] = FieldValue(value=field.value, raw=field.raw, page=1,
                                            verified=False)
    out = check_claims(app(), [], [id_card(), diploma(), journal(), award(), c])
    project = next(r for r in out.claims if r.id == "J1")
    assert project.unverified == ("amount_capital",)
    assert project.to_json()["unverified"] == ["amount_capital"]
    paper = next(r for r in out.claims if r.id == "P1")
    assert "unverified" not in paper.to_json()


def test_number_with_digits_lost_by_ocr_is_not_edu002() -> None:
    """This test ensures that a doubtful number of another length does not raise EDU002."""
    docs = [id_card(), journal(), contract(), award()]
    lost = diploma(certificate_number="10351120100330")
    field = lost.fields["certificate_number"]
    lost.fields["certificate_number"] = FieldValue(value=field.value, raw=field.raw, page=1,
                                                   confidence=0.7)
    assert codes(app(), [*docs, lost]) == []
    assert codes(app(), [*docs, diploma(certificate_number="10351120100330")]) == ["EDU002"]
    assert codes(app(), [*docs, diploma(certificate_number="103511201003300799")]) == ["EDU002"]


def test_a_number_the_two_engines_disagree_on_is_not_edu002() -> None:
    """This test ensures that a number of the declared length read unsure raises nothing."""
    docs = [id_card(), journal(), contract(), award()]
    disputed = diploma(certificate_number="103511201003300718")
    disputed.fields["certificate_number"] = dataclasses.replace(
        disputed.fields["certificate_number"], confidence=0.77)
    assert codes(app(), [*docs, disputed]) == []
    sure = diploma(certificate_number="103511201003300718")
    sure.fields["certificate_number"] = dataclasses.replace(
        sure.fields["certificate_number"], confidence=0.97)
    assert codes(app(), [*docs, sure]) == ["EDU002"]


def test_two_authors_run_together_by_ocr_still_count() -> None:
    """This test ensures that 郭婷王丽 (two names, one word) holds the applicant, 王丽华 not."""
    rest = [id_card(), diploma(), contract(), award()]
    assert codes(app(), [*rest, journal(authors=["郭婷" + NAME, "叶佳"])]) == []
    assert codes(app(), [*rest, journal(authors=[NAME + "华", "叶佳"])]) == ["PAP007"]
    out = check_claims(app(), [], [*rest, journal(authors=["郭婷" + NAME + "周超华"])])
    paper = next(c for c in out.claims if c.id == "P1")
    assert paper.fields["authors"] == ["郭婷", NAME, "周超华"]  # reported cut apart


def test_without_an_article_the_toc_entry_gives_title_and_authors() -> None:
    """This test ensures that a set without its article reports the claim's entry in the 目录."""
    rest = [id_card(), diploma(), contract(), award()]
    set_ = doc(Family.JOURNAL, "journal_cover", "volume-2.pdf",
               {"cover": 1, "copyright": 2, "toc": 3}, journal=PAPER["journal"],
               issn=PAPER["issn"], cn=PAPER["cn"], year=2019, issue="07",
               toc=["城市级视频图像信息共享平台建设探讨", PAPER["title"]],
               toc_authors=["钱文杰，周涛", f"高莉燕{NAME}"])
    out = check_claims(app(), [], [*rest, set_])
    assert [f.code for f in out.findings] == ["PAP002"]
    paper = next(c for c in out.claims if c.id == "P1")
    assert paper.status == "unproven"
    assert paper.fields["title"] == PAPER["title"]
    assert paper.fields["authors"] == ["高莉燕", NAME]


def test_an_invalid_declaration_still_has_its_claims_checked() -> None:
    """This test ensures that APP001 for a missing ID number leaves the claims checked."""
    data = app().model_dump(mode="json")
    del data["applicant"]["id_number"]
    decl = parse_declaration(json.dumps(data, ensure_ascii=False), "application.json")
    report = build_report("a001", decl, None, [], load_policy(None), everything())
    assert [f.code for f in report.findings] == ["APP001"]  # and no ID004 without a number
    assert {c.id: c.status for c in report.claims} == {
        "P1": "verified", "J1": "verified", "A1": "verified", "education:0": "verified"}
    assert report.name == NAME


PATENT = {"id": "T1", "type": "patent", "title": "一种物联网停车场管理装置", "year": 2020}


def patent(confidence: float, inventors: list[str]) -> DocumentFields:
    """The patent certificate of PATENT, its fields read at ``confidence``."""
    d = doc(Family.CERTIFICATE, "patent_certificate", "专利.jpg", title=PATENT["title"],
            inventors=inventors, patent_number="ZL 2019 2 12345678.9", year=2020,
            granted="2020-03-02")
    return dataclasses.replace(d, fields={k: dataclasses.replace(v, confidence=confidence)
                                          for k, v in d.fields.items()})


def test_a_name_ocr_misread_by_one_character_is_no_absence() -> None:
    """This test ensures that OCR's 王莉 for 王丽 is no absence; a text layer's 王莉 is."""
    with_patent = functools.partial(make_app, achievements=[PAPER, PROJECT, AWARD, PATENT],
                                    education=[EDU])
    rest = [id_card(), diploma(), journal(), award()]
    ocr_row = contract(participants=["王莉|技术负责人|系统设计", "马霞|项目经理|现场管理"])
    ocr_row = dataclasses.replace(ocr_row, fields={
        **ocr_row.fields, "participants": dataclasses.replace(ocr_row.fields["participants"],
                                                              confidence=0.9)})
    assert codes(with_patent(), [*rest, ocr_row, patent(0.9, ["高明", NAME[:1] + "莉"])]) == []
    layer_row = contract(participants=["王莉|技术负责人|系统设计", "马霞|项目经理|现场管理"])
    assert codes(with_patent(), [*rest, layer_row, patent(1.0, ["高明", "王莉"])]) == [
        "CER002", "CON005"]
    assert codes(with_patent(), [*rest, contract(), patent(0.9, ["高明", "李娜"])]) == [
        "CER002"]


def test_a_role_ocr_cut_short_is_no_other_role() -> None:
    """This test ensures that OCR's 技术负责 for 技术负责人 raises nothing; a text layer's does."""
    rest = [id_card(), diploma(), journal(), award()]
    rows = [f"{NAME}|技术负责|系统设计", "马霞|项目经理|现场管理"]
    ocr = contract(participants=rows)
    ocr = dataclasses.replace(ocr, fields={**ocr.fields, "participants": dataclasses.replace(
        ocr.fields["participants"], confidence=0.9)})
    assert codes(app(), [*rest, ocr]) == []
    assert codes(app(), [*rest, contract(participants=rows)]) == ["CON005"]
    other = contract(participants=[f"{NAME}|项目经理|系统设计"])
    other = dataclasses.replace(other, fields={**other.fields, "participants":
                                               dataclasses.replace(other.fields["participants"],
                                                                   confidence=0.9)})
    assert codes(app(), [*rest, other]) == ["CON005"]
