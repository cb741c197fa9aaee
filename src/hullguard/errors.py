"""The one error hierarchy: every failure the user can cause or fix is an `Error`."""

from __future__ import annotations


class Error(Exception):
    """Base of every expected failure. `cli` turns it into a message and exit code 2."""

    def diagnostics(self) -> str:
        """What went wrong and, where we know it, what to do about it."""
        return str(self)


class UsageError(Error):
    """The command line asks for something that cannot be done."""


class SourceError(Error):
    """A target could not be opened, read or verified."""


class DigestMismatch(SourceError):
    """A blob's content does not hash to the digest that names it."""

    def __init__(self, what: str, expected: str, actual: str) -> None:
        super().__init__(f"{what}: digest mismatch: expected {expected}, got {actual}")
        self.expected = expected
        self.actual = actual

    def diagnostics(self) -> str:
        return (
            f"{self}\nThe content was altered or truncated in transit or on disk; "
            "nothing from it was trusted."
        )


class AnalyzerError(Error):
    """One analyzer could not parse one file; recorded as a report issue, never fatal."""


class ReportError(Error):
    """A report could not be written in the requested format."""
