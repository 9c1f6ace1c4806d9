"""Dask mode (``pingshen run --dask-address``): a real Prefect server and a real Dask cluster.

The slow tests start ``prefect server start`` (its own PREFECT_HOME under tmp) and a
``distributed.LocalCluster`` of 2 worker processes, run the sample batch through them, and
compare every report with a local run's.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from flows import dask_mode
from model.errors import UsageError
from tests.conftest import SAMPLE_BATCH

PINGSHEN = [sys.executable, "-m", "flows.cli"]
PREFECT = [sys.executable, "-m", "prefect"]
SERVER_START_S = 90.0
RUN_TIMEOUT_S = 300.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(DO_NOT_TRACK="1", PREFECT_SERVER_ANALYTICS_ENABLED="false", **extra)
    return env


def _pingshen(args: list[str], env: dict[str, str],
              timeout: float = RUN_TIMEOUT_S) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PINGSHEN, *args], capture_output=True, text=True, env=env,
                          timeout=timeout, check=False)


# --- the checks before anything starts (fast) ------------------------------------------------

@pytest.mark.parametrize(("given", "expected"), [
    ("tcp://10.0.0.5:8786", "tcp://10.0.0.5:8786"),
    ("scheduler.lan:8786", "tcp://scheduler.lan:8786"),
    ("tls://[::1]:8786", "tls://[::1]:8786"),
])
def test_normalize_address(given: str, expected: str) -> None:
    """This test ensures that scheduler addresses are accepted with or without tcp://."""
    assert dask_mode.normalize_address(given) == expected


@pytest.mark.parametrize("given", ["foo", "http://host:8786", "tcp://host", "tcp://host:99999"])
def test_bad_address_is_a_usage_error(given: str) -> None:
    """This test ensures that a malformed --dask-address is refused with the expected form."""
    with pytest.raises(UsageError, match="tcp://HOST:PORT"):
        dask_mode.normalize_address(given)


def test_dask_mode_needs_prefect_api_url(tmp_path: Path) -> None:
    """This test ensures that --dask-address without PREFECT_API_URL exits 2 with the remedy."""
    done = _pingshen(["run", str(SAMPLE_BATCH), "--out", str(tmp_path / "o"),
                      "--dask-address", "tcp://127.0.0.1:8786"], _env(), timeout=60)
    assert done.returncode == 2, done.stderr
    assert "PREFECT_API_URL is not set" in done.stderr
    assert "prefect server start" in done.stderr
    assert "PREFECT_API_URL=http://127.0.0.1:4200/api" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists()


def test_unreachable_prefect_server_is_a_usage_error() -> None:
    """This test ensures that a PREFECT_API_URL where nothing listens names the remedy."""
    url = f"http://127.0.0.1:{_free_port()}/api"
    with pytest.raises(UsageError, match="no Prefect server answers") as e:
        dask_mode.check_prefect_server(url, timeout=5)
    assert "prefect server start" in e.value.detail


def test_no_scheduler_is_a_usage_error() -> None:
    """This test ensures that an address where no Dask scheduler listens is a usage error."""
    address = f"tcp://127.0.0.1:{_free_port()}"
    with pytest.raises(UsageError, match="no Dask scheduler answers"):
        dask_mode.check_cluster(address, "chi_sim", second_engine=False, timeout=2)


# --- a real Prefect server and Dask cluster (slow) --------------------------------------------

@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``prefect server start`` on a free port with its own PREFECT_HOME; yields its API URL."""
    home = tmp_path_factory.mktemp("prefect-server")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    log_path = home / "server.log"
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(
            [*PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"],
            env=_env(PREFECT_HOME=str(home / "home")), stdout=log_file,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            try:
                dask_mode.check_prefect_server(url, timeout=2)
                break
            except UsageError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    tail = log_path.read_text(errors="replace")[-3000:]
                    pytest.fail(f"prefect server did not start in {SERVER_START_S:g} s:\n{tail}")
                time.sleep(0.5)
        yield url
    finally:
        for sig, wait_s in ((signal.SIGTERM, 20.0), (signal.SIGKILL, 10.0)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=wait_s)
                break
            except subprocess.TimeoutExpired:
                continue


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[object]:
    """A LocalCluster of 2 worker processes, 1 thread each, that may start child processes."""
    import dask
    from distributed import LocalCluster

    # Dask's worker processes are daemonic by default and could not start the reading
    # processes; docs/scaling.md starts real workers with DASK_DISTRIBUTED__WORKER__DAEMON=False.
    with dask.config.set({"distributed.worker.daemon": False}):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               dashboard_address=":0", silence_logs=40)
        try:
            yield cluster
        finally:
            cluster.close(timeout=30)


@dataclass(frozen=True)
class Runs:
    """The outputs of the sample batch run locally and on Dask, and what Dask saw."""

    local: Path
    dask: Path
    dask_stdout: str
    task_states: dict[str, dict[str, int]]
    executed: dict[str, int]


# Run on the scheduler and on each worker: lambdas travel by value (cloudpickle), so the
# workers need not import this module.
_task_states = lambda dask_scheduler: {  # noqa: E731
    name: dict(tp.state_counts) for name, tp in dask_scheduler.task_prefixes.items()}
_executed = lambda dask_worker: int(dask_worker.state.executed_count)  # noqa: E731


@pytest.fixture(scope="module")
def runs(prefect_server: str, dask_cluster: object,
         tmp_path_factory: pytest.TempPathFactory) -> Runs:
    """The sample batch run locally (--workers 2), then on the cluster (--dask-address)."""
    from distributed import Client

    root = tmp_path_factory.mktemp("dask-runs")
    local, on_dask = root / "local", root / "dask"
    done = _pingshen(["run", str(SAMPLE_BATCH), "--out", str(local), "--workers", "2"],
                     _env(PREFECT_HOME=str(root / "home-local")))
    assert done.returncode == 0, done.stdout + done.stderr
    address = dask_cluster.scheduler_address  # type: ignore[attr-defined]
    with Client(address, set_as_default=False) as client:
        before = client.run(_executed)
        assert sum(before.values()) == 0  # nothing ran on the cluster yet
        done = _pingshen(["run", str(SAMPLE_BATCH), "--out", str(on_dask),
                          "--dask-address", address],
                         _env(PREFECT_HOME=str(root / "home-dask"),
                              PREFECT_API_URL=prefect_server))
        assert done.returncode == 0, done.stdout + done.stderr
        return Runs(local, on_dask, done.stdout, client.run_on_scheduler(_task_states),
                    client.run(_executed))


def _evidence_files() -> int:
    from extractors.batch import discover

    return sum(len(e.evidence) for e in discover(SAMPLE_BATCH).applicants)


def _json(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_dask_run_matches_local_run(runs: Runs) -> None:
    """This test ensures that every report and the summary from Dask equal the local run's."""
    summary = _json(runs.dask / "summary.json")
    assert summary == _json(runs.local / "summary.json")
    assert isinstance(summary, dict) and summary["applicants"] == 3
    assert "error" not in summary["verdicts"]
    keys = sorted(p.name for p in runs.local.iterdir() if (p / "report.json").is_file())
    assert keys == ["a01-clean", "a02-defects", "a03-scanned"]
    for key in keys:
        assert _json(runs.dask / key / "report.json") == _json(runs.local / key / "report.json")
        assert (sorted(p.name for p in (runs.dask / key).iterdir())
                == sorted(p.name for p in (runs.local / key).iterdir()))
    assert "Done in" in runs.dask_stdout


@pytest.mark.slow
def test_tasks_ran_on_the_dask_workers(runs: Runs) -> None:
    """This test ensures that the flow's tasks ran on the cluster's workers, both of them."""
    files = _evidence_files()
    done = {name: states.get("memory", 0) for name, states in runs.task_states.items()}
    flow_tasks = ("read_file", "check_applicant", "render_outputs")
    assert {name: done.get(name, 0) for name in flow_tasks} == {
        "read_file": files, "check_applicant": 3, "render_outputs": 3}
    assert len(runs.executed) == 2
    assert sum(runs.executed.values()) == sum(done.values()) >= files + 3 + 3
    assert all(n > 0 for n in runs.executed.values()), runs.executed


def _runs_on(server: str, kind: str) -> list[dict[str, object]]:
    request = urllib.request.Request(f"{server}/{kind}/filter", data=b"{}",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as resp:
        found = json.loads(resp.read())
    assert isinstance(found, list)
    return found


@pytest.mark.slow
def test_the_prefect_server_recorded_the_run(runs: Runs, prefect_server: str) -> None:
    """This test ensures that the flow and the workers' task runs reach PREFECT_API_URL."""
    flow_runs = _runs_on(prefect_server, "flow_runs")
    assert [r["state_type"] for r in flow_runs] == ["COMPLETED"]  # the local run used its own
    # The workers were not given PREFECT_API_URL: Prefect hands its settings to each task.
    # Task runs are recorded from events by a server service, so they may lag a little.
    files = _evidence_files()
    deadline = time.monotonic() + 30
    while True:
        task_runs = _runs_on(prefect_server, "task_runs")
        names = sorted(str(r["name"]).split(" ")[0] for r in task_runs
                       if r["state_type"] == "COMPLETED")
        names = [n for n in names if n in ("read", "check", "render")]
        if len(names) == files + 6 or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert names == ["check"] * 3 + ["read"] * files + ["render"] * 3


@pytest.mark.slow
def test_daemonic_workers_are_refused() -> None:
    """This test ensures that workers that cannot start reading processes are refused early."""
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.worker.daemon": True}), \
            LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=":0", silence_logs=40) as daemonic, \
            pytest.raises(UsageError, match="daemonic") as e:
        dask_mode.check_cluster(daemonic.scheduler_address, "chi_sim", second_engine=False)
    assert "DASK_DISTRIBUTED__WORKER__DAEMON=False" in e.value.detail
