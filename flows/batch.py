"""The Prefect flows: a batch fans out to read every file, then checks and renders per applicant.

Wiring only: every task calls one function of extractors/, checks/ or generators/.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.futures import PrefectFuture
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import opaque

from checks.assemble import build_report
from checks.policy import Policy, PrintRule, ReadingRule, load_policy
from extractors.archive import remove_unpacked
from extractors.batch import (
    ApplicantEntry,
    BatchPlan,
    discover,
    reading_order,
    unpack_applicant,
)
from extractors.cache import ReadCache, kept_reading, read_cached
from extractors.declaration import archive_refused, load_declaration
from extractors.fields import parse_all
from extractors.files import find_photo
from extractors.photo import measure_photo
from flows.progress import BatchProgress
from generators import html, report_json, roster
from generators.applicant import render_applicant
from generators.report_json import SummaryRow
from generators.roster import RosterRow
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
    files_read: int = 0  # evidence files read in this run
    files_cached: int = 0  # … and taken from the reading cache instead (extractors.cache)

    @property
    def errors(self) -> int:
        """Applicants whose processing crashed."""
        return sum(1 for r in self.rows if r.error is not None)


@task(name="unpack-applicant", cache_policy=NO_CACHE)
def unpack(entry: ApplicantEntry, out: Path, rule: ReadingRule) -> ApplicantEntry:
    """Unpack a .zip applicant into ``OUT/.work/<key>`` (a folder applicant passes through)."""
    return unpack_applicant(entry, out, rule)


@dataclass(frozen=True, slots=True)
class FileRead:
    """One evidence file's reading, and whether it was taken from the reading cache."""

    doc: DocumentRead
    cached: bool


@task(name="read-file", cache_policy=NO_CACHE)
def read_file(path: Path, rel: str, rule: ReadingRule, out: Path,
              slots: threading.Semaphore | None = None, sha256: str | None = None) -> FileRead:
    """Read one evidence file, or take its reading from ``OUT/.cache`` (extractors.cache).

    ``slots``: taken while reading, so that no more files than the workers are read at once
    while checks and renders run in threads of their own (None: the runner decides).
    ``sha256``: the file's, when the flow has hashed it already.
    """
    with slots or contextlib.nullcontext():
        return FileRead(*read_cached(path, rel, rule, ReadCache(out, rule), sha256=sha256))


@task(name="check-applicant", cache_policy=NO_CACHE)
def check_applicant(entry: ApplicantEntry, reads: list[FileRead], policy: Policy) -> Checked:
    """Load the declaration and photo, read the documents' fields, and run every check."""
    documents = [r.doc for r in reads]
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


@dataclass(frozen=True, slots=True)
class Rendered:
    """What one applicant's outputs give the batch: its summary and roster rows."""

    row: SummaryRow
    roster: RosterRow


@task(name="render-outputs", cache_policy=NO_CACHE)
def render_outputs(checked: Checked, out: Path, title: str, printing: PrintRule) -> Rendered:
    """Write one applicant's outputs (generators.applicant), or keep the unchanged ones."""
    done = render_applicant(checked.report, checked.application, checked.source,
                            out / checked.report.applicant, title=title, printing=printing)
    return Rendered(SummaryRow.of(done.report, done.outputs),
                    RosterRow.of(done.report, checked.application))


def _error_row(entry: ApplicantEntry, outcome: PrefectFuture[object] | object) -> SummaryRow:
    """The summary row of an applicant whose processing failed with ``outcome``.

    ``outcome``: the failed run's future, or what its result gave (its exception).
    """
    exc = outcome
    if isinstance(outcome, PrefectFuture):
        try:
            exc = outcome.result(raise_on_failure=False)
        except Exception as e:  # a run that never ran (its input failed) has no result
            exc = e
    log.error("applicant %s could not be processed: %s", entry.key, exc)
    return SummaryRow(key=entry.key, name=None, verdict="error", counts={},
                      error=f"{type(exc).__name__}: {exc}"[:500])


READ_AHEAD = 2  # evidence files submitted per worker before earlier ones are done


@flow(name="pingshen-batch", log_prints=False, validate_parameters=False)
def batch_flow(batch: Path, out: Path, policy_ref: str | None = None,
               read_ahead: int = 8, readers: int = 0) -> BatchOutcome:
    """Verify every applicant of ``batch`` and write the outputs under ``out``.

    Files are read applicant by applicant, the largest first (``reading_order``), a new
    one submitted only while fewer than ``read_ahead`` reads, and fewer than ``read_ahead``
    checks and renders, are under way; an applicant's check is submitted as soon as its last
    file is read, its outputs as soon as it is checked, and its readings are let go once its
    outputs are written. The main process thus holds a few applicants' readings at a time,
    however large the batch.

    ``readers``: at most this many files are read at once (0: as many as the task runner
    runs tasks). The local runner has a thread for every task under way, so a check or a
    render never waits for a reading to end, nor holds up the next one; and with
    ``read_ahead`` above ``readers``, the next files' tasks are started and wait for a
    reader, so a reader goes from one file to the next without waiting for Prefect to start
    a task (when reads, checks and renders shared one bound, a check or render under way left
    no read waiting: each file then waited for its task to start).
    """
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
    rendered: dict[str, Rendered | SummaryRow] = {}
    try:
        _run_applicants(entries, out, policy, max(1, read_ahead), progress, rendered,
                        unpacked, threading.BoundedSemaphore(readers) if readers > 0 else None)
    finally:
        progress.close()
        for path in unpacked.values():
            remove_unpacked(path)
    rows: list[SummaryRow] = []
    listed: list[RosterRow] = []
    for entry in plan.applicants:
        done = crashed.get(entry.key) or rendered[entry.key]
        if isinstance(done, Rendered):
            rows.append(done.row)
            listed.append(done.roster)
        else:
            rows.append(done)
    report_json.render_summary(rows, batch=batch.name, policy=policy.name,
                               out=out / "summary.json")
    render_batch_outputs(rows, listed, out, batch=batch.name, policy=policy)
    return BatchOutcome(out=out, rows=tuple(rows),
                        files_read=progress.files_done - progress.files_cached,
                        files_cached=progress.files_cached)


def _run_applicants(entries: list[ApplicantEntry], out: Path, policy: Policy, read_ahead: int,
                    progress: BatchProgress, rendered: dict[str, Rendered | SummaryRow],
                    unpacked: dict[str, Path], slots: threading.Semaphore | None) -> None:
    """Read, check and render ``entries``, each applicant's result put in ``rendered``.

    ``slots``: what each read holds while it reads (None: nothing).

    Each step is submitted when the one before it is done (a task waiting for another would
    hold a worker), and futures are dropped as soon as they are used: a finished future
    holds its result. A file read by an earlier run is taken from the reading cache here,
    without a task (a warm rerun of 20 applicants spent a third of its time running 155 read
    tasks that only loaded their cache entries).
    """
    todo = deque(reading_order(entries))  # the largest first: no long read at the end
    left = {e.key: len(e.evidence) for e in entries}
    reads: dict[str, list[PrefectFuture[FileRead] | FileRead]] = {e.key: [] for e in entries}
    finished: queue.SimpleQueue[PrefectFuture[Any]] = queue.SimpleQueue()
    waiting: dict[object, tuple[str, ApplicantEntry, str]] = {}  # what, whose, which file

    def watch(fut: PrefectFuture[Any], what: str, entry: ApplicantEntry, rel: str = "") -> None:
        waiting[fut.task_run_id] = (what, entry, rel)
        fut.add_done_callback(finished.put)

    def reading() -> int:  # of the tasks under way, the reads
        return sum(what == "file" for what, _, _ in waiting.values())

    # opaque: Prefect takes each result without walking through its thousands of words.
    # prefect-dask does not unwrap it (a check got tuples), so Dask gets the futures as such.
    local = isinstance(FlowRunContext.get().task_runner, ThreadPoolTaskRunner)
    whole = opaque if local else (lambda f: f)
    held = opaque(slots) if local and slots is not None else None

    def check(entry: ApplicantEntry) -> None:
        watch(check_applicant.with_options(task_run_name=f"check {entry.key}").submit(
            entry, [whole(f) for f in reads.pop(entry.key)], policy), "check", entry)

    def done_with(entry: ApplicantEntry, result: Rendered | SummaryRow) -> None:
        rendered[entry.key] = result
        progress.applicant_done(entry.key, result.row.verdict if isinstance(result, Rendered)
                                else "error")
        if entry.key in unpacked:
            remove_unpacked(unpacked.pop(entry.key))

    def file_done(entry: ApplicantEntry, rel: str, read: object) -> None:
        progress.file_done(rel, len(read.doc.pages) if isinstance(read, FileRead) else 0,
                           cached=isinstance(read, FileRead) and read.cached)
        left[entry.key] -= 1
        if left[entry.key] == 0:
            check(entry)

    cache = ReadCache(out, policy.reading)
    for entry in entries:
        if not entry.evidence:  # nothing to read: checked at once
            check(entry)
    while True:
        # a check or render waiting in the queue holds its applicant's readings: reading
        # does not run far ahead of them
        while todo and reading() < read_ahead and len(waiting) - reading() < read_ahead:
            entry, path = todo.popleft()
            rel = path.relative_to(entry.path).as_posix()
            try:
                digest, kept = kept_reading(path, rel, cache)
            except OSError:  # the read task meets it and says so, as for any file
                digest, kept = None, None
            if kept is not None:
                reads[entry.key].append(FileRead(kept, cached=True))
                file_done(entry, rel, reads[entry.key][-1])
                continue
            fut = read_file.with_options(task_run_name=f"read {entry.key}/{rel}").submit(
                path, rel, policy.reading, out, held, digest)
            reads[entry.key].append(fut)
            watch(fut, "file", entry, rel)
        if not waiting:
            return
        fut = finished.get()
        what, entry, rel = waiting.pop(fut.task_run_id)
        if what == "file":
            file_done(entry, rel, fut.result(raise_on_failure=False))
            continue
        try:  # a failed run gives its exception; one that never ran (its input failed) raises
            result = fut.result(raise_on_failure=False)
        except Exception as e:
            result = e
        if what == "check" and isinstance(result, Checked):  # readings let go with the future
            watch(render_outputs.with_options(task_run_name=f"render {entry.key}").submit(
                whole(fut), out, policy.title, policy.printing), "render", entry)
        elif isinstance(result, Rendered):
            done_with(entry, result)
        else:
            done_with(entry, _error_row(entry, result))


def render_batch_outputs(rows: list[SummaryRow], listed: list[RosterRow], out: Path, *,
                         batch: str, policy: Policy) -> None:
    """Write summary.html and the roster, interview and fee lists of the whole batch.

    An applicant that could not be processed is in summary.html with its error, and not in
    the roster (nothing is known of it to list).
    """
    html.render_summary_html(rows, out / "summary.html", batch=batch, policy=policy.name)
    missing = len(rows) - len(listed)
    if missing:
        log.warning("%d applicant(s) could not be processed and are not in the roster", missing)
    roster.render_roster(listed, out, title=policy.title, fee=policy.printing.fee_yuan)


def run_batch(batch: Path, out: Path, policy_ref: str | None, workers: int,
              dask_address: str | None = None, dask_threads: int = 0) -> BatchOutcome:
    """Run the batch flow reading ``workers`` files at once, each in a process of its own.

    With ``dask_address`` (``tcp://HOST:PORT``) the tasks run on that existing Dask cluster
    instead: the cluster's workers and threads decide, and ``dask_threads`` (their number)
    sets how many files are submitted ahead. That mode
    needs a real Prefect server in PREFECT_API_URL (:mod:`flows.dask_mode`).
    """
    if dask_address:
        from flows.dask_mode import dask_task_runner

        dask_runner = dask_task_runner(dask_address)
        return batch_flow.with_options(task_runner=dask_runner)(
            batch, out, policy_ref, READ_AHEAD * max(workers, dask_threads))
    # a thread for every task under way (reads, and checks and renders, each up to
    # READ_AHEAD a worker); the reads among them take one of ``workers`` slots to read
    runner = ThreadPoolTaskRunner(max_workers=2 * READ_AHEAD * workers)
    return batch_flow.with_options(task_runner=runner)(batch, out, policy_ref,
                                                        READ_AHEAD * workers, workers)
