"""Prefect's environment, set before prefect is first imported.

Local mode: no server to start, state under one folder (PREFECT_HOME), no telemetry, and
Prefect's own chatter kept below WARNING unless asked for.
"""

from __future__ import annotations

import os
from pathlib import Path


def default_prefect_home() -> Path:
    """Where Prefect keeps its local database: $XDG_STATE_HOME/pingshen/prefect."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "pingshen" / "prefect"


def configure_prefect(*, verbose: bool = False) -> Path:
    """Set Prefect's variables (an explicit PREFECT_HOME wins) and return PREFECT_HOME."""
    home = Path(os.environ.get("PREFECT_HOME") or default_prefect_home())
    home.mkdir(parents=True, exist_ok=True)
    os.environ["PREFECT_HOME"] = str(home)
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_UI_ENABLED", "false")
    level = "INFO" if verbose else "WARNING"
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", level)
    os.environ.setdefault("PREFECT_LOGGING_LOGGERS_PREFECT_LEVEL", level)
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "ERROR")
    os.environ.setdefault("PREFECT_LOGGING_SERVER_LEVEL", "ERROR")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    return home


MMAP_THRESHOLD = 128 * 1024  # bytes: glibc's own starting value, kept fixed


def steady_memory() -> bool:
    """Keep a long run's memory from creeping up: glibc's mmap threshold fixed at 128 KiB.

    glibc raises its mmap threshold each time a large block is freed (a page image, a PDF
    being written), up to 32 MiB; from then on such blocks come from the heap, and the heap
    keeps what they leave. Rendering one applicant after another, the main process grew from
    378 MB (2 applicants) to 649 MB (the same 2 repeated 10 times), while the same rendering
    without Prefect's threads stayed at 250 MB: nothing was held, the heap was fragmented.
    With the threshold fixed, large blocks go back to the system when freed. This process
    only: in the reading processes (which allocate page-sized arrays all the time) the same
    setting made reading 50 % slower; they get the opposite (:mod:`extractors._exec.heap`).
    Returns False where this is not glibc (nothing is changed).
    """
    from extractors._exec.heap import M_MMAP_THRESHOLD, M_TRIM_THRESHOLD, mallopt

    return (mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
            and mallopt(M_TRIM_THRESHOLD, MMAP_THRESHOLD))
