"""The Prefect flows: a batch fans out to read every file, then checks and renders per applicant.

Wiring only: every task calls one function of extractors/, checks/ or generators/.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture, as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from checks.assemble import build_report
from checks.policy import Policy, ReadingRule, load_policy
from extractors.archive import remove_unpacked
from extractors.batch import ApplicantEntry, BatchPlan, discover, unpack_applicant
from extractors.declaration import archive_refused, load_declaration
from extractors.fields import parse_all
from extractors.files import find_photo
from extractors.photo import measure_photo
from extractors.reading import read_document
from flows.progress import BatchProgress
from generators import crops, report_json, review_form
from generators.report_json import SummaryRow
from model.application import Application
from model.report import DocumentRead, Report

log = logging.getLogger("pingshen")


@dataclass(frozen=True, slots=True)
class Checked:
    """An applicant's report and, when the declaration parsed, the declaration itself."""

    report: Report
    application: Application | None
    source: Path | None = None  # the applicant's folder, for the evidence crops


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """What the batch flow did."""

    out: Path
    rows: tuple[SummaryRow, ...]

    @property
    def errors(self) -> int:
        """Applicants whose processing crashed."""
        return sum(1 for r in self.rows if r.error is not None)


@task(name="unpack-applicant", cache_policy=NO_CACHE)
def unpack(entry: ApplicantEntry, out: Path, rule: ReadingRule) -> ApplicantEntry:
    """Unpack a .zip applicant into ``OUT/.work/<key>`` (a folder applicant passes through)."""
    return unpack_applicant(entry, out, rule)


@task(name="read-file", cache_policy=NO_CACHE)
def read_file(path: Path, rel: str, rule: ReadingRule) -> DocumentRead:
    """Read one evidence file."""
    return read_document(path, rel, rule, isolated=True)


@task(name="check-applicant", cache_policy=NO_CACHE)
def check_applicant(entry: ApplicantEntry, documents: list[DocumentRead],
                    policy: Policy) -> Checked:
    """Load the declaration and photo, read the documents' fields, and run every check."""
    if entry.is_zip:
        declaration = archive_refused(entry.path, entry.refused)
        return Checked(build_report(entry.key, declaration, None, [], policy), None)
    declaration = load_declaration(entry.path)
    photo_path = find_photo(entry.path)
    photo = None if photo_path is None else measure_photo(
        photo_path, photo_path.relative_to(entry.path).as_posix())
    report = build_report(entry.key, declaration, photo, documents, policy,
                          parse_all(documents))
    return Checked(report, declaration.application, entry.path)


@task(name="render-outputs", cache_policy=NO_CACHE)
def render_outputs(checked: Checked, out: Path, title: str) -> SummaryRow:
    """Write the evidence crops, report.json and the review form of one applicant."""
    folder = out / checked.report.applicant
    report = crops.add_crops(checked.report, checked.source, folder)
    written = [report_json.render(report, folder / "report.json")]
    if checked.application is not None:
        written.append(review_form.render(checked.application, folder / "review-form.pdf",
                                          title=title))
    return SummaryRow.of(report, tuple(p.name for p in written))


def _error_row(entry: ApplicantEntry, fut: PrefectFuture[object]) -> SummaryRow:
    exc = fut.result(raise_on_failure=False)
    log.error("applicant %s could not be processed: %s", entry.key, exc)
    return SummaryRow(key=entry.key, name=None, verdict="error", counts={},
                      error=f"{type(exc).__name__}: {exc}"[:500])


@flow(name="pingshen-batch", log_prints=False, validate_parameters=False)
def batch_flow(batch: Path, out: Path, policy_ref: str | None = None) -> BatchOutcome:
    """Verify every applicant of ``batch`` and write the outputs under ``out``."""
    plan: BatchPlan = discover(batch)
    policy = load_policy(policy_ref or plan.settings.policy)
    rule = policy.reading
    # Zipped applicants are unpacked under OUT/.work/<key> first, then read like folders;
    # each work folder is removed as soon as that applicant's outputs are written.
    unpacking = {e.key: unpack.with_options(task_run_name=f"unpack {e.key}").submit(e, out, rule)
                 for e in plan.applicants if e.is_zip}
    entries: list[ApplicantEntry] = []
    crashed: dict[str, SummaryRow] = {}
    for entry in plan.applicants:
        unpacked_fut = unpacking.get(entry.key)
        if unpacked_fut is None:
            entries.append(entry)
            continue
        unpacked_fut.wait()
        if unpacked_fut.state.is_completed():
            entries.append(unpacked_fut.result())
        else:
            crashed[entry.key] = _error_row(entry, unpacked_fut)
    unpacked = {e.key: e.path for e in entries if e.source is not None}
    progress = BatchProgress(len(plan.applicants), sum(len(e.evidence) for e in entries))
    for key in crashed:
        progress.applicant_done(key, "error")
    try:
        reads: dict[str, list[PrefectFuture[DocumentRead]]] = {}
        meta: dict[object, tuple[str, str, str]] = {}
        pending: dict[str, int] = {}
        for entry in entries:
            reads[entry.key] = []
            for path in entry.evidence:
                rel = path.relative_to(entry.path).as_posix()
                fut = read_file.with_options(task_run_name=f"read {entry.key}/{rel}").submit(
                    path, rel, rule)
                reads[entry.key].append(fut)
                meta[fut.task_run_id] = ("file", entry.key, rel)
        renders: dict[str, PrefectFuture[SummaryRow]] = {}
        for entry in entries:
            checked = check_applicant.with_options(task_run_name=f"check {entry.key}").submit(
                entry, reads[entry.key], policy)
            fut = render_outputs.with_options(task_run_name=f"render {entry.key}").submit(
                checked, out, policy.title)
            renders[entry.key] = fut
            meta[fut.task_run_id] = ("applicant", entry.key, entry.key)
            pending[entry.key] = len(reads[entry.key]) + 1
        everything = [f for fs in reads.values() for f in fs] + list(renders.values())
        for fut in as_completed(everything):
            what, key, name = meta[fut.task_run_id]
            if what == "file":
                doc = fut.result(raise_on_failure=False)
                progress.file_done(name, len(doc.pages) if isinstance(doc, DocumentRead) else 0)
            else:
                row = fut.result(raise_on_failure=False)
                progress.applicant_done(name, row.verdict if isinstance(row, SummaryRow)
                                        else "error")
            pending[key] -= 1
            if pending[key] == 0 and key in unpacked:
                remove_unpacked(unpacked.pop(key))
    finally:
        progress.close()
        for path in unpacked.values():
            remove_unpacked(path)
    rows = []
    for entry in plan.applicants:
        if entry.key in crashed:
            rows.append(crashed[entry.key])
            continue
        fut = renders[entry.key]
        ok = fut.state.is_completed()
        rows.append(fut.result() if ok else _error_row(entry, fut))
    report_json.render_summary(rows, batch=batch.name, policy=policy.name,
                               out=out / "summary.json")
    return BatchOutcome(out=out, rows=tuple(rows))


def run_batch(batch: Path, out: Path, policy_ref: str | None, workers: int) -> BatchOutcome:
    """Run the batch flow with ``workers`` threads (OCR runs as subprocesses)."""
    runner = ThreadPoolTaskRunner(max_workers=workers)
    return batch_flow.with_options(task_runner=runner)(batch, out, policy_ref)
