"""Field parsers, one module per document family: read pages in, DocumentFields out.

Each family module exposes ``parse(pages: Sequence[PageRead], file: str) -> DocumentFields``,
a pure function over the pages of one document (one ``part`` of a file, as the reader split
it). :func:`parse_document` splits a read file into its documents and hands each to the
module of its family; adding a family is a module and a line in ``FAMILY_OF``.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
from collections.abc import Callable, Sequence
from itertools import groupby

from extractors.fields.text import upright_box
from model.fields import DocumentFields, Family, FieldValue
from model.report import DocumentRead, PageKind, PageRead

log = logging.getLogger(__name__)

Parser = Callable[[Sequence[PageRead], str], DocumentFields]

FAMILY_OF: dict[PageKind, Family] = {
    PageKind.ID_CARD: Family.ID_CARD,
    PageKind.GRADUATION_CERTIFICATE: Family.EDUCATION,
    PageKind.DEGREE_CERTIFICATE: Family.EDUCATION,
    PageKind.EDUCATION_REGISTRATION: Family.EDUCATION,
    PageKind.OVERSEAS_CERTIFICATION: Family.EDUCATION,
    PageKind.TITLE_CERTIFICATE: Family.CERTIFICATE,
    PageKind.AWARD_CERTIFICATE: Family.CERTIFICATE,
    PageKind.PATENT_CERTIFICATE: Family.CERTIFICATE,
    PageKind.CE_CERTIFICATE: Family.CERTIFICATE,
    PageKind.JOURNAL_COVER: Family.JOURNAL,
    PageKind.JOURNAL_COPYRIGHT: Family.JOURNAL,
    PageKind.JOURNAL_TOC: Family.JOURNAL,
    PageKind.ARTICLE: Family.JOURNAL,
    PageKind.CONTRACT_COVER: Family.CONTRACT,
    PageKind.CONTRACT_AMOUNT: Family.CONTRACT,
    PageKind.CONTRACT_PARTICIPANTS: Family.CONTRACT,
    PageKind.CONTRACT_SEAL: Family.CONTRACT,
}

MODULES: dict[Family, str] = {
    Family.ID_CARD: "extractors.fields.idcard",
    Family.EDUCATION: "extractors.fields.education",
    Family.CERTIFICATE: "extractors.fields.certificates",
    Family.JOURNAL: "extractors.fields.journal",
    Family.CONTRACT: "extractors.fields.contract",
}


def parser_for(family: Family) -> Parser:
    """The ``parse`` function of ``family``'s module."""
    return importlib.import_module(MODULES[family]).parse  # type: ignore[no-any-return]


def documents_of(doc: DocumentRead) -> list[tuple[Family, list[PageRead]]]:
    """The file's documents with their family: the parts the reader split it into.

    A part of ``other``/``unknown`` pages only is left out. Unread pages inside a set (its
    copyright page that OCR could not classify) stay with the set; a part whose pages span
    families (an ID card photocopied on a certificate's page) is cut where the family
    changes, an unclassified page going with the pages before it.
    """
    out: list[tuple[Family, list[PageRead]]] = []
    for _, part_pages in groupby(doc.pages, key=lambda p: p.part):
        runs: list[tuple[Family | None, list[PageRead]]] = []
        for page in part_pages:
            family = FAMILY_OF.get(page.kind)
            if runs and (family is None or family == runs[-1][0] or runs[-1][0] is None):
                runs[-1] = (runs[-1][0] or family, [*runs[-1][1], page])
            else:
                runs.append((family, [page]))
        out.extend((family, pages) for family, pages in runs if family is not None)
    return out


def parse_document(doc: DocumentRead) -> list[DocumentFields]:
    """Every document of one read file, parsed by its family's parser.

    Pages scanned turned (``rotation`` 90, 180 or 270) are handed to the parsers as if
    upright: their words' boxes are turned into the upright page's frame (so that above,
    below, left and right mean what they say on paper), and the boxes of the fields read are
    turned back into the page's own coordinates.
    """
    out = []
    for family, pages in documents_of(doc):
        turned = {p.page: p.rotation for p in pages if p.rotation % 360}
        try:
            fields = parser_for(family)([_upright(p) for p in pages], doc.file)
        except Exception:  # a parser bug must not lose the applicant: log it, go on
            log.exception("the %s parser failed on a document", family)
            continue
        if turned:
            fields = dataclasses.replace(fields, fields={
                k: _turned_back(v, turned.get(v.page, 0)) for k, v in fields.fields.items()})
        out.append(fields)
    return out


def _upright(page: PageRead) -> PageRead:
    """``page`` with its words' boxes in the upright frame and no rotation left."""
    if not page.rotation % 360:
        return page
    words = tuple(dataclasses.replace(w, bbox=upright_box(w.bbox, page.rotation))
                  for w in page.words)
    return dataclasses.replace(page, words=words, rotation=0)


def _turned_back(value: FieldValue, rotation: int) -> FieldValue:
    """A field read on an upright-framed page, its box back in the page's coordinates."""
    if not rotation or value.bbox is None:
        return value
    return dataclasses.replace(value, bbox=upright_box(value.bbox, (360 - rotation) % 360))


def parse_all(docs: Sequence[DocumentRead]) -> list[DocumentFields]:
    """Every document of every file of an applicant."""
    return [f for d in docs for f in parse_document(d)]
