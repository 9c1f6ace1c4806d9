"""The CJK TrueType font that every generated PDF embeds (never a non-embedded CID font)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from model.errors import MissingToolError

log = logging.getLogger(__name__)

FONT_ENV_VAR = "PINGSHEN_CJK_FONT"
"""Environment variable naming a .ttf/.ttc file to use before the system fonts."""

FONT_CANDIDATES: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
    Path("/usr/share/fonts/truetype/arphic/ukai.ttc"),
)
"""System fonts tried in order (Debian packages fonts-wqy-*, fonts-arphic-*)."""

FONT_REMEDY = "install one: apt-get install fonts-wqy-zenhei"
MISSING_FONT_MESSAGE = f"no CJK TrueType font found; {FONT_REMEDY}"


def font_path() -> Path | None:
    """Return the CJK font file generators will use, or None when there is none.

    ``$PINGSHEN_CJK_FONT`` comes first; when it is set but names no file, a warning is
    logged and the system candidates are tried.
    """
    env = os.environ.get(FONT_ENV_VAR, "").strip()
    if env:
        path = Path(env).expanduser()
        if path.is_file():
            return path
        log.warning("%s=%s is not a file; falling back to system fonts", FONT_ENV_VAR, env)
    for path in FONT_CANDIDATES:
        if path.is_file():
            return path
    return None


def _font_name(path: Path) -> str:
    """Return the reportlab name a font file is registered under (one per file)."""
    return f"PingshenCJK-{path.stem}"


def cjk_font() -> str:
    """Register the CJK TrueType font once and return its reportlab font name.

    The font is embedded as a subset in every PDF that uses it, so the text stays
    extractable and prints the same everywhere.

    Raises:
        MissingToolError: no usable CJK TrueType font is installed.
    """
    path = font_path()
    if path is None:
        raise MissingToolError(MISSING_FONT_MESSAGE)
    name = _font_name(path)
    if name in pdfmetrics.getRegisteredFontNames():
        return name
    try:
        # subfontIndex picks the first face of a .ttc collection; ignored for a .ttf.
        font = TTFont(name, str(path), subfontIndex=0)
    except (TTFError, OSError) as e:
        raise MissingToolError(f"CJK font {path} cannot be embedded ({e}); {FONT_REMEDY}") from e
    pdfmetrics.registerFont(font)
    log.debug("registered CJK font %s from %s", name, path)
    return name
