"""Alpine packages from `lib/apk/db/installed`."""

from __future__ import annotations

from hullguard.analyzers.base import AnalysisContext, AnalyzerId, AnalyzerKind, AnalyzerSpec, FileInput
from hullguard.model import Inventory, Package, PackageType


class ApkAnalyzer:
    """Packages from Alpine's installed database."""

    spec = AnalyzerSpec(
        id=AnalyzerId("apk"),
        kind=AnalyzerKind.OS_PACKAGES,
        version=1,
        paths=("lib/apk/db/installed",),
    )

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        return Inventory(packages=tuple(parse_installed(file, ctx)))


def parse_installed(file: FileInput, ctx: AnalysisContext) -> list[Package]:
    packages = []
    for record in file.read_text().split("\n\n"):
        fields: dict[str, str] = {}
        for line in record.splitlines():
            if len(line) > 2 and line[1] == ":" and line[0] not in fields:
                fields[line[0]] = line[2:]
        name, version = fields.get("P"), fields.get("V")
        if not name or not version:
            if name:
                ctx.issue(file, f"package {name} has no version; skipped")
            continue
        packages.append(
            Package(
                type=PackageType.APK,
                name=name,
                version=version,
                arch=fields.get("A"),
                source_name=fields.get("o") or name,
                source_version=version,
                licenses=tuple(fields["L"].split()) if fields.get("L") else (),
                layer=file.layer,
                path=file.path,
                dependencies=tuple(d for d in fields.get("D", "").split() if not d.startswith("!")),
            )
        )
    return packages
