r"""Benchmark (run by hand): does cleaning a page image before OCR, or another dpi, help?

    .venv/bin/python -m fixtures.generate /tmp/k30 --applicants 30 --seed 404
    .venv/bin/python benchmarks/preprocess.py /tmp/k30 --cache /tmp/k30-preprocess.json \\
        [--limit N] [--born-digital 60] [--dpi-subset 40] [--variants grey,max,...] \\
        [--jobs 2] [--report-only]

Pages: every page of every scanned file in ``truth.json`` (image PDFs rendered by PDFium at
200 dpi, the policy's default; images as they are after their EXIF orientation), and
``--born-digital`` pages of born-digital PDFs (drawn round-robin over page kinds, seeded)
rendered by PDFium, as they are read when their text layer is unusable. ``--limit N`` takes
a random sample of N scanned pages and N/3 born-digital pages, for a quick check. Pages run
in ``--jobs`` worker processes; Tesseract gets one OpenMP thread (OMP_THREAD_LIMIT=1).

Each page is read with ``read_upright`` (chi_sim, psm 3) after one of:

- ``grey``: nothing (the RGB page, as the pipeline reads it now);
- ``luma``: converted to greyscale by PIL (``L``) first;
- ``red``: :func:`extractors.preprocess.red_channel`;
- ``max``: :func:`extractors.preprocess.max_channel` (brightest of R, G, B);
- ``mark``: :func:`extractors.preprocess.light_colour_channel` (max only for light colours);
- ``flat``: :func:`extractors.preprocess.flatten_light` (the paper's light divided out);
- ``even``: ``flat`` on pages whose light is uneven (``light_spread`` under
  ``EVEN_LIGHT``), ``max`` on the others (what the reader does);
- ``grid``: :func:`extractors.preprocess.remove_grid` (ruling lines painted out);
- ``max+grid``: ``remove_grid(max_channel(page))``;
- ``max|grid≥N`` (derived in the report, not read again): ``max+grid`` on pages where
  :func:`extractors.preprocess.find_rules` finds at least N horizontal lines (a ruled
  table), ``max`` elsewhere (its "preprocessing ms" leaves out the ``find_rules`` that the
  other pages would need too: about 100–150 ms);
- ``<variant>@<dpi>``: PDF pages rendered at that dpi instead of 200 (born-digital pages:
  ``grey`` at 150 and 300, ``max`` at 150; scanned image PDFs, a ``--dpi-subset`` sample:
  ``grey`` at 150 and 300, ``max`` at 150);
- ``<variant>/psm6``: Tesseract's psm 6 (one uniform block) instead of 3, on
  contract_participants pages only (LAB-NOTES: grid removal + psm 6 lifted a table page).

Measured per page and variant (cached in the ``--cache`` JSON, with the OCR text, so reruns
only do what is new): character accuracy (1 − Levenshtein / length, whitespace removed; the
truth is the drawn text layer, whose order can differ from the reading order, so compare
variants with each other rather than with 1.0); an order-free accuracy (1 − max(missing,
extra characters) / length: a table read column by column instead of row by row loses
char accuracy but not this); the paired difference to ``grey`` with a 95 % bootstrap
interval over pages; whether the applicant's name (what the page's name boxes hold) is in
the OCR text, by how it is marked; CPU seconds per page (preprocessing plus read_upright:
this process and its Tesseract children) and the preprocessing's own CPU milliseconds.

Figures (batch /tmp/k30: 30 applicants, seed 404; tesseract 5.3.0; 2 workers on a 2-core
machine shared with other work, so trust CPU seconds rather than wall; 46 min, then 10 min for the
variants added later):

Scanned pages (248: 212 upright, 36 turned; 66 with a marked name)::

                          grey   luma    red    max   mark   grid max+grid max|grid≥5
  char accuracy          0.816  0.810  0.823  0.827  0.824  0.792  0.799   0.807
    Δ vs grey, 95% CI      -    -.014  -.001  +.004  +.001  -.039  -.033   -.024
                                +.001  +.015  +.018  +.016  -.010  -.002   +.003
  order-free accuracy    0.916  0.915  0.924  0.928  0.924  0.914  0.925   0.928
    Δ vs grey, 95% CI      -    -.006  +.002  +.006  +.002  -.006  +.002   +.006
                                +.003  +.014  +.018  +.014  +.002  +.015   +.017
  CPU s/page              1.42   1.17   1.17   1.19   1.31   1.33   1.33    1.22
  preprocessing CPU ms     0      5      8     16     60    163    170      46
  name found, marked     41/66  50/66  51/66  53/66  49/66  49/66  52/66   53/66
    yellow (14)           7     10     10     10      9     10     10      10
    green (12)            4     10      7     10     10      9      9      10
    pink (12)            10     10     12     12     12     10     12      12
    red_box (15)         13     13     12     11     11     13     11      11
    red_underline (13)    7      7     10     10      7      7     10      10
  name found, unmarked   49/73  47/73  48/73  47/73  44/73  46/73  44/73   48/73
  char acc. by kind: contract_seal (18) 0.816 0.820 0.889 0.891 0.894 0.822 0.885 0.891;
    contract_participants (18) 0.924 0.903 0.924 0.897 0.937 0.879 0.839 0.839 (order-free
    0.963 0.967 0.962 0.965 0.965 0.969 0.960 0.960); journal_toc (25) 0.644 … max 0.702;
    contract_cover (18) 0.949 … grid 0.793; journal_copyright (25) 0.920 … grid 0.848;
    id_card (12) 0.919 0.906 0.889 0.909 0.906 0.889 0.915 0.902.
  pages where find_rules found 5+ horizontal lines (57): char 0.919 (grey) 0.923 (max)
    0.797 (grid) 0.791 (max+grid); order-free 0.933 0.929 0.936 0.928.

Added later (same pages, same machine)::

                          max    flat   even
  char accuracy          0.827  0.829  0.828   Δ vs grey: max +.004…+.018, flat +.003…+.022,
  order-free accuracy    0.928  0.927  0.929              even +.005…+.019
  pages < −0.02 vs grey     25     39     25
  CPU s/page              1.19   1.41   1.32   (max measured on a quieter machine)
  preprocessing CPU ms     16    112     56
  name found, marked     53/66  53/66  53/66
  name found, unmarked   47/73  56/73  54/73
  turned pages (36)      0.796  0.803  0.800
  journal_cover (25)     0.918  0.904  0.918;  journal_toc (25) 0.702 0.669 0.702

``even`` flattens the 20 pages whose light_spread is under ``EVEN_LIGHT`` (0.55: the phone
photos; covers with a coloured block lie at 0.59–0.64 and read worse flattened); it is
what the reader does. The batch of seed 2026 has a phone photo that ``max`` reads 14
characters of and ``flat`` all 220 (tests/data/phone-photo-patent.jpg).

Render dpi (scanned image PDFs: 40 pages; born-digital PDFs rendered: 60 pages)::

                        scanned: grey@150 grey grey@300 max@150 max | born-digital: same
  char accuracy         0.851 0.818 0.826 0.854 0.828 | 0.886 0.849 0.851 0.903 0.858
  order-free accuracy   0.930 0.924 0.927 0.933 0.930 | 0.928 0.926 0.925 0.939 0.935
  CPU s/page            1.02  1.08  1.67  0.92  0.92  | 0.93  1.10  1.55  0.81  1.00
  Δ char vs grey@200, 95% CI: scanned 150 +.004…+.067, 300 −.003…+.023; born-digital
    150 +.014…+.066, 300 −.008…+.015, max@150 +.030…+.083 (order-free: 150 and 300 within
    ±.01 of 200; max@150 +.003…+.024 on born-digital).

contract_participants pages, psm 3 against psm 6 (22; 20 upright)::

  char accuracy, all 22: grey 0.933, max 0.911, grid 0.882, grey/psm6 0.726,
    max+grid/psm6 0.873 (psm 6 cannot read the 2 turned pages);
  upright, 5+ ruling lines (9): grey 0.949, max 0.964, max+grid 0.866, grey/psm6 0.698,
    max+grid/psm6 0.970; upright zebra tables (11): 0.918, 0.858, 0.858, 0.958, 0.968.

Conclusions: ``max`` is the one clean-up that helps: character accuracy +0.011 and
order-free +0.012 on scanned pages (both intervals above 0), marked names found 41 → 53
of 66 (+15, −3), red-sealed contract pages 0.816 → 0.891, and 16 % less CPU (Tesseract
reads an L image instead of RGB). Much of the highlighter gain is only the greyscale
input: ``luma`` finds 50 of 66 (Tesseract thresholds each colour channel of an RGB image,
so a yellow band turns black in the blue channel). ``max`` loses a little on red-boxed
names (13 → 11) and blue-labelled ID cards. ``mark`` is no better than ``max``; ``red``
loses green highlighter. ``remove_grid`` does not help at psm 3: no character is read
better (order-free ±0) and Tesseract then reads ruled tables column by column (char
accuracy −0.12 on pages with 5+ lines); applied only to ruled pages it is still worse than
``max`` alone. It only rescues psm 6, which without it drops ruled tables (0.70 → 0.97 on
upright ruled tables; LAB-NOTES' 0.54 → 0.99 was psm 6). Rendering at 300 dpi gains
nothing for +41–55 % CPU; 150 dpi reads as many characters right as 200 (order-free) with
a better reading order (char accuracy +0.03) and 6–15 % less CPU, on text of mostly
10.5–13 pt (a few 8–9 pt lines).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import re
import resource
import statistics
import sys
import tempfile
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

os.environ["OMP_THREAD_LIMIT"] = "1"  # one thread per Tesseract: parallelism from processes

import numpy as np  # noqa: E402
from PIL import Image, ImageOps  # noqa: E402
from rapidfuzz.distance import Levenshtein  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractors import preprocess, text  # noqa: E402
from extractors._backends.pdf import open_renderer  # noqa: E402
from extractors._exec import upright  # noqa: E402
from model.truth import Medium, Truth  # noqa: E402

LANG = "chi_sim"
PDF_DPI = 200  # the policy's default render dpi
TIMEOUT = 300
SCANNED_VARIANTS = ("grey", "luma", "red", "max", "mark", "grid", "max+grid", "flat", "even")
DPI_VARIANTS = ("grey", "grey@150", "grey@300", "max", "max@150")  # scanned image PDFs
BORN_DIGITAL_VARIANTS = ("grey@150", "grey", "grey@300", "luma", "red", "max", "max@150",
                         "mark", "grid", "max+grid")
TABLE_VARIANTS = ("grey", "max", "grid", "max+grid", "grey/psm6", "max+grid/psm6")
TABLE_KINDS = ("contract_participants",)  # pages also read with psm 6
TABLE_RULES = (3, 5)  # "max, and grid removal on pages with at least N horizontal rules"
MARKS = ("yellow", "green", "pink", "red_box", "red_underline", "pdf_highlight", "none")

Record = dict[str, Any]
PREPROCESS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "grey": lambda img: img,
    "luma": lambda img: img.convert("L"),
    "red": preprocess.red_channel,
    "max": preprocess.max_channel,
    "flat": preprocess.flatten_light,
    "even": lambda img: preprocess.flatten_light(img, below=preprocess.EVEN_LIGHT),
    "mark": preprocess.light_colour_channel,
    "grid": preprocess.remove_grid,
    "max+grid": lambda img: preprocess.remove_grid(preprocess.max_channel(img)),
}


@dataclasses.dataclass(frozen=True, slots=True)
class PageSpec:
    """One benchmark page: where it is, what it is and what it says."""

    key: str
    path: str
    index: int  # zero-based page or frame
    medium: str  # "scanned" or "born-digital"
    kind: str
    rotation: int
    text: str
    name: str  # the applicant's name
    marks: tuple[str, ...]  # the mark of each printing of the name ("none": unmarked)
    is_pdf: bool
    variants: tuple[str, ...]


def _folder(root: Path, key: str, zipped: bool) -> Path:
    """The applicant's folder; a zipped upload is unpacked once into the temp folder."""
    if not zipped:
        return root / "batch" / key
    out = Path(tempfile.gettempdir()) / "pingshen-preprocess-unzipped" / root.name
    if not (out / key).is_dir():
        with zipfile.ZipFile(root / "batch" / f"{key}.zip") as z:
            z.extractall(out)
    return out / key


def _specs(root: Path, *, limit: int, born_digital: int, dpi_subset: int, seed: int
           ) -> list[PageSpec]:
    truth = Truth.load(root / "truth.json")
    scanned: list[PageSpec] = []
    digital: dict[str, list[PageSpec]] = defaultdict(list)
    for key, app in truth.applicants.items():
        for rel, f in app.files.items():
            if f.medium not in (Medium.SCANNED, Medium.BORN_DIGITAL) or not f.pages:
                continue
            if f.medium == Medium.BORN_DIGITAL and f.media_type != "application/pdf":
                continue
            path = _folder(root, key, app.zipped) / rel
            is_pdf = path.read_bytes()[:5] == b"%PDF-"
            for p in f.pages:
                spec = PageSpec(
                    key=f"{key}/{rel}#{p.page}", path=str(path), index=p.page - 1,
                    medium=str(f.medium), kind=p.kind, rotation=p.rotation, text=p.text,
                    name=app.name, marks=tuple(n.mark or "none" for n in p.names),
                    is_pdf=is_pdf, variants=())
                if f.medium == Medium.SCANNED:
                    scanned.append(spec)
                elif len(p.text) > 40:
                    digital[p.kind].append(spec)
    rng = random.Random(seed)
    if limit:
        scanned = rng.sample(scanned, min(limit, len(scanned)))
        born_digital = min(born_digital, max(1, limit // 3))
    pdfs = [s.key for s in scanned if s.is_pdf]
    subset = set(rng.sample(pdfs, min(dpi_subset, len(pdfs))))
    out = [dataclasses.replace(s, variants=_variants(SCANNED_VARIANTS, s, s.key in subset))
           for s in scanned]
    # born-digital: round-robin over the kinds, each kind's pages shuffled
    for pages in digital.values():
        rng.shuffle(pages)
    kinds = sorted(digital)
    picked: list[PageSpec] = []
    while len(picked) < born_digital and any(digital.values()):
        for k in kinds:
            if digital[k] and len(picked) < born_digital:
                picked.append(digital[k].pop())
    out += [dataclasses.replace(s, variants=_variants(BORN_DIGITAL_VARIANTS, s, False))
            for s in picked]
    return out


def _variants(base: tuple[str, ...], spec: PageSpec, dpi: bool) -> tuple[str, ...]:
    extra = (DPI_VARIANTS if dpi else ()) + (TABLE_VARIANTS if spec.kind in TABLE_KINDS
                                             else ())
    return tuple(dict.fromkeys(base + extra))


def _load(spec: PageSpec, dpi: int) -> tuple[Image.Image, int | None]:
    """The page image (PDFs rendered at ``dpi``) and its dpi when known."""
    path = Path(spec.path)
    if spec.is_pdf:
        with open_renderer(path) as r:
            return r.render(spec.index, dpi), dpi
    with Image.open(path) as im:
        im.seek(spec.index)
        info = im.info.get("dpi")
        frame = ImageOps.exif_transpose(im).convert("RGB")
    value = round(float(info[0])) if info else 0
    return frame, value if 70 <= value <= 1200 else None


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _squash(s: str) -> str:
    return "".join(s.split())


def _parse(variant: str) -> tuple[str, int, int]:
    """``name[@dpi][/psmN]`` → name, render dpi, page segmentation mode."""
    m = re.fullmatch(r"([a-z+]+)(?:@(\d+))?(?:/psm(\d+))?", variant)
    if not m or m[1] not in PREPROCESS:
        raise ValueError(f"unknown variant {variant!r}")
    return m[1], int(m[2] or PDF_DPI), int(m[3] or 3)


def _measure(variant: str, img: Image.Image, dpi: int | None, spec: PageSpec) -> Record:
    name, _, psm = _parse(variant)
    cpu0, t0 = _cpu(), time.perf_counter()
    ready = PREPROCESS[name](img)
    prep, prep_cpu = time.perf_counter() - t0, _cpu() - cpu0
    # for the report only, not counted: the ruling lines remove_grid found
    rules = None
    if name.endswith("grid"):
        found = preprocess.find_rules(preprocess.max_channel(img) if name == "max+grid"
                                      else img)
        rules = {"h": found.horizontal, "v": found.vertical, "px": int(found.mask.sum())}
    cpu1, t1 = _cpu(), time.perf_counter()
    read = upright.read_upright(ready, LANG, timeout=TIMEOUT, dpi=dpi, psm=psm)
    cpu = prep_cpu + _cpu() - cpu1
    wall = prep + time.perf_counter() - t1
    got = _squash(text.words_to_text(read.words))
    truth = _squash(spec.text)
    return {"dist": Levenshtein.distance(got, truth), "len": len(truth),
            "name": spec.name in got, "conf": text.mean_confidence(read.words),
            "tries": read.tries, "cpu": cpu, "prep_ms": prep_cpu * 1000,
            "prep_wall_ms": prep * 1000, "wall": wall,
            "rules": rules, "text": got}


def _run_page(spec: PageSpec, variants: list[str]) -> Record:
    out: Record = {}
    images: dict[int, tuple[Image.Image, int | None]] = {}
    for v in variants:
        dpi = _parse(v)[1]
        if dpi not in images:
            images[dpi] = _load(spec, dpi)
        img, real_dpi = images[dpi]
        out[v] = _measure(v, img, real_dpi, spec)
    return out


# ---------------------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------------------


def _bag_distance(got: str, truth: str) -> int:
    """The order-free counterpart of the Levenshtein distance: max(missing, extra) chars.

    A table read column by column instead of row by row has every character right but a
    large Levenshtein distance; this counts only characters missing or added.
    """
    want, have = Counter(truth), Counter(got)
    return max(sum((want - have).values()), sum((have - want).values()))


def _acc(recs: list[Record], field: str = "dist") -> float:
    """Character accuracy of all the pages' characters together."""
    return 1 - sum(r[field] for r in recs) / max(1, sum(r["len"] for r in recs))


def _mean_acc(recs: list[Record], field: str = "dist") -> float:
    return statistics.fmean(max(0.0, 1 - r[field] / max(1, r["len"])) for r in recs)


def _paired_ci(specs: list[PageSpec], res: dict[str, dict[str, Record]], v: str, base: str,
               field: str, n: int = 2000) -> tuple[float, float]:
    """95% bootstrap interval (pages resampled) of accuracy(v) − accuracy(base)."""
    d = np.array([res[s.key][base][field] - res[s.key][v][field] for s in specs], dtype=float)
    length = np.array([res[s.key][v]["len"] for s in specs], dtype=float)
    idx = np.random.default_rng(0).integers(0, len(specs), size=(n, len(specs)))
    deltas = d[idx].sum(axis=1) / np.maximum(1.0, length[idx].sum(axis=1))
    lo, hi = np.quantile(deltas, [0.025, 0.975])
    return float(lo), float(hi)


def _row(label: str, cells: list[str], width: int = 32) -> str:
    return f"  {label:{width}}" + "".join(f"{c:>11}" for c in cells)


def _report(title: str, specs: list[PageSpec], cache: dict[str, Record],
            variants: list[str]) -> None:
    specs = [s for s in specs if all(v in cache.get(s.key, {}) for v in variants)]
    if not specs or not variants:
        return
    res = {s.key: {v: {**cache[s.key][v], "bag": _bag_distance(cache[s.key][v]["text"],
                                                                 "".join(s.text.split()))}
                   for v in variants} for s in specs}
    if "max+grid" in variants:
        for n in TABLE_RULES:
            for s in specs:
                r = res[s.key]
                r[f"max|grid≥{n}"] = r["max+grid" if r["max+grid"]["rules"]["h"] >= n
                                       else "max"]
        variants = [*variants, *(f"max|grid≥{n}" for n in TABLE_RULES)]
    print(f"\n## {title}: {len(specs)} pages\n")
    print(_row("", variants))
    for field, label in (("dist", "char accuracy"), ("bag", "order-free accuracy")):
        print(_row(f"{label} (all chars)",
                   [f"{_acc([res[s.key][v] for s in specs], field):.3f}" for v in variants]))
        print(_row("  mean of pages", [f"{_mean_acc([res[s.key][v] for s in specs], field):.3f}"
                                       for v in variants]))
    base = "grey" if "grey" in variants else variants[0]
    better = []
    worse = []
    for v in variants:
        diff = [(1 - res[s.key][v]["dist"] / max(1, res[s.key][v]["len"]))
                - (1 - res[s.key][base]["dist"] / max(1, res[s.key][base]["len"]))
                for s in specs]
        better.append(str(sum(d > 0.02 for d in diff)))
        worse.append(str(sum(d < -0.02 for d in diff)))
    print(_row(f"pages > +0.02 vs {base}", better))
    print(_row(f"pages < -0.02 vs {base}", worse))
    for field, label in (("dist", "char"), ("bag", "order-free")):
        lo, hi = zip(*(_paired_ci(specs, res, v, base, field) for v in variants), strict=True)
        print(_row(f"Δ {label} vs {base}, 95% CI low", [f"{x:+.3f}" for x in lo]))
        print(_row("                         high", [f"{x:+.3f}" for x in hi]))

    def mean(field: str, v: str) -> float:
        return statistics.fmean(res[s.key][v][field] for s in specs)

    print(_row("CPU s/page (prep+OCR)", [f"{mean('cpu', v):.2f}" for v in variants]))
    print(_row("  preprocessing CPU ms/page", [f"{mean('prep_ms', v):.0f}" for v in variants]))
    print(_row("  read twice (turned 180)", [str(sum(res[s.key][v]["tries"] > 1 for s in specs))
                                             for v in variants]))

    by_kind: dict[str, list[PageSpec]] = defaultdict(list)
    for s in specs:
        by_kind[s.kind].append(s)
    for field, label in (("dist", "character accuracy"), ("bag", "order-free accuracy")):
        print(f"\n  {label} by page kind (all chars)")
        for kind, ss in sorted(by_kind.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            print(_row(f"{kind} ({len(ss)})", [f"{_acc([res[s.key][v] for s in ss], field):.3f}"
                                               for v in variants]))

    if "grid" in variants:
        print("\n  by the horizontal lines find_rules found (on the grey page)")
        buckets: dict[str, list[PageSpec]] = defaultdict(list)
        for s in specs:
            h = res[s.key]["grid"]["rules"]["h"]
            buckets["0" if h == 0 else "1-2" if h <= 2 else "3-4" if h <= 4 else "5+"].append(s)
        for label, ss in sorted(buckets.items()):
            label = f"{label} lines ({len(ss)})"
            if ss:
                print(_row(label, [f"{_acc([res[s.key][v] for s in ss]):.3f}"
                                   for v in variants]))
                print(_row("  order-free", [f"{_acc([res[s.key][v] for s in ss], 'bag'):.3f}"
                                            for v in variants]))

    print("\n  applicant's name found in the OCR text, by how it is marked (pages)")
    for mark in MARKS:
        ss = [s for s in specs if mark in s.marks]
        if ss:
            print(_row(f"{mark} ({len(ss)})", [f"{sum(res[s.key][v]['name'] for s in ss)}"
                                               f"/{len(ss)}" for v in variants]))
    marked = [s for s in specs if any(m != "none" for m in s.marks)]
    if marked:
        print(_row(f"any mark ({len(marked)})", [f"{sum(res[s.key][v]['name'] for s in marked)}"
                                                 f"/{len(marked)}" for v in variants]))
        print(_row(f"  gained/lost vs {base}",
                   [f"+{sum(res[s.key][v]['name'] > res[s.key][base]['name'] for s in marked)}"
                    f"/-{sum(res[s.key][v]['name'] < res[s.key][base]['name'] for s in marked)}"
                    for v in variants]))
    for label, sel in (("rotation 0", lambda s: s.rotation == 0),
                       ("turned", lambda s: s.rotation != 0)):
        ss = [s for s in specs if sel(s)]
        if ss:
            print(_row(f"acc., {label} ({len(ss)})", [f"{_acc([res[s.key][v] for s in ss]):.3f}"
                                                      for v in variants]))


def main() -> None:
    """Measure what is not cached yet, save, report."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root", type=Path, help="a generated batch (holds truth.json and batch/)")
    ap.add_argument("--cache", type=Path, default=Path("preprocess-cache.json"))
    ap.add_argument("--limit", type=int, default=0, help="a random sample of N scanned pages")
    ap.add_argument("--born-digital", type=int, default=60, help="born-digital pages to render")
    ap.add_argument("--dpi-subset", type=int, default=40,
                    help="scanned image-PDF pages also rendered at 300 dpi")
    ap.add_argument("--variants", default="", help="only these (comma-separated)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--report-only", action="store_true")
    args = ap.parse_args()
    only = {v for v in args.variants.split(",") if v}
    cache: dict[str, Record] = (json.loads(args.cache.read_text()) if args.cache.exists()
                                else {})
    specs = _specs(args.root, limit=args.limit, born_digital=args.born_digital,
                   dpi_subset=args.dpi_subset, seed=args.seed)
    todo = {s.key: [v for v in s.variants if v not in cache.get(s.key, {})
                    and (not only or v in only)] for s in specs}
    todo = {k: v for k, v in todo.items() if v} if not args.report_only else {}
    by_key = {s.key: s for s in specs}
    started, done = time.monotonic(), 0

    def save() -> None:
        tmp = args.cache.with_suffix(".tmp")
        tmp.write_text(json.dumps(cache, ensure_ascii=False))
        tmp.replace(args.cache)

    if todo:
        with ProcessPoolExecutor(args.jobs) as pool:
            futures = {pool.submit(_run_page, by_key[k], vs): k for k, vs in todo.items()}
            for fut in as_completed(futures):
                cache.setdefault(futures[fut], {}).update(fut.result())
                done += 1
                if done % 5 == 0 or done == len(futures):
                    save()
                    print(f"{done}/{len(futures)} pages, {time.monotonic() - started:.0f} s",
                          file=sys.stderr)
    scanned = [s for s in specs if s.medium == "scanned"]
    digital = [s for s in specs if s.medium != "scanned"]
    _report("scanned pages", scanned, cache, list(SCANNED_VARIANTS))
    _report("scanned image-PDF pages, rendered at 150, 200 and 300 dpi",
            [s for s in scanned if "grey@300" in s.variants], cache, list(DPI_VARIANTS))
    _report("born-digital pages rendered by PDFium", digital, cache,
            list(BORN_DIGITAL_VARIANTS))
    _report(f"{', '.join(TABLE_KINDS)} pages (scanned and born-digital), psm 3 and 6",
            [s for s in specs if s.kind in TABLE_KINDS], cache, list(TABLE_VARIANTS))


if __name__ == "__main__":
    main()
