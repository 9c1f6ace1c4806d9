"""report.json against its JSON Schema, and the atomic writers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generators import report_json
from generators.report_json import ReportSchemaError, SummaryRow, validate_report
from model.report import (
    ClaimResult,
    DocumentRead,
    Evidence,
    PageRead,
    Report,
    TextSource,
    verdict_of,
)
from model.rules import finding


def sample_report() -> Report:
    """A report with one finding of each severity kind, a claim and a document."""
    return Report(
        applicant="a01",
        name="王丽",
        findings=(
            finding("PAP003", "论文《x》未标明姓名", claim="P1",
                    evidence=(Evidence("papers/P1.pdf", 4, (72.0, 310.5, 180.2, 326.0)),)),
            finding("SCR004", "山区26县加分 4 分"),
        ),
        claims=(ClaimResult("P1", "unproven", (Evidence("papers/P1.pdf", 1),),
                            {"journal": "中国安防", "year": 2021}),),
        documents=(DocumentRead("papers/P1.pdf", "a" * 64, "pdf",
                                (PageRead(1, "text", TextSource.TEXT, 1.0),)),),
        mountain_bonus=4,
        interview_codes=("INT001",),
    )


def test_report_matches_schema_and_contract(tmp_path: Path) -> None:
    """This test ensures that a full report validates and has the contract's shape."""
    out = report_json.render(sample_report(), tmp_path / "a01" / "report.json")
    doc = json.loads(out.read_text(encoding="utf-8"))
    validate_report(doc)
    assert doc["schema"] == "pingshen.report/1"
    assert doc["verdict"] == "fail"
    assert doc["findings"][0]["evidence"][0] == {"file": "papers/P1.pdf", "page": 4,
                                                  "bbox": [72.0, 310.5, 180.2, 326.0]}
    assert doc["documents"][0]["pages"][0] == {"page": 1, "kind": "unknown",
                                               "text_source": "text", "confidence": 1.0,
                                               "kind_confidence": 0.0}
    assert doc["scores"] == {"mountain_bonus": 4}
    assert doc["interview"] == {"required": True, "codes": ["INT001"]}
    assert list(tmp_path.joinpath("a01").iterdir()) == [out]  # no temporary file left


@pytest.mark.parametrize(
    ("path", "value"),
    [(("verdict",), "maybe"), (("findings", 0, "code"), "XYZ1"),
     (("findings", 0, "severity"), "fatal"), (("documents", 0, "sha256"), "abc"),
     (("documents", 0, "pages", 0, "page"), 0), (("scores",), {})],
)
def test_schema_rejects_broken_reports(path: tuple, value: object) -> None:
    """This test ensures that the schema catches each kind of broken report."""
    doc = sample_report().to_json()
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ReportSchemaError):
        validate_report(doc)


def test_verdict_follows_severity() -> None:
    """This test ensures that any error fails, any warning reviews, else passes."""
    assert verdict_of([finding("SCR004", "x")]) == "pass"
    assert verdict_of([finding("SCR004", "x"), finding("FILE006", "y")]) == "review"
    assert verdict_of([finding("FILE006", "y"), finding("CE001", "z")]) == "fail"


def test_summary_counts_verdicts(tmp_path: Path) -> None:
    """This test ensures that summary.json has one row per applicant and verdict counts."""
    rows = [SummaryRow.of(sample_report()),
            SummaryRow(key="a02", name=None, verdict="error", counts={}, error="boom")]
    out = report_json.render_summary(rows, batch="b", policy="zj-anfang-2022",
                                     out=tmp_path / "summary.json")
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["verdicts"] == {"fail": 1, "error": 1}
    assert [r["key"] for r in doc["rows"]] == ["a01", "a02"]
    assert doc["rows"][0]["counts"] == {"error": 1, "warning": 0, "info": 1}
    assert doc["rows"][0]["outputs"] == ["a01/report.json"]
    assert doc["rows"][1]["report"] is None and doc["rows"][1]["error"] == "boom"
