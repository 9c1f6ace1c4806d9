"""What a document says: its fields as read, each with where it was read and how sure.

The field parsers (``extractors/fields/``) turn read pages into :class:`DocumentFields`;
the claim checks (``checks/``) compare them with the declaration. Field names are those
of ``docs/evaluation.md`` ("Claim fields"), so that report.json ``claims[].fields`` can
carry them as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from model.report import BBox

FieldScalar = str | int | float | bool | None
FieldData = FieldScalar | tuple[str, ...]


class Family(StrEnum):
    """Document families, one field parser module each."""

    ID_CARD = "id_card"
    EDUCATION = "education"  # graduation, degree, registration form, overseas certification
    CERTIFICATE = "certificate"  # title, award, honour, patent, continuing education
    JOURNAL = "journal"  # cover, 刊号 page, table of contents, article
    CONTRACT = "contract"  # cover, amount, participants, seal page


@dataclass(frozen=True, slots=True)
class FieldValue:
    """One field as read.

    Attributes:
        value: the normalised value: text; a date as ``YYYY-MM-DD``; an amount in yuan as a
            float; a year as an int; a list (authors, inventors) as a tuple of str.
        raw: the text it was read from, as read.
        page: the page it was read on (1-based, the file's own numbering).
        bbox: where on that page (page coordinates, as ``Word.bbox``), when known.
        confidence: how sure the reading is, 0–1 (OCR confidence of the words, lowered by
            every repair the parser had to make).
        verified: False when the value could not be confirmed (e.g. a capital-numeral amount
            that Tesseract cannot read and no second engine re-read).
    """

    value: FieldData
    raw: str
    page: int
    bbox: BBox | None = None
    confidence: float = 1.0
    verified: bool = True


@dataclass(frozen=True, slots=True)
class DocumentFields:
    """The fields of one document (one or more pages of one file).

    Attributes:
        family: the parser that read it.
        kind: the page kind of its first page (``PageKind`` value), or a finer kind for
            certificates: ``graduation_certificate``, ``title_certificate``, …
        file: the evidence file, relative to the applicant folder.
        pages: the pages it spans (1-based).
        fields: field name → value (names from docs/evaluation.md, plus family-specific
            ones such as ``id_number``, ``gender``, ``birth_date`` for an ID card, ``toc``
            for a journal's table of contents, ``participants`` for a contract).
        parts: for sets (journal, contract), which parts were found: part name → page
            (``cover``, ``copyright``, ``toc``, ``article``; ``cover``, ``amount``,
            ``participants``, ``seal``).
    """

    family: Family
    kind: str
    file: str
    pages: tuple[int, ...]
    fields: dict[str, FieldValue] = field(default_factory=dict)
    parts: dict[str, int] = field(default_factory=dict)

    def value(self, name: str) -> FieldData:
        """The value of field ``name``, or None when it was not read."""
        f = self.fields.get(name)
        return None if f is None else f.value
