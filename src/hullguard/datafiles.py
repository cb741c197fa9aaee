"""The YAML data files shipped in `hullguard/data`, read through compiled JSON twins.

People edit the YAML; parsing it (libyaml, then PyYAML's constructor in Python) costs 60 ms for
the secret rules alone, on every scan, and importing PyYAML 10 ms more. `compile_twins()`
(`scripts/compile-data`) writes `data/compiled/<name>.json` holding the SHA-256 of the YAML's
bytes and the parsed document; `load(name)` returns that document when the hash matches the
YAML as it is now, and parses the YAML otherwise. A stale or missing twin costs time, never
correctness; `tests/test_datafiles.py` fails while one is stale.

Only documents that JSON carries unchanged get a twin (no dates, no non-string keys): the
compiler checks the round trip and leaves any other file to the YAML parser.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

SECRET_RULES = (
    "secret-rules.yaml",
    "secret-rules-providers.yaml",
    "secret-rules-providers-a-b.yaml",
    "secret-rules-providers-c-l.yaml",
    "secret-rules-providers-m-z.yaml",
    "secret-rules-generic.yaml",
)
"""The built-in secret rule files, in precedence order (the earlier rule wins an overlap):
core formats, providers, generic (`secrets.rules.BUILTIN_FILES`)."""

COMPILED = (*SECRET_RULES, "rules.yaml", "base-images.yaml")
"""The files read on the common paths (image and secret scans, config rules, base-image advice)."""


def data_dir() -> Path:
    """Beside this module: hullguard is installed as files, never imported from a zip, and
    importing `importlib.resources` with its readers cost every scan 2 ms of start-up."""
    return Path(__file__).parent / "data"


def load(name: str) -> Any:
    """The parsed document of `data/<name>`, a YAML file (safe loader semantics)."""
    data = data_dir()
    twin = compiled(f"{name}.json")
    if twin is not None and twin.get("sha256") == _sha256(data / name):
        return twin.get("doc")
    return parse_yaml((data / name).read_bytes())


def digest(names: tuple[str, ...]) -> str:
    """A digest of these files as they are now: what is parsed from them depends on nothing else."""
    data = data_dir()
    return hashlib.sha256(" ".join(f"{name}:{_sha256(data / name)}" for name in names).encode()).hexdigest()


@functools.cache
def _sha256(path: Path) -> str:
    """Once per process: the data files do not change under a running program."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def parse_yaml(raw: bytes) -> Any:
    import yaml  # only when a twin is stale or missing, or for files without one

    return yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 (safe loaders only)


def compiled(name: str) -> dict[str, Any] | None:
    """The JSON object in `data/compiled/<name>`, or None when it is missing or unreadable."""
    try:
        doc = json.loads((data_dir() / "compiled" / name).read_bytes())
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def twin_text(raw: bytes) -> str | None:
    """The twin of a YAML file with these bytes, or None when JSON would change its document."""
    doc = parse_yaml(raw)
    try:
        text = json.dumps({"sha256": hashlib.sha256(raw).hexdigest(), "doc": doc}, separators=(",", ":"))
    except (TypeError, ValueError):
        return None
    return text if json.loads(text)["doc"] == doc else None


def compile_twins(data: Path) -> list[str]:
    """Write the twin of every file in COMPILED under `data` (a source tree's `hullguard/data`);
    returns the names written. Files JSON cannot carry get none, and a stale one is removed."""
    written = []
    for name in COMPILED:
        target = data / "compiled" / f"{name}.json"
        text = twin_text((data / name).read_bytes())
        if text is None:
            target.unlink(missing_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_text(encoding="utf-8") != text + "\n":
            target.write_text(text + "\n", encoding="utf-8")
            written.append(name)
    return written
