"""Progress for people: a live bar on a terminal, plain log lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

PLAIN_EVERY_S = 5.0
"""In plain logs, a line for files read at most this often (and for the first and the last):
a batch of 2,000 applicants has some 15,000 files, and a warm rerun takes each in a
millisecond. Every applicant done keeps its own line (its verdict)."""


class BatchProgress:
    """Counts files, pages and applicants done; shows pages per second and time left."""

    def __init__(self, applicants: int, files: int, stream: TextIO | None = None,
                 every_s: float = PLAIN_EVERY_S) -> None:
        """Start showing progress for a batch of ``applicants`` holding ``files`` files.

        ``every_s``: in plain logs, the least time between two lines for files read.
        """
        self.stream = stream or sys.stderr
        self.every_s = every_s
        self._last_line = -float("inf")
        self.applicants, self.files = applicants, files
        self.files_done = self.pages_done = self.applicants_done = 0
        self.files_cached = self.pages_cached = 0  # readings kept from an earlier run
        self.started = time.monotonic()
        self._live: Progress | None = None
        if self.stream.isatty():
            self._live = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[extra]}"), TimeElapsedColumn(), TimeRemainingColumn(),
                console=Console(file=self.stream), transient=False,
            )
            self._files_bar = self._live.add_task("文件 files", total=max(files, 1), extra="")
            self._app_bar = self._live.add_task("申报人 applicants", total=max(applicants, 1),
                                                extra="")
            self._live.start()
        else:
            self._line(f"batch: {applicants} applicants, {files} evidence files")

    def _rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.pages_done / elapsed if elapsed > 0 else 0.0

    def _left(self) -> str:
        """``, about N min left``: the files still to read at the pace of those read so far."""
        read = self.files_done - self.files_cached
        todo = self.files - self.files_done
        if read < 1 or todo < 1:
            return ""
        seconds = (time.monotonic() - self.started) / read * todo
        return f", about {seconds / 60:.0f} min left" if seconds >= 90 else \
            f", about {seconds:.0f} s left"

    def _line(self, text: str) -> None:
        print(f"[pingshen] {text}", file=self.stream, flush=True)

    def file_done(self, rel: str, pages: int, *, cached: bool = False) -> None:
        """One evidence file has been read (``cached``: its reading was kept from before)."""
        self.files_done += 1
        if cached:
            self.files_cached += 1
            self.pages_cached += pages
        else:
            self.pages_done += pages
        kept = f", {self.files_cached} files kept from before" if self.files_cached else ""
        if self._live is not None:
            self._live.update(self._files_bar, advance=1,
                              extra=f"{self.pages_done} pages read, {self._rate():.1f} pages/s"
                                    f"{kept}")
        elif (self.files_done in (1, self.files)
              or time.monotonic() - self._last_line >= self.every_s):
            self._last_line = time.monotonic()
            self._line(f"read {self.files_done}/{self.files} files, {self.pages_done} pages "
                       f"({self._rate():.1f} pages/s){kept}{self._left()}")

    def applicant_done(self, key: str, verdict: str) -> None:
        """One applicant's outputs are written."""
        self.applicants_done += 1
        if self._live is not None:
            self._live.update(self._app_bar, advance=1, extra=f"{key}: {verdict}")
        else:
            self._line(f"applicant {self.applicants_done}/{self.applicants} {key}: {verdict}")

    def close(self) -> None:
        """Stop the live display."""
        if self._live is not None:
            self._live.stop()
