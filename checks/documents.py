"""Checks of the identity documents among the evidence: ID003, ID004, APP006 (pure)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from checks.evidence import norm
from checks.proof import at
from model.application import Application
from model.fields import DocumentFields, Family
from model.names import same_name
from model.privacy import mask_id
from model.report import DocumentRead, Finding
from model.rules import finding

# Words of an out-of-province social-security proof (参保证明, 社会保险缴费记录…).
SOCIAL_SECURITY = re.compile(r"社会保险|社保|参保|养老保险")


def check_id_card(app: Application, docs: Sequence[DocumentFields]) -> list[Finding]:
    """ID003 when no ID card is among the evidence; ID004 when its name or number differs."""
    cards = [d for d in docs if d.family == Family.ID_CARD]
    if not cards:
        return [finding("ID003", "上传材料中未找到身份证（正反面）")]
    out = []
    name = next((d.value("name") for d in cards if isinstance(d.value("name"), str)), None)
    if isinstance(name, str) and not same_name(name, app.applicant.name):
        out.append(finding("ID004", "身份证上的姓名与申报的姓名不一致",
                           evidence=at(cards, "name")))
    for d in cards:
        if app.applicant.id_number is None:
            break  # not declared (APP001 says so): nothing to compare with
        field = d.fields.get("id_number")
        if field is None or not field.verified or not isinstance(field.value, str):
            continue  # a number that did not read cleanly proves nothing either way
        if norm(field.value) != norm(app.applicant.id_number):
            out.append(finding("ID004", f"身份证上的号码 {mask_id(field.value)} 与申报的 "
                               f"{mask_id(app.applicant.id_number)} 不一致",
                               evidence=at((d,), "id_number")))
        break
    return out


def check_social_security(app: Application, read: Sequence[DocumentRead]) -> list[Finding]:
    """APP006: out-of-province social security declared and no proof among the pages."""
    if not app.applicant.out_of_province_social_security:
        return []
    for doc in read:
        for page in doc.pages:
            if SOCIAL_SECURITY.search(page.text):
                return []
    return [finding("APP006", "申报了近三年省外社保，但上传材料中未找到社保缴纳证明"
                    "（已在所有页面中查找“社会保险”“参保”等字样）")]
