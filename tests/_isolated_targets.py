"""Generator functions that the isolation tests run in a child process (importable by name)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from collections.abc import Iterator

log = logging.getLogger("tests.isolated")


def count(n: int) -> Iterator[int]:
    """Yield 0..n-1, logging a warning on the way."""
    log.warning("counting to %d", n)
    yield from range(n)


def then_hang(first: int) -> Iterator[int]:
    """Yield ``first``, then never yield again."""
    yield first
    time.sleep(3600)


def start_sleeper_then_hang() -> Iterator[int]:
    """Start a grandchild process (as the reader starts Tesseract), yield its pid, hang."""
    proc = subprocess.Popen(["sleep", "3600"])
    yield proc.pid
    time.sleep(3600)


def allocate(megabytes: int) -> Iterator[int]:
    """Yield 1, then try to hold ``megabytes`` of memory."""
    yield 1
    block = bytearray(megabytes << 20)
    yield len(block)


def crash() -> Iterator[int]:
    """Yield 1, then die by a segmentation fault as a C library would."""
    yield 1
    os.kill(os.getpid(), signal.SIGSEGV)
    yield 2


def fail() -> Iterator[int]:
    """Raise a bare library-style error after one item."""
    yield 1
    raise TypeError("'NoneType' object is not subscriptable")


def second_engine_reads(lines: list[str]) -> Iterator[object]:
    """Yield whether the engine came loaded, then RapidOCR's reading of each line drawn."""
    from extractors._exec import rapid
    from tests._images import text_image

    yield rapid._engine.cache_info().currsize == 1  # noqa: SLF001 (loaded before the fork)
    for line in lines:
        yield rapid.read_lines([text_image([line], size=(520, 90), font_px=40)])[0].text


def page_faults(megabytes: int, blocks: int, times: int) -> Iterator[int]:
    """Yield the page faults of ``times`` rounds of allocating a page's arrays, then freeing.

    A round: ``blocks`` blocks of ``megabytes`` each, all allocated, then all freed. The first
    round is not counted (its pages are new whatever the heap does).
    """
    import resource

    def one_round() -> None:
        held = [bytearray(megabytes << 20) for _ in range(blocks)]
        del held

    one_round()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(times):
        one_round()
    yield resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def parent_pid() -> Iterator[int]:
    """The child's parent: the forkserver it was forked from."""
    yield os.getppid()


def cv2_threads() -> Iterator[int]:
    """How many threads OpenCV may use in a reading process."""
    import cv2

    yield cv2.getNumThreads()


def read_crashing_once(path, rel, rule, sniffed) -> Iterator[object]:
    """The reader, killed by SIGSEGV on its first file's first run (a marker beside it)."""
    from extractors.reading import read_events

    marker = path.with_name(path.name + ".crashed")
    if not marker.exists():
        marker.touch()
        os.kill(os.getpid(), signal.SIGSEGV)
    yield from read_events(path, rel, rule, sniffed)


def _tried(path) -> None:
    n = len(list(path.parent.glob(path.name + ".try*")))
    path.with_name(f"{path.name}.try{n}").touch()


def read_crashing_always(path, rel, rule, sniffed) -> Iterator[object]:
    """The reader, killed by SIGSEGV every time, each run leaving a marker."""
    _tried(path)
    os.kill(os.getpid(), signal.SIGSEGV)
    yield None


def read_raising(path, rel, rule, sniffed) -> Iterator[object]:
    """The reader, raising a library-style error every time, each run leaving a marker."""
    _tried(path)
    raise TypeError("'NoneType' object is not subscriptable")
    yield None


def tesseract_loaded() -> Iterator[list[str]]:
    """Yield the languages Tesseract's library had loaded when this child was forked."""
    from extractors._exec import tesseract

    yield sorted(tesseract._apis)  # noqa: SLF001
