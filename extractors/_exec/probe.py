"""Availability probes for the external programs and data the pipeline needs."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

_DEBIAN_HINT = "apt-get install -y tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-osd"


@dataclass(frozen=True, slots=True)
class ToolProbe:
    """How to find one program and read its version."""

    program: str
    version_args: tuple[str, ...]
    version_regex: str
    install_hint: str

    def version(self) -> str | None:
        """The program's version, or None when it is not on PATH or does not answer."""
        exe = shutil.which(self.program)
        if exe is None:
            return None
        try:
            done = subprocess.run(
                [exe, *self.version_args], capture_output=True, text=True, timeout=20,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        m = re.search(self.version_regex, done.stdout + done.stderr)
        return m.group(1) if m else "unknown"


TESSERACT = ToolProbe(
    program="tesseract",
    version_args=("--version",),
    version_regex=r"tesseract\s+v?([\d.]+)",
    install_hint=_DEBIAN_HINT,
)


def tesseract_languages() -> set[str]:
    """Languages the installed Tesseract has data for (empty when it is missing)."""
    exe = shutil.which(TESSERACT.program)
    if exe is None:
        return set()
    try:
        done = subprocess.run(
            [exe, "--list-langs"], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return set()
    lines = (done.stdout or "").splitlines()
    return {ln.strip() for ln in lines[1:] if ln.strip()}


def missing_tools(ocr_lang: str) -> list[str]:
    """Plain-language lines, one per missing program or data file, each with its fix."""
    problems: list[str] = []
    if TESSERACT.version() is None:
        problems.append(f"tesseract is not installed. Install it: {_DEBIAN_HINT}")
        return problems
    langs = tesseract_languages()
    for lang in ocr_lang.split("+"):
        if lang not in langs:
            pkg = "tesseract-ocr-" + lang.replace("_", "-").lower()
            problems.append(
                f"tesseract has no '{lang}' language data. Install it: apt-get install -y {pkg}"
            )
    return problems
