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
