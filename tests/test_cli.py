"""The ``pingshen`` command as a user runs it: exit codes, messages, outputs."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_BATCH, tree_digest

PINGSHEN = [sys.executable, "-m", "flows.cli"]


def run(args: list[str], env: dict[str, str] | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run pingshen as a subprocess, capturing its output."""
    return subprocess.run([*PINGSHEN, *args], capture_output=True, text=True, timeout=timeout,
                          env=env or os.environ.copy(), check=False)


def _servers_of(home: Path) -> list[int]:
    """The pids of Prefect API servers running with ``home`` as their PREFECT_HOME."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes()
            env = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"prefect.server.api.server:create_app" in cmd and \
                f"PREFECT_HOME={home}".encode() in env:
            found.append(int(proc.name))
    return found


def test_missing_batch_folder_exits_2(tmp_path: Path) -> None:
    """This test ensures that a batch folder that does not exist is a usage error (exit 2)."""
    done = run(["run", str(tmp_path / "nope")])
    assert done.returncode == 2
    assert "batch folder not found" in done.stderr
    assert "Traceback" not in done.stderr


def test_unknown_policy_exits_2(tmp_path: Path) -> None:
    """This test ensures that an unknown policy name is a usage error naming the policy."""
    done = run(["run", str(SAMPLE_BATCH), "--out", str(tmp_path / "o"), "--policy", "zj-1999"])
    assert done.returncode == 2
    assert "zj-1999" in done.stderr and "zj-anfang-2022" in done.stderr
    assert not (tmp_path / "o").exists()  # a usage error writes nothing


def test_invalid_policy_file_exits_2_naming_field(tmp_path: Path) -> None:
    """This test ensures that a policy file with a bad value stops with the field named."""
    from checks.policy import POLICY_DIR

    text = (POLICY_DIR / "zj-anfang-2022.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("min_working_days: 5", "min_working_days: five"),
                   encoding="utf-8")
    done = run(["run", str(SAMPLE_BATCH), "--out", str(tmp_path / "o"), "--policy", str(bad)])
    assert done.returncode == 2
    assert "publicity.min_working_days" in done.stderr


def test_out_inside_batch_exits_2(tmp_path: Path) -> None:
    """This test ensures that an output folder inside the batch is refused."""
    batch = tmp_path / "b"
    shutil.copytree(SAMPLE_BATCH, batch)
    done = run(["run", str(batch), "--out", str(batch / "out")])
    assert done.returncode == 2
    assert not (batch / "out").exists()


def test_bad_option_exits_2() -> None:
    """This test ensures that an unknown option is a usage error."""
    done = run(["run", str(SAMPLE_BATCH), "--frobnicate"])
    assert done.returncode == 2


_ENTRY = """
import atexit, sys, threading, time
import flows.cli as cli

def main():
    atexit.register(lambda: print("handler ran"))  # buffered: flushed by the exit
    worker = threading.Thread(target=lambda: (time.sleep(0.3), print("thread done")))
    worker.start()  # not a daemon: joined before the exit handlers run
    print("main ran", end="")
    return int(sys.argv[1])

cli.main = main
cli.entry()
"""


@pytest.mark.parametrize("status", [0, 3])
def test_entry_exits_with_mains_status_once_everything_else_ran(status: int) -> None:
    """This test ensures that the console script exits with main's status, flushed.

    It leaves without Python's teardown, so it must still wait for the threads and the other
    exit handlers, and flush what they printed.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # a pipe: buffered
    done = subprocess.run([sys.executable, "-c", _ENTRY, str(status)], capture_output=True,
                          text=True, timeout=60, env=env, check=False)
    assert done.returncode == status, done.stderr
    assert done.stdout.splitlines() == ["main ranthread done", "handler ran"]


def test_entry_keeps_argparse_statuses() -> None:
    """This test ensures that --help exits 0 and a usage error 2 through the console script."""
    for args, status in ((["--help"], 0), (["run"], 2)):
        done = subprocess.run([sys.executable, "-c", "import flows.cli as c; c.entry()", *args],
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == status, (args, done.stderr)
    assert "usage: pingshen" in done.stderr


def test_missing_tesseract_is_named_with_fix(tmp_path: Path) -> None:
    """This test ensures that a machine without tesseract is told what to install."""
    env = os.environ.copy()
    env["PATH"] = str(tmp_path)  # an empty folder: no tesseract on PATH
    done = run(["run", str(SAMPLE_BATCH), "--out", str(tmp_path / "o")], env=env)
    assert done.returncode == 1
    assert "tesseract" in done.stderr and "apt-get install" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
@pytest.mark.needs_tesseract
def test_run_sample_batch_end_to_end(tmp_path: Path) -> None:
    """This test ensures that `pingshen run` on the sample batch works as a user sees it.

    Exit 0, where the outputs are printed, the batch byte-identical, no traceback or
    telemetry noise.
    """
    batch = tmp_path / "sample"
    shutil.copytree(SAMPLE_BATCH, batch)
    before = tree_digest(batch)
    env = os.environ.copy()
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    done = run(["run", str(batch)], env=env)
    out = tmp_path / "sample-out"
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"Outputs: {out}" in done.stdout
    assert "starting Prefect" in done.stderr
    for noise in ("Traceback", "telemetry", "database is locked"):
        assert noise not in done.stderr + done.stdout
    for key in ("a01-clean", "a02-defects", "a03-scanned"):
        assert (out / key / "report.json").is_file()
        assert (out / key / "review-form.pdf").is_file()
    assert (out / "summary.json").is_file()
    assert tree_digest(batch) == before
    assert (tmp_path / "prefect-home").is_dir()
    assert (tmp_path / "prefect-home" / "temporary-server.log").is_file()
    assert _servers_of(tmp_path / "prefect-home") == []  # Prefect's server ended with the run
    # the temporary server records the run, not every task's events (flows/local_server.py)
    with contextlib.closing(sqlite3.connect(tmp_path / "prefect-home" / "prefect.db")) as db:
        assert db.execute("select state_type from flow_run").fetchall() == [("COMPLETED",)]
        assert db.execute("select count(*) from events").fetchone() == (0,)
    # migrated by Prefect itself: the next start skips the check; an older one is migrated
    from flows.local_server import up_to_date

    assert up_to_date(tmp_path / "prefect-home" / "prefect.db")
    older = tmp_path / "older.db"
    shutil.copy(tmp_path / "prefect-home" / "prefect.db", older)
    with contextlib.closing(sqlite3.connect(older)) as db, db:
        db.execute("update alembic_version set version_num = '9725c1cbee35'")  # the first
    assert not up_to_date(older)
    assert not up_to_date(tmp_path / "none.db")


def test_out_that_is_a_file_exits_2(tmp_path: Path) -> None:
    """This test ensures that an --out naming an existing file is a usage error."""
    target = tmp_path / "out.txt"
    target.write_text("keep me")
    done = run(["run", str(SAMPLE_BATCH), "--out", str(target)])
    assert done.returncode == 2
    assert "not a folder" in done.stderr
    assert target.read_text() == "keep me"


def test_applicant_folder_given_as_batch_exits_2() -> None:
    """This test ensures that one applicant's folder given as BATCH is refused with a hint."""
    done = run(["run", str(SAMPLE_BATCH / "a01-clean")])
    assert done.returncode == 2
    assert "one applicant's folder" in done.stderr
    assert not (SAMPLE_BATCH / "a01-clean-out").exists()


def test_prefects_server_dies_with_a_killed_run(tmp_path: Path) -> None:
    """This test ensures that a run killed outright leaves no Prefect server behind.

    `pingshen run` starts Prefect's temporary server in a child; the run's own process is
    killed with SIGKILL (no exit handler runs), and the server must still go (the kernel
    tells it its parent died).
    """
    import signal
    import time

    home = tmp_path / "prefect-home"
    env = {**os.environ, "PREFECT_HOME": str(home)}
    proc = subprocess.Popen([*PINGSHEN, "run", str(SAMPLE_BATCH), "--out", str(tmp_path / "o")],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not _servers_of(home) and time.monotonic() < deadline:
            time.sleep(0.1)
        servers = _servers_of(home)
        assert servers, "no Prefect server was started"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        deadline = time.monotonic() + 15
        while _servers_of(home) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _servers_of(home) == []
    finally:
        with __import__("contextlib").suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
