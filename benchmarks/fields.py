"""Benchmark (run by hand): field accuracy of the field parsers on a generated batch.

    .venv/bin/python benchmarks/fields.py GENERATED_DIR [--reads DIR ...] [--fill DIR]
        [--no-read] [--errors N]

``GENERATED_DIR`` holds ``batch/`` and ``truth.json`` (``python -m fixtures.generate``).
Every evidence file is taken as the reader read it: a pickled ``model.report.DocumentRead``
from ``--reads`` (default ``/tmp/k30-reads``: ``<dir>/<key>/<rel, '/' as '__'>.pkl``) or
``--fill`` (default ``/tmp/k30-fields-reads``); a file in neither is read here with
``extractors.reading.read_document`` (Tesseract for scans, about 2 s a page, one process)
and pickled into ``--fill``, unless ``--no-read``. Each read file goes through
``extractors.fields.parse_document``.

What is compared:

- every claim of the truth (award, patent, ``education:N``; paper and project once
  ``extractors/fields/journal.py`` and ``contract.py`` exist) against the documents of its
  evidence files of the claim's kinds. An education claim merges its documents: the
  graduation certificate (else the overseas certification, else the degree certificate)
  gives every field but ``degree``, which the degree certificate (else the overseas one)
  gives. When a file holds several documents of the kind (a scanned volume), the one
  agreeing best with the truth is taken.
- the documents no claim covers, against the generator's own records (the batch is planned
  again from the truth's seed): ID card, title certificate, continuing-education
  certificate, registration form.

Fields compare as docs/evaluation.md says: text after NFKC with whitespace removed,
numbers as numbers, lists item by item; a field the truth has as null must be absent; a
field the parser did not give is wrong. The table gives per family and field the share
right, born-digital and scanned (the medium of the claim, or of the file).

Figures (2026-11-26; ``/tmp/k30``: 30 applicants, seed 404, scanned share 0.4; 174 of
the 230 files read here with the reader of that day in about 11 minutes, the rest taken
from ``/tmp/k30-reads``; journal and contract parsers as the other helper had them then; the second
command, with every file cached, takes about 2 s)::

    .venv/bin/python benchmarks/fields.py /tmp/k30            # reads what is missing
    .venv/bin/python benchmarks/fields.py /tmp/k30 --no-read --errors 40

    family        field               born-digital      scanned
    paper         title                 20/20   100.0%    18/25    72.0%
    paper         journal               20/20   100.0%    24/25    96.0%
    paper         issn                  20/20   100.0%    25/25   100.0%
    paper         cn                    20/20   100.0%    25/25   100.0%
    paper         year                  20/20   100.0%    25/25   100.0%
    paper         issue                 20/20   100.0%    25/25   100.0%
    paper         authors               20/20   100.0%     5/25    20.0%
    paper         (all)                140/140  100.0%   147/175   84.0%
    project       title                 11/11   100.0%    18/18   100.0%
    project       party_a               11/11   100.0%    17/18    94.4%
    project       party_b               11/11   100.0%    16/18    88.9%
    project       signed_on             11/11   100.0%    16/18    88.9%
    project       amount                11/11   100.0%    17/18    94.4%
    project       amount_capital        11/11   100.0%     2/18    11.1%
    project       role                  11/11   100.0%    11/18    61.1%
    project       number                11/11   100.0%    18/18   100.0%
    project       (all)                 88/88   100.0%   115/144   79.9%
    patent        title                  3/3    100.0%     4/4    100.0%
    patent        inventors              3/3    100.0%     3/4     75.0%
    patent        patent_number          3/3    100.0%     4/4    100.0%
    patent        year                   3/3    100.0%     4/4    100.0%
    patent        granted                3/3    100.0%     4/4    100.0%
    patent        number                 3/3    100.0%     4/4    100.0%
    patent        (all)                 18/18   100.0%    23/24    95.8%
    education     holder                 8/8    100.0%    19/22    86.4%
    education     school                 8/8    100.0%    21/22    95.5%
    education     major                  8/8    100.0%    22/22   100.0%
    education     level                  8/8    100.0%    22/22   100.0%
    education     graduation_date        8/8    100.0%    22/22   100.0%
    education     certificate_number     8/8    100.0%    21/22    95.5%
    education     degree                 8/8    100.0%    21/22    95.5%
    education     (all)                 56/56   100.0%   148/154   96.1%
    award         holder                 4/4    100.0%    10/12    83.3%
    award         title                  4/4    100.0%    12/12   100.0%
    award         level                  4/4    100.0%    12/12   100.0%
    award         year                   4/4    100.0%     9/12    75.0%
    award         date                   4/4    100.0%     9/12    75.0%
    award         issuer                 4/4    100.0%    11/12    91.7%
    award         number                 4/4    100.0%    11/12    91.7%
    award         (all)                 28/28   100.0%    74/84    88.1%
    ce            holder                11/11   100.0%     0/1      0.0%
    ce            year                  11/11   100.0%     1/1    100.0%
    ce            issuer                11/11   100.0%     1/1    100.0%
    ce            hours                 11/11   100.0%     1/1    100.0%
    ce            professional          11/11   100.0%     1/1    100.0%
    ce            industry_public       11/11   100.0%     1/1    100.0%
    ce            general_public        11/11   100.0%     1/1    100.0%
    ce            date                  11/11   100.0%     1/1    100.0%
    ce            number                11/11   100.0%     1/1    100.0%
    ce            id_number             11/11   100.0%     1/1    100.0%
    ce            (all)                110/110  100.0%     9/10    90.0%
    title         holder                13/13   100.0%     9/17    52.9%
    title         title                 13/13   100.0%    16/17    94.1%
    title         specialty             13/13   100.0%    14/17    82.4%
    title         issuer                13/13   100.0%    17/17   100.0%
    title         date                  13/13   100.0%    15/17    88.2%
    title         number                13/13   100.0%    14/17    82.4%
    title         employer              13/13   100.0%    15/17    88.2%
    title         (all)                 91/91   100.0%   100/119   84.0%
    id_card       name                  17/17   100.0%     9/12    75.0%
    id_card       gender                17/17   100.0%    11/12    91.7%
    id_card       birth_date            17/17   100.0%    11/12    91.7%
    id_card       address               17/17   100.0%     9/12    75.0%
    id_card       id_number             17/17   100.0%    11/12    91.7%
    id_card       issuer                17/17   100.0%    10/12    83.3%
    id_card       valid_from            17/17   100.0%    11/12    91.7%
    id_card       valid_to              17/17   100.0%    11/12    91.7%
    id_card       (all)                136/136  100.0%    83/96    86.5%
    registration  holder                 5/5    100.0%     1/2     50.0%
    registration  school                 5/5    100.0%     2/2    100.0%
    registration  major                  5/5    100.0%     2/2    100.0%
    registration  level                  5/5    100.0%     2/2    100.0%
    registration  start_date             5/5    100.0%     2/2    100.0%
    registration  graduation_date        5/5    100.0%     2/2    100.0%
    registration  certificate_number     5/5    100.0%     2/2    100.0%
    registration  form_number            5/5    100.0%     1/2     50.0%
    registration  id_number              5/5    100.0%     2/2    100.0%
    registration  (all)                 45/45   100.0%    16/18    88.9%
    ALL                                712/712  100.0%   715/824   86.8%

Born-digital pages are read without error. What is lost on scans is mostly Tesseract's:
characters of names and places read as look-alikes (晶→唱, 鑫→夺, 鄞→靶, 倩→傅), lines
and labels dropped (a grid's first row, the footer of a photographed certificate),
Han-numeral dates garbled (二〇一二年四月二十九日 read 二 @ 〇一二年四月二十九晶: the
parser reads that one, not 一外七九年月“八目), letter codes misread (JXJY → JXJJY,
ZJ → 可). The ``wrong`` lines (``--errors``) list each case.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import io
import pickle
import random
import sys
import tempfile
import time
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from checks.policy import load_policy
from extractors.fields import parse_document
from model.fields import DocumentFields
from model.report import DocumentRead
from model.truth import ApplicantTruth, Medium, Truth

POLICY = "zj-anfang-2022"
DEFAULT_READS = Path("/tmp/k30-reads")
DEFAULT_FILL = Path("/tmp/k30-fields-reads")

# claim type -> the document kinds that prove it
CLAIM_KINDS: dict[str, tuple[str, ...]] = {
    "education": ("graduation_certificate", "overseas_certification", "degree_certificate"),
    "award": ("award_certificate",),
    "patent": ("patent_certificate",),
    "paper": ("journal_cover", "journal_copyright", "journal_toc", "article"),
    "project": ("contract_cover", "contract_amount", "contract_participants", "contract_seal"),
}
# families whose parser module may not exist yet
OPTIONAL_MODULE = {"paper": "extractors.fields.journal", "project": "extractors.fields.contract"}


@dataclass(frozen=True, slots=True)
class Expected:
    """One document or claim to check: where it is, how it was made, what it says."""

    key: str
    family: str  # education, award, patent, paper, project, id_card, title, ce, registration
    name: str  # the claim id, or the file for a document without a claim
    files: tuple[str, ...]
    medium: Medium
    kinds: tuple[str, ...]
    fields: dict[str, object]
    person: str = ""  # the applicant (a contract's role is the role of this name)


@dataclass(slots=True)
class Tally:
    """Right and total per (family, field, medium), and the wrong readings."""

    right: dict[tuple[str, str, str], int] = field(default_factory=lambda: defaultdict(int))
    total: dict[tuple[str, str, str], int] = field(default_factory=lambda: defaultdict(int))
    wrong: list[str] = field(default_factory=list)


def _norm(value: object) -> str:
    return "".join(unicodedata.normalize("NFKC", str(value)).split())


def same(expected: object, got: object) -> bool:
    """Whether a parsed value equals the truth's, as the evaluation compares them."""
    if expected is None:
        return got in (None, "", ())
    if got is None:
        return False
    if isinstance(expected, bool):
        return got is expected
    if isinstance(expected, int | float):
        try:
            return abs(float(str(got)) - float(expected)) < 1e-6
        except ValueError:
            return False
    if isinstance(expected, list | tuple):
        return (
            isinstance(got, list | tuple)
            and len(got) == len(expected)
            and all(same(e, g) for e, g in zip(expected, got, strict=True))
        )
    return _norm(expected) == _norm(got)


# ---------------------------------------------------------------------------------------
# the truth


def _claim_family(claim: str, fields: dict[str, object]) -> str:
    if claim.startswith("education:"):
        return "education"
    if "journal" in fields:
        return "paper"
    if "party_a" in fields:
        return "project"
    if "inventors" in fields:
        return "patent"
    return "award"


def _record_fields(doc: object) -> tuple[str, tuple[str, ...], dict[str, object]] | None:
    """The family, kinds and fields of a generator record no claim covers."""
    from fixtures.dossier import docs as d

    if isinstance(doc, d.IdCardDoc):
        return (
            "id_card",
            ("id_card",),
            {
                "name": doc.name,
                "gender": doc.gender,
                "birth_date": doc.birth.isoformat(),
                "address": doc.address,
                "id_number": doc.id_number,
                "issuer": doc.authority,
                "valid_from": doc.valid_from.isoformat(),
                "valid_to": doc.valid_to.isoformat(),
            },
        )
    if isinstance(doc, d.TitleCertDoc):
        return (
            "title",
            ("title_certificate",),
            {
                "holder": doc.holder,
                "title": doc.title,
                "specialty": doc.specialty,
                "issuer": doc.issuer,
                "date": doc.date.isoformat(),
                "number": doc.number,
                "employer": doc.employer,
            },
        )
    if isinstance(doc, d.CeCertDoc):
        return (
            "ce",
            ("ce_certificate",),
            {
                "holder": doc.holder,
                "year": doc.year,
                "issuer": doc.issuer,
                "hours": doc.professional + doc.industry_public + doc.general_public,
                "professional": doc.professional,
                "industry_public": doc.industry_public,
                "general_public": doc.general_public,
                "date": doc.date.isoformat(),
                "number": doc.number,
                "id_number": doc.id_number,
            },
        )
    if isinstance(doc, d.RegistrationDoc):
        return (
            "registration",
            ("education_registration",),
            {
                "holder": doc.holder,
                "school": doc.school,
                "major": doc.major,
                "level": doc.level,
                "start_date": doc.start.isoformat(),
                "graduation_date": doc.end.isoformat(),
                "certificate_number": doc.certificate_number,
                "form_number": doc.form_number,
                "id_number": doc.id_number,
            },
        )
    return None


def _records(truth: Truth) -> dict[tuple[str, str], list[object]]:
    """(key, file) → the generator's records drawn in that file, by planning the batch again."""
    from fixtures.dossier.compose import lay_out
    from fixtures.generate import plan_batch

    out: dict[tuple[str, str], list[object]] = {}
    plans = plan_batch(len(truth.applicants), truth.seed, truth.scanned_share)
    for plan in plans:
        rng = random.Random(f"pingshen-compose:{truth.seed}:{plan.index}")
        layout = lay_out(plan, rng, truth.scanned_share)
        for f in layout.files:
            out[(plan.key, f.rel)] = [d.doc for d in f.docs]
    return out


def expectations(truth: Truth) -> list[Expected]:
    """Every claim and every claim-less document of the batch with its true fields."""
    out: list[Expected] = []
    for key, app in truth.applicants.items():
        for claim, ct in app.claims.items():
            if not ct.evidence or not ct.fields:
                continue
            family = _claim_family(claim, ct.fields)
            out.append(
                Expected(
                    key,
                    family,
                    claim,
                    tuple(ct.evidence),
                    ct.medium,
                    CLAIM_KINDS[family],
                    dict(ct.fields),
                    app.name,
                )
            )
    records = _records(truth)
    for key, app in truth.applicants.items():
        for rel, ft in app.files.items():
            for doc in records.get((key, rel), []):
                found = _record_fields(doc)
                if found:
                    family, kinds, fields = found
                    out.append(Expected(key, family, rel, (rel,), ft.medium, kinds, fields))
    return out


# ---------------------------------------------------------------------------------------
# reading


def _pkl_name(rel: str) -> str:
    return rel.replace("/", "__") + ".pkl"


def _source(root: Path, key: str, rel: str, app: ApplicantTruth, tmp: Path) -> Path | None:
    folder = root / "batch" / key
    if (folder / rel).is_file():
        return folder / rel
    archive = root / "batch" / f"{key}.zip"
    if app.zipped and archive.is_file():
        with zipfile.ZipFile(archive) as z:
            try:
                data = z.read(f"{key}/{rel}")
            except KeyError:
                return None
        path = tmp / key / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path
    return None


def _upgrade(obj: object) -> object:
    """A pickled dataclass made again with today's fields (new ones at their defaults).

    A pickle of a slots dataclass from before a field was added lacks that attribute.
    """
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        return obj
    values = {}
    for f in dataclasses.fields(obj):
        if hasattr(obj, f.name):
            value = getattr(obj, f.name)
            if isinstance(value, tuple):
                value = tuple(_upgrade(v) for v in value)
            values[f.name] = value
    return type(obj)(**values)


def load_reads(
    root: Path,
    truth: Truth,
    wanted: Iterable[tuple[str, str]],
    reads: Sequence[Path],
    fill: Path,
    *,
    read: bool,
) -> dict[tuple[str, str], DocumentRead]:
    """The read files, from the caches or read now (born-digital first)."""
    out: dict[tuple[str, str], DocumentRead] = {}
    missing: list[tuple[str, str]] = []
    for key, rel in sorted(set(wanted)):
        for d in (*reads, fill):
            p = d / key / _pkl_name(rel)
            if p.is_file():
                with p.open("rb") as fh:
                    out[(key, rel)] = _upgrade(pickle.load(fh))  # type: ignore[assignment]
                break
        else:
            missing.append((key, rel))
    if not read or not missing:
        if missing:
            print(f"{len(missing)} files not read yet (left out)", file=sys.stderr)
        return out
    from extractors.reading import read_document

    rule = load_policy(POLICY).reading
    media = {(k, r): truth.applicants[k].files[r].medium for k, r in missing}
    missing.sort(key=lambda kr: (media[kr] != Medium.BORN_DIGITAL, kr))
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        for i, (key, rel) in enumerate(missing, 1):
            src = _source(root, key, rel, truth.applicants[key], Path(tmp))
            if src is None:
                continue
            doc = read_document(src, rel, rule)
            target = fill / key / _pkl_name(rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            buf = io.BytesIO()
            pickle.dump(doc, buf)
            target.write_bytes(buf.getvalue())
            out[(key, rel)] = doc
            print(
                f"read {i}/{len(missing)} {key}/{rel} ({time.monotonic() - started:.0f} s)",
                file=sys.stderr,
            )
    return out


# ---------------------------------------------------------------------------------------
# scoring


def _merged(exp: Expected, docs: list[DocumentFields]) -> dict[str, object]:
    """An education claim's fields from its documents, each field from its best source."""
    by_kind: dict[str, list[DocumentFields]] = defaultdict(list)
    for d in docs:
        by_kind[d.kind].append(d)
    order = {"degree": ("degree_certificate", "overseas_certification")}
    default = ("graduation_certificate", "overseas_certification", "degree_certificate")
    out: dict[str, object] = {}
    for name in exp.fields:
        for kind in order.get(name, default):
            values = [d.value(name) for d in by_kind.get(kind, []) if d.value(name) is not None]
            if values:
                out[name] = values[0]
                break
    return out


def _score_one(exp: Expected, docs: list[DocumentFields]) -> dict[str, object]:
    if exp.family == "education":
        return _merged(exp, docs)
    best: dict[str, object] = {}
    best_right = -1
    for d in docs:
        got = {name: d.value(name) for name in exp.fields}
        if exp.family == "project" and "role" in exp.fields:  # the parser lists every row
            from extractors.fields.contract import role_of

            got["role"] = role_of(d, exp.person)
        right = sum(same(v, got[n]) for n, v in exp.fields.items())
        if right > best_right:
            best, best_right = got, right
    return best


def score(
    exps: Sequence[Expected], parsed: dict[tuple[str, str], list[DocumentFields]], skip: set[str]
) -> Tally:
    """Compare every expectation with what the parsers read."""
    t = Tally()
    for exp in exps:
        if exp.family in skip or not all((exp.key, f) in parsed for f in exp.files):
            continue
        docs = [d for f in exp.files for d in parsed[(exp.key, f)] if d.kind in exp.kinds]
        got = _score_one(exp, docs)
        medium = str(exp.medium)
        for name, want in exp.fields.items():
            k = (exp.family, name, medium)
            t.total[k] += 1
            if same(want, got.get(name)):
                t.right[k] += 1
            else:
                t.wrong.append(
                    f"{exp.family:<12} {name:<18} {medium:<12} {exp.key}/{exp.name}: "
                    f"want {want!r} got {got.get(name)!r}"
                )
    return t


def _cell(right: int, total: int) -> str:
    return f"{right:>4}/{total:<4} {100 * right / total:5.1f}%" if total else " " * 16


def table(t: Tally) -> str:
    """The accuracy table: per family and field, born-digital and scanned, then totals."""
    media = (str(Medium.BORN_DIGITAL), str(Medium.SCANNED))
    rows = [f"{'family':<13} {'field':<19} {'born-digital':<16}  {'scanned':<16}"]
    fam_fields: dict[str, list[str]] = defaultdict(list)
    for fam, name, _ in t.total:
        if name not in fam_fields[fam]:
            fam_fields[fam].append(name)
    grand = {m: [0, 0] for m in media}
    for fam in fam_fields:
        sums = {m: [0, 0] for m in media}
        for name in fam_fields[fam]:
            cells = []
            for m in media:
                r, n = t.right.get((fam, name, m), 0), t.total.get((fam, name, m), 0)
                sums[m][0] += r
                sums[m][1] += n
                cells.append(_cell(r, n))
            rows.append(f"{fam:<13} {name:<19} {cells[0]}  {cells[1]}")
        rows.append(f"{fam:<13} {'(all)':<19} {_cell(*sums[media[0]])}  {_cell(*sums[media[1]])}")
        for m in media:
            grand[m][0] += sums[m][0]
            grand[m][1] += sums[m][1]
    rows.append(f"{'ALL':<13} {'':<19} {_cell(*grand[media[0]])}  {_cell(*grand[media[1]])}")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the table (and ``--errors`` wrong readings)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root", type=Path, help="folder with batch/ and truth.json")
    ap.add_argument("--reads", type=Path, nargs="*", default=[DEFAULT_READS])
    ap.add_argument("--fill", type=Path, default=DEFAULT_FILL)
    ap.add_argument("--no-read", action="store_true", help="use cached reads only")
    ap.add_argument("--errors", type=int, default=0, help="print N wrong readings")
    args = ap.parse_args(argv)

    truth = Truth.load(args.root / "truth.json")
    exps = expectations(truth)
    skip = {fam for fam, mod in OPTIONAL_MODULE.items() if importlib.util.find_spec(mod) is None}
    wanted = [(e.key, f) for e in exps if e.family not in skip for f in e.files]
    reads = load_reads(args.root, truth, wanted, args.reads, args.fill, read=not args.no_read)
    parsed = {k: parse_document(doc) for k, doc in reads.items()}
    t = score(exps, parsed, skip)
    print(table(t))
    if skip:
        print(f"skipped (no parser module yet): {', '.join(sorted(skip))}")
    for line in t.wrong[: args.errors]:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
