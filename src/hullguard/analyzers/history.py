"""Which layer added each OS package, from every layer's version of the package databases.

The merged tree only keeps the last version of `var/lib/dpkg/status` or `rpmdb.sqlite`, so
every package would name the layer that last rewrote the database. This layer visitor reads
each layer's version as the layers stream past and keeps only (name, version) sets; a package
then names the first layer of the unbroken run of versions, up to the last, that list it.
"""

from __future__ import annotations

import dataclasses

from hullguard.analyzers import specs
from hullguard.analyzers.base import FileInput
from hullguard.model import Digest, Inventory, Package
from hullguard.sources.tree import FileEntry

_APK = "lib/apk/db/installed"
_DPKG = "var/lib/dpkg/status"
_STATUS_D = "var/lib/dpkg/status.d/"
_RPM_MANIFEST = specs.RPM_MANIFEST.paths[0]
_PATHS = frozenset({_APK, _DPKG, _RPM_MANIFEST, *specs.RPM_DATABASES})
Keys = frozenset[tuple[str, str]]


class PackageHistory:
    """A layer visitor over the OS package databases; `attribute` then fixes package layers."""

    def __init__(self) -> None:
        self._versions: dict[str, list[tuple[Digest | None, Keys | None]]] = {}

    def wants(self, entry: FileEntry) -> bool:
        path = entry.path
        return path in _PATHS or (path.startswith(_STATUS_D) and not path.endswith(".md5sums"))

    def visit(self, entry: FileEntry, data: bytes) -> None:
        try:
            keys: Keys | None = frozenset(_keys(entry.path, data))
        except Exception:
            # Runs inside layer reading, where an exception would end the scan: an unreadable
            # version only ends the search for an earlier layer (the analyzer reports the file).
            keys = None
        self._versions.setdefault(entry.path, []).append((entry.layer, keys))

    def attribute(self, inventory: Inventory) -> Inventory:
        packages = tuple(self._attributed(p) for p in inventory.packages)
        return dataclasses.replace(inventory, packages=packages)

    def _attributed(self, package: Package) -> Package:
        versions = self._versions.get(package.path or "")
        if not package.type.is_os or not versions or versions[-1][0] != package.layer:
            return package
        first = package.layer
        for layer, keys in reversed(versions):
            if keys is None or (package.name, package.version) not in keys:
                break
            first = layer
        return package if first == package.layer else dataclasses.replace(package, layer=first)


def _keys(path: str, data: bytes) -> set[tuple[str, str]]:
    if path == _APK:
        return _apk_keys(data.decode("utf-8", errors="replace"))
    if path == _DPKG or path.startswith(_STATUS_D):
        from hullguard.analyzers.dpkg import iter_paragraphs

        return {
            (f["Package"], f["Version"])
            for f in iter_paragraphs(data.decode("utf-8", errors="replace"))
            if "Package" in f
            and "Version" in f
            and f.get("Status", "installed").split()[-1:] == ["installed"]
        }
    # (the readers are imported here: most images have no rpm database)
    from hullguard.analyzers.rpm import to_package
    from hullguard.analyzers.rpm_manifest import parse_manifest
    from hullguard.analyzers.rpmdb import iter_blobs, parse_header

    file = FileInput(path=path, layer=None, size=len(data), read_bytes=lambda: data)
    if path == _RPM_MANIFEST:
        return {(p.name, p.version) for p in parse_manifest(file)[0]}
    keys = set()
    for blob in iter_blobs(data):
        package = to_package(parse_header(blob), file)
        if package is not None:
            keys.add((package.name, package.version))
    return keys


def _apk_keys(text: str) -> set[tuple[str, str]]:
    keys = set()
    for record in text.split("\n\n"):
        fields = {
            line[0]: line[2:] for line in reversed(record.splitlines()) if len(line) > 2 and line[1] == ":"
        }
        if fields.get("P") and fields.get("V"):
            keys.add((fields["P"], fields["V"]))
    return keys
