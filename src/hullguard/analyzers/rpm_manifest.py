"""rpm packages of Azure Linux / CBL-Mariner distroless images, which ship no rpm database.

`var/lib/rpmmanifest/container-manifest-2` is `rpm -qa` output, one package a line, written
with `%{NAME}\\t%{VERSION}-%{RELEASE}\\t%{INSTALLTIME}\\t%{BUILDTIME}\\t%{VENDOR}\\t%{EPOCH}
\\t%{SIZE}\\t%{ARCH}\\t%{EPOCHNUM}\\t%{SOURCERPM}`.
"""

from __future__ import annotations

from hullguard.analyzers import specs
from hullguard.analyzers.base import AnalysisContext, FileInput
from hullguard.analyzers.documents import expect_format
from hullguard.analyzers.rpm import DATABASES, split_source_rpm
from hullguard.model import Inventory, Package, PackageType
from hullguard.sources.tree import EntryType

_FIELDS = 10


class RpmManifestAnalyzer:
    """Installed rpm packages listed in a distroless image's rpm manifest."""

    spec = specs.RPM_MANIFEST

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        if any((e := ctx.tree.lookup(p)) is not None and e.type is EntryType.FILE for p in DATABASES):
            return Inventory()  # the database, read by the rpm analyzer, is the authority
        packages, bad = parse_manifest(file)
        if bad:
            lines = "a line" if bad == 1 else f"{bad} lines"
            ctx.issue(file, f"skipped {lines} without the {_FIELDS} tab-separated rpm fields")
        return Inventory(packages=tuple(packages))


def parse_manifest(file: FileInput) -> tuple[list[Package], int]:
    """The packages (imported keys left out) and the number of malformed lines."""
    packages = []
    bad = 0
    lines = file.read_text().splitlines()
    expect_format(any(line.strip() for line in lines), file, "rpm container manifest")
    for line in lines:
        fields = line.rstrip("\r").split("\t")
        if not line.strip():
            continue
        if len(fields) < _FIELDS or not fields[0] or "-" not in fields[1]:
            bad += 1
        elif fields[0] != "gpg-pubkey":
            packages.append(_package(fields, file))
    return packages, bad


def _package(fields: list[str], file: FileInput) -> Package:
    name, version_release, epoch, arch, source_rpm = fields[0], fields[1], fields[8], fields[7], fields[9]
    prefix = f"{epoch}:" if epoch.isdigit() and int(epoch) else ""
    source = split_source_rpm(source_rpm)
    return Package(
        type=PackageType.RPM,
        name=name,
        version=prefix + version_release,
        arch=arch if arch and arch != "(none)" else None,
        source_name=source[0] if source else name,
        source_version=prefix + (source[1] if source else version_release),
        layer=file.layer,
        path=file.path,
    )
