"""Secrets that plain text hides: base64 `data` of Kubernetes Secrets, pod env name/value pairs,
and the image config (Env, Labels, history). Each becomes extra text for the detector."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hullguard.sources.image import ImageConfig

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
MAX_MANIFEST_BYTES = 2 << 20
SECRET_KIND = re.compile(rb"""kind["']?\s*:\s*["']?secret\b""")
ENV_LIST = re.compile(rb"""["']?env["']?\s*:""")
VALUE_ON_ITS_LINE = re.compile(rb"""\bvalue["']?[ \t]*:[ \t]*[^\s{\[]""")
"""An env entry's `value: x` (a block scalar's `|` too). A CRD's schema names `env` and `value`
as properties, each followed by a mapping: four such files were 98% of the corpus's YAML."""


@dataclass(frozen=True, slots=True)
class Extra:
    """Text to scan as if it were the file `path`, reported at `line` of the real file."""

    path: str
    text: bytes
    line: int | None


def manifest_extras(path: str, data: bytes) -> Iterator[Extra]:
    """Decoded Secret data and env pairs from Kubernetes YAML/JSON documents."""
    if not path.endswith(MANIFEST_SUFFIXES) or len(data) > MAX_MANIFEST_BYTES:
        return
    lowered = data.lower()
    if b"kind" not in lowered:
        return
    if not SECRET_KIND.search(lowered) and not (ENV_LIST.search(lowered) and VALUE_ON_ITS_LINE.search(data)):
        return
    import yaml  # only for a file that looks like a Kubernetes manifest with secrets in it

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: same documents, faster
    try:
        docs = [d for d in yaml.load_all(data, Loader=loader) if isinstance(d, dict)]
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError):
        return  # the plain-text pass still reads the file
    for doc in docs:
        if doc.get("kind") == "Secret" and isinstance(doc.get("data"), dict):
            yield from _secret_data(path, data, doc["data"])
        if doc.get("kind") == "List" and isinstance(doc.get("items"), list):
            for item in doc["items"]:
                if (
                    isinstance(item, dict)
                    and item.get("kind") == "Secret"
                    and isinstance(item.get("data"), dict)
                ):
                    yield from _secret_data(path, data, item["data"])
        for name, value in _env_pairs(doc):
            yield Extra(path, f"{name}={value}".encode(), _line_of(data, value) if value else None)


def _secret_data(path: str, data: bytes, values: dict[Any, Any]) -> Iterator[Extra]:
    for key, encoded in values.items():
        if not isinstance(encoded, str):
            continue
        try:
            decoded = base64.b64decode(encoded.replace("\n", ""), validate=True)
        except (binascii.Error, ValueError):
            continue
        line = _line_of(data, str(key))
        if b"\n" in decoded.strip():
            yield Extra(f"{path}/{key}", decoded, line)
        else:
            yield Extra(path, f"{key}={decoded.decode('utf-8', errors='replace')}".encode(), line)


def _env_pairs(node: Any, depth: int = 0) -> Iterator[tuple[str, str]]:
    """`env: [{name, value}]` anywhere in a pod spec, a Deployment or a CronJob."""
    if depth > 12:
        return
    if isinstance(node, dict):
        env = node.get("env")
        if isinstance(env, list):
            for item in env:
                if (
                    isinstance(item, dict)
                    and isinstance(item.get("name"), str)
                    and isinstance(item.get("value"), str)
                ):
                    yield item["name"], item["value"]
        for value in node.values():
            yield from _env_pairs(value, depth + 1)
    elif isinstance(node, list):
        for value in node:
            yield from _env_pairs(value, depth + 1)


def _line_of(data: bytes, needle: str) -> int | None:
    m = re.search(re.escape(needle.encode()), data)
    return data.count(b"\n", 0, m.start()) + 1 if m else None


def image_config_texts(config: ImageConfig) -> Iterator[tuple[str, bytes]]:
    """Env, Labels and the history (which keeps `ARG`/`ENV` values), one line per item."""
    yield "image-config:Env", "\n".join(config.env).encode()
    yield "image-config:Labels", "\n".join(f"{k}={v}" for k, v in config.labels).encode()
    yield "image-config:history", "\n".join(h.created_by.replace("\n", " ") for h in config.history).encode()
    yield "image-config:Cmd", "\n".join((*config.entrypoint, *config.cmd)).encode()
