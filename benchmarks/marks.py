r"""Benchmark (run by hand): is the applicant's name found and its mark seen; are seals found?

    .venv/bin/python -m fixtures.generate /tmp/n30 --applicants 30 --seed 8128
    .venv/bin/python benchmarks/marks.py /tmp/n30 --reads /tmp/n30-reads [--jobs 2]

Every evidence file of the generated batch is read with the reader
(``extractors.reading.read_document``: text layer or OCR, marks and seals) and pickled under
``--reads`` (``<key>/<rel, '/' as '__'>.pkl``), so a rerun reads nothing again. On every
page, the applicant's name is looked for and tied to a mark as the checks do
(``checks.marks.name_boxes`` and ``mark_on``), and compared with the truth's name boxes
(``truth.json``: every printing of the name, with the mark drawn on it or none):

- a truth name is *found* when one of our name boxes overlaps it (IoU ≥ 0.3); on an OCR'd
  page without the exact name, a marked printing read with one character wrong counts, as
  in ``checks.marks``;
- recall of a mark kind: its truth names we found and call marked;
- precision of what we call marked, by the kind of mark we saw (a highlight of each colour,
  a pen box, an underline, a PDF annotation): the share of those names truly marked; a name
  we call marked that the truth does not list counts as false;
- false "marked": truth names with no mark that we call marked, of all unmarked names;
- seals: truth seal boxes against the seals found on the page (IoU ≥ 0.5), both ways.

Born-digital and scanned pages are counted apart (the file's medium).
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import tempfile
import zipfile
from collections import Counter
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from checks.marks import mark_on, name_boxes  # noqa: E402
from checks.policy import load_policy  # noqa: E402
from extractors.reading import read_document  # noqa: E402
from model.marks import Mark, MarkKind, MarkSource  # noqa: E402
from model.report import BBox, DocumentRead, TextSource  # noqa: E402


def _iou(a: BBox, b: BBox) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def _seen_as(m: Mark) -> str:
    """What we call a mark, in the truth's words where they exist."""
    if m.source == MarkSource.ANNOTATION and m.kind == MarkKind.HIGHLIGHT:
        return "pdf_highlight"
    if m.kind == MarkKind.HIGHLIGHT:
        return m.colour if m.colour in ("yellow", "green", "pink") else f"highlight-{m.colour}"
    if m.kind == MarkKind.BOX:
        return f"{m.colour}_box"
    if m.kind == MarkKind.UNDERLINE:
        return f"{m.colour}_underline"
    return f"{m.kind}-{m.colour}"


def _read(item: tuple[str, str, str]) -> tuple[str, str, int]:
    path, rel, dest = item
    doc = read_document(Path(path), rel, load_policy(None).reading)
    out = Path(dest)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(doc))
    tmp.replace(out)
    return rel, dest, len(doc.pages)


def main(argv: list[str] | None = None) -> int:
    """Read what is missing, compare, print the tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("generated", type=Path)
    ap.add_argument("--reads", type=Path, required=True)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--misses", action="store_true", help="name each printing not found")
    args = ap.parse_args(argv)
    truth = json.loads((args.generated / "truth.json").read_text())
    todo, places = [], {}
    for key, a in truth["applicants"].items():
        folder = args.generated / "batch" / key
        if not folder.is_dir():
            tmp = Path(tempfile.mkdtemp())
            zipfile.ZipFile(args.generated / "batch" / f"{key}.zip").extractall(tmp)
            folder = tmp / key
        for rel in a["files"]:
            dest = args.reads / key / (rel.replace("/", "__") + ".pkl")
            places[(key, rel)] = dest
            if not dest.exists() and (folder / rel).exists():
                todo.append((str(folder / rel), rel, str(dest)))
    if todo:
        print(f"reading {len(todo)} files …", file=sys.stderr)
        with Pool(args.jobs) as pool:
            for n, _ in enumerate(pool.imap_unordered(_read, todo), 1):
                if n % 20 == 0:
                    print(f"  {n}/{len(todo)}", file=sys.stderr)

    recall: Counter[tuple[str, str, str]] = Counter()  # (medium, truth kind, outcome)
    called: Counter[tuple[str, str, bool]] = Counter()  # (medium, seen as, truly marked)
    seals: Counter[tuple[str, str]] = Counter()
    for key, a in truth["applicants"].items():
        name = a["name"]
        for rel, f in a["files"].items():
            dest = places[(key, rel)]
            if not dest.exists():
                continue
            doc: DocumentRead = pickle.loads(dest.read_bytes())
            medium = f["medium"]
            by_page = {p.page: p for p in doc.pages}
            for pt in f["pages"]:
                page = by_page.get(pt["page"])
                if page is None:
                    continue
                ours = [(b, mark_on(b, page.marks, page.rotation))
                        for b in name_boxes(page, name)]
                if not ours and page.text_source == TextSource.OCR:  # as checks.marks does
                    ours = [(b, m) for b in name_boxes(page, name, misread=True)
                            if (m := mark_on(b, page.marks, page.rotation)) is not None]
                used: set[int] = set()
                for n in pt["names"]:
                    kind = n["mark"] or "none"
                    hit = max(range(len(ours)), key=lambda i: _iou(ours[i][0], n["bbox"]),
                              default=None)
                    if hit is None or _iou(ours[hit][0], n["bbox"]) < 0.3:
                        recall[(medium, kind, "not found")] += 1
                        if args.misses:
                            print(f"not found: {key} {rel} p{pt['page']} {kind} {n['bbox']}",
                                  file=sys.stderr)
                        continue
                    used.add(hit)
                    m = ours[hit][1]
                    recall[(medium, kind, "marked" if m is not None else "unmarked")] += 1
                    if m is not None:
                        called[(medium, _seen_as(m), kind != "none")] += 1
                for i, (box, m) in enumerate(ours):
                    if i not in used and m is not None:
                        called[(medium, _seen_as(m), False)] += 1
                        if args.misses:
                            print(f"marked, not a printing of the truth: {key} {rel} "
                                  f"p{pt['page']} {_seen_as(m)} {[round(v, 1) for v in box]}",
                                  file=sys.stderr)
                found = list(page.seals)
                matched: set[int] = set()
                for s in pt["seals"]:
                    j = max(range(len(found)), key=lambda i: _iou(found[i].bbox, s),
                            default=None)
                    ok = j is not None and j not in matched and _iou(found[j].bbox, s) >= 0.5
                    if ok and j is not None:
                        matched.add(j)
                    seals[(medium, "found" if ok else "missed")] += 1
                seals[(medium, "extra")] += len(found) - len(matched)
    _print(recall, called, seals)
    return 0


def _print(recall: Counter[tuple[str, str, str]], called: Counter[tuple[str, str, bool]],
           seals: Counter[tuple[str, str]]) -> None:
    for medium in ("born-digital", "scanned"):
        print(f"\n## {medium}\n")
        print(f"{'truth mark':<16}{'names':>7}{'found':>7}{'marked':>8}  recall")
        kinds = sorted({k for (m, k, _) in recall if m == medium})
        for k in kinds:
            n = sum(v for (m, kk, _), v in recall.items() if m == medium and kk == k)
            nf = n - recall[(medium, k, "not found")]
            marked = recall[(medium, k, "marked")]
            share = marked / n if n else 0.0
            label = "false marked" if k == "none" else "recall"
            print(f"{k:<16}{n:>7}{nf:>7}{marked:>8}  {share:.3f} ({label})")
        print(f"\n{'seen as':<22}{'called':>7}{'true':>6}  precision")
        for seen in sorted({s for (m, s, _) in called if m == medium}):
            t, fa = called[(medium, seen, True)], called[(medium, seen, False)]
            print(f"{seen:<22}{t + fa:>7}{t:>6}  {t / (t + fa):.3f}")
        f, mi, ex = (seals[(medium, x)] for x in ("found", "missed", "extra"))
        if f + mi + ex:
            print(f"\nseals: {f + mi} in the truth, {f} found (recall {f / max(1, f + mi):.3f}),"
                  f" {ex} extra (precision {f / max(1, f + ex):.3f})")


if __name__ == "__main__":
    raise SystemExit(main())
