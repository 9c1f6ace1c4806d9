"""Award, patent, qualification, standard and software-copyright claims: CER001–CER003 (pure)."""

from __future__ import annotations

import datetime as dt

from checks.evidence import SAME_TITLE, Match, norm, similarity
from checks.proof import ClaimCheck, at, field_values, read_by_ocr
from model.application import Achievement, AchievementType
from model.names import one_misread_away, same_name
from model.report import Finding
from model.rules import finding

FIELDS: dict[AchievementType, tuple[str, ...]] = {
    AchievementType.PATENT: ("title", "inventors", "patent_number", "year", "granted",
                             "number"),
}
DEFAULT_FIELDS = ("holder", "title", "level", "year", "date", "issuer", "number")
WHAT = {AchievementType.AWARD: "获奖", AchievementType.PATENT: "专利",
        AchievementType.QUALIFICATION: "资格证书", AchievementType.STANDARD: "标准",
        AchievementType.SOFTWARE_COPYRIGHT: "软件著作权"}


def check_certificate(claim: Achievement, match: Match | None, name: str,
                      title_date: dt.date | None) -> ClaimCheck:
    """The findings and the claim result of one certificate-backed claim."""
    what = WHAT.get(claim.type, "成果")
    names = FIELDS.get(claim.type, DEFAULT_FIELDS)
    if match is None:
        looked = f"（已查找：{'、'.join(claim.files)}）" if claim.files else ""
        return ClaimCheck.of(claim.id, [finding(
            "CER001", f"{what}《{claim.title}》未找到证书或证明材料{looked}，不予评分",
            claim=claim.id)], None, {})
    docs = match.docs
    fields = field_values(docs, names)
    if claim.type == AchievementType.AWARD and "level" not in fields:
        fields["level"] = None  # an honour has no level
    findings: list[Finding] = []
    holder = fields.get("holder")
    if isinstance(holder, str) and not same_name(holder, name):
        findings.append(finding("CER002", f"{what}《{claim.title}》证书的持有人为{holder}，"
                                "不是申报人", claim=claim.id, evidence=at(docs, "holder")))
    inventors = fields.get("inventors")
    if isinstance(inventors, tuple) and inventors and \
            not any(same_name(i, name) for i in inventors) and \
            not (read_by_ocr(docs, "inventors") and
                 any(one_misread_away(i, name) for i in inventors)):
        findings.append(finding("CER002", f"{what}《{claim.title}》的发明人中没有申报人",
                                claim=claim.id, evidence=at(docs, "inventors")))
    title = fields.get("title")
    if isinstance(title, str) and similarity(title, claim.title) < SAME_TITLE:
        findings.append(finding("CER002", f"{what}证书的名称《{title}》与申报的"
                                f"《{claim.title}》不符", claim=claim.id,
                                evidence=at(docs, "title")))
    level = fields.get("level")
    if claim.level and isinstance(level, str) and norm(level) != norm(claim.level):
        findings.append(finding("CER002", f"{what}《{claim.title}》证书的等级为{level}，申报为"
                                f"{claim.level}", claim=claim.id, evidence=at(docs, "level")))
    year = fields.get("year")
    if claim.year and isinstance(year, int) and year != claim.year:
        findings.append(finding("CER002", f"{what}《{claim.title}》证书的年份为 {year}，申报为 "
                                f"{claim.year}", claim=claim.id, evidence=at(docs, "year")))
    when = _date(fields.get("date") or fields.get("granted"))
    if title_date and when and when < title_date:
        findings.append(finding("CER003", f"{what}《{claim.title}》取得于 {when}，早于取得现"
                                f"职称（{title_date}）", claim=claim.id,
                                evidence=at(docs, "date" if "date" in fields else "granted")))
    return ClaimCheck.of(claim.id, findings, match, fields)


def _date(value: object) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None

