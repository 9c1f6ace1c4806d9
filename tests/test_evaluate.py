"""The scorer: perfect and empty report sets, matching rules, and ``pingshen evaluate``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evaluation.score import field_equal, score
from flows.cli import main
from model.truth import ExpectedFinding, Truth


def perfect_report(key: str, truth: Truth) -> dict[str, Any]:
    """The report a flawless pipeline would write for ``key``."""
    a = truth.applicants[key]
    findings: list[dict[str, Any]] = [
        {"code": f.code, "severity": f.severity, "claim": f.claim, "message": f.why,
         "evidence": [{"file": f.file}] if f.file else []}
        for f in a.findings if not f.optional]
    findings += [{"code": c, "severity": "info", "claim": None, "message": "", "evidence": []}
                 for c in a.info_codes]
    return {"applicant": key, "verdict": a.verdict, "findings": findings,
            "claims": [{"id": k, "status": c.status, "fields": c.fields}
                       for k, c in a.claims.items()],
            "scores": {"mountain_bonus": a.mountain_bonus},
            "interview": {"required": bool(a.interview_codes),
                          "codes": list(a.interview_codes)}}


@pytest.fixture(scope="module")
def truth(generated: Path) -> Truth:
    """The truth of the session's generated batch."""
    return Truth.load(generated / "truth.json")


def test_a_perfect_report_set_scores_one(truth: Truth) -> None:
    """This test ensures that reports equal to the truth score 1.0 everywhere."""
    s = score(truth, {k: perfect_report(k, truth) for k in truth.applicants})
    assert s.overall.f1 == 1.0 and s.overall.recall == 1.0 and s.overall.precision == 1.0
    n = len(truth.applicants)
    assert (s.verdict.correct, s.bonus.correct, s.interview.correct) == (n, n, n)
    assert s.fields["all"].value == 1.0 and s.fields["all"].total > 20
    assert all(not a.missed and not a.extra for a in s.applicants.values())


def test_an_empty_report_set_has_zero_recall(truth: Truth) -> None:
    """This test ensures that reports with nothing in them (or none at all) find nothing."""
    empty = {k: {"findings": [], "claims": [], "verdict": "pass"} for k in truth.applicants}
    for reports in (empty, {}):
        s = score(truth, reports)
        assert s.overall.recall == 0.0 and s.overall.tp == 0
        assert s.overall.precision is None and s.overall.f1 == 0.0
        assert s.fields["all"].correct == 0


def test_extra_and_missing_findings_count_exactly(truth: Truth) -> None:
    """This test ensures that one invented and one dropped finding move the figures by one."""
    key = next(k for k, a in truth.applicants.items() if any(not f.optional for f in a.findings))
    reports = {k: perfect_report(k, truth) for k in truth.applicants}
    dropped = reports[key]["findings"].pop(0)
    reports[key]["findings"].append({"code": "PAP003", "severity": "error", "claim": "ZZ9",
                                     "message": "", "evidence": []})
    reports[key]["findings"].append(dict(reports[key]["findings"][-1]))  # twice: counts once
    s = score(truth, reports)
    o = s.overall
    assert (o.fn, o.fp) == (1, 1)
    assert o.recall == pytest.approx(o.tp / (o.tp + 1))
    assert s.applicants[key].missed[0].startswith(dropped["code"])
    assert s.applicants[key].extra == ["PAP003 ZZ9"]


def test_optional_findings_count_neither_way(truth: Truth) -> None:
    """This test ensures that a finding the truth calls optional is neither missed nor extra."""
    key = next(iter(truth.applicants))
    a = truth.applicants[key]
    optional = ExpectedFinding(code="PAP003", severity="error", claim="P1", optional=True)
    truth = truth.model_copy(update={"applicants": {
        **truth.applicants, key: a.model_copy(update={"findings": (*a.findings, optional)})}})
    reports = {k: perfect_report(k, truth) for k in truth.applicants}
    assert score(truth, reports).overall.f1 == 1.0  # not reported: not missed
    reports[key]["findings"].append({"code": "PAP003", "severity": "error", "claim": "P1",
                                     "message": "", "evidence": []})
    assert score(truth, reports).overall.f1 == 1.0  # reported: not extra
    reports[key]["findings"][-1]["claim"] = "P2"
    assert score(truth, reports).overall.fp == 1  # on another claim: extra


def test_ignored_codes_count_neither_way(truth: Truth) -> None:
    """This test ensures that codes left out are neither missed nor extra, and only those."""
    reports = {k: perfect_report(k, truth) for k in truth.applicants}
    key, dropped = next((k, f) for k in truth.applicants
                        for f in reports[k]["findings"] if f["severity"] != "info")
    reports[key]["findings"].remove(dropped)
    reports[key]["findings"].append({"code": "CON003", "severity": "error", "claim": "J9",
                                     "message": "", "evidence": []})
    s = score(truth, reports)
    assert (s.overall.fn, s.overall.fp) == (1, 1)
    s = score(truth, reports, ignore=frozenset({"CON003", dropped["code"]}))
    assert (s.overall.fn, s.overall.fp) == (0, 0) and s.overall.tp > 0
    s = score(truth, reports, ignore=frozenset({"CON003"}))
    assert (s.overall.fn, s.overall.fp) == (1, 0)


def test_field_comparison() -> None:
    """This test ensures that fields compare as numbers, lists and normalised text."""
    assert field_equal(1200000.0, "¥1,200,000.00")
    assert field_equal(1200000.0, 1200000)
    assert not field_equal(1200000.0, "1,200,000.50")
    assert field_equal("33-1417/TN", " 33-1417/TN ")
    assert field_equal("人民币壹佰贰拾万元整", "人民币 壹佰贰拾万元整")
    assert not field_equal("人民币壹佰贰拾万元整", "人民币喜佰贰拾万元整")
    assert field_equal(["王丽", "李明"], ["王 丽", "李明"])
    assert not field_equal(["王丽", "李明"], ["李明", "王丽"])
    assert field_equal(None, None) and not field_equal("x", None)
    assert field_equal(2021, "2021") and not field_equal(2021, "二〇二一")


def test_cli_prints_the_figures(truth: Truth, generated: Path, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    """This test ensures that ``pingshen evaluate`` reads a run folder and ends with F1=…."""
    for key in truth.applicants:
        (tmp_path / key).mkdir()
        (tmp_path / key / "report.json").write_text(
            json.dumps(perfect_report(key, truth), ensure_ascii=False), encoding="utf-8")
    n = len(truth.applicants)
    assert main(["evaluate", str(tmp_path), str(generated / "truth.json")]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == f"F1=1.000 recall=1.000 precision=1.000 verdict={n}/{n}"
    assert any(line.startswith("PAP") or line.startswith("ID ") for line in out)
    assert main(["evaluate", str(tmp_path), str(generated / "truth.json"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["overall"]["f1"] == 1.0 and data["verdict"]["correct"] == n


def test_cli_refuses_what_is_not_a_truth(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """This test ensures that a missing or foreign truth file is a usage error (exit 2)."""
    assert main(["evaluate", str(tmp_path), str(tmp_path / "nope.json")]) == 2
    (tmp_path / "t.json").write_text('{"schema": "x"}', encoding="utf-8")
    assert main(["evaluate", str(tmp_path), str(tmp_path / "t.json")]) == 2
    assert main(["evaluate", str(tmp_path / "absent"), str(tmp_path / "t.json")]) == 2
    err = capsys.readouterr().err
    assert "not found" in err and "not a truth.json" in err
