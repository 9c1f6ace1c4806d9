"""The rule catalog of ../shared/spec/RULES.md: every finding code with its severity."""

from __future__ import annotations

from model.report import Evidence, Finding, Severity

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741

SEVERITY: dict[str, Severity] = {
    "FILE001": E, "FILE002": E, "FILE003": W, "FILE004": E, "FILE005": I, "FILE006": W,
    "APP001": E, "APP002": E, "APP003": E, "APP004": E, "APP005": E, "APP006": E,
    "ID001": E, "ID002": E, "ID003": W, "ID004": E,
    "PH001": E, "PH002": E, "PH003": E, "PH004": E, "PH005": E, "PH006": W,
    "EDU001": E, "EDU002": E, "EDU003": E, "EDU004": E,
    "TEN001": W, "CE001": E, "CE002": E, "CE003": E, "CE004": E, "AS001": E,
    "PAP001": E, "PAP002": E, "PAP003": E, "PAP004": E, "PAP005": E, "PAP006": E, "PAP007": E,
    "CON001": E, "CON002": E, "CON003": E, "CON004": E, "CON005": E, "CON006": E,
    "CER001": E, "CER002": E, "CER003": E,
    "SCR001": E, "SCR002": E, "SCR003": W, "SCR004": I,
    "INT001": I, "INT002": I, "INT003": I, "INT004": I,
}  # fmt: skip


def finding(
    code: str,
    message: str,
    *,
    claim: str | None = None,
    evidence: tuple[Evidence, ...] = (),
) -> Finding:
    """A finding of ``code`` with the catalog's severity.

    Raises:
        KeyError: ``code`` is not in the catalog (a programming error).
    """
    return Finding(code=code, severity=SEVERITY[code], message=message, claim=claim,
                   evidence=evidence)


_ORDER = {code: i for i, code in enumerate(SEVERITY)}


def catalog_order(f: Finding) -> int:
    """Sort key: a finding's position in the rule catalog (RULES.md order)."""
    return _ORDER[f.code]
