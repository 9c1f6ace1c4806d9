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
