"""report.json and summary.json: written atomically, report.json validated against its schema."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jsonschema

import model
from generators._atomic import write_text_atomic
from model.report import Report

SCHEMA_PATH = Path(model.__file__).resolve().parent / "report.schema.json"


class ReportSchemaError(Exception):
    """A report that does not match pingshen.report/1 (a bug, never the user's fault)."""


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_report(doc: dict[str, object]) -> None:
    """Raise ReportSchemaError naming the first place ``doc`` breaks the schema."""
    errors = sorted(_validator().iter_errors(doc), key=lambda e: list(e.path))
    if errors:
        e = errors[0]
        where = "/".join(str(p) for p in e.path) or "(root)"
        raise ReportSchemaError(f"report.json invalid at {where}: {e.message}")


def _dumps(doc: object) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def render(report: Report, out: Path) -> Path:
    """Write ``report`` as ``out`` (report.json), validated first."""
    doc = report.to_json()
    validate_report(doc)
    return write_text_atomic(out, _dumps(doc))


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """One applicant's line in summary.json. ``error`` is set when processing crashed."""

    key: str
    name: str | None
    verdict: str
    counts: dict[str, int]
    interview: bool = False
    mountain_bonus: int = 0
    outputs: tuple[str, ...] = ()
    error: str | None = None
    codes: tuple[str, ...] = ()  # the codes of its findings, each once, in catalog order

    def to_json(self) -> dict[str, object]:
        """The summary.json row."""
        row: dict[str, object] = {
            "key": self.key, "name": self.name, "verdict": self.verdict,
            "counts": dict(self.counts), "interview": self.interview,
            "mountain_bonus": self.mountain_bonus,
            "report": f"{self.key}/report.json" if self.error is None else None,
            "outputs": [f"{self.key}/{name}" for name in self.outputs],
            "codes": list(self.codes),
        }
        if self.error is not None:
            row["error"] = self.error
        return row

    @classmethod
    def of(cls, report: Report, outputs: tuple[str, ...] = ("report.json",)) -> SummaryRow:
        """The row for a finished report whose ``outputs`` (file names) were written."""
        return cls(key=report.applicant, name=report.name, verdict=str(report.verdict),
                   counts=report.counts(), interview=bool(report.interview_codes),
                   mountain_bonus=report.mountain_bonus, outputs=outputs,
                   codes=tuple(dict.fromkeys(f.code for f in report.findings)))


def render_summary(rows: list[SummaryRow], *, batch: str, policy: str, out: Path) -> Path:
    """Write summary.json for the batch."""
    verdicts: dict[str, int] = {}
    for r in rows:
        verdicts[r.verdict] = verdicts.get(r.verdict, 0) + 1
    doc = {
        "schema": "pingshen.summary/1",
        "batch": batch,
        "policy": policy,
        "applicants": len(rows),
        "verdicts": verdicts,
        "rows": [r.to_json() for r in sorted(rows, key=lambda r: r.key)],
    }
    return write_text_atomic(out, _dumps(doc))
