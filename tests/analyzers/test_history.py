"""Layer attribution of OS packages from every layer's version of the package database."""

from __future__ import annotations

from hullguard.analyzers.history import PackageHistory
from hullguard.model import Digest, Inventory, Package, PackageType
from hullguard.sources.tree import EntryType, FileEntry

L1, L2, L3 = (Digest(f"sha256:{c * 64}") for c in "123")
STATUS = "var/lib/dpkg/status"


def _status(*packages: tuple[str, str]) -> bytes:
    return "".join(
        f"Package: {n}\nStatus: install ok installed\nVersion: {v}\n\n" for n, v in packages
    ).encode()


def _visit(history: PackageHistory, path: str, layer: Digest, data: bytes) -> None:
    entry = FileEntry(path=path, type=EntryType.FILE, size=len(data), layer=layer)
    assert history.wants(entry)
    history.visit(entry, data)


def _deb(name: str, version: str, layer: Digest, path: str = STATUS) -> Package:
    return Package(type=PackageType.DEB, name=name, version=version, layer=layer, path=path)


def test_each_package_names_the_layer_that_added_it() -> None:
    history = PackageHistory()
    _visit(history, STATUS, L1, _status(("base-files", "12.4"), ("tar", "1.34+dfsg-1")))
    _visit(
        history, STATUS, L2, _status(("base-files", "12.4"), ("tar", "1.34+dfsg-1.2"), ("curl", "7.88.1-10"))
    )
    _visit(
        history, STATUS, L3, _status(("base-files", "12.4"), ("tar", "1.34+dfsg-1.2"), ("curl", "7.88.1-10"))
    )
    final = Inventory(
        packages=(
            _deb("base-files", "12.4", L3),
            _deb("tar", "1.34+dfsg-1.2", L3),  # upgraded in layer 2: that layer, not layer 1
            _deb("curl", "7.88.1-10", L3),
        )
    )
    layers = {p.name: p.layer for p in history.attribute(final).packages}
    assert layers == {"base-files": L1, "tar": L2, "curl": L2}


def test_removed_then_reinstalled_and_unreadable_versions() -> None:
    history = PackageHistory()
    _visit(history, "lib/apk/db/installed", L1, b"P:musl\nV:1.2.4-r2\n\nP:zlib\nV:1.3-r0\n")
    _visit(history, "lib/apk/db/installed", L2, b"P:musl\nV:1.2.4-r2\n")
    _visit(history, "lib/apk/db/installed", L3, b"P:musl\nV:1.2.4-r2\n\nP:zlib\nV:1.3-r0\n")
    _visit(history, "var/lib/rpm/rpmdb.sqlite", L1, b"SQLite format 3\0 but not really a database")
    _visit(history, "var/lib/rpm/rpmdb.sqlite", L2, b"SQLite format 3\0 still not a database")
    apk = Package(type=PackageType.APK, name="zlib", version="1.3-r0", layer=L3, path="lib/apk/db/installed")
    musl = Package(
        type=PackageType.APK, name="musl", version="1.2.4-r2", layer=L3, path="lib/apk/db/installed"
    )
    rpm = Package(
        type=PackageType.RPM, name="bash", version="5.2-1", layer=L2, path="var/lib/rpm/rpmdb.sqlite"
    )
    other = Package(type=PackageType.PYPI, name="six", version="1.16.0", layer=L3, path=STATUS)
    got = history.attribute(Inventory(packages=(apk, musl, rpm, other))).packages
    assert [p.layer for p in got] == [L3, L1, L2, L3]


def test_status_d_md5sums_are_not_watched() -> None:
    entry = FileEntry(path="var/lib/dpkg/status.d/tzdata.md5sums", type=EntryType.FILE, layer=L1)
    assert not PackageHistory().wants(entry)
