"""Read what a run wrote: one report.json per applicant of the truth."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def read_reports(out: Path, keys: Iterable[str]) -> dict[str, dict[str, Any] | None]:
    """``OUT/<key>/report.json`` for every key; None where it is missing or unreadable."""
    reports: dict[str, dict[str, Any] | None] = {}
    for key in keys:
        path = out / key / "report.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            data = None
        except (OSError, ValueError) as e:
            log.warning("%s: cannot read (%s); counted as an empty report", path, e)
            data = None
        reports[key] = data if isinstance(data, dict) else None
    return reports
