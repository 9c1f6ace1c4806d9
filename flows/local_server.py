"""Prefect's temporary API server for a local run, started before anything else.

With no PREFECT_API_URL, Prefect starts a temporary server itself (uvicorn serving
``prefect.server.api.server:create_app`` in a child process: ``SubprocessASGIServer``), but
only when the first flow starts, and only after the parent has imported Prefect's whole
server package to reach that class. On a warm rerun of a 20-applicant batch that was 8.5 s
of a 17 s run: 3.7 s of imports, then about 5 s of waiting for the child to answer.

Here the same child is started first thing, with the same command and environment, and
PREFECT_API_URL points at it: it boots while the run checks its tools, imports the pipeline
and finds the batch, and the parent never imports the server package. Prefect then talks to
it as to any server. It is stopped when the program exits, after Prefect's own exit handlers
have sent their last events (stopped earlier, the server complained of events it could not
flush), and dies with the run if the run is killed (the kernel sends it SIGTERM when its
parent dies). Its own messages go to ``$PREFECT_HOME/temporary-server.log``, not to the
terminal: Prefect's server logs errors about events it could not record when it is stopped,
as it did when Prefect started it, which are no concern of a finished run.

The server records the flow run and its state, not each task's events: nobody can watch
this private server (a real ``prefect server start`` is for that, README), and storing the
events (every state of every task), recording task runs from them and checking them against
automations cost its process 21 s of CPU in a 205 s run of 20 applicants on 2 cores, CPU the
readers then did not have (:data:`QUIET`). Nor does it check its database's migrations at
start when the database already has them all (:func:`up_to_date`): 1.2 s of its 5 s start.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from model.errors import PipelineError

QUIET = {
    "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED": "false",  # events into the database
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED": "false",  # task runs from events
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",  # automations
    "PREFECT_SERVER_EVENTS_STREAM_OUT_ENABLED": "false",  # events to websocket subscribers
}
"""The temporary server's services that a run does without (the server is Prefect's own)."""

START_TIMEOUT_S = 120.0  # a first start creates the database: it took up to 30 s
_PORT_IN_USE = 3  # uvicorn's exit status when it cannot bind its port
_PR_SET_PDEATHSIG = 1


class ServerStartError(PipelineError):
    """Prefect's temporary server did not start."""


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _death_signal() -> Callable[[], None]:
    """What the child runs between fork and exec: SIGTERM to it when its parent dies.

    libc is loaded here, in the parent; the child only makes the call.
    """
    try:
        prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return lambda: None
    return lambda: prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _prefect_dir() -> Path:
    """Where the ``prefect`` package lies, found without importing it."""
    import importlib.util

    spec = importlib.util.find_spec("prefect")
    if spec is None or spec.origin is None:
        raise ServerStartError("Prefect is not installed: bash scripts/setup.sh")
    return Path(spec.origin).parent


_DB_URL_VARIABLES = ("PREFECT_SERVER_DATABASE_CONNECTION_URL",
                     "PREFECT_API_DATABASE_CONNECTION_URL")  # a database of the user's own
_QUOTED = re.compile(r'"([0-9a-f]+)"')


def _migration_heads() -> set[str]:
    """The newest revisions of the installed Prefect's SQLite migrations (read, not imported)."""
    folder = _prefect_dir() / "server" / "database" / "_migrations" / "versions" / "sqlite"
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in folder.glob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("revision ="):
                revisions.update(_QUOTED.findall(line))
            elif line.startswith("down_revision ="):
                parents.update(_QUOTED.findall(line))
    return revisions - parents


def up_to_date(db: Path) -> bool:
    """Whether the SQLite database ``db`` has every migration of the installed Prefect.

    Prefect's server checks its migrations at every start (1.2 s of a 5 s start); a database
    that has them all (its ``alembic_version`` is the newest revision) needs no check. A
    missing, foreign or older database, or one that cannot be read, is False: migrated then.
    """
    if not db.is_file():
        return False
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            rows = conn.execute("select version_num from alembic_version").fetchall()
    except sqlite3.Error:
        return False
    heads = _migration_heads()
    return len(heads) == 1 and [r[0] for r in rows] == list(heads)


class TemporaryServer:
    """Prefect's API server in a child process, for this run only.

    Call :meth:`start` before Prefect is imported (it registers :meth:`stop` to run when the
    program exits, and exit handlers run last registered first) and :meth:`wait` before the
    first flow runs.
    """

    def __init__(self) -> None:
        """A server not yet started."""
        self.port = 0
        self.log = Path("temporary-server.log")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def api_url(self) -> str:
        """The server's API address, as PREFECT_API_URL holds it."""
        return f"http://127.0.0.1:{self.port}/api"

    def start(self) -> None:
        """Start the child and point PREFECT_API_URL at it (does not wait for it)."""
        if self.process is None:
            atexit.register(self.stop)
        self.port = _free_port()
        home = Path(os.environ.get("PREFECT_HOME") or ".")
        self.log = home / "temporary-server.log"
        env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
               "PREFECT__SERVER_FINAL": "1", **QUIET}
        env.pop("PREFECT_API_URL", None)
        if not any(os.environ.get(v) for v in _DB_URL_VARIABLES) and \
                up_to_date(home / "prefect.db"):  # Prefect's default database, migrated
            env["PREFECT_SERVER_DATABASE_MIGRATE_ON_START"] = "false"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
                [sys.executable, "-m", "uvicorn", "--app-dir", str(_prefect_dir().parent),
                 "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1",
                 "--port", str(self.port), "--log-level", "error", "--lifespan", "on"],
                env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                preexec_fn=_death_signal())  # noqa: PLW1509
        os.environ["PREFECT_API_URL"] = self.api_url

    def wait(self, timeout: float = START_TIMEOUT_S) -> None:
        """Return once the server answers its health check.

        Raises:
            ServerStartError: the child exited, or did not answer within ``timeout`` s.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None, "start() first"
            code = self.process.poll()
            if code == _PORT_IN_USE:  # taken between our check and its bind: another port
                self.start()
                continue
            if code is not None:
                raise ServerStartError(f"Prefect's temporary server exited with status {code} "
                                       f"before it answered; its messages: {self.log}\n"
                                       + self._tail())
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as r:  # noqa: S310
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        raise ServerStartError(f"Prefect's temporary server did not answer in {timeout:g} s; "
                               f"its messages: {self.log}\n" + self._tail())

    def _tail(self, lines: int = 15) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the child (SIGTERM, then SIGKILL after 5 s) and forget PREFECT_API_URL."""
        if os.environ.get("PREFECT_API_URL") == self.api_url:
            del os.environ["PREFECT_API_URL"]
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
