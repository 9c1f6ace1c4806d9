"""Benchmark (run by hand): the whole batch, cold and warm, on 1 and more workers.

    .venv/bin/python benchmarks/batch.py GENERATED_DIR [--workers 1,2] [--work DIR]
                                        [--floor-jobs N] [--skip-floor] [--warm-runs N]

GENERATED_DIR is what ``python -m fixtures.generate`` wrote (``batch/``, ``truth.json``);
use at least 20 applicants. For each worker count (a fresh OUT each, so the reading cache
is cold), ``pingshen run BATCH --out OUT --workers N`` runs as a user runs it; then the
run with the most workers is run again on its OUT, ``--warm-runs`` times (warm: every
reading from the cache; the median is compared with the goal).
The runs share one PREFECT_HOME whose database is created before the first is timed, as a
user's is after the first run on a machine.
Printed, per run: wall time, pages read, pages per second, the speed-up over one worker,
and the peak memory (RSS, sampled every 0.2 s from /proc) of the main process, of any one
reading process (a worker's child that reads one file) and of all processes together; and
the CPU seconds of the main process, of Prefect's temporary server and of the reading
processes (with the Tesseracts they ran), where a run's time goes on a machine whose cores
are all busy.

The floor the issue compares with: the sum over the batch's scanned pages (those the cold
run OCR'd) of a plain ``tesseract IMG - -l chi_sim`` (one OpenMP thread), divided by the
workers, plus the second engine's re-reads timed apart: the first cold run saves every crop
it gives RapidOCR ($PINGSHEN_KEEP_CROPS, :mod:`extractors._exec.rapid`), and they are read
again here, call by call as the run read them, on one thread. (An earlier version charged
each re-read line the mean time of short word crops: 48 ms, half the real mean, since a
re-read line is often a whole table row.) The floor's own timing runs ``--floor-jobs``
Tesseracts at once (default 1: on a 2-core machine 2 at once slow each other down).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pickle
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageOps

from checks.policy import load_policy
from extractors._exec.rapid import KEEP_CROPS_ENV
from extractors.cache import CACHE_DIR
from model.report import DocumentRead, TextSource

ROOT = Path(__file__).resolve().parent.parent
PINGSHEN = [sys.executable, "-m", "flows.cli"]


@dataclass
class Peaks:
    """Peak RSS (MB) seen while a run was sampled, and CPU seconds by process."""

    main: float = 0.0
    reader: float = 0.0
    total: float = 0.0
    cpu: dict[int, tuple[str, float]] = field(default_factory=dict)  # pid: (role, seconds)
    reading_cpu: float = 0.0  # the forkserver's reaped children's and the live ones'
    alive: list[int] = field(default_factory=list)  # reading processes alive, each sample
    times: list[float] = field(default_factory=list)  # … and when

    def unread(self) -> tuple[float, float, float]:
        """Seconds with no file being read: before the first, after the last, and between."""
        on = [i for i, n in enumerate(self.alive) if n]
        if not on:
            return 0.0, 0.0, 0.0
        t = self.times
        between = sum(t[i + 1] - t[i] for i in range(on[0], on[-1]) if not self.alive[i])
        return t[on[0]] - t[0], t[-1] - t[on[-1]], between

    def cpu_of(self, role: str) -> float:
        """CPU seconds of the processes in ``role`` (as last sampled)."""
        if role == "readers":
            return self.reading_cpu
        return sum(sec for r, sec in self.cpu.values() if r == role)


_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def _cpu_s(pid: int, *, reaped: bool = False) -> float:
    """A process's CPU seconds (user + system); with ``reaped``, its waited-for children's too.

    The reading processes are children of the forkserver, which reaps them (and they their
    Tesseracts): its ``reaped`` time is theirs.
    """
    fields = _stat(pid)
    if not fields:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if reaped:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / _TICK


def _role(cmd: str) -> str:
    if "uvicorn" in cmd:
        return "server"
    return "other"


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _children(pid: int) -> list[int]:
    """Every descendant of ``pid``, whichever of their parents' threads started them.

    (``/proc/P/task/P/children`` alone lists the main thread's: a forkserver started from
    a task's thread, and so every reading process, was missed.)
    """
    out: list[int] = []
    todo = [pid]
    while todo:
        p = todo.pop()
        kids: list[int] = []
        try:
            for t in Path(f"/proc/{p}/task").iterdir():
                with contextlib.suppress(OSError):
                    kids += [int(k) for k in (t / "children").read_text().split()]
        except OSError:
            continue
        out += kids
        todo += kids
    return out


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(
            errors="replace")
    except OSError:
        return ""


def _sample(pid: int, peaks: Peaks, stop: threading.Event) -> None:
    while not stop.is_set():
        main = _rss_mb(pid)
        total = main
        cpu = _cpu_s(pid)
        if cpu:
            peaks.cpu[pid] = ("main", cpu)
        reading, alive = 0.0, 0
        for kid in _children(pid):
            rss = _rss_mb(kid)
            total += rss
            cmd = _cmdline(kid)
            if "forkserver" in cmd or "multiprocessing" in cmd:
                peaks.reader = max(peaks.reader, rss)
                # the forkserver's reaped children and those still reading; a finished
                # child's time is its forkserver's then (counting both counted it twice)
                reading += _cpu_s(kid, reaped=True)
                alive += (_stat(kid)[1:2] or ["0"])[0] != str(pid)  # not the forkserver
            elif kid in peaks.cpu or cmd:
                role = peaks.cpu[kid][0] if kid in peaks.cpu else _role(cmd)
                if role != "other":
                    cpu = _cpu_s(kid)
                    if cpu:
                        peaks.cpu[kid] = (role, cpu)
        peaks.reading_cpu = max(peaks.reading_cpu, reading)
        peaks.alive.append(alive)
        peaks.times.append(time.perf_counter())
        peaks.main = max(peaks.main, main)
        peaks.total = max(peaks.total, total)
        stop.wait(0.2)


@dataclass
class Run:
    """One timed ``pingshen run``."""

    label: str
    workers: int
    seconds: float
    peaks: Peaks
    pages: int
    cached: int
    steal: float = 0.0  # seconds the machine's hypervisor took its cores away meanwhile


def _steal_s() -> float:
    """The machine's stolen CPU seconds so far, all cores (/proc/stat; 0 where not kept).

    On a virtual machine the host may run something else on our cores; that time passes on
    the clock but not in any process. Printed beside each timing, to tell a slow run from a
    busy host.
    """
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
        return int(fields[8]) / _TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def _prefect_home(work: Path) -> Path:
    return work / "prefect"


def _prepare_prefect(home: Path) -> None:
    """Create Prefect's database in ``home`` before any run is timed.

    Prefect creates and migrates its database on the first start with a new PREFECT_HOME:
    7–8 s here, once on a machine (a user's PREFECT_HOME stays); the runs share one home.
    """
    code = ("from flows.environment import configure_prefect\nconfigure_prefect()\n"
            "from flows.local_server import TemporaryServer\n"
            "s = TemporaryServer()\ns.start()\ns.wait()\ns.stop()\n")
    env = {**os.environ, "PREFECT_HOME": str(home)}
    env.pop("PREFECT_API_URL", None)
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)


def _run(batch: Path, out: Path, workers: int, label: str, crops: Path | None = None) -> Run:
    env = {**os.environ, "PREFECT_HOME": str(_prefect_home(out.parent))}
    if crops is not None:  # the second engine's crops, to time them apart afterwards
        env[KEEP_CROPS_ENV] = str(crops)
    cmd = [*PINGSHEN, "run", str(batch), "--out", str(out), "--workers", str(workers)]
    started, stolen = time.perf_counter(), _steal_s()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    peaks, stop = Peaks(), threading.Event()
    sampler = threading.Thread(target=_sample, args=(proc.pid, peaks, stop), daemon=True)
    sampler.start()
    stdout, _ = proc.communicate()
    seconds, stolen = time.perf_counter() - started, _steal_s() - stolen
    stop.set()
    sampler.join()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{label}: pingshen exited {proc.returncode}\n{stdout[-2000:]}")
    pages = sum(len(d["pages"]) for r in out.glob("*/report.json")
                for d in json.loads(r.read_text(encoding="utf-8"))["documents"])
    cached = 0
    for line in stdout.splitlines():
        if line.startswith("Readings kept from an earlier run:"):
            cached = int(line.split(":")[1].split()[0])
    return Run(label, workers, seconds, peaks, pages, cached, stolen)


def _cached_docs(out: Path) -> list[DocumentRead]:
    return [pickle.loads(p.read_bytes()) for p in (out / CACHE_DIR).rglob("*.pkl")]  # noqa: S301


def _paths(docs: list[DocumentRead], batch: Path) -> dict[str, Path]:
    """Each cached reading's file in the batch, by content (names repeat across applicants)."""
    from extractors.reading import sha256_of

    wanted = {d.sha256 for d in docs}
    out: dict[str, Path] = {}
    for p in sorted(batch.rglob("*")):
        if p.is_file() and p.name not in ("application.yaml", "application.json"):
            digest = sha256_of(p)
            if digest in wanted:
                out.setdefault(digest, p)
    return out


def _scanned_pages(docs: list[DocumentRead], paths: dict[str, Path]) -> list[tuple[Path, int]]:
    """(file, page) of every page the run OCR'd."""
    return sorted({(paths[d.sha256], p.page) for d in docs if d.sha256 in paths
                   for p in d.pages if p.text_source == TextSource.OCR})


def _image(path: Path, page: int, dpi: int) -> Image.Image:
    if path.read_bytes()[:4] == b"%PDF":
        doc = pdfium.PdfDocument(path)
        try:
            return doc[page - 1].render(scale=dpi / 72).to_pil().convert("RGB")
        finally:
            doc.close()
    with Image.open(path) as img:
        img.seek(page - 1)
        return ImageOps.exif_transpose(img).convert("RGB")


def _tesseract_seconds(pages: list[tuple[Path, int]], dpi: int, lang: str, jobs: int) -> float:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(item: tuple[int, tuple[Path, int]]) -> float:
        i, (path, page) = item
        with tempfile.TemporaryDirectory() as tmp:
            p = Path(tmp) / f"{i}.tif"
            _image(path, page, dpi).save(p, "TIFF", compression=None, dpi=(dpi, dpi))
            t = time.perf_counter()
            subprocess.run(["tesseract", str(p), "-", "-l", lang], env=env, check=True,
                           capture_output=True)
            return time.perf_counter() - t

    with ThreadPoolExecutor(jobs) as pool:
        return sum(pool.map(one, enumerate(pages)))


def _rapid_seconds(crops: Path) -> tuple[float, int, int]:
    """The second engine's time over the crops a run gave it, call by call as the run did.

    Returns the seconds, the calls and the crops.
    """
    from extractors._exec import rapid

    calls = rapid.crops_kept(crops) if crops.is_dir() else []
    if not calls or not rapid.is_available():
        return 0.0, 0, 0
    rapid.read_lines(calls[0][:2])  # load the models first
    t = time.perf_counter()
    for call in calls:
        rapid.read_lines(call)
    return time.perf_counter() - t, len(calls), sum(len(c) for c in calls)


def main(argv: list[str] | None = None) -> int:
    """Run the batch cold on each worker count, warm --warm-runs times, and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("generated", type=Path)
    ap.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    ap.add_argument("--work", type=Path, help="where the OUT folders go (default: a temp dir)")
    ap.add_argument("--floor-jobs", type=int, default=1)
    ap.add_argument("--skip-floor", action="store_true")
    ap.add_argument("--warm-runs", type=int, default=3,
                    help="warm reruns (the median is compared with the goal: one rerun of "
                         "8-10 s varied by 20 %% on a shared 2-core machine)")
    args = ap.parse_args(argv)
    batch = args.generated / "batch"
    applicants = sum(1 for p in batch.iterdir() if p.is_dir() or p.suffix == ".zip")
    work = args.work or Path(tempfile.mkdtemp(prefix="pingshen-bench-"))
    counts = [int(n) for n in args.workers.split(",")]
    print(f"batch {batch}: {applicants} applicants; cpu cores {os.cpu_count()}; work {work}")
    runs: list[Run] = []
    _prepare_prefect(_prefect_home(work))
    crops = work / "second-engine-crops"
    shutil.rmtree(crops, ignore_errors=True)
    for i, n in enumerate(counts):
        out = work / f"out-{n}"
        shutil.rmtree(out, ignore_errors=True)
        runs.append(_run(batch, out, n, f"cold, {n} worker(s)",
                         crops if i == 0 and not args.skip_floor else None))
        print(f"  {runs[-1].label}: {runs[-1].seconds:.1f} s", flush=True)
    last = work / f"out-{counts[-1]}"
    for _ in range(max(1, args.warm_runs)):
        runs.append(_run(batch, last, counts[-1], f"warm, {counts[-1]} worker(s)"))
    base = next((r.seconds for r in runs if r.workers == 1 and r.label.startswith("cold")),
                None)
    print(f"\n{'run':<22}{'seconds':>9}{'pages':>7}{'pages/s':>9}{'speed-up':>9}"
          f"{'main MB':>9}{'reader MB':>10}{'all MB':>8}{'cached':>8}")
    for r in runs:
        up = f"{base / r.seconds:.2f}" if base and r.label.startswith("cold") else ""
        print(f"{r.label:<22}{r.seconds:>9.1f}{r.pages:>7}{r.pages / r.seconds:>9.2f}{up:>9}"
              f"{r.peaks.main:>9.0f}{r.peaks.reader:>10.0f}{r.peaks.total:>8.0f}{r.cached:>8}")
    print(f"\nCPU seconds (as last sampled): {'run':<22}{'main':>8}{'server':>8}"
          f"{'readers':>9}{'stolen':>8}")
    for r in runs:
        print(f"{'':30}{r.label:<22}{r.peaks.cpu_of('main'):>8.1f}"
              f"{r.peaks.cpu_of('server'):>8.1f}{r.peaks.cpu_of('readers'):>9.1f}"
              f"{r.steal:>8.1f}")
    print("\nfiles being read at once (share of the 0.2 s samples; a worker idle when fewer "
          "than the workers):")
    for r in runs:
        seen = r.peaks.alive
        shares = "  ".join(f"{k}: {seen.count(k) / len(seen):.0%}"
                           for k in range(max(seen, default=0) + 1))
        start, end, between = r.peaks.unread()
        print(f"{'':30}{r.label:<22}{shares}  (none: {start:.1f} s first, {end:.1f} s last, "
              f"{between:.1f} s between)")
    cold = [r for r in runs if r.label.startswith("cold")]
    warm = sorted(r.seconds for r in runs if r.label.startswith("warm"))
    middle = statistics.median(warm)
    print(f"\nwarm rerun: median {middle:.1f} s = {middle / cold[-1].seconds:.1%} of the cold "
          f"run on {cold[-1].workers} worker(s) (goal: under 5 %); each: "
          + ", ".join(f"{s:.1f} s" for s in warm))
    if args.skip_floor:
        return 0
    rule = load_policy(None).reading
    docs = _cached_docs(last)
    paths = _paths(docs, batch)
    pages = _scanned_pages(docs, paths)
    stolen = _steal_s()
    tess = _tesseract_seconds(pages, rule.dpi, rule.ocr_lang, args.floor_jobs)
    second, calls, n_crops = _rapid_seconds(crops)
    stolen = _steal_s() - stolen
    print(f"\nfloor: {len(pages)} scanned pages; plain tesseract {tess:.1f} s "
          f"({tess / max(1, len(pages)):.2f} s a page); second engine {second:.1f} s over the "
          f"{n_crops} crops of its {calls} calls in the first cold run, timed apart "
          f"(stolen meanwhile: {stolen:.1f} s)")
    for r in cold:
        floor = (tess + second) / r.workers
        print(f"  {r.workers} worker(s): floor {floor:.1f} s, run {r.seconds:.1f} s = "
              f"{r.seconds / floor:.2f} × the floor (goal: at most 1.2)")
    if base:
        best = cold[-1]
        print(f"  speed-up {best.workers} workers over 1: {base / best.seconds:.2f}")
        print(f"  pages per second per core (cold, {best.workers} workers): "
              f"{best.pages / best.seconds / best.workers:.3f} all pages, "
              f"{len(pages) / best.seconds / best.workers:.3f} scanned pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
