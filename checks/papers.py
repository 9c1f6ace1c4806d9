"""Paper claims against their journal sets: PAP001, PAP002, PAP004–PAP007 (pure)."""

from __future__ import annotations

import datetime as dt
import re

from stdnum import issn as stdnum_issn

from checks.evidence import SAME_NAME_OF_THING, SAME_TITLE, Match, contains_title, norm, similarity
from checks.proof import ClaimCheck, at, field_values
from model.application import Achievement
from model.fields import DocumentFields
from model.names import normalise_name, same_name
from model.report import Finding
from model.rules import finding

PARTS = {"cover": "封面", "copyright": "刊号页（ISSN/CN）", "toc": "目录", "article": "正文"}
CN_FORM = re.compile(r"^\d{2}-\d{4}/[A-Z]{1,2}$")
FIELDS = ("title", "journal", "issn", "cn", "year", "issue", "authors")


def claim_format_findings(claim: Achievement) -> list[Finding]:
    """PAP005 for the claim's own ISSN or CN when it is malformed (no evidence needed)."""
    out: list[Finding] = []
    if claim.issn and not stdnum_issn.is_valid(claim.issn):
        out.append(finding("PAP005", f"论文《{claim.title}》申报的 ISSN {claim.issn} 校验位错误",
                           claim=claim.id))
    if claim.cn and not CN_FORM.match(claim.cn.strip().upper().removeprefix("CN").strip()):
        out.append(finding("PAP005", f"论文《{claim.title}》申报的 CN 号 {claim.cn} 不符合 "
                           "NN-NNNN/XX 格式", claim=claim.id))
    return out


def check_paper(claim: Achievement, match: Match | None, name: str,
                title_date: dt.date | None) -> ClaimCheck:
    """The findings and the claim result of one paper claim."""
    findings = claim_format_findings(claim)
    if match is None:
        looked = f"（已查找：{'、'.join(claim.files)}）" if claim.files else ""
        findings.append(finding(
            "PAP001", f"论文《{claim.title}》未找到证明材料：所有上传文件中没有刊名为"
            f"《{claim.journal or '?'}》、含此篇题名的期刊封面、刊号页、目录或正文{looked}，"
            "不予评分", claim=claim.id))
        return ClaimCheck.of(claim.id, findings, None, {})
    docs = match.docs
    best = docs[0]
    fields = field_values(docs, FIELDS)
    found = {part for d in docs for part in d.parts}
    if "copyright" not in found and (fields.get("issn") or fields.get("cn")):
        found.add("copyright")  # the 刊号 printed on the cover or the article serves
    missing = [label for part, label in PARTS.items() if part not in found]
    if missing:
        findings.append(finding(
            "PAP002", f"论文《{claim.title}》证明材料不全：缺{'、'.join(missing)}",
            claim=claim.id, evidence=match.evidence()))
    findings.extend(_disagreements(claim, docs, best))
    year = fields.get("year") or claim.year
    if title_date and isinstance(year, int) and year < title_date.year:
        findings.append(finding(
            "PAP006", f"论文《{claim.title}》发表于 {year} 年，早于取得现职称（{title_date}）",
            claim=claim.id, evidence=at(docs, "year")))
    authors = fields.get("authors")
    if isinstance(authors, tuple) and authors and not any(_is_author(a, name) for a in authors):
        findings.append(finding(
            "PAP007", f"论文《{claim.title}》的作者（{'、'.join(authors)}）中没有申报人",
            claim=claim.id, evidence=at(docs, "authors")))
    return ClaimCheck.of(claim.id, findings, match, fields)


def _disagreements(claim: Achievement, docs: tuple[DocumentFields, ...],
                   best: DocumentFields) -> list[Finding]:
    problems: list[tuple[str, str]] = []
    journal = best.value("journal")
    if claim.journal and journal and similarity(journal, claim.journal) < SAME_NAME_OF_THING:
        problems.append(("journal", f"刊名《{journal}》与申报的《{claim.journal}》不符"))
    title = best.value("title")
    in_toc = any(contains_title(e, claim.title) >= SAME_TITLE
                 for d in docs for e in (d.value("toc") or ()) if isinstance(e, str))
    if title and similarity(title, claim.title) < SAME_TITLE and not in_toc:
        problems.append(("title", f"题名《{title}》与申报的《{claim.title}》不符"))
    year = best.value("year")
    if claim.year and isinstance(year, int) and year != claim.year:
        problems.append(("year", f"出版年 {year} 与申报的 {claim.year} 不符"))
    issn = best.value("issn")
    if claim.issn and issn and norm(issn) != norm(claim.issn):
        problems.append(("issn", f"ISSN {issn} 与申报的 {claim.issn} 不符"))
    cn = best.value("cn")
    if claim.cn and cn and norm(cn).removeprefix("CN") != norm(claim.cn).removeprefix("CN"):
        problems.append(("cn", f"CN {cn} 与申报的 {claim.cn} 不符"))
    return [finding("PAP004", f"论文《{claim.title}》的证明材料{text}", claim=claim.id,
                    evidence=at(docs, name)) for name, text in problems]


def _is_author(author: str, name: str) -> bool:
    """Whether ``author`` is the applicant, or two names OCR ran together, one of them hers.

    A byline printed 郭婷　曹斌 may come out of OCR as one word 郭婷曹斌: the applicant 曹斌
    is there when the rest is itself a name (2–3 characters). A name that merely contains
    hers (曹斌华, another person) is not.
    """
    if same_name(author, name):
        return True
    a, n = normalise_name(author), normalise_name(name)
    if not n or len(a) - len(n) not in (2, 3):
        return False
    return a.startswith(n) or a.endswith(n)

