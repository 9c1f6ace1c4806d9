"""A PDF page shown as one form XObject: placed or stamped without parsing its content.

pypdf merges a page into another by parsing both pages' content streams into Python objects
and writing them back: for pages full of text, most of the time spent writing the outputs
(volumes of 20 applicants: 9 s of 33 s rendering). A page whose content is only
``/PingshenPage Do`` costs nothing to parse; the source page's content goes into the form
as the bytes it was, with its own resources. What a viewer or printer shows is the same.
"""

from __future__ import annotations

from pypdf import PageObject, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
)

FORM_NAME = NameObject("/PingshenPage")

_KEPT = ("/MediaBox", "/CropBox", "/TrimBox", "/Rotate", "/Annots")
"""What a stand-in keeps of its page: the boxes (a merge clips to one), its turn (shown as
the page would be; a merge itself ignores it) and the annotations (a merge moves them)."""


def page_form(page: PageObject, writer: PdfWriter,
              resources: DictionaryObject | None = None) -> IndirectObject:
    """``page``'s content as a form XObject of ``writer``, over the page's media box.

    ``resources``: the form's resources, when not the page's own (e.g. with some fonts
    pointed elsewhere).
    """
    contents = page.get("/Contents")
    parts = [] if contents is None else contents.get_object()
    if not isinstance(parts, ArrayObject):
        parts = [parts]
    form = DecodedStreamObject()
    form.set_data(b"\n".join(p.get_object().get_data() for p in parts))
    if resources is None:
        own = page.get("/Resources")
        resources = DictionaryObject() if own is None else own.get_object()
    form.update({NameObject("/Type"): NameObject("/XObject"),
                 NameObject("/Subtype"): NameObject("/Form"),
                 NameObject("/BBox"): ArrayObject(FloatObject(v) for v in page.mediabox),
                 NameObject("/Resources"): resources})
    return writer._add_object(form.flate_encode().clone(writer))  # noqa: SLF001


def stand_in(page: PageObject, form: IndirectObject) -> PageObject:
    """A page with ``page``'s boxes and annotations whose only content shows ``form``."""
    out = PageObject()
    out[NameObject("/Type")] = NameObject("/Page")
    for key in _KEPT:
        if key in page:
            out[NameObject(key)] = page[key]
    out[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({FORM_NAME: form})})
    call = DecodedStreamObject()
    call.set_data(FORM_NAME.encode() + b" Do")
    out[NameObject("/Contents")] = call
    return out
