"""Evidence files: which files an applicant folder holds, and what type each one really is."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DECLARATION_NAMES = ("application.yaml", "application.yml", "application.json")
PHOTO_NAMES = ("photo.jpg", "photo.jpeg", "photo.png")
_IGNORED_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}

# Extension → the type a file of that name should be.
_EXPECTED = {".pdf": "pdf", ".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png",
             ".tif": "tiff", ".tiff": "tiff"}


@dataclass(frozen=True, slots=True)
class Sniffed:
    """A file's type by content (``kind``) and by name (``expected``)."""

    kind: str | None
    expected: str | None
    label: str


def sniff_bytes(head: bytes) -> tuple[str | None, str]:
    """The type of a file from its first bytes: (kind, human label)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg", "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", "PNG"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff", "TIFF"
    if b"%PDF-" in head[:1024]:
        return "pdf", "PDF"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip", _zip_label(head)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole", "old Microsoft Office (doc, xls)"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim"):
        return "heic", "HEIC"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp", "WebP"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif", "GIF"
    if head.startswith(b"BM"):
        return "bmp", "BMP"
    return None, "unknown"


_OFFICE_PARTS = (b"[Content_Types].xml", b"_rels/", b"docProps/", b"word/", b"xl/", b"ppt/")


def _zip_label(head: bytes) -> str:
    """Office document or plain archive, by the name of the first member of a zip."""
    if head.startswith(b"PK\x05\x06"):
        return "ZIP archive (empty)"
    name_len = int.from_bytes(head[26:28], "little")
    first = head[30:30 + name_len]
    if name_len == 0 or len(first) < name_len:
        return "ZIP/Office (docx, xlsx, zip)"
    if first.startswith(_OFFICE_PARTS):
        return "Office document (docx, xlsx, pptx)"
    if first == b"mimetype":
        return "OpenDocument (odt, ods)"
    return "ZIP archive (a zip inside an applicant is not unpacked)"


def sniff(path: Path) -> Sniffed:
    """Sniff ``path`` by its content and its name."""
    with path.open("rb") as f:
        head = f.read(1024)
    kind, label = sniff_bytes(head)
    return Sniffed(kind=kind, expected=_EXPECTED.get(path.suffix.lower()), label=label)


def find_declaration(folder: Path) -> Path | None:
    """The applicant's declaration file, yaml preferred over json."""
    for name in DECLARATION_NAMES:
        p = folder / name
        if p.is_file():
            return p
    return None


def find_photo(folder: Path) -> Path | None:
    """The ID photo at the top of the applicant folder (case-insensitive name)."""
    by_lower = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    for name in PHOTO_NAMES:
        if name in by_lower:
            return by_lower[name]
    return None


def list_evidence(folder: Path) -> list[Path]:
    """Every evidence file under ``folder``, sorted, without the declaration and photo.

    Hidden files and OS litter (Thumbs.db, .DS_Store) are skipped; symbolic links are not
    followed, so nothing outside the applicant folder is read.
    """
    skip = {p for p in (find_declaration(folder), find_photo(folder)) if p is not None}
    out: list[Path] = []
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or p.name.lower() in _IGNORED_NAMES:
            continue
        if p.is_symlink() or not p.is_file() or p in skip:
            continue
        out.append(p)
    return out
