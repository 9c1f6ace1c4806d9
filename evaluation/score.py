"""Score a run's reports against a generated batch's truth (``pingshen evaluate``).

Pure: ``score(truth, reports)`` takes the truth and the report.json documents already
read, and returns every figure. Matching rules:

- A finding is identified by its code and its claim; a FILE finding by its code and the
  file, which must be among the finding's evidence files. The same finding reported twice
  counts once.
- Errors and warnings are matched one by one (a finding the truth marks ``optional`` may
  be reported or not without counting). Info findings are compared by code.
- Each finding belongs to a medium: its claim's evidence (born-digital or scanned), else
  its file's, else ``other`` (the declaration).
- Fields: every field of every claim in the truth against the report's ``claims[].fields``
  of the same id: amounts and years as numbers, lists item by item, text after Unicode
  NFKC with whitespace removed. A missing field is wrong (a field the truth says is
  absent, None, is right when the claim is reported without it); every field of a claim
  the report does not list is wrong.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from model.truth import ApplicantTruth, ExpectedFinding, Medium, Truth

FAMILIES = ("FILE", "APP", "ID", "PH", "EDU", "TEN", "CE", "AS", "PAP", "CON", "CER", "SCR",
            "INT")
MEDIA = (Medium.BORN_DIGITAL, Medium.SCANNED, Medium.OTHER)
Report = Mapping[str, Any]


def family_of(code: str) -> str:
    """``PAP003`` → ``PAP``."""
    return code.rstrip("0123456789")


@dataclass
class Tally:
    """True positives, false positives and false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Tally) -> None:
        """Add another tally to this one."""
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def recall(self) -> float | None:
        """Tp / (tp + fn); None when nothing was expected."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def precision(self) -> float | None:
        """Tp / (tp + fp); None when nothing was reported."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def f1(self) -> float:
        """The harmonic mean of precision and recall (0 when either is 0 or undefined)."""
        p, r = self.precision or 0.0, self.recall or 0.0
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` form."""
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "recall": _r(self.recall),
                "precision": _r(self.precision), "f1": _r(self.f1)}


@dataclass
class Ratio:
    """``correct`` of ``total``."""

    correct: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        """Count one case."""
        self.total += 1
        self.correct += int(ok)

    @property
    def value(self) -> float | None:
        """Correct / total; None when there were none."""
        return self.correct / self.total if self.total else None

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` form."""
        return {"correct": self.correct, "total": self.total, "value": _r(self.value)}


@dataclass
class ApplicantScore:
    """What one applicant's report got right and wrong."""

    missed: list[str] = field(default_factory=list)  # "CODE claim"
    extra: list[str] = field(default_factory=list)
    verdict: tuple[str | None, str] = (None, "")  # (reported, true)
    report_found: bool = True


@dataclass
class Scores:
    """Every figure of one evaluation."""

    families: dict[str, Tally]
    media: dict[str, Tally]
    verdict: Ratio
    bonus: Ratio
    interview: Ratio
    fields: dict[str, Ratio]  # "all", each medium, and "field:<name>"
    applicants: dict[str, ApplicantScore]

    @property
    def overall(self) -> Tally:
        """All families together (micro-averaged)."""
        total = Tally()
        for t in self.families.values():
            total.add(t)
        return total

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` document."""
        o = self.overall
        return {
            "overall": o.to_json(),
            "families": {k: v.to_json() for k, v in self.families.items()},
            "media": {k: v.to_json() for k, v in self.media.items()},
            "verdict": self.verdict.to_json(), "bonus": self.bonus.to_json(),
            "interview": self.interview.to_json(),
            "fields": {k: v.to_json() for k, v in self.fields.items()},
            "applicants": {k: {"missed": a.missed, "extra": a.extra,
                               "verdict": {"reported": a.verdict[0], "true": a.verdict[1]},
                               "report_found": a.report_found}
                           for k, a in self.applicants.items()},
        }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


@dataclass(frozen=True)
class _Reported:
    code: str
    claim: str | None
    files: tuple[str, ...]
    severity: str


def _reported(report: Report) -> list[_Reported]:
    seen: set[tuple[str, str | None, str | None]] = set()
    out = []
    for f in report.get("findings", []):
        files = tuple(e.get("file") for e in f.get("evidence", []) if e.get("file"))
        code = str(f.get("code"))
        key = (code, f.get("claim"), files[0] if code.startswith("FILE") and files else None)
        if key in seen:
            continue
        seen.add(key)
        out.append(_Reported(code, f.get("claim"), files, str(f.get("severity"))))
    return out


def _matches(e: ExpectedFinding, r: _Reported) -> bool:
    if e.code != r.code:
        return False
    if e.file is not None:
        return e.file in r.files
    return e.claim == r.claim


def _medium_of(r: _Reported, truth: ApplicantTruth) -> Medium:
    if r.claim and r.claim in truth.claims:
        return truth.claims[r.claim].medium
    for f in r.files:
        if r.code.startswith("FILE") and f in truth.files:
            return truth.files[f].medium
    return Medium.OTHER


def _score_findings(truth: ApplicantTruth, report: Report, families: dict[str, Tally],
                    media: dict[str, Tally], result: ApplicantScore,
                    ignore: frozenset[str] = frozenset()) -> None:
    reported = [r for r in _reported(report) if r.code not in ignore]
    errors_warnings = [r for r in reported if r.severity != "info"]
    used: set[int] = set()
    for e in truth.findings:
        if e.code in ignore:
            continue
        hit = next((i for i, r in enumerate(errors_warnings)
                    if i not in used and _matches(e, r)), None)
        if hit is not None:
            used.add(hit)
        if e.optional:
            continue
        t = Tally(tp=1) if hit is not None else Tally(fn=1)
        families[family_of(e.code)].add(t)
        media[e.medium].add(t)
        if hit is None:
            result.missed.append(f"{e.code} {e.claim or e.file or ''}".strip())
    for i, r in enumerate(errors_warnings):
        if i not in used:
            families.setdefault(family_of(r.code), Tally()).add(Tally(fp=1))
            media[_medium_of(r, truth)].add(Tally(fp=1))
            result.extra.append(f"{r.code} {r.claim or (r.files[0] if r.files else '')}".strip())
    info_reported = {r.code for r in reported if r.severity == "info"}
    info_true = set(truth.info_codes) - ignore
    for code in sorted(info_true | info_reported):
        t = Tally(tp=int(code in info_true and code in info_reported),
                  fp=int(code in info_reported and code not in info_true),
                  fn=int(code in info_true and code not in info_reported))
        families.setdefault(family_of(code), Tally()).add(t)
        media[Medium.OTHER].add(t)
        if t.fn:
            result.missed.append(code)
        if t.fp:
            result.extra.append(code)


def _norm_text(v: Any) -> str:
    return "".join(unicodedata.normalize("NFKC", str(v)).split())


def _number(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    text = _norm_text(v).replace(",", "").lstrip("¥$").removesuffix("元")
    try:
        return float(text)
    except ValueError:
        return None


def field_equal(true: Any, reported: Any) -> bool:
    """Whether a reported field value says the same as the true one."""
    if true is None:
        return reported is None or reported == ""
    if reported is None:
        return False
    if isinstance(true, int | float) and not isinstance(true, bool):
        n = _number(reported)
        return n is not None and math.isclose(n, float(true), abs_tol=0.005)
    if isinstance(true, list):
        return (isinstance(reported, list) and len(reported) == len(true)
                and all(field_equal(t, r) for t, r in zip(true, reported, strict=True)))
    return _norm_text(true) == _norm_text(reported)


def _score_fields(truth: ApplicantTruth, report: Report, fields: dict[str, Ratio]) -> None:
    reported = {c.get("id"): c.get("fields") or {} for c in report.get("claims", [])}
    for claim_id, claim in truth.claims.items():
        got = reported.get(claim_id)
        for name, value in claim.fields.items():
            ok = got is not None and field_equal(value, got.get(name))
            for key in ("all", str(claim.medium), f"field:{name}"):
                fields.setdefault(key, Ratio()).add(ok)


def score(truth: Truth, reports: Mapping[str, Report | None], *,
          ignore: frozenset[str] = frozenset()) -> Scores:
    """Score ``reports`` (report.json documents by applicant key; None: none written).

    Findings whose code is in ``ignore`` are left out on both sides (e.g. the codes of a
    capability not built yet); the verdict is compared as reported.
    """
    families = {f: Tally() for f in FAMILIES}
    media = {str(m): Tally() for m in MEDIA}
    verdict, bonus, interview = Ratio(), Ratio(), Ratio()
    fields: dict[str, Ratio] = {"all": Ratio(), **{str(m): Ratio() for m in MEDIA[:2]}}
    applicants: dict[str, ApplicantScore] = {}
    for key, t in truth.applicants.items():
        report = reports.get(key)
        result = ApplicantScore(report_found=report is not None)
        report = report or {}
        _score_findings(t, report, families, media, result, ignore)
        _score_fields(t, report, fields)
        reported_verdict = report.get("verdict")
        result.verdict = (reported_verdict, t.verdict)
        verdict.add(reported_verdict == t.verdict)
        bonus.add(report.get("scores", {}).get("mountain_bonus") == t.mountain_bonus
                  if report else False)
        codes = report.get("interview", {}).get("codes") if report else None
        interview.add(codes is not None and sorted(codes) == sorted(t.interview_codes))
        applicants[key] = result
    return Scores(families=families, media=media, verdict=verdict, bonus=bonus,
                  interview=interview, fields=fields, applicants=applicants)


def _pct(x: float | None) -> str:
    return "   —  " if x is None else f"{x:6.3f}"


def render_text(scores: Scores, *, n_missing: int = 0) -> str:
    """The human table; the last line is ``F1=… recall=… precision=… verdict=…/…``."""
    lines = [f"{'family':<8}{'tp':>5}{'fp':>5}{'fn':>5}  {'recall':>6}  {'precision':>9}",
             "-" * 42]
    for fam, t in scores.families.items():
        lines.append(f"{fam:<8}{t.tp:>5}{t.fp:>5}{t.fn:>5}  {_pct(t.recall)}  "
                     f"{_pct(t.precision):>9}")
    o = scores.overall
    lines += ["-" * 42, f"{'all':<8}{o.tp:>5}{o.fp:>5}{o.fn:>5}  {_pct(o.recall)}  "
              f"{_pct(o.precision):>9}", "",
              "findings by the medium of their evidence:"]
    for m, t in scores.media.items():
        lines.append(f"  {m:<13} recall {_pct(t.recall)}  precision {_pct(t.precision)}  "
                     f"(tp {t.tp}, fp {t.fp}, fn {t.fn})")
    lines.append("")
    for label, ratio in (("verdict", scores.verdict), ("bonus", scores.bonus),
                         ("interview", scores.interview)):
        lines.append(f"{label:<10} {ratio.correct}/{ratio.total}  {_pct(ratio.value)}")
    f = scores.fields
    lines.append(f"{'fields':<10} {f['all'].correct}/{f['all'].total}  {_pct(f['all'].value)}"
                 f"   born-digital {f['born-digital'].correct}/{f['born-digital'].total}"
                 f"   scanned {f['scanned'].correct}/{f['scanned'].total}")
    missed = Counter(m.split()[0] for a in scores.applicants.values() for m in a.missed)
    extra = Counter(m.split()[0] for a in scores.applicants.values() for m in a.extra)
    if missed:
        lines.append("most missed: " + ", ".join(f"{c}×{n}" for c, n in missed.most_common(8)))
    if extra:
        lines.append("most extra:  " + ", ".join(f"{c}×{n}" for c, n in extra.most_common(8)))
    if n_missing:
        lines.append(f"reports missing: {n_missing} applicants (counted as empty)")
    lines.append(f"F1={o.f1:.3f} recall={o.recall or 0:.3f} precision={o.precision or 0:.3f} "
                 f"verdict={scores.verdict.correct}/{scores.verdict.total}")
    return "\n".join(lines)
