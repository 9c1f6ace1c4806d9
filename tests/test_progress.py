"""Progress for people in plain logs: files, pages, pages per second, time left."""

from __future__ import annotations

import io
import re

from flows.progress import BatchProgress


def test_plain_log_lines_give_pages_rate_and_time_left() -> None:
    """This test ensures that without a terminal each file read is one line with the pace."""
    stream = io.StringIO()
    progress = BatchProgress(2, 4, stream=stream)
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
