"""Run a generator in a child process: its items stream back, a stall or a crash is cut off.

Reading a hostile file can hang inside a library (a loop in a PDF's page tree, pdfminer on a
page of a million tiny objects), blow up memory (a 35000×35000 image) or crash the
interpreter (a C library on a broken stream). None of that can be stopped from inside the
process that runs it, so the reading of each file runs in a child process:

- the child sends each item (a page) as soon as it is made, so what was read before a
  stall or a crash is kept;
- the parent waits at most ``stall_s`` seconds for the next item, then kills the child and
  everything it started (Tesseract included: the child leads its own process group);
- the child's address space is capped at ``memory_bytes`` (RLIMIT_AS), so a bomb fails
  there with MemoryError instead of taking the machine;
- the child's log records are re-emitted in the parent under their own logger names.

Children fork from a forkserver that has imported the reading code once, not from the
parent: the parent runs Prefect's threads, and a fork of a multi-threaded process can
inherit a lock held by another thread (PDFium's, for one) and hang. A fork from the server
costs a few milliseconds.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import resource
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from extractors._exec import heap

log = logging.getLogger(__name__)

# Modules the forkserver imports once, so that each child starts with them loaded.
PRELOAD = ["extractors._exec.preload"]

_CONTEXT_LOCK = threading.Lock()
_context: Any = None


class IsolatedError(Exception):
    """The child process did not finish its work."""


class StalledError(IsolatedError):
    """No item came from the child for ``stall_s`` seconds; it was killed."""

    def __init__(self, stall_s: float) -> None:
        super().__init__(f"no progress in {stall_s:g} s")
        self.stall_s = stall_s


class ChildDiedError(IsolatedError):
    """The child process exited without finishing (a signal, or an exit code)."""

    def __init__(self, exitcode: int | None) -> None:
        how = (f"killed by signal {signal.Signals(-exitcode).name}"
               if exitcode is not None and exitcode < 0 else f"exit code {exitcode}")
        super().__init__(f"the reading process died ({how})")
        self.exitcode = exitcode


class ChildRaisedError(IsolatedError):
    """The generator raised in the child; ``kind`` and ``detail`` describe the exception."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Limits:
    """How long the child may go without producing an item, and its memory cap."""

    stall_s: float
    memory_bytes: int | None = None


def _get_context() -> Any:
    global _context
    with _CONTEXT_LOCK:
        if _context is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(PRELOAD)
            _context = ctx
        return _context


def start_server() -> None:
    """Start the forkserver now, without waiting for it to be ready.

    It imports the reading code and loads the second engine's models (about a second of CPU)
    before its first fork; started while something else gets ready (Prefect's server
    booting), the first file need not wait for that. Reading starts it anyway when needed.
    """
    from multiprocessing import forkserver

    _get_context()
    forkserver.ensure_running()


class _PipeHandler(logging.Handler):
    """Sends the child's log records to the parent, already formatted."""

    def __init__(self, conn: Connection) -> None:
        super().__init__(logging.DEBUG)
        self.conn = conn

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):
            self.conn.send(("log", (record.name, record.levelno, record.getMessage())))


def _child(conn: Connection, fn: Callable[..., Iterator[object]], args: tuple[object, ...],
           memory_bytes: int | None, level: int) -> None:
    os.setpgid(0, 0)  # a group of its own: a kill reaches the OCR processes it starts
    heap.roomy_heap()  # page images reuse the heap rather than being mapped afresh each time
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    root = logging.getLogger()
    root.handlers[:] = [_PipeHandler(conn)]
    root.setLevel(level)
    try:
        for item in fn(*args):
            conn.send(("item", item))
    except MemoryError:
        conn.send(("raised", ("MemoryError", "memory limit reached")))
    except BaseException as e:  # reported to the parent, which decides what it means
        conn.send(("raised", (type(e).__name__, str(e)[:500])))
    else:
        conn.send(("end", None))
    finally:
        conn.close()


def stream_isolated(fn: Callable[..., Iterator[object]], args: tuple[object, ...],
                    limits: Limits, *, label: str = "") -> Iterator[object]:
    """Run ``fn(*args)`` (a module-level generator function) in a child; yield its items.

    ``fn`` and ``args`` must be picklable, and so must the items. The child's log records
    are re-emitted here, prefixed with ``label`` (e.g. the file being read).

    The main module must guard its start (``if __name__ == "__main__":``): the forkserver
    imports it, as every spawn or forkserver start does.

    Raises:
        StalledError: no item (or end) came within ``limits.stall_s`` seconds.
        ChildDiedError: the child exited before it finished.
        ChildRaisedError: ``fn`` raised in the child.
    """
    ctx = _get_context()
    recv, send = ctx.Pipe(duplex=False)
    level = logging.getLogger().getEffectiveLevel()
    proc = ctx.Process(target=_child, args=(send, fn, args, limits.memory_bytes, level),
                       daemon=True)
    proc.start()
    send.close()
    prefix = f"{label}: " if label else ""
    try:
        while True:
            if not recv.poll(limits.stall_s):
                raise StalledError(limits.stall_s)
            try:
                what, value = recv.recv()
            except EOFError:
                proc.join(5)
                raise ChildDiedError(proc.exitcode) from None
            if what == "item":
                yield value
            elif what == "log":
                name, levelno, message = value
                logging.getLogger(name).log(levelno, "%s%s", prefix, message)
            elif what == "raised":
                raise ChildRaisedError(*value)
            else:
                return
    finally:
        recv.close()
        _kill(proc)


def _kill(proc: Any) -> None:
    """Stop the child and its process group, and reap it."""
    if proc.pid is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.join(5)
    with contextlib.suppress(ValueError):
        proc.close()
