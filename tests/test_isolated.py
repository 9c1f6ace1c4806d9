"""The child process that reads one file: streaming, stall, memory cap, crash, logs."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import pytest

from extractors._exec import isolated
from extractors.reading import read_document
from tests import _isolated_targets as targets
from tests._images import text_image


@pytest.fixture
def scan_page(tmp_path: Path) -> Path:
    """A small scanned page with Chinese text, as a PNG."""
    path = tmp_path / "scan.png"
    text_image(["毕业证书", "学生 王丽 于二〇〇七年六月毕业"]).save(path)
    return path


def _run(fn, args, limits) -> tuple[list[object], Exception | None]:
    got: list[object] = []
    try:
        for item in isolated.stream_isolated(fn, args, limits):
            got.append(item)
    except isolated.IsolatedError as e:
        return got, e
    return got, None


def test_items_and_logs_come_back(caplog: pytest.LogCaptureFixture) -> None:
    """This test ensures that every item reaches the parent in order, with the child's logs."""
    with caplog.at_level(logging.WARNING, logger="tests.isolated"):
        got, err = _run(targets.count, (5,), isolated.Limits(stall_s=30))
    assert err is None
    assert got == [0, 1, 2, 3, 4]
    assert any(r.name == "tests.isolated" and r.getMessage() == "counting to 5"
               for r in caplog.records)


def test_stall_is_cut_off_and_items_kept() -> None:
    """This test ensures that a child that stops making progress is killed in time."""
    start = time.monotonic()
    got, err = _run(targets.then_hang, (7,), isolated.Limits(stall_s=1.0))
    assert got == [7]
    assert isinstance(err, isolated.StalledError)
    assert time.monotonic() - start < 15


def test_stall_kills_the_processes_the_child_started() -> None:
    """This test ensures that the OCR processes a stalled reader started die with it."""
    got, err = _run(targets.start_sleeper_then_hang, (), isolated.Limits(stall_s=1.0))
    assert isinstance(err, isolated.StalledError)
    pid = got[0]
    assert isinstance(pid, int)
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        # a killed grandchild lingers as a zombie until init reaps it
        stat = Path(f"/proc/{pid}/stat")
        if stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z":
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"the grandchild {pid} is still running")


def test_memory_cap_stops_a_bomb() -> None:
    """This test ensures that a child asking for more than its cap fails alone."""
    got, err = _run(targets.allocate, (8192,),
                    isolated.Limits(stall_s=30, memory_bytes=1024 << 20))
    assert got == [1]
    assert isinstance(err, isolated.ChildRaisedError)
    assert err.kind == "MemoryError"


def test_crash_is_reported_with_its_signal() -> None:
    """This test ensures that a segfault in the child is an error, not a hang or a crash."""
    got, err = _run(targets.crash, (), isolated.Limits(stall_s=30))
    assert got == [1]
    assert isinstance(err, isolated.ChildDiedError)
    assert "SIGSEGV" in str(err)


def test_exception_in_child_is_named() -> None:
    """This test ensures that a bare library exception in the child names its type."""
    got, err = _run(targets.fail, (), isolated.Limits(stall_s=30))
    assert got == [1]
    assert isinstance(err, isolated.ChildRaisedError)
    assert err.kind == "TypeError"


@pytest.mark.needs_tesseract
def test_reading_that_stalls_is_file004_naming_the_limit(tmp_path: Path, policy,
                                                         scan_page) -> None:
    """This test ensures that a file whose page takes too long is stopped with FILE004."""
    rule = policy.reading.model_copy(update={"page_timeout_s": 60, "stall_timeout_s": 0.1})
    doc = read_document(scan_page, scan_page.name, rule, isolated=True)
    assert [f.code for f in doc.findings] == ["FILE004"]
    assert "stall_timeout_s" in doc.findings[0].message


@pytest.mark.needs_tesseract
def test_isolated_reading_equals_in_process(policy, scan_page) -> None:
    """This test ensures that reading in a child gives exactly what reading in-process gives."""
    here = read_document(scan_page, scan_page.name, policy.reading)
    there = read_document(scan_page, scan_page.name, policy.reading, isolated=True)
    assert there == here
    assert there.pages and there.pages[0].text


def test_the_second_engine_comes_loaded_and_reads_the_same_in_a_child() -> None:
    """This test ensures that the engine loaded before the fork reads right in each child.

    The forkserver loads RapidOCR's models once (extractors._exec.preload); a child forked
    after that must read exactly as a process that loaded them itself.
    """
    from extractors._exec import rapid
    from tests._images import text_image

    if not rapid.is_available():
        pytest.skip("RapidOCR not installed")
    lines = ["人民币叁万元整", "郭婷"]
    here = [rapid.read_lines([text_image([ln], size=(520, 90), font_px=40)])[0].text
            for ln in lines]
    for _ in range(2):  # a second child from the same server
        got, err = _run(targets.second_engine_reads, (lines,), isolated.Limits(stall_s=60))
        assert err is None
        assert got == [True, *here]
    assert here[0] == "人民币叁万元整"


def test_a_reading_process_reuses_its_heap_for_page_images() -> None:
    """This test ensures that a page-sized block freed in a reading process is reused.

    A fresh process maps each such block anew and the kernel faults in and zeroes its pages
    every time (4 million page faults over 7 scanned files); the reading process keeps them
    in its heap (extractors._exec.heap).
    """
    import subprocess
    import sys

    megabytes, blocks, times = 8, 4, 10  # an image and its arrays, page after page
    pages = blocks * (megabytes << 20) // 4096
    code = ("from tests._isolated_targets import page_faults; "
            f"print(next(page_faults({megabytes}, {blocks}, {times})))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    plain = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, timeout=60, env=env, cwd=Path(__file__).parent.parent)
    assert int(plain.stdout) >= times * pages * 0.9  # the fault is real in a plain process
    got, err = _run(targets.page_faults, (megabytes, blocks, times),
                    isolated.Limits(stall_s=60))
    assert err is None
    assert got[0] < pages // 10


_STARTED_EARLY = """
import os
from multiprocessing import forkserver
from extractors._exec import isolated
from tests import _isolated_targets as targets

isolated.start_server()
pid = forkserver._forkserver._forkserver_pid
assert pid is not None, "no forkserver started"
os.kill(pid, 0)  # alive
got = list(isolated.stream_isolated(targets.parent_pid, (), isolated.Limits(stall_s=60)))
assert got == [pid], (got, pid)
print("ok")
"""


def test_the_forkserver_starts_before_the_first_reading() -> None:
    """start_server starts the forkserver at once, and the first reading forks from it."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", _STARTED_EARLY], cwd=root, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"


def test_opencv_runs_on_one_thread_in_a_reading_process() -> None:
    """Workers do not fight: image work in a reading process is single-threaded like OCR."""
    got, err = _run(targets.cv2_threads, (), isolated.Limits(stall_s=60))
    assert err is None
    assert got == [1]
