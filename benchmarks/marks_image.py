r"""Benchmark (run by hand): marks and seals found on scanned pages by extractors.marks_image.

    .venv/bin/python -m fixtures.generate /tmp/k30 --applicants 30 --seed 404
    .venv/bin/python benchmarks/marks_image.py /tmp/k30 [--limit N] [--show]
    .venv/bin/python benchmarks/marks_image.py --drawn 300 --seed 7 [--show]

Pages. A batch: every page of every scanned file in ``truth.json`` (image PDFs rendered by
PDFium at 200 dpi, the truth's points × 200/72; images after their EXIF orientation), turned
upright by the truth's ``rotation`` and deskewed by ``extractors.orient.estimate_skew`` as the
reader does, the truth boxes carried along. ``--drawn N``: N pages drawn here — pages of
the paper and contract sets of tests/test_fields_sets.py with the generator's marks (or
none, or in 4 of 10 one mark drawn by PIL on the rendered paper: red or blue pen box,
circle, blue underline, orange or blue highlighter) and the certificates of
tests/test_fields_certs.py with their seals — each degraded by
``scan.random_degradation`` (half flatbed scans, half phone photos; never turned), saved
as its JPEG, and deskewed.

``text_height`` is the median height of the page's truth name boxes (OCR, which the reader
uses, would cost far more than the detector); a page without names uses 2.2 % of its
short side. Each truth name counts as found when a detected mark of its family touches it
(:func:`touches`): a highlight covering half its box, a box or circle holding its centre,
an underline under it along half its width. Precision of a family: of the names such a
mark touches, the share whose truth mark is of that family (a mark over an unmarked name
counts false). Seals match one to one at IoU ≥ 0.5. "Marks touching no name" counts every
other detected mark but ``ink`` (signatures are ink): on these pages, print taken for a
mark. Times are of ``find_marks`` alone, one OpenCV thread.

Figures (2-core machine shared with a long job, load about 5). ``/tmp/k30`` (seed 404;
248 scanned pages, the 36 turned ones included), 1.5 minutes::

    truth mark      names  recall (right family)  precision of that family
      green             12  1.000 (12/12)          1.000 (38/38)
      pink              12  1.000 (12/12)          1.000 (38/38)
      red_box           15  1.000 (15/15)          1.000 (15/15)
      red_underline     13  1.000 (13/13)          1.000 (13/13)
      yellow            14  1.000 (14/14)          1.000 (38/38)
    marked (any family): recall 1.000 (66/66), precision 1.000 (66/66)
    false 'marked' on unmarked names: 0.000 (0/73)
    colours named on marked names: every one its truth colour
    seals: recall 1.000 (99/99), precision 1.000 (99/99)
    marks found on all pages: {'box': 15, 'highlight': 38, 'underline': 13}
    marks touching no name (not ink): 0
    ms per page, all pages: 248 pages, mean 43, median 44, 95th 61, max 76
    ms per page, A4 at about 200 dpi (3.5–4.5 MP): 182 pages, mean 46, median 46, 95th 63
    ms per page, bigger (over 4.5 MP): 59 pages, mean 35, median 32, 95th 52, max 65

``--drawn 300 --seed 23`` (held out while tuning), 6 minutes: recall 1.000 for green 15,
pink 12, yellow 13, red box 16, red underline 10 and the PIL marks (blue box 6, blue
circle 10, red box 5, red circle 7, orange highlighter 9, blue highlighter 10) but the
blue underline, 0.800 (4/5: missed on a 180 dpi phone photo whose blur and JPEG left the
1.3 pt line grey); precision 1.000 for every family (highlight 59/59, box or circle
44/44, underline 14/14); false "marked" 0/130; every colour right; seals 181/181 both
ways; no stray mark; 42 ms a page at 200 dpi (85 pages, 95th 61, max 68). ``--seed 7``
(whose two strays along a teal desk's edge were fixed): the same but blue underline 5/7,
false "marked" 0/149, seals 186/186, 42 ms at 200 dpi.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import random
import statistics
import sys
import tempfile
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageOps

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractors import orient  # noqa: E402
from extractors._backends.pdf import open_renderer  # noqa: E402
from extractors.marks_image import find_marks  # noqa: E402
from fixtures.dossier import scan  # noqa: E402
from model.marks import Mark, MarkKind  # noqa: E402
from model.report import BBox  # noqa: E402
from model.truth import Medium, Truth  # noqa: E402

DPI = 200  # image PDFs are rendered at the policy's default resolution

# the family of detected mark kinds that says a truth mark is found: the generator's marks,
# then the pen and highlighter marks ``--drawn`` adds with PIL
FAMILY = {
    "yellow": "highlight", "green": "highlight", "pink": "highlight",
    "pdf_highlight": "highlight", "red_box": "enclose", "red_underline": "underline",
    "pil_red_circle": "enclose", "pil_red_box": "enclose", "pil_blue_box": "enclose",
    "pil_blue_circle": "enclose", "pil_blue_underline": "underline",
    "pil_orange_highlighter": "highlight", "pil_blue_highlighter": "highlight",
}  # fmt: skip
PIL_MARKS = tuple(k for k in FAMILY if k.startswith("pil_"))
KIND_FAMILY = {
    MarkKind.HIGHLIGHT: "highlight", MarkKind.BOX: "enclose", MarkKind.CIRCLE: "enclose",
    MarkKind.UNDERLINE: "underline",
}  # fmt: skip


@dataclasses.dataclass(frozen=True, slots=True)
class Case:
    """One scanned page turned upright, with its truth in the upright image's pixels.

    Attributes:
        key: ``applicant/file#page`` (1-based page).
        image: the upright, deskewed page.
        names: each printing of the applicant's name: its box and its mark (None: unmarked).
        seals: the truth seal boxes.
        kind: the page kind.
        rotation: how far the page was turned when scanned.
    """

    key: str
    image: Image.Image
    names: tuple[tuple[BBox, str | None], ...]
    seals: tuple[BBox, ...]
    kind: str
    rotation: int


def _folder(root: Path, key: str, zipped: bool) -> Path:
    """The applicant's folder; a zipped upload is unpacked once into the temp folder."""
    if not zipped:
        return root / "batch" / key
    out = Path(tempfile.gettempdir()) / "pingshen-marks-unzipped" / root.name
    if not (out / key).is_dir():
        with zipfile.ZipFile(root / "batch" / f"{key}.zip") as z:
            z.extractall(out)
    return out / key


def _load(path: Path, index: int) -> tuple[Image.Image, float]:
    """The page image as the reader gets it, and the scale from truth units to its pixels."""
    if path.read_bytes()[:5] == b"%PDF-":
        with open_renderer(path) as r:
            return r.render(index, DPI).convert("RGB"), DPI / 72
    with Image.open(path) as im:
        im.seek(index)
        return ImageOps.exif_transpose(im).convert("RGB"), 1.0


def cases(root: Path, limit: int = 0) -> Iterator[Case]:
    """Every page of every scanned file of the batch at ``root``, upright and deskewed.

    Args:
        root: the batch folder (holding ``truth.json`` and ``batch/``).
        limit: stop after this many pages (0: all).

    Yields:
        The pages, in truth order.
    """
    truth = Truth.load(root / "truth.json")
    n = 0
    for key, app in truth.applicants.items():
        for rel, f in app.files.items():
            if f.medium != Medium.SCANNED or not f.pages:
                continue
            path = _folder(root, key, app.zipped) / rel
            for p in f.pages:
                img, scale = _load(path, p.page - 1)
                quarter = (360 - p.rotation) % 360
                turned = orient.make_upright(img, quarter, 0.0)
                skew = orient.estimate_skew(turned.image)
                up = orient.make_upright(img, quarter, skew)
                back = np.linalg.inv(up.to_source)

                def to_up(b: tuple[float, float, float, float], s: float = scale,
                          m: np.ndarray = back) -> BBox:
                    return orient.map_box(m, (b[0] * s, b[1] * s, b[2] * s, b[3] * s))

                yield Case(key=f"{key}/{rel}#{p.page}", image=up.image,
                           names=tuple((to_up(nb.bbox), nb.mark) for nb in p.names),
                           seals=tuple(to_up(s) for s in p.seals), kind=p.kind,
                           rotation=p.rotation)
                n += 1
                if limit and n >= limit:
                    return


def text_height(case: Case) -> float:
    """The median height of the page's name boxes; without names, 2.2 % of its short side."""
    heights = [b[3] - b[1] for b, _ in case.names]
    if heights:
        return float(statistics.median(heights))
    return 0.022 * min(case.image.size)


def _area(b: BBox) -> float:
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def _overlap(a: BBox, b: BBox) -> BBox:
    return (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))


def iou(a: BBox, b: BBox) -> float:
    """Intersection over union of two boxes."""
    inter = _area(_overlap(a, b))
    return inter / max(1e-9, _area(a) + _area(b) - inter)


def touches(mark: Mark, name: BBox) -> bool:
    """Whether ``mark`` marks the name at ``name`` as its family does.

    A highlight covers at least half the name's box; a box or circle holds the name's
    centre; an underline lies under the name (its middle between a quarter of the name's
    height above the name's bottom and 0.6 heights below it) along half its width or more.
    """
    nh, nw = name[3] - name[1], name[2] - name[0]
    m = mark.bbox
    if mark.kind is MarkKind.HIGHLIGHT:
        return _area(_overlap(m, name)) >= 0.5 * _area(name)
    if mark.kind in (MarkKind.BOX, MarkKind.CIRCLE):
        cx, cy = (name[0] + name[2]) / 2, (name[1] + name[3]) / 2
        return m[0] <= cx <= m[2] and m[1] <= cy <= m[3]
    if mark.kind is MarkKind.UNDERLINE:
        mid = (m[1] + m[3]) / 2
        along = min(m[2], name[2]) - max(m[0], name[0])
        return name[3] - 0.25 * nh <= mid <= name[3] + 0.6 * nh and along >= 0.5 * nw
    return False


@dataclasses.dataclass(frozen=True, slots=True)
class PageResult:
    """What was found on one page.

    Attributes:
        key: the page.
        names: per truth name: its truth mark (None: unmarked) and the families of the
            detected marks that touch it.
        seals_truth, seals_found, seals_matched: counts (matched: IoU ≥ 0.5, one to one).
        ms: the time find_marks took.
        marks: every detected mark (kind, colour).
        stray: the detected marks (not ``ink``) that touch no name: kind, colour, box.
        megapixels: the page image's size.
    """

    key: str
    names: tuple[tuple[str | None, frozenset[str], tuple[str, ...]], ...]
    seals_truth: int
    seals_found: int
    seals_matched: int
    ms: float
    marks: tuple[tuple[str, str], ...]
    stray: tuple[tuple[str, str, tuple[int, ...]], ...]
    megapixels: float


def run_page(case: Case) -> PageResult:
    """Run find_marks on one page and score it."""
    th = text_height(case)
    t0 = time.perf_counter()
    marks, seals = find_marks(case.image, th)
    ms = (time.perf_counter() - t0) * 1000
    names = []
    for box, truth_mark in case.names:
        hit = [m for m in marks if touches(m, box)]
        names.append((truth_mark, frozenset(KIND_FAMILY[m.kind] for m in hit),
                      tuple(m.colour for m in hit)))
    matched, used = 0, set()
    for t in case.seals:
        best = max(((iou(t, s.bbox), j) for j, s in enumerate(seals) if j not in used),
                   default=(0.0, -1))
        if best[0] >= 0.5:
            matched += 1
            used.add(best[1])
    stray = tuple((str(m.kind), m.colour, tuple(round(v) for v in m.bbox)) for m in marks
                  if m.kind is not MarkKind.INK
                  and not any(touches(m, box) for box, _ in case.names))
    return PageResult(key=case.key, names=tuple(names), seals_truth=len(case.seals),
                      seals_found=len(seals), seals_matched=matched, ms=ms,
                      marks=tuple((str(m.kind), m.colour) for m in marks), stray=stray,
                      megapixels=case.image.width * case.image.height / 1e6)


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f} ({a}/{b})" if b else "–"


def report(results: list[PageResult]) -> str:
    """The figures over all pages, as text."""
    lines = [f"pages: {len(results)}"]
    by_kind: dict[str, list[frozenset[str]]] = defaultdict(list)
    for r in results:
        for truth_mark, fams, _ in r.names:
            by_kind[truth_mark or "none"].append(fams)
    lines.append("truth mark      names  recall (right family)  precision of that family")
    for kind in sorted(k for k in by_kind if k != "none"):
        fam = FAMILY[kind]
        hits = sum(fam in f for f in by_kind[kind])
        said = [k for k, found in by_kind.items() for fams in found if fam in fams]
        right = sum(1 for k in said if k != "none" and FAMILY[k] == fam)
        lines.append(f"  {kind:14s} {len(by_kind[kind]):5d}  {_ratio(hits, len(by_kind[kind])):22s}"
                     f" {_ratio(right, len(said))}")
    marked = [f for k, v in by_kind.items() if k != "none" for f in v]
    unmarked = by_kind.get("none", [])
    said_marked = sum(bool(f) for f in marked) + sum(bool(f) for f in unmarked)
    lines.append(f"marked (any family): recall {_ratio(sum(bool(f) for f in marked), len(marked))}"
                 f", precision {_ratio(sum(bool(f) for f in marked), said_marked)}")
    lines.append(f"false 'marked' on unmarked names: "
                 f"{_ratio(sum(bool(f) for f in unmarked), len(unmarked))}")
    colours = Counter((k, c) for r in results for k, fams, cs in r.names if k for c in cs)
    lines.append(f"colours named on marked names: {dict(sorted(colours.items()))}")
    st, sf, sm = (sum(getattr(r, a) for r in results)
                  for a in ("seals_truth", "seals_found", "seals_matched"))
    lines.append(f"seals: recall {_ratio(sm, st)}, precision {_ratio(sm, sf)}")
    kinds = Counter(k for r in results for k, _ in r.marks)
    lines.append(f"marks found on all pages: {dict(sorted(kinds.items()))}")
    stray = Counter(k for r in results for k, _, _ in r.stray)
    lines.append(f"marks touching no name (not ink): {sum(stray.values())} "
                 f"{dict(sorted(stray.items()))} on {sum(bool(r.stray) for r in results)} pages")
    for label, lo, hi in (("all pages", 0.0, 1e9), ("A4 at about 200 dpi (3.5–4.5 MP)", 3.5, 4.5),
                          ("bigger (over 4.5 MP)", 4.5, 1e9)):
        ms = sorted(r.ms for r in results if lo <= r.megapixels < hi)
        if ms:
            lines.append(f"ms per page, {label}: {len(ms)} pages, mean {statistics.fmean(ms):.0f}"
                         f", median {statistics.median(ms):.0f}, 95th "
                         f"{ms[int(0.95 * (len(ms) - 1))]:.0f}, max {ms[-1]:.0f}")
    return "\n".join(lines)


def main() -> None:
    """Run the benchmark over the batch named on the command line, or over drawn pages."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("root", type=Path, nargs="?", help="a generated batch (truth.json, batch/)")
    ap.add_argument("--limit", type=int, default=0, help="only this many pages of the batch")
    ap.add_argument("--drawn", type=int, default=0, help="instead: this many drawn pages")
    ap.add_argument("--seed", type=int, default=1, help="seeds --drawn")
    ap.add_argument("--show", action="store_true", help="print each page that went wrong")
    args = ap.parse_args()
    if not args.root and not args.drawn:
        ap.error("give a batch folder or --drawn N")
    cv2.setNumThreads(1)  # one core, as the reader runs it
    results = []
    pages = drawn_cases(args.drawn, args.seed) if args.drawn else cases(args.root, args.limit)
    for case in pages:
        r = run_page(case)
        results.append(r)
        wrong = [(k, sorted(f)) for k, f, _ in r.names if (FAMILY.get(k or "") not in f)
                 and (k or f)]
        if args.show and (wrong or r.stray or r.seals_matched != r.seals_truth
                          or r.seals_found != r.seals_matched):
            print(f"{r.key}: names {wrong} seals {r.seals_matched}/{r.seals_truth} "
                  f"found {r.seals_found}; marks {r.marks}; stray {r.stray}", flush=True)
    print(report(results))


# ---------------------------------------------------------------------------------------
# --drawn: pages drawn and degraded here, some marked with PIL


def _pil_mark(img: Image.Image, box: BBox, kind: str, scale: float, rng: random.Random) -> None:
    """Draw a ``pil_*`` mark around the name at ``box`` (points) on a page rendered at scale."""
    draw = ImageDraw.Draw(img, "RGBA")
    x0, t, x1, b = (v * scale for v in box)
    width = max(2, round(1.3 * scale))  # a 1.3 pt pen
    red, blue = (210, 30, 35), (30, 60, 185)
    pen = red if "red" in kind else blue
    if kind.endswith("circle"):
        mx, my = (x1 - x0) * rng.uniform(0.15, 0.3), (b - t) * rng.uniform(0.35, 0.6)
        draw.ellipse((x0 - mx, t - my, x1 + mx, b + my), outline=pen, width=width)
    elif kind.endswith("box"):
        m = 3 * scale
        draw.rectangle((x0 - m, t - m, x1 + m, b + m), outline=pen, width=width)
    elif kind.endswith("underline"):
        y = b + 2 * scale
        draw.line((x0, y, x1, y + rng.uniform(-1, 1) * scale), fill=pen, width=width)
    else:
        fill = (255, 150, 30, 110) if "orange" in kind else (80, 180, 255, 110)
        draw.rectangle((x0 - 2 * scale, t - 1.5 * scale, x1 + 2 * scale, b + 2 * scale),
                       fill=fill)


def drawn_cases(n: int, seed: int) -> Iterator[Case]:
    """``n`` pages drawn by the dossier generator, degraded at random, deskewed.

    Half are pages of a paper or contract set (the records of tests/test_fields_sets.py)
    with a generator mark, none, or (in 4 of 10) one ``pil_*`` mark drawn on the rendered
    paper; the other half one-page certificates (tests/test_fields_certs.py's records,
    with their seals). Each page gets ``scan.random_degradation`` (half phone photos, never
    turned), is saved as its JPEG when it has a quality, and is deskewed like the reader.
    """
    from fixtures.dossier.docs import MarkKind as DrawnMark
    from fixtures.dossier.draw_sets import draw_contract_set, draw_paper_set
    from tests._dossier import draw_pdf
    from tests.test_fields_certs import CASES, style_for
    from tests.test_fields_sets import CONTRACT, PAPER, style

    rng = random.Random(seed)
    marks: list[DrawnMark | str | None] = [*DrawnMark, None, "pil", "pil", "pil", "pil"]
    marks.remove(DrawnMark.PDF_HIGHLIGHT)  # an annotation: not on paper
    for k in range(n):
        mark: DrawnMark | str | None = None
        if rng.random() < 0.55:
            mark = rng.choice(marks)
            draw, doc = rng.choice(((draw_paper_set, PAPER), (draw_contract_set, CONTRACT)))
            doc = dataclasses.replace(doc, mark=None if mark == "pil" else mark)
            pdf, pages = draw_pdf(draw, doc, style(rng.randrange(3)))
            pageno = rng.choice([i for i, p in enumerate(pages) if p.names or p.seals])
        else:
            name = rng.choice(sorted(CASES))
            fn, record, _, _ = CASES[name]
            pdf, pages = draw_pdf(fn, record, style_for(name, rng.randrange(3)))
            pageno = 0
        page = pages[pageno]
        d = dataclasses.replace(scan.random_degradation(rng, phone=rng.random() < 0.5),
                                quarter=0)
        img = scan.rasterise(pdf, pageno, d.dpi)
        names = [(nb.bbox, str(nb.mark) if nb.mark else None) for nb in page.names]
        if mark == "pil" and names:
            j = rng.randrange(len(names))
            kind = rng.choice(PIL_MARKS)
            _pil_mark(img, names[j][0], kind, d.dpi / 72, rng)
            names[j] = (names[j][0], kind)
        out, hom = scan.degrade(img, d)
        if d.jpeg_quality:
            out = Image.open(io.BytesIO(scan.to_jpeg(out, d.jpeg_quality, d.dpi))).convert("RGB")
        up = orient.make_upright(out, 0, orient.estimate_skew(out))
        back = np.linalg.inv(up.to_source)

        def place(b: BBox, h: np.ndarray = hom, s: float = d.dpi / 72,
                  m: np.ndarray = back) -> BBox:
            return orient.map_box(m, scan.map_bbox(h, b, s))

        yield Case(key=f"drawn {k} {page.kind} {'phone' if d.phone else 'flatbed'} {d}",
                   image=up.image, names=tuple((place(b), mk) for b, mk in names),
                   seals=tuple(place(sb) for sb in page.seals), kind=page.kind, rotation=0)


if __name__ == "__main__":
    main()
