"""Paper claims against their journal sets: PAP001, PAP002, PAP004–PAP007 (pure)."""

from __future__ import annotations

import datetime as dt
import re

from stdnum import issn as stdnum_issn

from checks.evidence import SAME_NAME_OF_THING, SAME_TITLE, Match, contains_title, norm, similarity
from checks.proof import ClaimCheck, at, field_values
from model.application import Achievement
from model.fields import DocumentFields, FieldData
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
    if "title" not in fields:  # no article page: the table of contents prints them too
        fields.update(_from_toc(docs, claim.title))
    if isinstance(fields.get("authors"), tuple):
        fields["authors"] = split_run_together(fields["authors"], name)
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


def _from_toc(docs: tuple[DocumentFields, ...], title: str) -> dict[str, FieldData]:
    """The title and authors of the claimed paper's entry in a table of contents, if any."""
    for d in docs:
        titles, authors = d.value("toc") or (), d.value("toc_authors") or ()
        for i, entry in enumerate(titles):
            if isinstance(entry, str) and contains_title(entry, title) >= SAME_TITLE:
                out: dict[str, FieldData] = {"title": entry}
                names = authors[i] if i < len(authors) else ""
                if isinstance(names, str) and names:
                    out["authors"] = tuple(n for n in names.split("，") if n)
                return out
    return {}


def split_run_together(authors: tuple[str, ...], name: str) -> tuple[str, ...]:
    """``authors`` with each word that is names run together, one the applicant's, cut.

    OCR may read a byline 郭婷　曹斌 as one word; for the applicant 曹斌 it becomes 郭婷, 曹斌,
    and 李霞吴建周超华 for 吴建 becomes 李霞, 吴建, 周超华 (see :func:`_is_author`). Other
    words are kept as they are.
    """
    out: list[str] = []
    for a in authors:
        parts = None if same_name(a, name) else _around(a, name)
        out += parts if parts else [a]
    return tuple(out)


def _around(author: str, name: str) -> list[str] | None:
    """``author`` cut around the applicant's name when what is left either side is names.

    Each side must be nothing, one name (2–3 characters) or two (4–6 characters: kept as
    one piece when the cut between them is not known, 2+3 or 3+2); else None.
    """
    a, n = normalise_name(author), normalise_name(name)
    if not n or len(a) <= len(n):
        return None
    start = a.find(n)
    while start >= 0:
        before, after = a[:start], a[start + len(n):]
        if all(len(x) in (0, 2, 3, 4, 5, 6) for x in (before, after)):
            return [p for x in (before, n, after) for p in _names_in(x)]
        start = a.find(n, start + 1)
    return None


def _names_in(run: str) -> list[str]:
    """A run of one or two names cut where the cut is known (4 → 2+2, 6 → 3+3)."""
    if len(run) in (4, 6):
        half = len(run) // 2
        return [run[:half], run[half:]]
    return [run] if run else []


def _is_author(author: str, name: str) -> bool:
    """Whether ``author`` is the applicant, or names OCR ran together, one of them hers.

    A byline printed 郭婷　曹斌 may come out of OCR as one word 郭婷曹斌: the applicant 曹斌
    is there when the rest is itself a name (2–3 characters) on either side. A name that
    merely contains hers (曹斌华, another person) is not.
    """
    return same_name(author, name) or _around(author, name) is not None
