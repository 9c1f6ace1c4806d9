"""``pingshen run --dask-address``: the same batch flow, its tasks run on an existing Dask cluster.

Dask workers report their task runs to Prefect themselves, so they cannot use the temporary
in-process server of local mode (in the lab that crashed: "Timed out while attempting to
connect to ephemeral Prefect API server"). This mode therefore needs a real Prefect server
(``prefect server start``) named by PREFECT_API_URL, and checks it before anything starts.

Every worker runs the tasks of flows/batch.py, so it needs the same installation as the
machine that runs ``pingshen run`` (Tesseract, the fonts, this package) and must see the
batch folder and OUT at the same paths (a shared filesystem): docs/scaling.md.

Dask's worker processes are daemonic by default, and a daemonic process may not start
children; but each file is read in a child process (extractors/_exec/isolated.py). The
workers must therefore run with ``DASK_DISTRIBUTED__WORKER__DAEMON=False`` (or
``dask worker --no-nanny``); :func:`check_cluster` refuses a cluster whose workers cannot.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from model.errors import UsageError

if TYPE_CHECKING:
    from prefect_dask import DaskTaskRunner

DEFAULT_API_URL = "http://127.0.0.1:4200/api"
CONNECT_TIMEOUT_S = 10.0
"""How long to wait for the Prefect server's health answer and for the Dask scheduler."""

START_SERVER_HINT = (
    "start one with `prefect server start` (add `--host 0.0.0.0` when the Dask workers run "
    f"on other machines) and set PREFECT_API_URL={DEFAULT_API_URL} (with that machine's "
    "address instead of 127.0.0.1 when it runs elsewhere)"
)
START_WORKERS_HINT = (
    "start each worker as `DASK_DISTRIBUTED__WORKER__DAEMON=False dask worker "
    "tcp://SCHEDULER:8786 --nworkers N --nthreads 1` (docs/scaling.md)"
)

_ADDRESS = re.compile(r"^(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[^\s:/\[\]]+):(\d{1,5})$")


@dataclass(frozen=True, slots=True)
class WorkerFacts:
    """What one Dask worker process reported about itself."""

    daemon: bool
    problems: tuple[str, ...]
    second_engine: bool


@dataclass(frozen=True, slots=True)
class ClusterInfo:
    """The cluster a batch will run on: its scheduler and each worker's thread count."""

    address: str
    nthreads: dict[str, int]

    @property
    def threads(self) -> int:
        """Tasks the cluster runs at once."""
        return sum(self.nthreads.values())


def normalize_address(address: str) -> str:
    """``HOST:PORT`` or ``tcp://HOST:PORT`` as ``tcp://HOST:PORT``; anything else is refused.

    Raises:
        UsageError: not a Dask scheduler address.
    """
    address = address.strip()
    full = address if "://" in address else f"tcp://{address}"
    match = _ADDRESS.match(full)
    if match is None or not 0 < int(match.group(3)) < 65536:
        raise UsageError(f"--dask-address {address!r} is not a Dask scheduler address; "
                         "give tcp://HOST:PORT (dask scheduler listens on port 8786)")
    return full


def prefect_api_url(environ: Mapping[str, str] | None = None) -> str:
    """PREFECT_API_URL from the environment (required in Dask mode).

    Raises:
        UsageError: PREFECT_API_URL is unset or empty.
    """
    url = (os.environ if environ is None else environ).get("PREFECT_API_URL", "").strip()
    if not url:
        raise UsageError("--dask-address needs a running Prefect server, and PREFECT_API_URL "
                         f"is not set: Dask workers cannot use Prefect's temporary in-process "
                         f"server. {START_SERVER_HINT[0].upper()}{START_SERVER_HINT[1:]}.")
    return url.rstrip("/")


def check_prefect_server(url: str, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Ask the Prefect API at ``url`` for ``/health``; it must answer ``true``.

    Raises:
        UsageError: nothing answers there, or what answers is not a Prefect API.
    """
    health = f"{url}/health"
    try:
        with urllib.request.urlopen(health, timeout=timeout) as resp:  # noqa: S310
            body = resp.read(1000)
    except urllib.error.HTTPError as e:
        raise UsageError(f"PREFECT_API_URL={url} is not a Prefect API ({health} answered HTTP "
                         f"{e.code}); it ends in /api, e.g. {DEFAULT_API_URL}") from e
    except (urllib.error.URLError, OSError, ValueError) as e:
        reason = getattr(e, "reason", e)
        raise UsageError(f"no Prefect server answers at PREFECT_API_URL={url} ({reason}): "
                         f"{START_SERVER_HINT}") from e
    try:
        healthy = json.loads(body) is True
    except ValueError:
        healthy = False
    if not healthy:
        raise UsageError(f"PREFECT_API_URL={url} is not a healthy Prefect API ({health} "
                         f"answered {body[:80]!r}); it ends in /api, e.g. {DEFAULT_API_URL}")


def worker_facts(ocr_lang: str, second_engine: bool) -> WorkerFacts:
    """Run on each Dask worker: can it start reading processes, and are the tools there?"""
    from extractors._exec import rapid
    from extractors._exec.probe import missing_tools
    from generators import fonts

    problems = list(missing_tools(ocr_lang))
    if fonts.font_path() is None:
        problems.append("no CJK TrueType font found (apt-get install -y fonts-wqy-zenhei)")
    return WorkerFacts(daemon=bool(multiprocessing.current_process().daemon),
                       problems=tuple(problems),
                       second_engine=(not second_engine) or rapid.is_available())


def check_cluster(address: str, ocr_lang: str, second_engine: bool,
                  timeout: float = CONNECT_TIMEOUT_S) -> ClusterInfo:
    """Connect to the scheduler at ``address`` and check every worker it has.

    Returns:
        The workers and their threads. Workers without the second OCR engine are only
        warned about (as in local mode).

    Raises:
        UsageError: no scheduler there, no workers, or a worker that cannot run the batch.
    """
    import logging

    from distributed import Client

    log = logging.getLogger("pingshen")
    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as e:
        raise UsageError(f"no Dask scheduler answers at --dask-address {address} ({e}): start "
                         "one with `dask scheduler` and the workers with "
                         f"{START_WORKERS_HINT.removeprefix('start each worker as ')}") from e
    with client:
        nthreads = dict(client.nthreads())
        if not nthreads:
            raise UsageError(f"the Dask scheduler at {address} has no workers: "
                             f"{START_WORKERS_HINT}")
        try:
            facts: dict[str, WorkerFacts] = client.run(worker_facts, ocr_lang, second_engine)
        except Exception as e:  # anything a worker raises: its installation is not ours
            raise UsageError(f"the Dask workers at {address} cannot run pingshen's code "
                             f"({type(e).__name__}: {e}): install it the same way on every "
                             "worker machine (bash scripts/setup.sh --no-run) and start the "
                             "workers from its virtual environment") from e
    daemonic = sorted(w for w, f in facts.items() if f.daemon)
    if daemonic:
        raise UsageError(f"{len(daemonic)} Dask worker(s) run as daemonic processes, which may "
                         f"not start the processes that read each file ({daemonic[0]}): "
                         f"{START_WORKERS_HINT}")
    broken = {w: f.problems for w, f in facts.items() if f.problems}
    if broken:
        worker, problems = sorted(broken.items())[0]
        raise UsageError(f"{len(broken)} Dask worker(s) lack programs the batch needs, e.g. "
                         f"{worker}: " + "; ".join(problems))
    no_second = sorted(w for w, f in facts.items() if not f.second_engine)
    if no_second:
        log.warning("%d Dask worker(s) lack the second OCR engine (RapidOCR), e.g. %s: what "
                    "they read cannot be cross-checked. Install it there: bash "
                    "scripts/setup.sh", len(no_second), no_second[0])
    return ClusterInfo(address=address, nthreads=nthreads)


def dask_task_runner(address: str) -> DaskTaskRunner:
    """Prefect's DaskTaskRunner for the existing scheduler at ``address``."""
    from prefect_dask import DaskTaskRunner

    return DaskTaskRunner(address=address)
