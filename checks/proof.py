"""What the claim checks share: a claim's result, and where a field was read (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from checks.evidence import Match
from model.fields import DocumentFields, FieldData
from model.report import ClaimResult, Evidence, Finding

# Codes that leave a claim without proof, and codes that say its proof disagrees.
UNPROVEN = frozenset({"PAP001", "PAP002", "CON001", "CON002", "CER001", "EDU001", "EDU003",
                      "EDU004"})
MISMATCH = frozenset({"PAP004", "PAP005", "PAP007", "CON004", "CON005", "CER002", "EDU002"})


@dataclass(frozen=True, slots=True)
class ClaimCheck:
    """One claim's findings and its report.json entry."""

    findings: tuple[Finding, ...]
    result: ClaimResult

    @classmethod
    def of(cls, claim_id: str, findings: Sequence[Finding], match: Match | None,
           fields: dict[str, FieldData]) -> ClaimCheck:
        """The status follows from the findings: unproven, mismatch, else verified."""
        codes = {f.code for f in findings}
        status = ("unproven" if match is None or codes & UNPROVEN else
                  "mismatch" if codes & MISMATCH else "verified")
        evidence = match.evidence() if match is not None else ()
        out = {k: list(v) if isinstance(v, tuple) else v for k, v in fields.items()}
        unverified = tuple(name for name in fields
                           if match is not None and not _verified(match.docs, name))
        return cls(findings=tuple(findings),
                   result=ClaimResult(id=claim_id, status=status, evidence=evidence,
                                      fields=out, unverified=unverified))


def _verified(docs: Sequence[DocumentFields], name: str) -> bool:
    """Whether the document the field's value came from read it verified."""
    for d in docs:
        f = d.fields.get(name)
        if f is not None and f.value not in (None, "", ()):
            return f.verified
    return True


def field_values(docs: Sequence[DocumentFields], names: Sequence[str]) -> dict[str, FieldData]:
    """Each named field from the first document (best first) that has it."""
    out: dict[str, FieldData] = {}
    for name in names:
        for d in docs:
            value = d.value(name)
            if value is not None and value != "" and value != ():
                out[name] = value
                break
    return out


def at(docs: Sequence[DocumentFields], name: str) -> tuple[Evidence, ...]:
    """Where field ``name`` was read (file, page, bbox), or the first document's first page."""
    for d in docs:
        f = d.fields.get(name)
        if f is not None:
            return (Evidence(file=d.file, page=f.page, bbox=f.bbox),)
    return (Evidence(file=docs[0].file, page=docs[0].pages[0]),) if docs else ()


def read_by_ocr(docs: Sequence[DocumentFields], name: str) -> bool:
    """Whether field ``name`` was read by OCR (a text layer's fields have confidence 1)."""
    f = next((d.fields[name] for d in docs if name in d.fields), None)
    return f is not None and f.confidence < 1.0
