"""Project claims against their contract sets: CON001, CON002, CON004–CON006 (pure).

The participant table is read as ``participants``: one ``name|role|duty`` string per row
(the contract parser's form).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from checks.evidence import Match, norm
from checks.proof import ClaimCheck, at, field_values, read_by_ocr
from model.application import Achievement
from model.fields import DocumentFields, FieldData
from model.names import one_misread_away, same_name
from model.report import Finding
from model.rules import finding

PARTS = {"cover": "封面", "amount": "金额页", "participants": "主要参与人员名单",
         "seal": "盖章页"}
FIELDS = ("title", "party_a", "party_b", "signed_on", "amount", "amount_capital", "number")
AMOUNT_TOLERANCE = 0.5  # yuan


def participant_role(participants: FieldData, name: str,
                     same: Callable[[str, str], bool] = same_name) -> tuple[bool, str | None]:
    """Whether ``name`` is in the table, and the role its row gives (None when blank).

    ``same`` compares a row's name with ``name`` (:func:`model.names.same_name`, or
    :func:`model.names.one_misread_away` for a table OCR may have misread).
    """
    rows = participants if isinstance(participants, tuple) else ()
    for row in rows:
        cells = row.split("|")
        if cells and same(cells[0], name):
            role = cells[1].strip() if len(cells) > 1 and cells[1].strip() else None
            return True, role
    return False, None


def check_project(claim: Achievement, match: Match | None, name: str,
                  title_date: dt.date | None) -> ClaimCheck:
    """The findings and the claim result of one project claim."""
    findings: list[Finding] = []
    if match is None:
        looked = f"（已查找：{'、'.join(claim.files)}）" if claim.files else ""
        findings.append(finding(
            "CON001", f"项目《{claim.title}》未找到证明材料：所有上传文件中没有名称相符的合同"
            f"或立项文件（封面、金额页、人员名单、盖章页）{looked}，不予评分", claim=claim.id))
        return ClaimCheck.of(claim.id, findings, None, {})
    docs = match.docs
    fields = field_values(docs, FIELDS)
    found = {part for d in docs for part in d.parts}
    if any(d.value("seal_page") is True for d in docs):
        found.add("seal")
    missing = [label for part, label in PARTS.items() if part not in found]
    if missing:
        findings.append(finding("CON002", f"项目《{claim.title}》合同材料不全：缺"
                                f"{'、'.join(missing)}", claim=claim.id,
                                evidence=match.evidence()))
    findings.extend(_amount(claim, docs, fields))
    participants = next((d.value("participants") for d in docs if d.value("participants")),
                        None)
    listed, role = participant_role(participants, name)
    if participants and not listed and read_by_ocr(docs, "participants"):
        # OCR that misread one character of her name cannot say she is not listed
        listed, role = participant_role(participants, name, one_misread_away)
    if participants:
        fields["role"] = role
        if not listed:
            findings.append(finding("CON005", f"项目《{claim.title}》的主要参与人员名单中没有"
                                    "申报人", claim=claim.id, evidence=at(docs, "participants")))
        elif claim.role and role and norm(role) != norm(claim.role) and not (
                read_by_ocr(docs, "participants") and one_misread_away(role, claim.role)):
            findings.append(finding("CON005", f"项目《{claim.title}》人员名单中申报人的角色为"
                                    f"“{role}”，申报为“{claim.role}”", claim=claim.id,
                                    evidence=at(docs, "participants")))
    signed = fields.get("signed_on")
    signed_on = dt.date.fromisoformat(signed) if isinstance(signed, str) else claim.signed_on
    if title_date and signed_on and signed_on < title_date:
        findings.append(finding("CON006", f"项目《{claim.title}》合同签订于 {signed_on}，早于"
                                f"取得现职称（{title_date}）", claim=claim.id,
                                evidence=at(docs, "signed_on")))
    return ClaimCheck.of(claim.id, findings, match, fields)


def _amount(claim: Achievement, docs: tuple[DocumentFields, ...],
            fields: dict[str, FieldData]) -> list[Finding]:
    out = []
    amount = fields.get("amount")
    if claim.amount is not None and isinstance(amount, int | float) \
            and abs(float(amount) - claim.amount) > AMOUNT_TOLERANCE:
        out.append(finding("CON004", f"项目《{claim.title}》合同金额 {float(amount):,.2f} 元，"
                           f"申报为 {claim.amount:,.2f} 元", claim=claim.id,
                           evidence=at(docs, "amount")))
    for d in docs:
        capital, capital_field = d.value("amount_capital_value"), d.fields.get("amount_capital")
        verified = capital_field is not None and capital_field.verified
        if verified and isinstance(capital, int | float) and isinstance(amount, int | float) \
                and abs(float(capital) - float(amount)) > AMOUNT_TOLERANCE:
            printed = d.value("amount_capital")
            out.append(finding("CON004", f"项目《{claim.title}》合同的大写金额（{printed}，"
                               f"{float(capital):,.2f} 元）与小写金额（{float(amount):,.2f} 元）"
                               "不一致", claim=claim.id,
                               evidence=at((d,), "amount_capital") + at((d,), "amount")))
            break
    return out
