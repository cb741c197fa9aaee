"""RegistryError: a registry refused, could not be reached, or answered something unusable."""

from __future__ import annotations

from hullguard.errors import SourceError


class RegistryError(SourceError):
    """A failure talking to a registry; `hint` says what the user can do about it.

    A SourceError, so an image source failing in the registry reads like any other source
    failure; commands that are not scans (sign, verify, audit) catch it as `hullguard.errors.Error`.
    """

    def __init__(self, message: str, *, status: int | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.hint = hint

    def diagnostics(self) -> str:
        return f"{self}\n{self.hint}" if self.hint else str(self)


class NotFound(RegistryError):
    """404: the repository, manifest, tag or blob does not exist (or is hidden from these credentials)."""


class Unauthorized(RegistryError):
    """401 or 403: no credentials, wrong credentials, or credentials without that permission."""
