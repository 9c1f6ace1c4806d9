"""Education entries against their certificates: EDU001–EDU004 (pure)."""

from __future__ import annotations

from checks.evidence import SAME_NAME_OF_THING, Match, norm, similarity
from checks.proof import ClaimCheck, at, field_values
from model.application import Education
from model.fields import DocumentFields
from model.names import same_name
from model.report import Finding
from model.rules import finding

FIELDS = ("holder", "school", "major", "level", "graduation_date", "certificate_number",
          "degree")
REGISTRATION_FROM = 2001  # earlier degrees need the registration form or a verification report
DIPLOMA_KINDS = ("graduation_certificate", "overseas_certification")


def check_education(index: int, entry: Education, match: Match | None,
                    name: str) -> ClaimCheck:
    """The findings and the claim result of education entry ``index``."""
    cid = f"education:{index}"
    what = f"学历（{entry.school}，{entry.level}）"
    findings: list[Finding] = []
    docs = match.docs if match is not None else ()
    kinds = {d.kind for d in docs}
    if entry.foreign and "overseas_certification" not in kinds:
        findings.append(finding("EDU004", f"{what}为国（境）外学历，未找到教育部留学服务中心的"
                                "学历学位认证书", claim=cid))
    if not kinds & {"graduation_certificate", "degree_certificate", "overseas_certification"}:
        findings.append(finding("EDU001", f"{what}未找到毕业证书或学位证书（已查找所有上传"
                                "文件）", claim=cid))
        return ClaimCheck.of(cid, findings, match if docs else None, {})
    assert match is not None  # noqa: S101 (docs is not empty)
    if entry.graduation_date.year < REGISTRATION_FROM and not entry.foreign \
            and "education_registration" not in kinds:
        findings.append(finding("EDU003", f"{what}毕业于 {entry.graduation_date.year} 年（2001 "
                                "年以前），未找到学历证书电子注册备案表或学历认证报告",
                                claim=cid, evidence=match.evidence()))
    ordered = sorted(docs, key=lambda d: (d.kind not in DIPLOMA_KINDS,))
    fields = field_values(ordered, FIELDS)
    findings.extend(_differences(cid, what, entry, ordered, fields, name))
    return ClaimCheck.of(cid, findings, match, fields)


def _differences(cid: str, what: str, entry: Education, docs: list[DocumentFields],
                 fields: dict[str, object], name: str) -> list[Finding]:
    problems: list[tuple[str, str]] = []
    holder = fields.get("holder")
    if isinstance(holder, str) and not same_name(holder, name):
        problems.append(("holder", f"持证人为{holder}，不是申报人"))
    school = fields.get("school")
    if isinstance(school, str) and similarity(school, entry.school) < SAME_NAME_OF_THING:
        problems.append(("school", f"学校为{school}，申报为{entry.school}"))
    major = fields.get("major")
    if entry.major and isinstance(major, str) and \
            similarity(major, entry.major) < SAME_NAME_OF_THING:
        problems.append(("major", f"专业为{major}，申报为{entry.major}"))
    level = fields.get("level")
    if isinstance(level, str) and norm(level) != norm(entry.level):
        problems.append(("level", f"层次为{level}，申报为{entry.level}"))
    date = fields.get("graduation_date")
    if isinstance(date, str) and date != entry.graduation_date.isoformat():
        problems.append(("graduation_date", f"毕业日期为 {date}，申报为 "
                         f"{entry.graduation_date.isoformat()}"))
    number = fields.get("certificate_number")
    if entry.certificate_number and isinstance(number, str) and \
            norm(number) != norm(entry.certificate_number) and \
            _number_trusted(docs, norm(number), norm(entry.certificate_number)):
        problems.append(("certificate_number", f"证书编号为 {number}，申报为 "
                         f"{entry.certificate_number}"))
    return [finding("EDU002", f"{what}证书与申报不符：{text}", claim=cid,
                    evidence=at(docs, field)) for field, text in problems]


TRUSTED_NUMBER = 0.95  # a number of another length than declared counts from this confidence
# … one of the declared length from this one (a second OCR engine that disagrees with the
# first on a digit leaves the number at the first's confidence, 0.77 on a seed-8128 diploma)
TRUSTED_SAME_LENGTH = 0.8


def _number_trusted(docs: list[DocumentFields], read: str, declared: str) -> bool:
    """Whether a certificate number that differs from the declared one is a real difference.

    A number of the declared length that differs is, unless it was read unsure (the two OCR
    engines disagreed on a digit). One of another length is most often OCR that lost or
    doubled digits (10338200993092 for 103381200906203366), so it counts only when it was
    read with high confidence (a text layer, or a clean scan).
    """
    field = next((d.fields["certificate_number"] for d in docs
                  if "certificate_number" in d.fields), None)
    if field is None:
        return False
    if len(read) == len(declared):
        return field.confidence >= TRUSTED_SAME_LENGTH
    return field.confidence >= TRUSTED_NUMBER

