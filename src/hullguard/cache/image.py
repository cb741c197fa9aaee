"""What reading an image's layers yields, on disk, keyed by the layers' content and the analyzers.

An image's layers never change under their diff_ids, and the config that names them is
verified by its digest; so the inventory (with each package's layer), the issues of the
analysis, and the final tree's listing (no content) depend only on that chain of diff_ids and
on the analyzers that read it. Entries never hold file content, so never a secret.

The listing (thousands of rows, nine tenths of the bytes) is a file of its own beside the
rest, read when a scanner first looks at the tree: most warm scans never do.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, overload

from hullguard.cache.files import read_json, write_json
from hullguard.errors import SourceError
from hullguard.model import OS, Digest, Inventory, Issue, Package, PackageType
from hullguard.sources.tree import EntryType, FileEntry, Removal

FORMAT = 2
"""Bump when the layout of an entry or the way layers become a tree changes."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Analysis:
    """The layers' contribution to a report: attributed inventory, issues, final listing."""

    inventory: Inventory
    issues: tuple[Issue, ...]
    entries: Sequence[FileEntry]
    """The final tree's listing (a `CachedEntries` when read back from the cache)."""
    removals: tuple[Removal, ...]



class ImageCache:
    def __init__(self, root: Path) -> None:
        self.dir = root / "images" / f"v{FORMAT}"

    def load(self, key: str) -> Analysis | None:
        doc = read_json(self.dir / f"{key}.json")
        listing = self.dir / f"{key}.entries.json"
        try:
            if not isinstance(doc, dict) or doc.get("key") != key or not listing.is_file():
                return None
            return _decode(doc, listing)
        except (ValueError, KeyError, TypeError, IndexError):
            return None

    def store(self, key: str, analysis: Analysis) -> None:
        """The listing first: an entry whose listing could not be written is never found."""
        doc = _encode(analysis)
        if write_json(self.dir / f"{key}.entries.json", {"key": key, "entries": doc.pop("entries")}):
            write_json(self.dir / f"{key}.json", {"key": key, **doc})


class ListedTree:
    """The final tree as listed in the cache: every entry, no content (indexed on first use)."""

    def __init__(self, entries: Sequence[FileEntry]) -> None:
        self._listing = entries
        self._by_path: dict[str, FileEntry] | None = None

    def _index(self) -> dict[str, FileEntry]:
        if self._by_path is None:
            self._by_path = {e.path: e for e in self._listing}
        return self._by_path

    def entries(self) -> Iterator[FileEntry]:
        return iter(self._index().values())

    def lookup(self, path: str) -> FileEntry | None:
        return self._index().get(path)

    def read_bytes(self, entry: FileEntry) -> bytes:
        raise SourceError(f"{entry.path}: content is not kept in the analysis cache")


def _encode(a: Analysis) -> dict[str, Any]:
    layers = sorted({e.layer for e in a.entries if e.layer} | {r.by_layer for r in a.removals})
    index = {d: i for i, d in enumerate(layers)}

    def entry(e: FileEntry) -> list[Any]:
        return [e.path, e.type.value, e.size, e.mode, index.get(e.layer) if e.layer else None, e.linkname]

    os_ = a.inventory.os
    return {
        "packages": [_package(p) for p in a.inventory.packages],
        "os": None
        if os_ is None
        else [os_.family, os_.version, os_.name, os_.eol, os_.eol_date.isoformat() if os_.eol_date else None],
        "extra": [list(x) for x in a.inventory.extra],
        "issues": [[i.stage, i.message, i.path, i.layer] for i in a.issues],
        "layers": layers,
        "entries": [entry(e) for e in a.entries],
        "removals": [[*entry(r.entry), index[r.by_layer]] for r in a.removals],
    }


class CachedEntries(Sequence[FileEntry]):
    """A cached listing, read from its file and made into `FileEntry` values on first use: a
    warm scan whose scanners never look at the tree (most) pays for none of its rows."""

    def __init__(self, listing: Path, key: str, layers: list[Digest]) -> None:
        self._listing = listing
        self._key = key
        self._layers = layers
        self._entries: tuple[FileEntry, ...] | None = None

    def _all(self) -> tuple[FileEntry, ...]:
        if self._entries is None:
            doc = read_json(self._listing)
            try:
                if not isinstance(doc, dict) or doc.get("key") != self._key:
                    raise ValueError(f"{self._listing.name} is missing or not this image's")
                self._entries = tuple(_entry(row, self._layers) for row in doc["entries"])
            except (ValueError, KeyError, TypeError, IndexError) as e:
                raise SourceError(f"a damaged image cache entry ({e}): remove the cache folder") from e
        return self._entries

    def __len__(self) -> int:
        return len(self._all())

    @overload
    def __getitem__(self, index: int) -> FileEntry: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[FileEntry]: ...
    def __getitem__(self, index: int | slice) -> FileEntry | Sequence[FileEntry]:
        return self._all()[index]

    def __iter__(self) -> Iterator[FileEntry]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and self._all() == tuple(other)

    def __hash__(self) -> int:
        return hash(self._all())


def _entry(row: list[Any], layers: list[Digest]) -> FileEntry:
    path, kind, size, mode, layer, link = row[:6]
    return FileEntry(
        path=str(path),
        type=EntryType(kind),
        size=int(size),
        mode=int(mode),
        layer=layers[layer] if layer is not None else None,
        linkname=None if link is None else str(link),
    )


def _decode(doc: dict[str, Any], listing: Path) -> Analysis:
    layers = [Digest(str(d)) for d in doc["layers"]]

    def entry(row: list[Any]) -> FileEntry:
        return _entry(row, layers)

    os_ = doc["os"]
    inventory = Inventory(
        packages=tuple(_unpackage(p) for p in doc["packages"]),
        os=None
        if os_ is None
        else OS(
            family=str(os_[0]),
            version=str(os_[1]),
            name=_opt(os_[2]),
            eol=None if os_[3] is None else bool(os_[3]),
            eol_date=date.fromisoformat(os_[4]) if os_[4] else None,
        ),
        extra=tuple((str(k), str(v)) for k, v in doc["extra"]),
    )
    return Analysis(
        inventory=inventory,
        issues=tuple(
            Issue(stage=str(s), message=str(m), path=_opt(p), layer=Digest(str(d)) if d else None)
            for s, m, p, d in doc["issues"]
        ),
        entries=CachedEntries(listing, str(doc["key"]), layers),
        removals=tuple(Removal(entry(row), layers[row[6]]) for row in doc["removals"]),
    )


def _package(p: Package) -> dict[str, Any]:
    return {
        "type": p.type.value,
        "name": p.name,
        "version": p.version,
        "purl": p.purl,
        "source_name": p.source_name,
        "source_version": p.source_version,
        "arch": p.arch,
        "licenses": list(p.licenses),
        "layer": p.layer,
        "path": p.path,
        "modularity_label": p.modularity_label,
        "dependencies": list(p.dependencies),
        "dev": p.dev,
    }


def _unpackage(d: dict[str, Any]) -> Package:
    return Package(
        type=PackageType(d["type"]),
        name=str(d["name"]),
        version=str(d["version"]),
        purl=str(d["purl"]),
        source_name=_opt(d["source_name"]),
        source_version=_opt(d["source_version"]),
        arch=_opt(d["arch"]),
        licenses=tuple(str(x) for x in d["licenses"]),
        layer=Digest(str(d["layer"])) if d["layer"] else None,
        path=_opt(d["path"]),
        modularity_label=_opt(d["modularity_label"]),
        dependencies=tuple(str(x) for x in d["dependencies"]),
        dev=bool(d["dev"]),
    )


def _opt(value: object) -> str | None:
    return None if value is None else str(value)
