"""Reading results cached by content, so that nothing is read twice.

Reading (OCR above all) is nearly all of a batch's time; checks and outputs are cheap. So a
file's reading is kept under ``OUT/.cache/reads/`` and a later run of the same batch — after
a crash, after a policy change, after one applicant's file was replaced — reads again only
what changed. An entry's key is the sha256 of:

- the file's content (sha256) and its name in the applicant folder (the findings name it);
- the reading settings: the policy's ``reading`` section (dpi, language, limits, the second
  engine on or off) — the rest of the policy does not touch the reading;
- the engines: Tesseract's version and its language data files, RapidOCR's version;
- the reader itself: the source of the ``extractors`` package (a fixed reader is a
  different reader, and its old results must not be served).

An entry is a pickled :class:`~model.report.DocumentRead`, written atomically (a temporary
file renamed into place), so a run killed at any moment leaves whole entries or none. A
reading that was stopped (stalled, out of memory, crashed reader, a page cut off by its
time limit) may succeed another time and is not kept. An entry that cannot be loaded is
removed and the file read again.

The cache is a folder of files, so it works the same for a local run and for Dask workers
that share OUT; ``rm -r OUT/.cache`` empties it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import tempfile
from functools import cache
from pathlib import Path

from checks.policy import ReadingRule
from extractors._exec import probe, rapid
from model.report import DocumentRead

log = logging.getLogger(__name__)

CACHE_DIR = Path(".cache") / "reads"
"""Where, under OUT, the readings are kept."""

FORMAT = 1
"""Bumped when what an entry holds changes shape."""

_EXTRACTORS = Path(__file__).resolve().parent


@cache
def _reader_source() -> str:
    """sha256 of every source file of the extractors package (the reader's own version)."""
    h = hashlib.sha256()
    for path in sorted(_EXTRACTORS.rglob("*.py")):
        h.update(path.relative_to(_EXTRACTORS).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


@cache
def _engines(lang: str) -> tuple[str, ...]:
    """Tesseract's version and its language data (name and size), RapidOCR's version."""
    data = []
    prefix = os.environ.get("TESSDATA_PREFIX")
    roots = ([Path(prefix)] if prefix
             else sorted(Path("/usr/share/tesseract-ocr").glob("*/tessdata")))
    for root in roots:
        for part in lang.split("+"):
            f = root / f"{part}.traineddata"
            if f.is_file():
                data.append(f"{f}:{f.stat().st_size}")
    return (f"tesseract {probe.TESSERACT.version()}", *data, f"{rapid.ENGINE} {rapid.version()}")


def fingerprint(rule: ReadingRule) -> str:
    """What, besides the file, decides a reading: settings, engines and reader (sha256)."""
    doc = {"format": FORMAT, "reading": rule.model_dump(mode="json"),
           "engines": _engines(rule.ocr_lang), "reader": _reader_source()}
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def interrupted(doc: DocumentRead) -> bool:
    """Whether the reading stopped short: stopped by its limits, or a page cut off."""
    return doc.stopped or any(p.timed_out for p in doc.pages)


class ReadCache:
    """The readings kept under one output folder, for one reading fingerprint."""

    def __init__(self, out: Path, rule: ReadingRule) -> None:
        """Use ``OUT/.cache/reads`` for readings under ``rule`` (nothing is created yet)."""
        self.root = out / CACHE_DIR
        self.fingerprint = fingerprint(rule)

    def path(self, sha256: str, rel: str) -> Path:
        """The entry of the file with content ``sha256`` named ``rel``."""
        key = hashlib.sha256(f"{sha256}\0{rel}\0{self.fingerprint}".encode()).hexdigest()
        return self.root / key[:2] / f"{key}.pkl"

    def get(self, sha256: str, rel: str) -> DocumentRead | None:
        """The kept reading, or None (none kept, or one that cannot be loaded: removed)."""
        path = self.path(sha256, rel)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as e:
            log.warning("cached reading %s cannot be read (%s); reading again", path.name, e)
            return None
        try:
            doc = pickle.loads(data)  # noqa: S301 (our own files, under OUT)
        except Exception as e:  # a torn or foreign file: read again
            log.warning("cached reading %s is damaged (%s); reading again", path.name,
                        type(e).__name__)
            path.unlink(missing_ok=True)
            return None
        if not isinstance(doc, DocumentRead) or doc.sha256 != sha256 or doc.file != rel:
            path.unlink(missing_ok=True)
            return None
        return doc

    def put(self, doc: DocumentRead) -> bool:
        """Keep ``doc`` (atomically); False when it is not kept (an interrupted reading)."""
        if interrupted(doc):
            return False
        path = self.path(doc.sha256, doc.file)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(doc, f, protocol=pickle.HIGHEST_PROTOCOL)
                f.flush()
                os.fsync(f.fileno())
            Path(tmp).replace(path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return True


def has_readings(out: Path) -> bool:
    """Whether a run has kept readings under ``out`` (a rerun may have nothing to read)."""
    return (out / CACHE_DIR).is_dir()


def kept_reading(path: Path, rel: str, cache: ReadCache) -> tuple[str, DocumentRead | None]:
    """The file's sha256, and the reading kept of it (shown as ``rel``) when there is one.

    Raises:
        OSError: the file cannot be read.
    """
    from extractors.reading import sha256_of

    digest = sha256_of(path)
    return digest, cache.get(digest, rel)


def read_cached(path: Path, rel: str, rule: ReadingRule, cache: ReadCache | None, *,
                sha256: str | None = None) -> tuple[DocumentRead, bool]:
    """Read ``path`` (shown as ``rel``) isolated, or take its kept reading; kept afterwards.

    ``sha256``: the file's, when the caller has hashed it already.

    Returns:
        The reading, and whether it came from the cache.
    """
    from extractors.reading import read_document, sha256_of

    digest = sha256 or sha256_of(path)
    if cache is not None:
        kept = cache.get(digest, rel)
        if kept is not None:
            return kept, True
    doc = read_document(path, rel, rule, isolated=True, sha256=digest)
    if cache is not None:
        try:
            cache.put(doc)
        except OSError as e:  # a full disk must not lose the reading itself
            log.warning("reading of a file could not be cached: %s", e)
    return doc, False
