"""The batch folder: its optional batch.yaml and one entry per applicant."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from extractors.files import find_declaration, list_evidence
from model.errors import UsageError


class BatchSettings(BaseModel):
    """batch.yaml: all optional."""

    model_config = ConfigDict(extra="allow", frozen=True)

    policy: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class ApplicantEntry:
    """One applicant: a folder with its evidence files, or a .zip not yet unpacked."""

    key: str
    path: Path
    evidence: tuple[Path, ...] = ()

    @property
    def is_zip(self) -> bool:
        """Delivered as a .zip archive."""
        return self.path.suffix.lower() == ".zip"


@dataclass(frozen=True, slots=True)
class BatchPlan:
    """What a batch folder holds."""

    root: Path
    settings: BatchSettings
    applicants: tuple[ApplicantEntry, ...]

    @property
    def file_count(self) -> int:
        """Evidence files across all applicants."""
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
    return BatchPlan(root=root, settings=read_settings(root), applicants=tuple(entries))
