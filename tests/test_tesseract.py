"""Tesseract's two ways in (its library in the process, the command) and crashed readers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from extractors._exec import tesseract
from extractors.reading import read_document
from tests import _isolated_targets as targets
from tests._images import text_image
from tests.conftest import tesseract_command_only

LINES = ["专业技术资格证书", "姓名：王丽 证书编号 2016001", "浙江省人力资源和社会保障厅"]

needs_library = pytest.mark.skipif(
    not tesseract.in_process(), reason="pages are read with the tesseract command here "
    "(tesserocr missing, or not built against the system's Tesseract: scripts/setup.sh)")


@pytest.mark.needs_tesseract
@needs_library
@pytest.mark.parametrize(("mode", "dpi"), [("L", 200), ("RGB", None), ("1", 300)])
def test_the_library_reads_exactly_as_the_command(mode: str, dpi: int | None) -> None:
    """This test ensures that the library gives the command's words, boxes and confidences."""
    img = text_image(LINES).rotate(1.5, expand=True, fillcolor="white").convert(mode)
    here = tesseract.image_to_words(img, "chi_sim", timeout=60, dpi=dpi)
    with tesseract_command_only():
        assert not tesseract.in_process()
        there = tesseract.image_to_words(img, "chi_sim", timeout=60, dpi=dpi)
    assert "王丽" in "".join(w.text for w in here)
    assert here == there


@pytest.mark.needs_tesseract
@needs_library
def test_the_library_reads_a_blank_page_as_no_words() -> None:
    """This test ensures that a page with nothing on it gives no words, not an error."""
    from PIL import Image

    assert tesseract.image_to_words(Image.new("L", (400, 300), 255), "chi_sim",
                                    timeout=60) == []


@needs_library
def test_the_library_runs_one_openmp_thread() -> None:
    """This test ensures that OpenMP is loaded with a limit of one thread.

    OpenMP reads OMP_THREAD_LIMIT once, when the library loads it; set after that, a page
    took 2.1 × the CPU here (two threads spinning on two cores).
    """
    code = ("import ctypes, extractors._exec.tesseract as t; assert t.tesserocr; "
            "print(ctypes.CDLL('libgomp.so.1').omp_get_thread_limit())")
    env = {k: v for k, v in os.environ.items() if k != "OMP_THREAD_LIMIT"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=Path(__file__).parents[1], check=True)
    assert done.stdout.strip() == "1"


@pytest.mark.needs_tesseract
@needs_library
def test_the_library_stops_a_page_at_its_time_limit() -> None:
    """This test ensures that a page past its seconds is an OcrTimeoutError, not a wait."""
    img = text_image(LINES * 12, size=(1654, 2339))
    with pytest.raises(tesseract.OcrTimeoutError):
        tesseract.image_to_words(img, "chi_sim", timeout=0.001)
    assert "王丽" in "".join(w.text for w in tesseract.image_to_words(img, "chi_sim", timeout=60))


@pytest.mark.needs_tesseract
def test_the_command_is_used_when_asked(tesseract_command: None) -> None:
    """This test ensures that PINGSHEN_TESSERACT=cli reads with the command."""
    assert not tesseract.in_process()
    words = tesseract.image_to_words(text_image(LINES), "chi_sim", timeout=60)
    assert "王丽" in "".join(w.text for w in words)


def test_a_library_of_another_version_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """This test ensures that a tesserocr wheel's own Tesseract is left for the command's.

    (A version that differs cannot be installed beside the system's here: its string is set.)
    """
    if tesseract.tesserocr is None:
        pytest.skip("tesserocr is not installed")
    monkeypatch.setattr(tesseract.tesserocr, "tesseract_version",
                        lambda: "tesseract 5.5.4\n leptonica-1.87.0\n")
    tesseract.in_process.cache_clear()
    try:
        assert not tesseract.in_process()
    finally:
        monkeypatch.undo()
        tesseract.in_process.cache_clear()


@pytest.mark.needs_tesseract
def test_a_reading_process_killed_once_is_read_again(tmp_path: Path, policy) -> None:
    """This test ensures that a reader killed by a signal is transient: the file is read again."""
    scan = tmp_path / "scan.png"
    text_image(LINES).save(scan)
    clean = read_document(scan, "scan.png", policy.reading, isolated=True)
    doc = read_document(scan, "scan.png", policy.reading, isolated=True,
                        reader=targets.read_crashing_once)
    assert (tmp_path / "scan.png.crashed").exists()
    assert doc == clean
    assert doc.findings == () and "王丽" in doc.pages[0].text.replace(" ", "")


@pytest.mark.parametrize(("reader", "tries"), [
    (targets.read_crashing_always, 2),  # killed by a signal every time: once more, no more
    (targets.read_raising, 1),  # an error raised in the reader: not again
])
def test_a_reader_that_fails_every_time_is_file001(tmp_path: Path, policy, reader,
                                                   tries: int) -> None:
    """This test ensures that only a reader killed by a signal is tried again, and only once."""
    scan = tmp_path / "scan.png"
    text_image(LINES).save(scan)
    doc = read_document(scan, "scan.png", policy.reading, isolated=True, reader=reader)
    assert len(list(tmp_path.glob("scan.png.try*"))) == tries
    assert [f.code for f in doc.findings] == ["FILE001"]
    assert doc.pages == () and doc.stopped


@needs_library
def test_the_reading_processes_come_with_the_language_loaded() -> None:
    """This test ensures that the forkserver loads Tesseract's model before it forks readers."""
    from extractors._exec import isolated

    got = list(isolated.stream_isolated(targets.tesseract_loaded, (),
                                        isolated.Limits(stall_s=60)))
    assert got == [["chi_sim"]]


@pytest.mark.needs_tesseract
@needs_library
def test_threads_take_turns_with_the_library() -> None:
    """This test ensures that pages read from two threads at once come out as read alone.

    One engine holds one page; two pages set on it at once would mix (or crash the process).
    """
    from concurrent.futures import ThreadPoolExecutor

    pages = [text_image(LINES), text_image(["毕业证书", "学生 李强 于二〇〇七年六月毕业"])]
    alone = [tesseract.image_to_words(p, "chi_sim", timeout=60) for p in pages]
    with ThreadPoolExecutor(2) as pool:
        together = list(pool.map(lambda p: tesseract.image_to_words(p, "chi_sim", timeout=60),
                                 pages * 3))
    assert together == alone * 3
