"""Progress for people in plain logs: files, pages, pages per second, time left."""

from __future__ import annotations

import io
import re

from flows.progress import BatchProgress


def test_plain_log_lines_give_pages_rate_and_time_left() -> None:
    """This test ensures that without a terminal each file read is one line with the pace."""
    stream = io.StringIO()
    progress = BatchProgress(2, 4, stream=stream, every_s=0)
    progress.file_done("a01/x.pdf", 3)
    progress.file_done("a01/y.pdf", 2, cached=True)
    progress.applicant_done("a01", "pass")
    progress.close()
    lines = stream.getvalue().splitlines()
    assert lines[0] == "[pingshen] batch: 2 applicants, 4 evidence files"
    assert re.fullmatch(r"\[pingshen\] read 1/4 files, 3 pages \([\d.]+ pages/s\), "
                        r"about \d+ s left", lines[1]), lines[1]
    # a kept reading is no page read now, and does not count towards the pace
    assert re.fullmatch(r"\[pingshen\] read 2/4 files, 3 pages \([\d.]+ pages/s\), "
                        r"1 files kept from before, about \d+ s left", lines[2]), lines[2]
    assert lines[3] == "[pingshen] applicant 1/2 a01: pass"


def test_plain_log_lines_for_files_come_at_most_every_few_seconds() -> None:
    """This test ensures that a quick run does not print a line per file in plain logs.

    The first and the last file always get their line, the others only once ``every_s``
    has passed since the last one; every applicant keeps its line.
    """
    stream = io.StringIO()
    progress = BatchProgress(1, 5, stream=stream, every_s=3600)
    for i in range(5):
        progress.file_done(f"a01/{i}.pdf", 1, cached=True)
    progress.applicant_done("a01", "pass")
    progress.close()
    lines = stream.getvalue().splitlines()
    assert [ln.split(",")[0] for ln in lines] == [
        "[pingshen] batch: 1 applicants", "[pingshen] read 1/5 files",
        "[pingshen] read 5/5 files", "[pingshen] applicant 1/1 a01: pass"]
