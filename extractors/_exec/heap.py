"""glibc's heap settings (``mallopt``) for the processes that read files.

A reading process is fresh for each file (:mod:`extractors._exec.isolated`), and a fresh
process starts with glibc's mmap threshold at 128 KiB. Every page image, every float array
of it and every tensor of the second engine is then a block of its own, mapped when it is
allocated and unmapped when it is freed, and each time its pages are faulted in and zeroed
again by the kernel. glibc raises the threshold as such blocks are freed, but only to the
size of each one, and trims the heap's top past twice that: blocks of the same size keep
coming back mapped anew. Over 7 scanned files (a contract, certificates, ID cards) that was
4.0–4.8 million page faults and 31 s of the reading processes' own CPU; with the threshold
and the trim fixed high, 0.7 million and 23 s (RapidOCR's part 24 → 16 s), the same readings
(benchmarks: the note of issue 8).

The main process wants the opposite (:func:`flows.environment.steady_memory`): it lives for
the whole batch, where a heap that keeps everything creeps.
"""

from __future__ import annotations

import ctypes
import functools
from typing import Any

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt parameters (malloc.h)

READER_MMAP_THRESHOLD = 32 << 20  # bytes: glibc's largest; a 200 dpi A4 page is 11.6 MB
READER_TRIM_THRESHOLD = 256 << 20  # bytes of free heap top kept for the next page


@functools.cache
def libc() -> Any:
    """The C library, or None where it is not glibc's ``libc.so.6``."""
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


def mallopt(param: int, value: int) -> bool:
    """Set one of glibc's malloc parameters; False where that cannot be done."""
    c = libc()
    try:
        return c is not None and c.mallopt(param, value) == 1
    except AttributeError:  # a libc.so.6 without mallopt: not glibc
        return False


def roomy_heap() -> bool:
    """For a reading process: page-sized blocks come from the heap and stay for reuse.

    The heap keeps up to 256 MiB free at its top; the second engine still hands back what
    it freed after each page (:func:`extractors._exec.rapid.read_lines`), so a long volume
    does not grow the process. Returns False where this is not glibc (nothing changed).
    """
    return (mallopt(M_MMAP_THRESHOLD, READER_MMAP_THRESHOLD)
            and mallopt(M_TRIM_THRESHOLD, READER_TRIM_THRESHOLD))
