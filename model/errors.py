"""Errors that reach the user, each with its exit code and a remedy."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit status of ``pingshen`` (CONTRACT.md)."""

    OK = 0
    INTERNAL = 1
    USAGE = 2


class PipelineError(Exception):
    """Base of the errors ``pingshen`` reports to the user."""

    exit_code: ExitCode = ExitCode.INTERNAL
    message: str = "internal error"

    def __init__(self, detail: str | None = None) -> None:
        """Keep ``detail`` (the user-facing text), defaulting to the class message."""
        super().__init__(detail or self.message)
        self.detail = detail or self.message


class UsageError(PipelineError):
    """The command line names something that is not there or not valid."""

    exit_code = ExitCode.USAGE
    message = "usage error"


class PolicyError(UsageError):
    """A policy file that cannot be found, parsed or validated."""

    message = "invalid policy"


class MissingToolError(PipelineError):
    """An external program the pipeline needs is not installed."""

    exit_code = ExitCode.INTERNAL
    message = "a required program is missing"


class FileProblemError(PipelineError):
    """An evidence file that cannot be read as it is; becomes a finding with ``code``."""

    code = "FILE001"
    message = "文件无法读取"


class UnreadableFileError(FileProblemError):
    """Corrupt, truncated, or not what its name says (FILE001)."""

    code = "FILE001"


class EncryptedPdfError(FileProblemError):
    """A PDF that needs a password (FILE002)."""

    code = "FILE002"
    message = "PDF 已加密，需要密码才能打开；请上传未加密的副本"


class UnsupportedTypeError(FileProblemError):
    """A file type that is not accepted (FILE003)."""

    code = "FILE003"


class UnsafeFileError(FileProblemError):
    """A file over a safety limit: pages, pixels or bytes (FILE004)."""

    code = "FILE004"
