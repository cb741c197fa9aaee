"""Reading the webhook's own input files (configuration, policies, objects): capped, and every
failure an Error naming the file."""

from __future__ import annotations

from pathlib import Path

from hullguard.errors import Error


class ConfigError(Error):
    """A webhook configuration, policy or object file that cannot be used."""


def read_text(path: Path, limit: int, error: type[Error] = ConfigError) -> str:
    try:
        if path.stat().st_size > limit:
            raise error(f"{path}: larger than {limit} bytes")
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) else "not UTF-8 text"
        raise error(f"{path}: cannot read: {reason}") from e
