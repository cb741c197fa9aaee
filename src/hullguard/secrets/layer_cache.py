"""Secret results per layer on disk, keyed by the layer's diff_id and a digest of the rules in force.

A layer's content never changes under its diff_id, so a base layer shared by many images is
read for secrets once. Entries hold what a report shows (path, line, rule, redacted match,
fingerprint), never a secret. Writes are atomic; an unreadable entry is a cache miss.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from hullguard import __version__
from hullguard.cache.files import read_json, write_json
from hullguard.model import Digest
from hullguard.secrets.rules import Allowlist, Rule
from hullguard.secrets.settings import SecretSettings

CACHE_VERSION = 3


@dataclass(frozen=True, slots=True)
class Row:
    path: str
    line: int
    rule: str
    redacted: str
    fingerprint: str


@dataclass(frozen=True, slots=True)
class CachedLayer:
    rows: tuple[Row, ...]
    too_large: tuple[str, ...]
    """Files skipped for size, as `path (N bytes)`."""


def settings_key(settings: SecretSettings, extra: tuple[str, ...] = ()) -> str:
    """Changes whenever anything that decides a layer's findings changes. The built-in rules
    are named by the digest of their files (reading 564 rules to hash them cost a rescan 8 ms);
    any other rule set by every field of every rule."""
    rs = settings.ruleset
    rules = ["files", rs.origin] if rs.origin is not None else [_allow(rs.allow), *map(_rule, rs.rules)]
    doc = [CACHE_VERSION, __version__, settings.max_file_bytes, list(extra), rules]
    return hashlib.sha256(json.dumps(doc).encode()).hexdigest()


def _rule(r: Rule) -> list[object]:
    return [
        r.id,
        r.title,
        int(r.severity),
        [k.decode() for k in r.keywords],
        r.pattern.decode(),
        r.entropy,
        [p.pattern for p in r.paths],
        r.validate,
        _allow(r.allow),
    ]


def _allow(a: Allowlist) -> list[list[str]]:
    return [[p.pattern for p in patterns] for patterns in (a.secrets, a.keys, a.paths)]


class LayerCache:
    def __init__(self, root: Path, key: str) -> None:
        self.dir = root / "secrets" / key[:32]

    def _file(self, layer: Digest, kind: str = "") -> Path:
        return self.dir / f"{kind}{layer.replace(':', '-')}.json"

    def load_config(self, config: Digest) -> CachedLayer | None:
        """What an image config (by its digest) held: its Env, Labels and history are scanned
        like a layer's files."""
        return self.load(config, "config-")

    def store_config(self, config: Digest, rows: list[Row]) -> None:
        self.store(config, rows, [], "config-")

    def load(self, layer: Digest, kind: str = "") -> CachedLayer | None:
        doc = read_json(self._file(layer, kind))
        if not isinstance(doc, dict):
            return None
        try:
            rows = tuple(Row(str(p), int(n), str(r), str(m), str(f)) for p, n, r, m, f in doc["rows"])
            return CachedLayer(rows=rows, too_large=tuple(str(p) for p in doc["too_large"]))
        except (ValueError, KeyError, TypeError):
            return None

    def store(self, layer: Digest, rows: list[Row], too_large: list[str], kind: str = "") -> None:
        doc = {
            "rows": [[r.path, r.line, r.rule, r.redacted, r.fingerprint] for r in rows],
            "too_large": too_large,
        }
        write_json(self._file(layer, kind), doc)
