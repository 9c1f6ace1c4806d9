"""One applicant's outputs, written once: crops, report.json, report.html, form, volumes.

A rerun of an unchanged batch must not render again what is already there. After the
outputs are written, ``OUT/<key>/.outputs.json`` records a digest of everything they were
made from — the report (with every page read), the declaration, the printing settings and
the batch title, and the source of the generators — and each file written with its size
and sha256. The next run with the same digest finds every file as recorded and writes
nothing; any difference (a re-read file, a changed policy, an output deleted or edited, a
fixed generator) renders the applicant's outputs again. The record is written last and
atomically, so a run killed while rendering leaves no record that vouches for half the
outputs.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from checks.policy import PrintRule
from generators import crops, html, report_json, review_form, volumes
from generators._atomic import write_text_atomic
from model.application import Application
from model.errors import MissingToolError
from model.report import Report

log = logging.getLogger(__name__)

RECORD = ".outputs.json"
"""The record of what was written, under OUT/<key>/."""

_GENERATORS = Path(__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class Written:
    """An applicant's outputs: the report as written (with its crops) and the file names."""

    report: Report  # as written, with its crops (when reused: as given, without them)
    outputs: tuple[str, ...]
    reused: bool = False  # True: all were there from an earlier run, nothing was written


@cache
def _generators_source() -> str:
    """sha256 of the generators' source files and templates."""
    h = hashlib.sha256()
    for path in sorted(p for p in _GENERATORS.rglob("*") if p.suffix in (".py", ".j2")):
        h.update(path.relative_to(_GENERATORS).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def inputs_digest(report: Report, app: Application | None, title: str,
                  printing: PrintRule) -> str:
    """sha256 of everything an applicant's outputs are made from."""
    h = hashlib.sha256()
    # report.json's form: canonical (a pickle differs with how objects are shared), and all
    # the outputs use of the report (findings, claims, page kinds, rotations, marks, boxes)
    h.update(json.dumps(report.to_json(), sort_keys=True, ensure_ascii=False).encode())
    h.update(b"\0" + (app.model_dump_json().encode() if app is not None else b"-"))
    h.update(b"\0" + json.dumps([title, printing.model_dump()], sort_keys=True).encode())
    h.update(b"\0" + _generators_source().encode())
    return h.hexdigest()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file under ``folder`` but the record: relative name → (size, sha256)."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_size, _sha256(p))
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != RECORD}


def _reusable(report: Report, folder: Path, digest: str) -> Written | None:
    """The outputs recorded for ``digest``, when every file is still as written."""
    try:
        record = json.loads((folder / RECORD).read_text(encoding="utf-8"))
        if record.get("digest") != digest:
            return None
        for name, (size, sha) in record["files"].items():
            path = folder / name
            if not path.is_file() or path.stat().st_size != size or _sha256(path) != sha:
                return None
        return Written(report, tuple(record["outputs"]), reused=True)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def render_applicant(report: Report, app: Application | None, source: Path | None,
                     folder: Path, *, title: str, printing: PrintRule) -> Written:
    """Write one applicant's outputs under ``folder`` (OUT/<key>), or keep those there.

    report.json comes first and must be written; an output after it that fails is logged
    and left out of ``outputs``, the others are still written.

    Raises:
        MissingToolError: a program or font every output needs is missing.
    """
    digest = inputs_digest(report, app, title, printing)
    kept = _reusable(report, folder, digest)
    if kept is not None:
        log.info("applicant %s: outputs unchanged, kept", report.applicant)
        return kept
    (folder / RECORD).unlink(missing_ok=True)  # no record vouches for half-new outputs
    report = crops.add_crops(report, source, folder)
    written = [report_json.render(report, folder / "report.json")]

    def review_form_pdf() -> tuple[Path, ...]:
        if app is None:
            return ()
        return (review_form.render(app, folder / "review-form.pdf", title=title,
                                   copies=printing.copies),)

    def bound_volumes() -> tuple[Path, ...]:
        if source is None:  # a refused archive: no evidence to bind
            return ()
        return volumes.render_volumes(report, app, source, folder,
                                      max_pages=printing.volume_max_pages)

    makers: tuple[tuple[str, Callable[[], tuple[Path, ...]]], ...] = (
        ("report.html", lambda: (html.render_report_html(report, folder),)),
        ("review-form.pdf", review_form_pdf),
        ("volumes", bound_volumes),
    )
    failed = False
    for what, make in makers:
        try:
            written.extend(make())
        except MissingToolError:
            raise
        except Exception:
            failed = True
            log.exception("applicant %s: %s could not be written", report.applicant, what)
    outputs = tuple(p.name for p in written)
    if not failed:  # a failed output is tried again next time
        record = {"digest": digest, "outputs": list(outputs), "files": _files(folder)}
        write_text_atomic(folder / RECORD, json.dumps(record, ensure_ascii=False))
    return Written(report, outputs)
