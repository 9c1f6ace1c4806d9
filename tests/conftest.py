"""Shared fixtures: Prefect's test harness (one per session), policy, helpers for real files."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Prefect reads its settings at import: keep its state in a throw-away folder, no telemetry.
_PREFECT_HOME = Path(tempfile.mkdtemp(prefix="pingshen-test-prefect-"))
os.environ["PREFECT_HOME"] = str(_PREFECT_HOME)

from flows.environment import configure_prefect  # noqa: E402

configure_prefect()

from checks.policy import Policy, load_policy  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_BATCH = ROOT / "fixtures" / "sample-batch"
CORPUS = ROOT.parent / "shared" / "corpus" / "public"


@pytest.fixture(scope="session")
def policy() -> Policy:
    """The bundled 2022 policy."""
    return load_policy("zj-anfang-2022")


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """Prefect's test harness: a temporary database and API for the whole session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def tree_digest(root: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file under ``root`` with its size, mtime and bytes: proof nothing changed."""
    out = {}
    for p in sorted(root.rglob("*")):
        st = p.lstat()
        out[p.relative_to(root).as_posix()] = (st.st_size, st.st_mtime_ns,
                                               p.read_bytes() if p.is_file() else b"")
    return out


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated batch (5 applicants, half the evidence scanned) with truth.json."""
    from fixtures.generate import generate

    out = tmp_path_factory.mktemp("generated")
    generate(out, 5, seed=11, scanned_share=0.5, jobs=2, progress=False)
    return out


@contextlib.contextmanager
def tesseract_command_only() -> Iterator[None]:
    """Pages read with the ``tesseract`` command, not its library, inside the block."""
    from extractors._exec import tesseract

    before = os.environ.get("PINGSHEN_TESSERACT")
    os.environ["PINGSHEN_TESSERACT"] = "cli"
    tesseract.in_process.cache_clear()
    try:
        yield
    finally:
        if before is None:
            del os.environ["PINGSHEN_TESSERACT"]
        else:
            os.environ["PINGSHEN_TESSERACT"] = before
        tesseract.in_process.cache_clear()


@pytest.fixture
def tesseract_command() -> Iterator[None]:
    """Pages read with the ``tesseract`` command, not its library, while the test runs."""
    with tesseract_command_only():
        yield
