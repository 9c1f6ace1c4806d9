"""The batch folder: its optional batch.yaml and one entry per applicant."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from checks.policy import ReadingRule
from extractors.archive import WORK_DIR, ZipLimits, unpack_zip
from extractors.files import find_declaration, list_evidence
from model.errors import FileProblemError, UsageError
from model.report import Evidence, Finding
from model.rules import finding

log = logging.getLogger(__name__)


class BatchSettings(BaseModel):
    """batch.yaml: all optional."""

    model_config = ConfigDict(extra="allow", frozen=True)

    policy: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class ApplicantEntry:
    """One applicant: a folder with its evidence files, or a .zip not (yet) unpacked.

    Attributes:
        key: the applicant key (folder name, or the .zip's name without ``.zip``).
        path: the applicant root: the folder, the .zip before unpacking, or the folder it
            was unpacked into. Evidence file names are relative to it.
        evidence: the evidence files under ``path`` (empty for a .zip not unpacked).
        source: the .zip an unpacked applicant came from; None for a folder.
        refused: for a .zip that could not be unpacked, the finding that says why.
    """

    key: str
    path: Path
    evidence: tuple[Path, ...] = ()
    source: Path | None = None
    refused: Finding | None = None

    @property
    def is_zip(self) -> bool:
        """A .zip archive not unpacked: not yet, or refused (see ``refused``)."""
        return self.path.suffix.lower() == ".zip" and self.path.is_file()


@dataclass(frozen=True, slots=True)
class BatchPlan:
    """What a batch folder holds."""

    root: Path
    settings: BatchSettings
    applicants: tuple[ApplicantEntry, ...]

    @property
    def file_count(self) -> int:
        """Evidence files across all applicants (a .zip's are known once it is unpacked)."""
        return sum(len(a.evidence) for a in self.applicants)


def read_settings(root: Path) -> BatchSettings:
    """batch.yaml if present.

    Raises:
        UsageError: batch.yaml exists but is not valid.
    """
    path = root / "batch.yaml"
    if not path.is_file():
        return BatchSettings()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return BatchSettings.model_validate(data)
    except (yaml.YAMLError, ValidationError, UnicodeDecodeError) as e:
        raise UsageError(f"{path}: invalid batch.yaml: {e}") from e


def discover(root: Path) -> BatchPlan:
    """List the applicants of the batch folder ``root``, sorted by key.

    Raises:
        UsageError: ``root`` is not a folder, or its batch.yaml is invalid.
    """
    if not root.is_dir():
        raise UsageError(f"batch folder not found: {root}")
    if find_declaration(root) is not None:
        raise UsageError(f"{root} holds an application file itself: it looks like one "
                         "applicant's folder. Give the batch folder that holds the applicant "
                         "folders (its parent, for a batch of one)")
    entries: list[ApplicantEntry] = []
    for p in sorted(root.iterdir()):
        if p.name.startswith(".") or p.is_symlink():
            continue
        if p.is_dir():
            entries.append(ApplicantEntry(key=p.name, path=p, evidence=tuple(list_evidence(p))))
        elif p.is_file() and p.suffix.lower() == ".zip":
            entries.append(ApplicantEntry(key=p.stem, path=p))
    folders = {e.key for e in entries if not e.is_zip}
    for e in entries:
        if e.is_zip and e.key in folders:
            log.warning("%s is ignored: the folder %s/ holds the same applicant", e.path.name,
                        e.key)
    entries = [e for e in entries if not (e.is_zip and e.key in folders)]
    return BatchPlan(root=root, settings=read_settings(root), applicants=tuple(entries))


def work_folder(out: Path, key: str) -> Path:
    """Where the applicant ``key``'s archive is unpacked: ``OUT/.work/<key>``."""
    return out / WORK_DIR / key


def unpack_applicant(entry: ApplicantEntry, out: Path, rule: ReadingRule) -> ApplicantEntry:
    """Unpack a .zip applicant into its work folder under ``out`` and list its evidence.

    A folder applicant is returned as it is. An archive that breaks a safety rule or cannot
    be read is returned still zipped, with ``refused`` set to the FILE004/FILE001 finding
    that names the member and the reason; nothing of it stays on disk.

    Args:
        entry: the applicant, as discovered.
        out: the run's output folder (never the batch folder).
        rule: the policy's reading rule (its ``max_zip_*`` limits).

    Returns:
        The applicant rooted at ``OUT/.work/<key>``, with ``source`` naming the .zip; or the
        refused entry.
    """
    if not entry.is_zip:
        return entry
    dest = work_folder(out, entry.key)
    try:
        unpack_zip(entry.path, dest, ZipLimits.of(rule), key=entry.key)
    except FileProblemError as e:
        name = entry.path.name
        log.warning("applicant %s: %s refused: %s", entry.key, name, e.detail)
        problem = finding(e.code, f"压缩包 {name}：{e.detail}", evidence=(Evidence(file=name),))
        return dataclasses.replace(entry, refused=problem)
    return ApplicantEntry(key=entry.key, path=dest, evidence=tuple(list_evidence(dest)),
                          source=entry.path)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # the read meets it and says so
        return 0


def reading_order(entries: list[ApplicantEntry]) -> list[tuple[ApplicantEntry, Path]]:
    """Every evidence file with its applicant: the largest applicants and files first.

    A batch is done when its last file is read: a long file (a bound volume of scanned
    pages) started near the end keeps one worker reading while the others have nothing
    left. Started first, the long files are read while the short ones fill in around them
    (20 applicants on 2 workers: one worker alone for 2–4 % of the run in three runs, 4 % in
    the one run before, no clear gain there; it cannot help where one file is more than a
    worker's share). Bytes stand for reading time: a scanned page is large, a page with a
    text layer small. An applicant's files are kept together, so the main process still
    holds few applicants' readings at once; the outputs do not depend on the order.
    """
    sizes = {(e.key, p): _size(p) for e in entries for p in e.evidence}
    ordered = sorted(entries, key=lambda e: -sum(sizes[e.key, p] for p in e.evidence))
    return [(e, p) for e in ordered
            for p in sorted(e.evidence, key=lambda p: -sizes[e.key, p])]
