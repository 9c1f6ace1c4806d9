"""Benchmark (run by hand): how fast and how well extractors/ reads a generated batch.

    .venv/bin/python benchmarks/read_pages.py GENERATED_DIR [--files N] [--volume-pages 100]

GENERATED_DIR is what ``python -m fixtures.generate`` wrote (``batch/`` and ``truth.json``).
One process, one file at a time (so the figures are per core), it prints:

1. born-digital pages per second and scanned pages per second (``read_document`` on up to
   ``--files`` files of each medium);
2. the OCR overhead: for scanned pages, our ``read_document`` time per page (Tesseract
   only: ``second_engine`` off) divided by a plain ``tesseract IMG - -l chi_sim`` on the
   same page image (one OpenMP thread both); and, timed apart, what the second engine's
   line re-reads add per page, with the character accuracy they reach;
3. page-kind accuracy and character accuracy (1 - CER, whitespace ignored) of those pages
   against the truth, split by medium, with the scanned pages turned upright or not;
4. the peak memory of reading a ``--volume-pages`` page scanned volume, in a child process.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageOps
from rapidfuzz.distance import Levenshtein

from checks.policy import load_policy
from extractors.reading import read_document
from model.truth import FileTruth, Medium, Truth


def _squash(s: str) -> str:
    return "".join(s.split())


def _accuracy(got: str, truth: str) -> float:
    g, t = _squash(got), _squash(truth)
    return max(0.0, 1 - Levenshtein.distance(g, t) / len(t)) if t else 1.0


def _files(truth: Truth, root: Path, medium: Medium, n: int) -> list[tuple[Path, str, FileTruth]]:
    out = []
    for key, a in truth.applicants.items():
        if a.zipped:
            continue
        for rel, f in a.files.items():
            if f.medium == medium and f.pages and not f.note.startswith("unreadable"):
                out.append((root / "batch" / key / rel, rel, f))
    return out[:n]


def _page_images(path: Path, dpi: int) -> list[Image.Image]:
    if path.read_bytes()[:4] == b"%PDF":
        doc = pdfium.PdfDocument(path)
        try:
            return [doc[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(doc))]
        finally:
            doc.close()
    with Image.open(path) as img:
        frames = []
        for i in range(getattr(img, "n_frames", 1)):
            img.seek(i)
            frames.append(ImageOps.exif_transpose(img).convert("RGB"))
        return frames


def _plain_tesseract(images: list[Image.Image], lang: str) -> float:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    total = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for i, img in enumerate(images):
            p = Path(tmp) / f"{i}.png"
            img.save(p)
            t = time.perf_counter()
            subprocess.run(["tesseract", str(p), "-", "-l", lang], env=env, check=True,
                           capture_output=True)
            total += time.perf_counter() - t
    return total


def _volume_peak(pages: list[Image.Image], n: int) -> float:
    """Peak RSS (MB) of a child process reading an n-page image-only PDF."""
    with tempfile.TemporaryDirectory() as tmp:
        vol = Path(tmp) / "volume.pdf"
        frames = [pages[i % len(pages)] for i in range(n)]
        frames[0].save(vol, "PDF", resolution=200, save_all=True, append_images=frames[1:])
        code = ("import resource,sys;from checks.policy import load_policy;"
                "from extractors.reading import read_document;"
                "d=read_document(__import__('pathlib').Path(sys.argv[1]),'v.pdf',"
                "load_policy().reading);print(len(d.pages));"
                "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
        out = subprocess.run([sys.executable, "-c", code, str(vol)], check=True,
                             capture_output=True, text=True).stdout.split()
        assert int(out[0]) == n, out  # noqa: S101 (a benchmark's sanity check)
        return int(out[1]) / 1024


def main() -> None:
    """Read the sample of files, time and score them, and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("generated", type=Path)
    ap.add_argument("--files", type=int, default=20, help="files of each medium (default 20)")
    ap.add_argument("--volume-pages", type=int, default=100)
    args = ap.parse_args()
    truth = Truth.load(args.generated / "truth.json")
    rule = load_policy().reading
    tesseract_only = rule.model_copy(update={"second_engine": False})
    os.environ["OMP_THREAD_LIMIT"] = "1"
    for medium in (Medium.BORN_DIGITAL, Medium.SCANNED):
        files = _files(truth, args.generated, medium, args.files)
        pages = kinds_ok = 0
        accs: list[float] = []
        upright_accs: list[float] = []
        spent = plain = 0.0
        second = 0.0
        second_accs: list[float] = []
        for path, rel, f in files:
            t = time.perf_counter()
            doc = read_document(path, rel, tesseract_only)
            spent += time.perf_counter() - t
            if medium is Medium.SCANNED:
                t = time.perf_counter()
                both = read_document(path, rel, rule)
                second += time.perf_counter() - t
                second_accs += [_accuracy(g.text, tr.text)
                                for g, tr in zip(both.pages, f.pages, strict=False)]
            for got, true in zip(doc.pages, f.pages, strict=False):
                pages += 1
                kinds_ok += str(got.kind) == true.kind
                accs.append(_accuracy(got.text, true.text))
                if true.rotation == 0:
                    upright_accs.append(accs[-1])
            if medium is Medium.SCANNED:
                plain += _plain_tesseract(_page_images(path, rule.dpi), rule.ocr_lang)
        print(f"{medium}: {len(files)} files, {pages} pages in {spent:.1f} s = "
              f"{pages / spent:.2f} pages/s (one core)")
        print(f"  page kind {kinds_ok}/{pages} = {kinds_ok / max(1, pages):.3f}; character "
              f"accuracy mean {statistics.fmean(accs):.3f}, median {statistics.median(accs):.3f}"
              + (f"; pages scanned upright {statistics.fmean(upright_accs):.3f} "
                 f"({len(upright_accs)})" if medium is Medium.SCANNED else ""))
        if medium is Medium.SCANNED and plain:
            print(f"  OCR overhead: {spent:.1f} s ours / {plain:.1f} s plain tesseract = "
                  f"{spent / plain:.2f}")
            print(f"  with the second engine's re-reads: {second:.1f} s, "
                  f"+{(second - spent) / max(1, pages):.2f} s a page; character accuracy "
                  f"{statistics.fmean(second_accs):.3f}")
            sample = _page_images(files[0][0], rule.dpi)
            peak = _volume_peak(sample, args.volume_pages)
            print(f"  peak RSS reading a {args.volume_pages}-page scanned volume: {peak:.0f} MB")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {rss:.0f} MB")


if __name__ == "__main__":
    main()
