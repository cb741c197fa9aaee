"""`yarn.lock`: the v1 format of yarn classic and the YAML format of yarn berry (2+)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hullguard.analyzers import specs
from hullguard.analyzers.base import AnalysisContext, FileInput
from hullguard.analyzers.documents import dev_only, each, expect_format, load_yaml, mapping, package, text
from hullguard.analyzers.npm import project_manifest, superseded_lock
from hullguard.model import Inventory, PackageType

_LOCAL_PROTOCOLS = ("workspace", "link", "portal", "file", "exec")


@dataclass
class _Entry:
    specs: list[str]
    """The `name@range` keys this resolution answers."""
    name: str | None
    version: str | None = None
    line: int = 0
    dependencies: dict[str, str] = field(default_factory=dict)


class YarnAnalyzer:
    """Every resolved package of a yarn lock file; dev-only ones marked when `package.json` sits beside it.

    Skipped beside an installed `node_modules`, whose manifests are the truth."""

    spec = specs.YARN

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        if superseded_lock(file, ctx):
            return Inventory()
        content = file.read_text()
        expect_format(bool(content.strip()), file, "yarn.lock")
        berry = "\n__metadata:" in f"\n{content}"
        entries = parse_berry(file, ctx) if berry else parse_classic(content, file, ctx)
        dev = _dev_only(entries, project_manifest(file, ctx), berry)
        packages = []
        for entry in entries:
            if entry.name is None or entry.version is None:
                if entry.name is not None:
                    ctx.issue(file, f"line {entry.line}: {entry.name} has no version; skipped")
                continue
            key = f"{entry.name}@{entry.version}"
            packages.append(
                package(
                    PackageType.NPM,
                    entry.name,
                    entry.version,
                    file,
                    dev=key in dev,
                    dependencies=tuple(entry.dependencies),
                )
            )
        return Inventory(packages=tuple(packages))


def parse_classic(content: str, file: FileInput, ctx: AnalysisContext) -> list[_Entry]:
    """Blocks of `"name@range", "name@range2":` headers with indented `version "x"` lines."""
    entries: list[_Entry] = []
    in_deps = False
    for number, line in enumerate(content.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            specs = [s.strip().strip('"') for s in line.rstrip(":").split(",")]
            entries.append(_Entry(specs=specs, name=_name(specs[0]), line=number))
            in_deps = False
            if entries[-1].name is None and not _local(specs[0]):
                ctx.issue(file, f"line {number}: expected `name@range:`, got {line.strip()!r}")
        elif not entries:
            ctx.issue(file, f"line {number}: indented line before any package header")
        elif line.startswith("    ") and in_deps:
            name, _, spec = line.strip().partition(" ")
            entries[-1].dependencies[name.strip('"')] = spec.strip().strip('"')
        else:
            key, _, value = line.strip().partition(" ")
            key = key.strip('"')  # some writers quote every key: "version" "3.6.0"
            in_deps = key in ("dependencies:", "optionalDependencies:")
            if key == "version":
                entries[-1].version = value.strip().strip('"')
    return entries


def parse_berry(file: FileInput, ctx: AnalysisContext) -> list[_Entry]:
    def parse(key: str, value: Any) -> _Entry | None:
        if key == "__metadata":
            return None
        entry = mapping(value, file, repr(key))
        resolution = text(entry.get("resolution")) or ""
        if not resolution:
            ctx.issue(file, f"{key!r} has no resolution; skipped")
            return None
        deps = mapping(entry.get("dependencies"), file, f"{key} dependencies")
        return _Entry(
            specs=[s.strip() for s in key.split(",")],
            name=_name(resolution),
            version=text(entry.get("version")),
            dependencies={str(k): str(v) for k, v in deps.items()},
        )

    doc = mapping(load_yaml(file, strings=True), file, "yarn.lock")
    return each(((str(k), v) for k, v in doc.items()), file, ctx, parse)


def _name(spec: str) -> str | None:
    """`name@range` to `name` (aliases `a@npm:b@1` to `b`); None for workspace, link and file specs."""
    if _local(spec):
        return None
    target = spec.partition("@npm:")[2]
    if target.find("@", 1) > 0:  # an alias: the package installed is `b`
        spec = target
    at = spec.find("@", 1)
    return spec[:at] if at > 0 else None


def _local(spec: str) -> bool:
    return any(f"@{p}:" in spec for p in _LOCAL_PROTOCOLS)


def _dev_only(entries: list[_Entry], manifest: dict[str, dict[str, str]], berry: bool) -> set[str]:
    if not manifest.get("devDependencies"):
        return set()
    by_spec = {spec: f"{e.name}@{e.version}" for e in entries if e.name for spec in e.specs}
    edges = {
        f"{e.name}@{e.version}": [by_spec.get(f"{n}@{r}", "") for n, r in e.dependencies.items()]
        for e in entries
        if e.name
    }
    # Berry names ranges with their protocol (`npm:^1.0`); the workspace entry holds the exact spec.
    workspace = next((e.dependencies for e in entries if e.name is None and berry), {})

    def roots(group: str) -> list[str]:
        return [by_spec.get(f"{n}@{workspace.get(n, r)}", "") for n, r in manifest.get(group, {}).items()]

    return dev_only(edges, roots("dependencies") + roots("optionalDependencies"), roots("devDependencies"))
