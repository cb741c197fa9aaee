"""Java archives (`.jar/.war/.ear`, nested to a bounded depth) and exploded `pom.properties` files."""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass

from hullguard.analyzers import specs
from hullguard.analyzers.base import AnalysisContext, FileInput
from hullguard.analyzers.java_coordinates import from_manifest, from_properties, parse_manifest
from hullguard.errors import AnalyzerError
from hullguard.model import Inventory, Package

ARCHIVES = specs.JAVA_ARCHIVES
MAX_DEPTH = 4
MAX_NESTED_BYTES = 64 << 20
MAX_TOTAL_BYTES = 512 << 20
MAX_RATIO = 200
MAX_ENTRIES = 100_000
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    RuntimeError,
    NotImplementedError,
    EOFError,
    OSError,
    ValueError,
)
"""What zipfile raises on damaged archives: bad headers, encryption, unknown methods, bad names."""


@dataclass
class _Budget:
    """Uncompressed bytes still allowed for one top-level archive: nested zip bombs stop here."""

    left: int = MAX_TOTAL_BYTES


class JavaAnalyzer:
    """Maven coordinates from `pom.properties`; the manifest and the file name when there is none."""

    spec = specs.JAVA_ARCHIVE

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        if file.path.endswith("/pom.properties"):
            if "META-INF/maven/" not in file.path:
                return Inventory()
            found = from_properties(file.read_text(), file.path, file)
            return Inventory(packages=(found,) if found else ())
        return Inventory(packages=tuple(read_archive(file.read_bytes(), file.path, 0, _Budget(), file, ctx)))


def read_archive(
    data: bytes, where: str, depth: int, budget: _Budget, file: FileInput, ctx: AnalysisContext
) -> list[Package]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS as e:
        raise AnalyzerError(f"{where}: not a readable zip archive ({e})") from e
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise AnalyzerError(f"{where}: {len(infos)} entries, more than the {MAX_ENTRIES} read")
    found: list[Package] = []
    for info in infos:
        if info.filename.startswith("META-INF/maven/") and info.filename.endswith("/pom.properties"):
            content = _read(archive, info, where, 1 << 20, budget, ctx, file)
            pom = from_properties(content.decode("utf-8", "replace"), where, file) if content else None
            found.extend([pom] if pom else [])
    if not found:
        manifest = next((i for i in infos if i.filename.upper() == "META-INF/MANIFEST.MF"), None)
        content = _read(archive, manifest, where, 1 << 20, budget, ctx, file) if manifest else b""
        guess = from_manifest(parse_manifest((content or b"").decode("utf-8", "replace")), where, file)
        found.extend([guess] if guess else [])
    for info in infos:
        if not info.filename.lower().endswith(ARCHIVES) or info.is_dir():
            continue
        inner = f"{where}!/{info.filename}"
        if depth + 1 > MAX_DEPTH:
            ctx.issue(file, f"{inner}: nested deeper than {MAX_DEPTH} archives; not read")
            continue
        content = _read(archive, info, where, MAX_NESTED_BYTES, budget, ctx, file)
        if content is not None:
            try:
                found.extend(read_archive(content, inner, depth + 1, budget, file, ctx))
            except AnalyzerError as e:
                ctx.issue(file, str(e))
    return found


def _read(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    where: str,
    cap: int,
    budget: _Budget,
    ctx: AnalysisContext,
    file: FileInput,
) -> bytes | None:
    """One member, never trusting its declared size: read at most `cap` and what the budget allows."""
    ratio = info.file_size / max(info.compress_size, 1)
    limit = min(cap, budget.left)
    if info.file_size > limit or (ratio > MAX_RATIO and info.file_size > 1 << 20):
        ctx.issue(
            file, f"{where}!/{info.filename}: expands to {info.file_size} bytes (ratio {ratio:.0f}); not read"
        )
        return None
    try:
        with archive.open(info) as member:
            data = member.read(limit + 1)
    except _ZIP_ERRORS as e:
        ctx.issue(file, f"{where}!/{info.filename}: unreadable ({e})")
        return None
    budget.left -= len(data)
    if len(data) > limit:
        ctx.issue(file, f"{where}!/{info.filename}: larger than it declares; not read")
        return None
    return data
