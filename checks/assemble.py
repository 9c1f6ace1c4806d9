"""Put one applicant's report together from the declaration, photo, read files and checks."""

from __future__ import annotations

from collections.abc import Sequence

from checks import check_declaration
from checks.claims import check_claims
from checks.policy import Policy
from model.application import Declaration
from model.fields import DocumentFields
from model.photo import PhotoInfo
from model.report import ClaimResult, DocumentRead, Evidence, Finding, Report
from model.rules import catalog_order, finding


def duplicate_findings(documents: Sequence[DocumentRead]) -> list[Finding]:
    """FILE005 for every file whose content was already uploaded under another name."""
    first: dict[str, str] = {}
    out: list[Finding] = []
    for doc in documents:
        if doc.sha256 in first:
            out.append(finding(
                "FILE005", f"{doc.file} 与 {first[doc.sha256]} 内容完全相同（重复上传）",
                evidence=(Evidence(file=doc.file), Evidence(file=first[doc.sha256]))))
        else:
            first[doc.sha256] = doc.file
    return out


def build_report(
    key: str,
    declaration: Declaration,
    photo: PhotoInfo | None,
    documents: Sequence[DocumentRead],
    policy: Policy,
    fields: Sequence[DocumentFields] = (),
) -> Report:
    """The applicant's report: every finding, sorted by family then code.

    ``fields`` are the documents' fields (``extractors.fields.parse_all``): the claims are
    checked against them, and report.json's claims[] says what proves each claim.
    """
    findings: list[Finding] = list(declaration.findings)
    for doc in documents:
        findings.extend(doc.findings)
    findings.extend(duplicate_findings(documents))
    bonus, interview = 0, ()
    claims: tuple[ClaimResult, ...] = ()
    app = declaration.application
    if app is not None:
        result = check_declaration(app, policy, photo, declaration_file=declaration.file)
        findings.extend(result.findings)
        bonus, interview = result.mountain_bonus, result.interview_codes
    # An invalid declaration (APP001) has its own rules skipped, but what could be read of
    # its claims is still checked against the evidence.
    claimed = app if app is not None else declaration.salvaged
    if claimed is not None:
        outcome = check_claims(claimed, documents, fields)
        findings.extend(outcome.findings)
        claims = outcome.claims
    findings.sort(key=catalog_order)
    return Report(
        applicant=key,
        name=claimed.applicant.name if claimed is not None else None,
        findings=tuple(findings),
        claims=claims,
        documents=tuple(documents),
        mountain_bonus=bonus,
        interview_codes=tuple(interview),
    )
