"""What a secret scan uses: the built-in rules with a user's `--secret-config`, and a baseline."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hullguard.secrets.options import MAX_FILE_BYTES
from hullguard.secrets.rules import RuleError, RuleSet, load_builtin, rules_from, with_overrides

BASELINE_VERSION = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class SecretSettings:
    ruleset: RuleSet
    baseline: frozenset[str] = frozenset()
    """Fingerprints of known secrets: found again, they are not reported."""
    max_file_bytes: int = MAX_FILE_BYTES


@functools.cache
def builtin_rules() -> RuleSet:
    return load_builtin()


def load_settings(config: Path | None = None, baseline: Path | None = None) -> SecretSettings:
    ruleset = builtin_rules()
    if config is not None:
        ruleset = apply_config(ruleset, _read(config), str(config))
    return SecretSettings(ruleset=ruleset, baseline=read_baseline(baseline) if baseline else frozenset())


def apply_config(base: RuleSet, text: str, where: str) -> RuleSet:
    """A secret config: `rules:` to add (or replace by id), `disable:` ids, `allow:` paths/secrets/keys."""
    import yaml  # a user's config only: the built-in rules come through their JSON twins

    try:
        doc = yaml.safe_load(text) or {}
    except yaml.YAMLError as e:
        raise RuleError(f"{where}: not valid YAML: {e}") from e
    if not isinstance(doc, dict):
        raise RuleError(f"{where}: expected a mapping with rules/disable/allow")
    unknown = set(doc) - {"rules", "disable", "allow"}
    if unknown:
        raise RuleError(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))}; expected rules, disable, allow"
        )
    disable = doc.get("disable") or []
    if not isinstance(disable, list) or not all(isinstance(d, str) for d in disable):
        raise RuleError(f"{where}: `disable` must be a list of rule ids")
    extra = rules_from({"rules": doc.get("rules") or [], "allow": doc.get("allow")}, where)
    return with_overrides(base, extra, frozenset(disable))


def read_baseline(path: Path) -> frozenset[str]:
    doc = _json(path)
    if not isinstance(doc, dict) or doc.get("version") != BASELINE_VERSION:
        raise RuleError(f"{path}: not a hullguard secret baseline (expected version {BASELINE_VERSION})")
    entries = doc.get("secrets")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries
    ):
        raise RuleError(f"{path}: `secrets` must be a list of objects with a `fingerprint`")
    return frozenset(e["fingerprint"] for e in entries)


def baseline_doc(entries: Iterable[tuple[str, str, str | None]]) -> dict[str, Any]:
    """(rule id, fingerprint, path) triples as a baseline document: hashes only, never secrets."""
    rows = sorted({(rule, fp, path or "") for rule, fp, path in entries})
    return {
        "version": BASELINE_VERSION,
        "secrets": [{"rule": rule, "fingerprint": fp, "path": path} for rule, fp, path in rows],
    }


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise RuleError(f"{path}: cannot read the secret config: {e}") from e


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise RuleError(f"{path}: cannot read the baseline: {e}") from e
