"""Crates compiled into a Rust binary, from the dependency tree cargo-auditable embeds.

cargo-auditable stores zlib-compressed JSON in the `.dep-v0` ELF section:
`{"packages": [{"name", "version", "source", "kind"?, "dependencies"?: [index], "root"?}]}`.
Build-only dependencies (`"kind": "build"`) are not linked into the binary and are left out.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from hullguard.analyzers import specs
from hullguard.analyzers.base import AnalysisContext, FileInput
from hullguard.analyzers.elf import SHT_NOBITS, Section, find_section, is_elf, parse_elf
from hullguard.model import Inventory, Package, PackageType

SECTION = ".dep-v0"
MAX_JSON_BYTES = 8 << 20
WHOLE_FILE_CAP = 64 << 20


class RustBinaryAnalyzer:
    """Crates listed in a cargo-auditable binary's `.dep-v0` section."""

    spec = specs.RUST_BINARY

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        if not is_elf(file.read_at(0, 4)):
            return Inventory()
        try:
            found = find_section(file.read_at, file.size, SECTION)
        except ValueError:
            return self._malformed(file)
        if not isinstance(found, Section) or found.type == SHT_NOBITS:
            return Inventory()  # no section, or no section table to hold one (stripped)
        return Inventory(packages=tuple(parse_audit_data(file.read_at(found.offset, found.size), file)))

    def _malformed(self, file: FileInput) -> Inventory:
        """A malformed section table: an issue when the file names the section, else nothing."""
        if file.size > WHOLE_FILE_CAP or SECTION.encode() not in file.read_bytes():
            return Inventory()
        section = parse_elf(file.read_bytes()).section_bytes(SECTION)  # raises ValueError: an issue
        return Inventory(packages=tuple(parse_audit_data(section, file))) if section else Inventory()


def parse_audit_data(compressed: bytes, file: FileInput) -> list[Package]:
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(compressed, MAX_JSON_BYTES)
    except zlib.error as e:
        raise ValueError(f"{SECTION}: not zlib data ({e})") from e
    if inflater.unconsumed_tail:
        raise ValueError(f"{SECTION}: dependency data inflates past {MAX_JSON_BYTES} bytes")
    try:
        doc = json.loads(text)
    except RecursionError:
        raise ValueError(f"{SECTION}: JSON nested too deeply") from None
    raw = doc.get("packages") if isinstance(doc, dict) else None
    if not isinstance(raw, list):
        raise ValueError(f"{SECTION}: expected an object with a `packages` array")
    entries = [_entry(p, i) for i, p in enumerate(raw)]
    packages = []
    for entry in entries:
        if entry.get("kind", "runtime") == "build":
            continue
        deps = entry.get("dependencies", [])
        if not isinstance(deps, list) or not all(isinstance(d, int) and 0 <= d < len(entries) for d in deps):
            raise ValueError(f"{SECTION}: package {entry['name']} has a dependency index out of range")
        packages.append(
            Package(
                type=PackageType.CARGO,
                name=entry["name"],
                version=entry["version"],
                layer=file.layer,
                path=file.path,
                dependencies=tuple(
                    entries[d]["name"] for d in deps if entries[d].get("kind", "runtime") != "build"
                ),
            )
        )
    return packages


def _entry(raw: Any, index: int) -> dict[str, Any]:
    if not isinstance(raw, dict) or not all(isinstance(raw.get(k), str) for k in ("name", "version")):
        raise ValueError(f"{SECTION}: package #{index} lacks a string name or version")
    return raw
