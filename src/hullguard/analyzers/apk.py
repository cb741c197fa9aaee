"""Alpine packages from `lib/apk/db/installed`."""

from __future__ import annotations

import re

from hullguard.analyzers import specs
from hullguard.analyzers.base import AnalysisContext, FileInput
from hullguard.analyzers.documents import expect_format
from hullguard.analyzers.licenses import normalize
from hullguard.model import Inventory, Package, PackageType


class ApkAnalyzer:
    """Packages from Alpine's installed database."""

    spec = specs.APK

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        return Inventory(packages=tuple(parse_installed(file, ctx)))


def parse_installed(file: FileInput, ctx: AnalysisContext) -> list[Package]:
    packages = []
    content = file.read_text()
    expect_format(any(line.startswith("P:") for line in content.splitlines()), file, "apk installed database")
    for record in content.split("\n\n"):
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
                licenses=apk_licences(fields.get("L", "")),
                layer=file.layer,
                path=file.path,
                dependencies=tuple(d for d in fields.get("D", "").split() if not d.startswith("!")),
            )
        )
    return packages


_EXPRESSION = re.compile(r"[()]|\b(?:AND|OR|WITH)\b", re.IGNORECASE)


def apk_licences(field: str) -> tuple[str, ...]:
    """`L:` is an SPDX expression in current Alpine and a space-separated list in older ones."""
    if not field.strip():
        return ()
    if _EXPRESSION.search(field):
        return (normalize(field),)
    return tuple(dict.fromkeys(normalize(name) for name in field.split()))
