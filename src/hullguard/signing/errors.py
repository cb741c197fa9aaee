"""Errors of signing and verification: what failed, and what the user can do about it."""

from __future__ import annotations

from hullguard.errors import Error


class SigningError(Error):
    """A key, signature, payload or attestation could not be read, made or stored."""


class KeyFileError(SigningError):
    """A key file could not be read, decrypted or used."""


class VerificationFailed(SigningError):
    """The artifact is not signed, or not by this key, or not for this image."""

    def __init__(self, message: str, reasons: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.reasons = reasons

    def diagnostics(self) -> str:
        lines = [f"verification failed: {self}"]
        lines += [f"  - {r}" for r in self.reasons]
        return "\n".join(lines)
