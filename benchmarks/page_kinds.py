"""Benchmark (run by hand): page-kind accuracy and document splitting on a generated batch.

    .venv/bin/python benchmarks/page_kinds.py GENERATED_DIR [--cache FILE] [--errors N]

``GENERATED_DIR`` holds ``batch/`` and ``truth.json`` (``python -m fixtures.generate``). For
every page of every evidence file the truth lists (zipped applicants are skipped: their
files are inside ``<key>.zip``), the text the pipeline would see is read with
``extractors.reading.read_document``: the text layer of born-digital PDFs, Tesseract OCR of
scans (about 2 s a page; two worker processes). ``--cache FILE`` keeps those texts in a
JSON file keyed by file and sha256, so a rerun only classifies. Delete the cache when the
reader changes (e.g. once it turns sideways scans upright).

Printed (pages of files made illegible on purpose, truth note "unreadable", left out):
accuracy by medium (born-digital; scanned upright, i.e. truth rotation 0; scanned
all), per true kind with the top confusions, the accuracy on the truth's own page text for
scanned pages (an upper bound for OCR'd pages; batches generated before page text was
recorded have none), and the split accuracy on scanned multi-document volumes: the share of
volumes whose document boundaries from ``split_documents`` (of the predicted kinds) equal
the truth's, and boundary precision and recall.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from checks.policy import load_policy
from extractors.kinds import classify_page, split_documents
from extractors.reading import sha256_of
from model.report import PageKind
from model.truth import FileTruth, Medium, Truth

POLICY = "zj-anfang-2022"
WORKERS = 2


@dataclass(frozen=True, slots=True)
class PageCase:
    """One page to classify: where it is, its truth, the text read and the prediction."""

    file: str  # "<key>/<rel>"
    pageno: int  # zero-based
    medium: Medium
    rotation: int
    kind: str
    true_text: str
    text: str
    predicted: PageKind
    confidence: float
    illegible: bool  # made unreadable on purpose (truth note "unreadable", FILE006)


def _read_texts(path: str, rel: str) -> list[str]:
    """The page texts the pipeline sees for one file (runs in a worker process)."""
    from extractors.reading import read_document

    rule = load_policy(POLICY).reading
    doc = read_document(Path(path), rel, rule)
    return [p.text for p in doc.pages]


def _load_cache(path: Path | None) -> dict[str, dict[str, object]]:
    if path is None or not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def _save_cache(path: Path | None, cache: dict[str, dict[str, object]]) -> None:
    if path is None:
        return
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(cache, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def read_all(root: Path, truth: Truth, cache_path: Path | None) -> dict[str, list[str]]:
    """Page texts of every evidence file with pages, ``{"<key>/<rel>": [text, ...]}``."""
    cache = _load_cache(cache_path)
    texts: dict[str, list[str]] = {}
    todo: list[tuple[str, Path, str, str]] = []
    for key, app in truth.applicants.items():
        if app.zipped:
            continue
        for rel, ft in app.files.items():
            if not ft.pages:
                continue
            path = root / "batch" / key / rel
            name, digest = f"{key}/{rel}", sha256_of(path)
            hit = cache.get(name)
            if hit is not None and hit.get("sha256") == digest:
                texts[name] = list(hit["pages"])  # type: ignore[call-overload]
            else:
                todo.append((name, path, rel, digest))
    if todo:
        print(f"reading {len(todo)} files ({len(texts)} cached) with {WORKERS} workers…",
              file=sys.stderr)
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        start = time.monotonic()
        with ProcessPoolExecutor(WORKERS) as pool:
            futures = {pool.submit(_read_texts, str(path), rel): (name, digest)
                       for name, path, rel, digest in todo}
            for done, fut in enumerate(as_completed(futures), 1):
                name, digest = futures[fut]
                texts[name] = fut.result()
                cache[name] = {"sha256": digest, "pages": texts[name]}
                if done % 10 == 0 or done == len(todo):
                    _save_cache(cache_path, cache)
                    print(f"  {done}/{len(todo)} files, {time.monotonic() - start:.0f} s",
                          file=sys.stderr)
    return texts


def _cases(truth: Truth,
           texts: dict[str, list[str]]) -> tuple[list[PageCase], dict[str, FileTruth]]:
    cases: list[PageCase] = []
    files: dict[str, FileTruth] = {}
    for key, app in truth.applicants.items():
        if app.zipped:
            continue
        for rel, ft in app.files.items():
            name = f"{key}/{rel}"
            if name not in texts:
                continue
            files[name] = ft
            read = texts[name]
            for i, pt in enumerate(ft.pages):
                text = read[i] if i < len(read) else ""
                kind, conf = classify_page(text)
                cases.append(PageCase(name, i, ft.medium, pt.rotation, pt.kind, pt.text, text,
                                      kind, conf, ft.note == "unreadable"))
    return cases, files


def _acc(cases: Sequence[PageCase]) -> str:
    if not cases:
        return "   n/a (0 pages)"
    right = sum(c.predicted == c.kind for c in cases)
    return f"{right / len(cases):6.3f} ({right}/{len(cases)})"


def _boundaries(groups: Sequence[str]) -> set[int]:
    """Zero-based page indices where a new document starts (after the first page)."""
    return {i for i in range(1, len(groups)) if groups[i] != groups[i - 1]}


def _split_report(cases: Sequence[PageCase], files: dict[str, FileTruth]) -> None:
    by_file: dict[str, list[PageCase]] = defaultdict(list)
    for c in cases:
        by_file[c.file].append(c)
    rows: list[tuple[bool, set[int], set[int], set[int]]] = []
    for name, ft in files.items():
        if ft.medium != Medium.SCANNED or len({p.document for p in ft.pages}) < 2:
            continue
        pages = sorted(by_file[name], key=lambda c: c.pageno)
        truth = _boundaries([p.document for p in ft.pages])
        predicted = {a for a, _ in split_documents([c.predicted for c in pages])} - {0}
        from_true = {a for a, _ in split_documents([PageKind(p.kind) for p in ft.pages])} - {0}
        upright = all(p.rotation == 0 for p in ft.pages)
        rows.append((upright, truth, predicted, from_true))
    if not rows:
        print("\nsplit: no scanned multi-document volumes")
        return
    print(f"\nsplit of scanned multi-document volumes ({len(rows)} volumes, "
          f"{sum(r[0] for r in rows)} with no turned page)")
    for label, sel in (("all volumes", rows), ("volumes with no turned page",
                                                [r for r in rows if r[0]])):
        if not sel:
            continue
        exact = sum(t == p for _, t, p, _ in sel)
        tp = sum(len(t & p) for _, t, p, _ in sel)
        n_true, n_pred = sum(len(t) for _, t, _, _ in sel), sum(len(p) for _, _, p, _ in sel)
        print(f"  {label:30s} exact {exact}/{len(sel)} = {exact / len(sel):.3f}   boundary "
              f"precision {tp / max(n_pred, 1):.3f} recall {tp / max(n_true, 1):.3f}")
    exact = sum(t == f for _, t, _, f in rows)
    print(f"  {'from the true kinds':30s} exact {exact}/{len(rows)} = {exact / len(rows):.3f}")


def report(cases: Sequence[PageCase], files: dict[str, FileTruth], errors: int) -> None:
    """Print every figure (see the module docstring)."""
    illegible = [c for c in cases if c.illegible]
    cases = [c for c in cases if not c.illegible]
    digital = [c for c in cases if c.medium == Medium.BORN_DIGITAL]
    scanned = [c for c in cases if c.medium == Medium.SCANNED]
    upright = [c for c in scanned if c.rotation == 0]
    print("page-kind accuracy")
    print(f"  born-digital        {_acc(digital)}")
    print(f"  scanned, upright    {_acc(upright)}")
    print(f"  scanned, turned     {_acc([c for c in scanned if c.rotation != 0])}")
    print(f"  scanned, all        {_acc(scanned)}")
    with_text = [c for c in scanned if c.true_text]
    if with_text:
        right = sum(classify_page(c.true_text)[0] == c.kind for c in with_text)
        print(f"  scanned, true text  {right / len(with_text):6.3f} ({right}/{len(with_text)})"
              "  (upper bound: the truth's page text)")
    else:
        print("  scanned, true text  n/a (this truth records no page text)")
    if illegible:
        got = Counter(f"{c.predicted} ({c.confidence:.2f})" for c in illegible)
        print(f"  left out: {len(illegible)} pages made illegible on purpose (FILE006), "
              f"classified {', '.join(f'{k}×{n}' for k, n in got.items())}")
    ok = [c.confidence for c in cases if c.predicted == c.kind]
    bad = [c.confidence for c in cases if c.predicted != c.kind]
    if ok and bad:
        print(f"  mean confidence: right {sum(ok) / len(ok):.2f}, wrong {sum(bad) / len(bad):.2f}")

    print("\nper true kind: pages, accuracy born-digital | scanned upright | scanned all; "
          "top confusions (all media)")
    by_kind: dict[str, list[PageCase]] = defaultdict(list)
    for c in cases:
        by_kind[c.kind].append(c)
    for kind in sorted(by_kind, key=lambda k: -len(by_kind[k])):
        cs = by_kind[kind]
        cols = []
        for sel in ([c for c in cs if c.medium == Medium.BORN_DIGITAL],
                    [c for c in cs if c.medium == Medium.SCANNED and c.rotation == 0],
                    [c for c in cs if c.medium == Medium.SCANNED]):
            cols.append(f"{sum(c.predicted == c.kind for c in sel) / len(sel):5.2f}"
                        if sel else "   - ")
        confusions = Counter(str(c.predicted) for c in cs if c.predicted != c.kind)
        top = ", ".join(f"{k}×{n}" for k, n in confusions.most_common(3))
        print(f"  {kind:24s} {len(cs):4d}  {' | '.join(cols)}  {top}")

    _split_report(cases, files)

    if errors:
        wrong = [c for c in cases if c.predicted != c.kind
                 and (c.medium == Medium.BORN_DIGITAL or c.rotation == 0)]
        print(f"\nfirst {min(errors, len(wrong))} of {len(wrong)} errors on born-digital and "
              "upright scanned pages:")
        for c in wrong[:errors]:
            print(f"--- {c.file} p{c.pageno + 1} {c.medium} true={c.kind} "
                  f"predicted={c.predicted} ({c.confidence:.2f})")
            print(c.text[:600])


def main() -> None:
    """Read, classify and report."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("generated", type=Path, help="folder with batch/ and truth.json")
    ap.add_argument("--cache", type=Path, help="JSON file caching the page texts")
    ap.add_argument("--errors", type=int, default=0,
                    help="print the text of the first N misclassified pages")
    args = ap.parse_args()
    truth = Truth.load(args.generated / "truth.json")
    texts = read_all(args.generated, truth, args.cache)
    start = time.perf_counter()
    cases, files = _cases(truth, texts)
    elapsed = time.perf_counter() - start
    print(f"{args.generated}: {len(cases)} pages in {len(files)} files "
          f"(classified in {elapsed * 1000 / max(len(cases), 1):.1f} ms a page)\n")
    report(cases, files, args.errors)


if __name__ == "__main__":
    main()
