"""The ``pingshen`` command line: argument checks, tool checks, then the Prefect batch flow."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from model.errors import ExitCode, MissingToolError, PipelineError, UsageError

log = logging.getLogger("pingshen")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"pingshen: error: {message}", file=sys.stderr)
        raise SystemExit(ExitCode.USAGE)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``pingshen``."""
    p = _Parser(prog="pingshen", description="Verify title-review dossiers and print packets.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="verify a batch folder and write the outputs")
    run.add_argument("batch", type=Path, help="the batch folder (one sub-folder per applicant)")
    run.add_argument("--out", type=Path, help="output folder (default: BATCH/../<name>-out)")
    run.add_argument("--policy", help="policy name (zj-anfang-2022) or a policy YAML file")
    run.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                     help="files read at once (default: the number of cores)")
    run.add_argument("--dask-address", metavar="tcp://HOST:PORT",
                     help="run the tasks on this existing Dask cluster (needs a Prefect server "
                          "in PREFECT_API_URL; --workers is then unused; docs/scaling.md)")
    run.add_argument("-v", "--verbose", action="store_true", help="show Prefect's own logs")
    ev = sub.add_parser("evaluate", help="score a run's reports against a generated truth.json")
    ev.add_argument("out", type=Path, help="the output folder of a run (OUT of pingshen run)")
    ev.add_argument("truth", type=Path, help="truth.json written by python -m fixtures.generate")
    ev.add_argument("--json", action="store_true", help="print the figures as JSON")
    ev.add_argument("--ignore-codes", default="", metavar="CODE,…",
                    help="leave these finding codes out on both sides (e.g. PAP003,CON003)")
    return p


def _resolve_out(batch: Path, out: Path | None) -> Path:
    batch = batch.resolve()
    out = (out or batch.parent / f"{batch.name}-out").resolve()
    if out == batch or batch in out.parents:
        raise UsageError(f"--out {out} is inside the batch folder; nothing under BATCH is "
                         "ever written: choose another folder")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a folder")
    return out


def _preflight(args: argparse.Namespace) -> tuple[Path, Path, str | None]:
    """Check everything that can be checked before Prefect starts."""
    from checks.policy import load_policy
    from extractors._exec import rapid
    from extractors._exec.probe import missing_tools
    from extractors.batch import discover
    from generators import fonts

    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    if args.dask_address:  # first the cheap checks; the cluster itself is checked below
        from flows.dask_mode import check_prefect_server, normalize_address, prefect_api_url

        args.dask_address = normalize_address(args.dask_address)
        check_prefect_server(prefect_api_url())
    batch: Path = args.batch
    if not batch.is_dir():
        raise UsageError(f"batch folder not found: {batch}")
    out = _resolve_out(batch, args.out)
    plan = discover(batch.resolve())
    if not plan.applicants:
        log.warning("no applicant folders in %s: nothing to verify", batch)
    policy_ref = args.policy or plan.settings.policy
    policy = load_policy(policy_ref)
    problems = missing_tools(policy.reading.ocr_lang)
    if fonts.font_path() is None:
        problems.append("no CJK TrueType font found. Install one: apt-get install -y "
                        "fonts-wqy-zenhei")
    if problems:
        raise MissingToolError("missing programs:\n  - " + "\n  - ".join(problems))
    if policy.reading.second_engine and not rapid.is_available():
        log.warning("the second OCR engine (RapidOCR) is not installed: scanned capital-"
                    "numeral amounts and rare name characters cannot be verified and are "
                    "listed as unverified in report.json. Install it: bash scripts/setup.sh")
    if args.dask_address:
        from flows.dask_mode import check_cluster

        cluster = check_cluster(args.dask_address, policy.reading.ocr_lang,
                                policy.reading.second_engine)
        log.info("Dask cluster %s: %d workers, %d threads", cluster.address,
                 len(cluster.nthreads), cluster.threads)
        args.dask_threads = cluster.threads
    try:  # last, once everything else is known to be right
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(f"cannot create the output folder {out}: {e.strerror}") from e
    return batch.resolve(), out, policy_ref


def cmd_run(args: argparse.Namespace) -> int:
    """``pingshen run``."""
    from flows.environment import configure_prefect, steady_memory
    from flows.local_server import TemporaryServer

    steady_memory()  # before any thread starts
    server = None
    if not args.dask_address and not os.environ.get("PREFECT_API_URL"):
        # local mode: Prefect's own temporary server, booting while the run gets ready
        home = configure_prefect(verbose=args.verbose)
        server = TemporaryServer()
        server.start()
    batch, out, policy_ref = _preflight(args)
    from extractors._exec import isolated
    from extractors.cache import has_readings

    if server is not None and not has_readings(out):
        # a first run on this OUT, every file to be read: the reading processes' server
        # loads (a second of CPU) while Prefect boots; a rerun may read nothing
        isolated.start_server()
    if server is None:
        home = configure_prefect(verbose=args.verbose)
    if args.dask_address:
        print(f"[pingshen] running on the Dask cluster at {args.dask_address}; Prefect server "
              f"{os.environ['PREFECT_API_URL']}", file=sys.stderr, flush=True)
    elif server is None:
        print(f"[pingshen] running here, reporting to the Prefect server "
              f"{os.environ['PREFECT_API_URL']} (its UI shows the run)", file=sys.stderr,
              flush=True)
    else:
        print(f"[pingshen] starting Prefect in local mode (no server needed; state in {home}); "
              "the first start takes up to half a minute…", file=sys.stderr, flush=True)
    started = time.monotonic()
    from flows.batch import run_batch

    if server is not None:
        _load_ahead()
        server.wait()
    outcome = run_batch(batch, out, policy_ref, args.workers, dask_address=args.dask_address,
                        dask_threads=getattr(args, "dask_threads", 0))
    took = time.monotonic() - started
    verdicts: dict[str, int] = {}
    for row in outcome.rows:
        verdicts[row.verdict] = verdicts.get(row.verdict, 0) + 1
    counts = ", ".join(f"{k} {v}" for k, v in sorted(verdicts.items()))
    print(f"Done in {took:.1f} s: {len(outcome.rows)} applicants ({counts or 'none'}).")
    if outcome.files_cached:
        print(f"Readings kept from an earlier run: {outcome.files_cached} of "
              f"{outcome.files_cached + outcome.files_read} files ({out / '.cache'}).")
    print(f"Outputs: {out}")
    for name in ("summary.json", "summary.html", "roster.xlsx", "roster.pdf", "interviews.xlsx",
                 "fees.xlsx"):
        if (out / name).exists():
            print(f"  {out / name}")
    for row in outcome.rows:
        if row.error is None:
            print(f"  {out / row.key}/  {', '.join(row.outputs)}  [{row.verdict}]")
        else:
            print(f"  {row.key}: NOT PROCESSED: {row.error}")
    return ExitCode.INTERNAL if outcome.errors else ExitCode.OK


def _load_ahead() -> None:
    """Load, while Prefect's server boots, what the run loads on its way anyway.

    The server takes 4–6 s to answer, the main process 2.5–3.5 s to import Prefect and our
    code, and it then only waits. A rerun that reads nothing is mostly that start: loaded here,
    the CJK font (0.2 s, for the roster's PDF), the reading code (0.1 s, for the cache's
    lookups) and FastAPI's encoders (0.1 s, which Prefect imports to record the flow's
    parameters) are off its path.
    """
    import extractors.reading  # noqa: F401
    from generators.fonts import cjk_font

    with contextlib.suppress(ImportError):
        import fastapi.encoders  # noqa: F401
    cjk_font()


def cmd_evaluate(args: argparse.Namespace) -> int:
    """``pingshen evaluate``: recall, precision, verdict and field accuracy of a run."""
    import json

    from pydantic import ValidationError

    from evaluation.runs import read_reports
    from evaluation.score import render_text, score
    from model.truth import Truth

    if not args.out.is_dir():
        raise UsageError(f"run output folder not found: {args.out}")
    try:
        truth = Truth.load(args.truth)
    except FileNotFoundError as e:
        raise UsageError(f"truth file not found: {args.truth}") from e
    except (ValidationError, ValueError) as e:
        raise UsageError(f"{args.truth} is not a truth.json of python -m fixtures.generate "
                         f"({str(e).splitlines()[0]})") from e
    reports = read_reports(args.out, truth.applicants)
    missing = sum(1 for r in reports.values() if r is None)
    if missing == len(reports) and reports:
        log.warning("no report.json of the truth's applicants under %s: is it the right "
                    "folder?", args.out)
    ignore = frozenset(c.strip().upper() for c in args.ignore_codes.split(",") if c.strip())
    scores = score(truth, reports, ignore=ignore)
    if args.json:
        print(json.dumps(scores.to_json(), ensure_ascii=False, indent=1))
    else:
        print(f"Evaluated {len(reports)} applicants: run {args.out}, truth {args.truth}"
              + (f" (codes left out: {', '.join(sorted(ignore))})" if ignore else ""))
        print(render_text(scores, n_missing=missing))
    return ExitCode.OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``pingshen`` console script; returns the exit status."""
    logging.basicConfig(level=logging.WARNING, format="[pingshen] %(levelname)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        if args.command == "run":
            return int(cmd_run(args))
        if args.command == "evaluate":
            return int(cmd_evaluate(args))
        raise UsageError(f"unknown command {args.command}")
    except PipelineError as e:
        print(f"pingshen: {e.detail}", file=sys.stderr)
        return int(e.exit_code)
    except KeyboardInterrupt:
        print("pingshen: interrupted", file=sys.stderr)
        return 130
    except Exception as e:
        logging.getLogger("pingshen").debug("internal error", exc_info=True)
        print(f"pingshen: internal error: {type(e).__name__}: {e} (run with -v for Prefect's "
              "logs; please report this)", file=sys.stderr)
        return int(ExitCode.INTERNAL)


def entry() -> None:
    """The ``pingshen`` command: :func:`main`, then an exit without the interpreter's teardown.

    Once a run is over, Python would still take its thousands of modules apart (Prefect,
    FastAPI, pydantic, reportlab): 0.65 s measured after a run, 1.0 s after importing Prefect
    and its server, 0.02 s without it — a tenth of a rerun that reads nothing. So the exit
    status is given by the last exit handler, once the threads are joined and every other
    handler (Prefect's, the temporary server's, multiprocessing's) has run: the outputs are
    already written and synced, and the standard streams and the logs are flushed here.
    """
    status = int(ExitCode.INTERNAL)

    def leave() -> None:  # registered first, so it runs last
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(status)

    atexit.register(leave)
    try:
        status = main()
    except SystemExit as e:  # argparse: --help, or a usage error
        status = e.code if isinstance(e.code, int) else 0 if e.code is None else 1
        raise
    sys.exit(status)


if __name__ == "__main__":
    entry()
