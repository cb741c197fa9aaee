"""Red Hat-family packages from the rpm database (SQLite, Berkeley DB hash or NDB)."""

from __future__ import annotations

from hullguard.analyzers import specs
from hullguard.analyzers.base import AnalysisContext, FileInput
from hullguard.analyzers.licenses import normalize
from hullguard.analyzers.rpmdb import RpmdbError, RpmHeader, iter_blobs, parse_header
from hullguard.analyzers.rpmdb import header as tag
from hullguard.errors import Error
from hullguard.model import Inventory, Package, PackageType
from hullguard.sources.tree import EntryType

DATABASES = specs.RPM_DATABASES
_WAL = specs.RPM_WAL

_NO_VALUE = "(none)"


class RpmAnalyzer:
    """Installed packages in rpm's database."""

    spec = specs.RPM

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        if file.path.endswith(_WAL):
            return Inventory()  # kept so that its database can be read with it
        for path in DATABASES[: self.spec.rank(file.path)]:
            entry = ctx.tree.lookup(path)
            if entry is not None and entry.type is EntryType.FILE:
                return Inventory()
        return Inventory(packages=tuple(parse_database(file, ctx)))


def parse_database(file: FileInput, ctx: AnalysisContext) -> list[Package]:
    """Every package in the database; a bad header or a corrupt tail becomes an issue."""
    packages: list[Package] = []
    try:
        blobs = iter_blobs(file.read_bytes(), _read_wal(file, ctx))
        for number, blob in enumerate(blobs, start=1):
            try:
                package = to_package(parse_header(blob), file)
            except RpmdbError as e:
                ctx.issue(file, f"rpm header {number}: {e}; skipped")
                continue
            if package is not None:
                packages.append(package)
    except RpmdbError as e:
        kept = f"; kept the {len(packages)} packages read before it" if packages else ""
        ctx.issue(file, f"{e}{kept}")
    return packages


def _read_wal(file: FileInput, ctx: AnalysisContext) -> bytes:
    entry = ctx.tree.lookup(file.path + _WAL) if file.path.endswith(".sqlite") else None
    if entry is None or entry.type is not EntryType.FILE or entry.size == 0:
        return b""
    try:
        return ctx.tree.read_bytes(entry)
    except Error as e:
        ctx.issue(file, f"{entry.path} not read ({e}); transactions only in it are missing")
        return b""


def to_package(header: RpmHeader, file: FileInput) -> Package | None:
    """The package a header describes; None for imported keys (`gpg-pubkey`)."""
    name = header.string(tag.NAME)
    version, release = header.string(tag.VERSION), header.string(tag.RELEASE)
    if name is None or version is None or release is None:
        raise RpmdbError(f"header of {name or 'a package'} lacks a name, version or release")
    if name == "gpg-pubkey":
        return None
    epoch = header.integer(tag.EPOCH)
    prefix = f"{epoch}:" if epoch else ""  # epoch 0 is no epoch, as rpm compares it
    source_name, source_version = name, f"{prefix}{version}-{release}"
    source = split_source_rpm(header.string(tag.SOURCERPM))
    if source is not None:
        source_name, source_version = source[0], f"{prefix}{source[1]}"
    licence = header.string(tag.LICENSE)
    return Package(
        type=PackageType.RPM,
        name=name,
        version=f"{prefix}{version}-{release}",
        arch=header.string(tag.ARCH),
        source_name=source_name,
        source_version=source_version,
        licenses=(normalize(licence),) if licence and licence != _NO_VALUE else (),
        modularity_label=header.string(tag.MODULARITYLABEL),
        layer=file.layer,
        path=file.path,
    )


def split_source_rpm(filename: str | None) -> tuple[str, str] | None:
    """`util-linux-2.32.1-42.el8_8.src.rpm` -> (`util-linux`, `2.32.1-42.el8_8`)."""
    if not filename or not filename.endswith(".rpm"):
        return None
    stem = filename.removesuffix(".rpm").rpartition(".")[0]
    rest, _, release = stem.rpartition("-")
    name, _, version = rest.rpartition("-")
    if not name or not version or not release:
        return None
    return name, f"{version}-{release}"
