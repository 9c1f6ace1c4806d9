"""Benchmark (run by hand): the pipeline's time per scanned page against plain `tesseract`.

    .venv/bin/python benchmarks/ocr_overhead.py [IMAGE ...] [--repeat N]

Default image: the scanned certificate of the sample batch. For each image it times
``extractors.reading.read_document`` (decode, OCR through pytesseract with boxes, text
joining) and a plain ``tesseract IMG - -l chi_sim`` on the same file, both with one OpenMP
thread, and prints the ratio (our overhead, not Tesseract's) and peak RSS.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import time
from pathlib import Path

from checks.policy import load_policy
from extractors.reading import read_document

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "fixtures" / "sample-batch" / "a03-scanned" / "certificates" / "毕业证书.jpg"


def _time(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def main() -> None:
    """Time each image both ways and print a table."""
    ap = argparse.ArgumentParser()
    ap.add_argument("images", nargs="*", type=Path, default=[DEFAULT])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rule = load_policy().reading
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    print(f"{'image':40} {'pipeline s':>10} {'tesseract s':>11} {'ratio':>6}")
    for img in args.images:
        ours = _time(lambda img=img: read_document(img, img.name, rule), args.repeat)
        plain = _time(lambda img=img: subprocess.run(
            ["tesseract", str(img), "-", "-l", rule.ocr_lang], env=env, check=True,
            capture_output=True), args.repeat)
        print(f"{img.name[:40]:40} {ours:10.2f} {plain:11.2f} {ours / plain:6.2f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {rss:.0f} MB")


if __name__ == "__main__":
    main()
