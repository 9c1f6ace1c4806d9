"""Marks people put on a page (highlighter, pen boxes and lines, PDF annotations) and seals.

Found by :mod:`extractors._backends.pdf_marks` (born-digital pages: annotations and vector
drawing) and :mod:`extractors.marks_image` (scanned pages: colour on the image); tied to the
applicant's name by :mod:`checks.marks`. Boxes are in the page's own coordinates, like
``Word.bbox`` (PDF points from the top-left for PDF pages, pixels for image files).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from model.report import BBox


class MarkKind(StrEnum):
    """What shape a mark has, which says how it marks what it touches."""

    HIGHLIGHT = "highlight"  # colour laid over the text (highlighter, /Highlight, filled box)
    UNDERLINE = "underline"  # a line under the text (pen, /Underline, /Squiggly)
    BOX = "box"  # a closed outline around the text (pen box, /Square, stroked rectangle)
    CIRCLE = "circle"  # a round outline around the text (pen circle, /Circle, ellipse)
    INK = "ink"  # free-hand strokes (/Ink) that are none of the above
    TEXT_BOX = "text_box"  # a /FreeText annotation: a note written on the page


class MarkSource(StrEnum):
    """Where a mark was found."""

    ANNOTATION = "annotation"  # a PDF annotation (read with pypdf)
    DRAWING = "drawing"  # vector paint in the page's content (read with pdfplumber)
    PIXELS = "pixels"  # colour on a scanned or photographed page


@dataclass(frozen=True, slots=True)
class Mark:
    """One mark on a page.

    Attributes:
        kind: its shape.
        colour: a colour name: yellow, green, pink, orange, blue, red, purple, black, grey
            (the nearest, from the mark's own colour).
        bbox: the box around the whole mark.
        source: where it was found.
        parts: for a mark made of several pieces (a /Highlight annotation with several
            QuadPoints quads, one per line), each piece's box; empty when it is one piece.
    """

    kind: MarkKind
    colour: str
    bbox: BBox
    source: MarkSource
    parts: tuple[BBox, ...] = ()

    def pieces(self) -> tuple[BBox, ...]:
        """The boxes that make the mark: its parts, or its one box."""
        return self.parts or (self.bbox,)

    def to_json(self) -> dict[str, object]:
        """The report.json form."""
        out: dict[str, object] = {"kind": str(self.kind), "colour": self.colour,
                                  "bbox": [round(v, 1) for v in self.bbox],
                                  "source": str(self.source)}
        return out


@dataclass(frozen=True, slots=True)
class Seal:
    """A red round or oval stamp on a page.

    Attributes:
        bbox: the box around the stamp.
        shape: ``round`` or ``oval``.
        confidence: how sure the detection is (0–1).
    """

    bbox: BBox
    shape: str = "round"
    confidence: float = 1.0

    def to_json(self) -> dict[str, object]:
        """The report.json form."""
        return {"bbox": [round(v, 1) for v in self.bbox], "shape": self.shape,
                "confidence": round(self.confidence, 3)}
