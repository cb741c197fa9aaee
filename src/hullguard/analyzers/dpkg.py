"""Debian packages from `var/lib/dpkg/status` and distroless `var/lib/dpkg/status.d/*`.

Licences come from each package's `usr/share/doc/PKG/copyright`, read through the tree.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

from hullguard.analyzers import specs
from hullguard.analyzers.base import AnalysisContext, FileInput
from hullguard.analyzers.documents import expect_format
from hullguard.analyzers.dpkg_copyright import parse_copyright
from hullguard.errors import Error
from hullguard.model import Inventory, Package, PackageType
from hullguard.sources.tree import EntryType, resolve

_SOURCE = re.compile(r"^(?P<name>\S+)(?:\s+\((?P<version>[^)]+)\))?$")
_VERSION = re.compile(r"^(?:[0-9]+:)?[0-9][A-Za-z0-9.+~:-]*?(?:-[A-Za-z0-9.+~]+)?$")
"""deb-version(7): [epoch:]upstream[-revision]; upstream starts with a digit."""
_MAX_COPYRIGHT = 1 << 20


class DpkgAnalyzer:
    """Installed packages in dpkg's status database."""

    spec = specs.DPKG

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        if file.path.endswith(".md5sums") or not file.path.startswith("var/lib/dpkg/"):
            return Inventory()  # copyright files are kept for `licences`, not read on their own
        packages = []
        paragraphs = list(iter_paragraphs(file.read_text()))
        expect_format(any("Package" in p for p in paragraphs), file, "dpkg status database")
        for fields in paragraphs:
            package = _package(fields, file, ctx)
            if package is not None:
                packages.append(dataclasses.replace(package, licenses=licences(package.name, ctx)))
        return Inventory(packages=tuple(packages))


def licences(name: str, ctx: AnalysisContext) -> tuple[str, ...]:
    entry = resolve(ctx.tree, f"usr/share/doc/{name}/copyright")
    if entry is None or entry.type is not EntryType.FILE or entry.size > _MAX_COPYRIGHT:
        return ()
    try:
        text = ctx.tree.read_bytes(entry).decode("utf-8", errors="replace")
    except Error:
        return ()
    return parse_copyright(text)


def iter_paragraphs(text: str) -> Iterator[dict[str, str]]:
    """deb822 paragraphs: `Key: value` lines, continuation lines start with white space."""
    fields: dict[str, str] = {}
    key = None
    for line in text.splitlines():
        if not line.strip():
            if fields:
                yield fields
            fields, key = {}, None
        elif line[0] in " \t":
            if key is not None:
                fields[key] += "\n" + line.strip()
        else:
            name, sep, value = line.partition(":")
            if sep:
                key = name.strip()
                fields[key] = value.strip()
    if fields:
        yield fields


def _package(fields: dict[str, str], file: FileInput, ctx: AnalysisContext) -> Package | None:
    name, version = fields.get("Package"), fields.get("Version")
    status = fields.get("Status")
    if status is not None and status.split()[-1:] != ["installed"]:
        return None
    if not name or not version:
        if name or version:
            ctx.issue(file, f"package record without name or version: {name or version}")
        return None
    if not _VERSION.match(version):
        ctx.issue(file, f"package {name}: {version!r} is not a valid Debian version; skipped")
        return None
    source_name, source_version = name, version
    if "Source" in fields:
        match = _SOURCE.match(fields["Source"])
        if match:
            source_name = match.group("name")
            source_version = match.group("version") or version
    return Package(
        type=PackageType.DEB,
        name=name,
        version=version,
        arch=fields.get("Architecture"),
        source_name=source_name,
        source_version=source_version,
        layer=file.layer,
        path=file.path,
        dependencies=tuple(
            dep.strip().split()[0]
            for dep in fields.get("Depends", "").replace("|", ",").split(",")
            if dep.strip()
        ),
    )
