r"""Benchmark (run by hand): turning scanned pages upright before OCR, on a generated batch.

    .venv/bin/python -m fixtures.generate /tmp/k30 --applicants 30 --seed 404
    .venv/bin/python benchmarks/orientation.py /tmp/k30 --cache /tmp/k30-orient.json \\
        [--limit N] [--synthetic N] [--measures base,osd1600,skew,with,...]

Pages: every page of every scanned file in ``truth.json`` (PDF pages rendered with PDFium
at 200 dpi, images as they are after their EXIF orientation), and with ``--synthetic N``
N born-digital pages of the same batch scanned again here with a known degradation (the
generator's random draw, but a uniform quarter turn), so that skew errors can be measured
(truth.json does not record the skew) and turned pages are not rare.

Measures (each cached per page in the ``--cache`` JSON, so reruns only do what is new):

- ``base``: ``image_to_words`` on the page as it is (chi_sim, psm 3).
- ``osd<side>``: Tesseract OSD on a greyscale copy with that long side (``osdfull``: as is).
- ``osd<side>m<n>``: the same with ``min_characters_to_try=n``.
- ``conf<side>``: the alternative, OCR of a greyscale copy with that long side at each
  quarter turn, scoring mean word confidence × CJK characters read.
- ``skew``: ``estimate_skew``.
- ``pair``: CPU of ``image_to_words`` and of ``read_upright`` on the same page, alternated
  twice (the minimum of each): the extra cost, without other load skewing it.
- ``with``: ``read_upright`` (deskew, OCR, and a second OCR turned 180° when the first
  is not confident), as configured; ``with-s<deg>-c<conf>``: with another ``min_skew``
  (``inf``: no deskew) and ``min_confidence``.

Reported: orientation accuracy per true rotation, skew estimates (errors on synthetic pages),
seconds per page (wall, and CPU of this process and its Tesseract children: the machine may
be shared), and character accuracy (1 − Levenshtein / length, whitespace removed; the
truth is the drawn text layer, whose order can differ from reading order, so read the
figures relative to each other) without and with turning upright.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import random
import re
import resource
import statistics
import sys
import tempfile
import time
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageOps
from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractors import orient, text  # noqa: E402
from extractors._exec import tesseract, upright  # noqa: E402
from fixtures.dossier import scan  # noqa: E402
from model.truth import Medium, Truth  # noqa: E402

LANG = "chi_sim"
PDF_DPI = 200
TIMEOUT = 300
DEFAULT_MEASURES = "base,osdfull,osd1600,skew,with"
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

Record = dict[str, Any]


@dataclasses.dataclass(frozen=True, slots=True)
class PageSpec:
    """Where one benchmark page comes from and what it should say."""

    key: str
    path: str
    index: int  # zero-based page or frame
    rotation: int  # clockwise quarter the page was turned when scanned
    text: str
    phone: bool = False
    synthetic: dict[str, Any] | None = None  # the Degradation, for re-scanned pages


def _folder(root: Path, key: str, zipped: bool) -> Path:
    """The applicant's folder; a zipped upload is unpacked once into the temp folder."""
    if not zipped:
        return root / "batch" / key
    out = Path(tempfile.gettempdir()) / "pingshen-orientation-unzipped" / root.name
    if not (out / key).is_dir():
        with zipfile.ZipFile(root / "batch" / f"{key}.zip") as z:
            z.extractall(out)
    return out / key


def _batch_pages(root: Path) -> list[PageSpec]:
    truth = Truth.load(root / "truth.json")
    specs = []
    for key, app in truth.applicants.items():
        for rel, f in app.files.items():
            if f.medium != Medium.SCANNED:
                continue
            path = _folder(root, key, app.zipped) / rel
            specs.extend(PageSpec(key=f"{key}/{rel}#{p.page}", path=str(path), index=p.page - 1,
                                  rotation=p.rotation, text=p.text) for p in f.pages)
    return specs


def _synthetic_pages(root: Path, n: int, seed: int) -> list[PageSpec]:
    truth = Truth.load(root / "truth.json")
    pool = []
    for key, app in truth.applicants.items():
        for rel, f in app.files.items():
            if f.medium == Medium.BORN_DIGITAL and f.media_type == "application/pdf":
                path = _folder(root, key, app.zipped) / rel
                pool.extend((key, rel, path, p) for p in f.pages if len(p.text) > 40)
    rng = random.Random(seed)
    picks = rng.sample(pool, min(n, len(pool)))
    specs = []
    for i, (key, rel, path, p) in enumerate(picks):
        phone = i % 3 == 2
        d = scan.random_degradation(rng, phone=phone)
        d = dataclasses.replace(d, quarter=orient.QUARTERS[i % 4])
        specs.append(PageSpec(key=f"syn:{key}/{rel}#{p.page}:{d.seed}", path=str(path),
                              index=p.page - 1, rotation=d.quarter, text=p.text, phone=phone,
                              synthetic=dataclasses.asdict(d)))
    return specs


def _load(spec: PageSpec) -> tuple[Image.Image, int | None, float | None]:
    """The page image, its dpi and (synthetic pages) its true skew."""
    path = Path(spec.path)
    if spec.synthetic is not None:
        d = scan.Degradation(**spec.synthetic)
        img, _ = scan.degrade(scan.rasterise(path.read_bytes(), spec.index, d.dpi), d)
        if d.jpeg_quality:
            img = Image.open(io.BytesIO(scan.to_jpeg(img, d.jpeg_quality, d.dpi))).convert("RGB")
        return img, d.dpi, d.angle
    if path.read_bytes()[:5] == b"%PDF-":
        doc = pdfium.PdfDocument(path)
        try:
            page = doc[spec.index]
            bitmap = page.render(scale=PDF_DPI / 72)
            img = bitmap.to_pil().convert("RGB")
            bitmap.close()
            page.close()
        finally:
            doc.close()
        return img, PDF_DPI, None
    with Image.open(path) as im:
        im.seek(spec.index)
        dpi = im.info.get("dpi")
        frame = ImageOps.exif_transpose(im).convert("RGB")
    value = round(float(dpi[0])) if dpi else 0
    return frame, value if 70 <= value <= 1200 else None, None


class _Clock:
    """Wall time and CPU time (this process plus its finished children) of a block."""

    def __enter__(self) -> _Clock:
        self.wall = time.perf_counter()
        self.cpu = _cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = _cpu() - self.cpu


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _accuracy(ocr: str, truth: str) -> tuple[int, int]:
    """Levenshtein distance and truth length, whitespace removed."""
    a, b = "".join(ocr.split()), "".join(truth.split())
    return Levenshtein.distance(a, b), len(b)


def _ocr(img: Image.Image, dpi: int | None, truth: str) -> Record:
    with _Clock() as c:
        words = tesseract.image_to_words(img, LANG, timeout=TIMEOUT, dpi=dpi)
    dist, n = _accuracy(text.words_to_text(words), truth)
    return {"dist": dist, "len": n, "conf": text.mean_confidence(words),
            "cjk": sum(len(_CJK.findall(w.text)) for w in words), "wall": c.wall, "cpu": c.cpu}


def _greyscale_copy(img: Image.Image, side: int) -> Image.Image:
    grey = img.convert("L")
    f = side / max(grey.size)
    if f < 1:
        grey = grey.resize((round(grey.width * f), round(grey.height * f)),
                           Image.Resampling.BILINEAR, reducing_gap=2.0)
    return grey


def _orientation_by_confidence(img: Image.Image, side: int) -> Record:
    """OCR a small copy at each quarter turn; the best mean confidence × CJK count wins."""
    grey = _greyscale_copy(img, side)
    scores = {}
    for q in orient.QUARTERS:
        words = tesseract.image_to_words(orient.make_upright(grey, q, 0.0).image, LANG,
                                         timeout=TIMEOUT)
        cjk = sum(len(_CJK.findall(w.text)) for w in words)
        scores[q] = text.mean_confidence(words) * cjk
    best = max(scores, key=lambda q: scores[q])
    ranked = sorted(scores.values(), reverse=True)
    return {"rot": best, "conf": ranked[0] / max(ranked[1], 1.0), "scores": scores}


def _measure(name: str, img: Image.Image, dpi: int | None, spec: PageSpec) -> Record:
    if name == "base":
        return _ocr(img, dpi, spec.text)
    if m := re.fullmatch(r"osd(full|\d+)(?:m(\d+))?", name):
        side = 100_000 if m[1] == "full" else int(m[1])
        chars = int(m[2]) if m[2] else tesseract.OSD_MIN_CHARACTERS
        with _Clock() as c:
            try:
                rot, conf = tesseract.detect_orientation(img, timeout=TIMEOUT, side=side,
                                                         min_characters=chars)
            except tesseract.OcrFailedError as e:
                rot, conf = -1, 0.0
                print(f"{spec.key}: {e}", file=sys.stderr)
        return {"rot": rot, "conf": conf, "wall": c.wall, "cpu": c.cpu}
    if m := re.fullmatch(r"conf(\d+)", name):
        with _Clock() as c:
            out = _orientation_by_confidence(img, int(m[1]))
        return {**out, "wall": c.wall, "cpu": c.cpu}
    if name == "pair":  # the cost of read_upright against plain OCR, measured side by side
        base, read = [], []
        for _ in range(2):
            with _Clock() as c:
                tesseract.image_to_words(img, LANG, timeout=TIMEOUT, dpi=dpi)
            base.append(c.cpu)
            with _Clock() as c:
                upright.read_upright(img, LANG, timeout=TIMEOUT, dpi=dpi)
            read.append(c.cpu)
        return {"base_cpu": min(base), "with_cpu": min(read)}
    if name == "skew":
        with _Clock() as c:
            skew = orient.estimate_skew(img)
        return {"skew": skew, "wall": c.wall, "cpu": c.cpu}
    if m := re.fullmatch(r"with(?:-s([\d.]+|inf))?(?:-c([\d.]+))?", name):
        min_skew = float(m[1]) if m[1] else upright.DESKEW_FROM
        min_conf = float(m[2]) if m[2] else upright.UPRIGHT_CONFIDENCE
        with _Clock() as c:
            read = upright.read_upright(img, LANG, timeout=TIMEOUT, dpi=dpi, min_skew=min_skew,
                                        min_confidence=min_conf)
        dist, n = _accuracy(text.words_to_text(read.words), spec.text)
        return {"dist": dist, "len": n, "conf": text.mean_confidence(read.words),
                "quarter": read.quarter, "tries": read.tries, "skew": read.upright.skew,
                "wall": c.wall, "cpu": c.cpu}
    raise ValueError(f"unknown measure {name!r}")


def _run_page(spec: PageSpec, measures: list[str]) -> Record:
    img, dpi, true_skew = _load(spec)
    out: Record = {"rotation": spec.rotation, "true_skew": true_skew, "phone": spec.phone,
                   "pixels": img.width * img.height}
    for name in measures:
        out[name] = _measure(name, img, dpi, spec)
    return out


# ---------------------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------------------


def _expected(rotation: int) -> int:
    """The clockwise turn that undoes a page turned ``rotation`` degrees clockwise."""
    return (360 - rotation) % 360


def _char_acc(recs: list[Record]) -> str:
    if not recs:
        return "-"
    total = 1 - sum(r["dist"] for r in recs) / max(1, sum(r["len"] for r in recs))
    mean = statistics.fmean(max(0.0, 1 - r["dist"] / max(1, r["len"])) for r in recs)
    return f"{total:.3f} ({mean:.3f})"


def _report(title: str, results: dict[str, Record], measures: list[str]) -> None:
    recs = list(results.values())
    if not recs:
        return
    by_rot: dict[int, list[Record]] = defaultdict(list)
    for r in recs:
        by_rot[r["rotation"]].append(r)
    print(f"\n## {title}: {len(recs)} pages, by true rotation "
          + ", ".join(f"{k}°: {len(v)}" for k, v in sorted(by_rot.items())))
    orient_measures = [m for m in measures if m.startswith(("osd", "conf", "with"))]
    if orient_measures:
        print("\norientation right (by true rotation)      all       s/page wall  cpu"
              "   wrong-but-confident")
    for m in orient_measures:
        have = [r for r in recs if m in r]
        if not have:
            continue
        key = "quarter" if m.startswith("with") else "rot"
        cells = []
        for rot, rs in sorted(by_rot.items()):
            rs = [r for r in rs if m in r]
            ok = sum(r[m][key] == _expected(rot) for r in rs)
            cells.append(f"{rot}:{ok}/{len(rs)}")
        ok = sum(r[m][key] == _expected(r["rotation"]) for r in have)
        wall = statistics.fmean(r[m]["wall"] - (r["base"]["wall"] if m.startswith("with")
                                                 else 0) for r in have)
        cpu = statistics.fmean(r[m]["cpu"] - (r["base"]["cpu"] if m.startswith("with") else 0)
                               for r in have)
        worst = max((r[m].get("conf", 0) for r in have
                     if r[m][key] != _expected(r["rotation"])), default=None)
        print(f"  {m:10} {' '.join(cells):30} {ok}/{len(have)} {wall:8.2f} {cpu:6.2f}"
              f"   {'' if worst is None else f'max conf of a wrong answer {worst:.2f}'}")
    if orient_measures and any(m.startswith("osd") for m in orient_measures):
        for m in orient_measures:
            if not m.startswith("osd"):
                continue
            confs_ok = sorted(r[m]["conf"] for r in recs if m in r
                              and r[m]["rot"] == _expected(r["rotation"]))
            if confs_ok:
                q = np.quantile(confs_ok, [0, 0.05, 0.5])
                print(f"  {m}: confidence of right answers min {q[0]:.2f}, 5% {q[1]:.2f}, "
                      f"median {q[2]:.2f}")
    if "skew" in measures:
        have = [r for r in recs if "skew" in r]
        est = [r["skew"]["skew"] for r in have]
        ms = statistics.fmean(r["skew"]["wall"] for r in have) * 1000
        print(f"\nskew estimate: |skew| median {statistics.median(map(abs, est)):.2f}°, "
              f"max {max(map(abs, est)):.2f}°; {ms:.0f} ms wall/page")
        for label, pick in (("flatbed", False), ("phone", True)):
            errs = [abs(r["skew"]["skew"] - r["true_skew"]) for r in have
                    if r["true_skew"] is not None and r["phone"] == pick]
            if errs:
                q = np.quantile(errs, [0.5, 0.9, 1.0])
                print(f"  error on synthetic {label} pages ({len(errs)}): median {q[0]:.2f}°, "
                      f"90% {q[1]:.2f}°, max {q[2]:.2f}°, within 0.5°: "
                      f"{sum(e <= 0.5 for e in errs)}/{len(errs)}")
    if "base" in measures:
        base = [r for r in recs if "base" in r]
        print(f"\nOCR per page: {statistics.fmean(r['base']['wall'] for r in base):.2f} s wall, "
              f"{statistics.fmean(r['base']['cpu'] for r in base):.2f} s cpu")
        reads = [m for m in measures if m.startswith("with")]
        for m in reads:
            for label, rs in (("all pages", base),
                              ("rotation-0 pages", [r for r in base if r["rotation"] == 0])):
                rs = [r for r in rs if m in r]
                if not rs:
                    continue
                ocr = statistics.fmean(r["base"]["cpu"] for r in rs)
                extra = statistics.fmean(r[m]["cpu"] - r["base"]["cpu"] for r in rs)
                wall = statistics.fmean(r[m]["wall"] - r["base"]["wall"] for r in rs)
                twice = sum(r[m]["tries"] > 1 for r in rs)
                print(f"{m} on {label}: {extra:+.2f} s cpu ({extra / ocr:+.0%} of OCR), "
                      f"{wall:+.2f} s wall per page against base (the two may have run under "
                      f"different load: trust 'pair'); read twice: {twice}/{len(rs)}")
        pairs = [r for r in base if "pair" in r]
        for label, rs in (("all pages", pairs),
                          ("rotation-0 pages", [r for r in pairs if r["rotation"] == 0])):
            if rs:
                ocr = statistics.fmean(r["pair"]["base_cpu"] for r in rs)
                extra = statistics.fmean(r["pair"]["with_cpu"] - r["pair"]["base_cpu"]
                                         for r in rs)
                print(f"side by side on {len(rs)} {label}: OCR {ocr:.2f} s cpu, read_upright "
                      f"{extra:+.3f} s cpu ({extra / ocr:+.1%})")
        print("\ncharacter accuracy (all characters; mean of pages)")
        print(f"  {'pages':22} {'without':24}" + "".join(f"{m:24}" for m in reads))
        for label, sel in (("all", lambda r: True), ("rotation 0", lambda r: r[
                "rotation"] == 0), ("turned", lambda r: r["rotation"] != 0)):
            rs = [r for r in base if sel(r) and all(m in r for m in reads)]
            cells = "".join(f"{_char_acc([r[m] for r in rs]):24}" for m in ["base", *reads])
            print(f"  {f'{label} ({len(rs)})':22} {cells}")


def _pages(args: argparse.Namespace) -> Iterator[PageSpec]:
    batch = [] if args.synthetic_only else _batch_pages(args.root)
    if args.limit:
        batch = random.Random(args.seed).sample(batch, min(args.limit, len(batch)))
    yield from batch
    if args.synthetic:
        yield from _synthetic_pages(args.root, args.synthetic, args.seed)


def main() -> None:
    """Measure what is not cached yet, save, report."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root", type=Path, help="a generated batch (holds truth.json and batch/)")
    ap.add_argument("--cache", type=Path, default=Path("orientation-cache.json"))
    ap.add_argument("--limit", type=int, default=0, help="a random sample of the scanned pages")
    ap.add_argument("--synthetic", type=int, default=0, help="re-scanned born-digital pages")
    ap.add_argument("--synthetic-only", action="store_true", help="skip the batch's own scans")
    ap.add_argument("--measures", default=DEFAULT_MEASURES)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    measures = [m for m in args.measures.split(",") if m]
    cache: dict[str, Record] = (json.loads(args.cache.read_text()) if args.cache.exists()
                                else {})
    specs = list(_pages(args))
    todo = {s.key: [m for m in measures if m not in cache.get(s.key, {})] for s in specs}
    todo = {k: v for k, v in todo.items() if v}
    by_key = {s.key: s for s in specs}
    started, done = time.monotonic(), 0
    save: Callable[[], None] = lambda: args.cache.write_text(json.dumps(cache))  # noqa: E731
    with ProcessPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(_run_page, by_key[k], ms): k for k, ms in todo.items()}
        for fut in as_completed(futures):
            key = futures[fut]
            cache.setdefault(key, {}).update(fut.result())
            done += 1
            if done % 10 == 0 or done == len(futures):
                save()
                print(f"{done}/{len(futures)} pages, {time.monotonic() - started:.0f} s",
                      file=sys.stderr)
    chosen = {s.key: cache[s.key] for s in specs}
    _report("scanned pages of the batch",
            {k: v for k, v in chosen.items() if not k.startswith("syn:")}, measures)
    _report("synthetic re-scans (known skew, uniform quarter)",
            {k: v for k, v in chosen.items() if k.startswith("syn:")}, measures)


if __name__ == "__main__":
    main()
