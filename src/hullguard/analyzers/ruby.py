"""Ruby gems: installed `specifications/*.gemspec` (read with patterns, never evaluated) and `Gemfile.lock`."""

from __future__ import annotations

import re

from hullguard.analyzers import specs
from hullguard.analyzers.base import AnalysisContext, FileInput
from hullguard.analyzers.documents import expect_format, package
from hullguard.errors import AnalyzerError
from hullguard.model import Inventory, Package, PackageType

_LITERAL = re.compile(r""""([^"\\]*)"|'([^'\\]*)'|%q\{([^}]*)\}|%q<([^>]*)>""")
_BLOCK = re.compile(r"Gem::Specification\.new\s*(?:do|\{)\s*\|\s*(\w+)\s*\|")
_ASSIGN = re.compile(
    r"^\s*(?P<receiver>\w+)\.(?P<key>name|version|license|licenses)\s*=\s*(?P<value>.*)$", re.MULTILINE
)
_DEPENDENCY = re.compile(r"\.add_(?P<kind>runtime_|development_)?dependency[\s(]+(?P<args>.*)$", re.MULTILINE)
_STARTS_LITERAL = re.compile(r"""^(?:Gem::Version\.new\(|\[)?\s*(?:["']|%q)""")
_STUB = re.compile(r"^# stub: (?P<name>\S+) (?P<version>\S+)", re.MULTILINE)
_INSTALLED_GEM = re.compile(r"(^|/)gems/[^/]+-\d[^/]*/")
_LOCK_SPEC = re.compile(r"^    (?P<name>[^\s(]+) \((?P<version>[^)]+)\)$")


def literals(code: str) -> list[str]:
    """The string literals in a line of Ruby: "x", 'x', %q{x}, %q<x> (with or without `.freeze`)."""
    return [next(g for g in m.groups() if g is not None) for m in _LITERAL.finditer(code)]


class GemspecAnalyzer:
    """One gem per installed specification; its name and version are plain string literals."""

    spec = specs.GEMSPEC

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        if "specifications/" not in file.path:
            return Inventory()  # a gem's own source gemspec is Ruby code, not an installed record
        content = file.read_text()
        fields: dict[str, list[str]] = {}
        block = _BLOCK.search(content)
        for match in _ASSIGN.finditer(content):
            if block and match.group("receiver") != block.group(1):
                continue  # `s.name = ...` in a `do |spec|` block would not run: Ruby raises NameError
            if _STARTS_LITERAL.match(match.group("value")):  # not `File.read("VERSION")`
                fields.setdefault(match.group("key"), literals(match.group("value")))
        stub = _STUB.search(content)
        name = (fields.get("name") or [stub.group("name") if stub else ""])[0]
        version = (fields.get("version") or [stub.group("version") if stub else ""])[0]
        if not name or not version:
            raise AnalyzerError(f"{file.path}: no literal s.name or s.version")
        kinds: dict[str, set[str]] = {}
        for match in _DEPENDENCY.finditer(content):
            for dep in literals(match.group("args"))[:1]:
                kinds.setdefault(dep, set()).add(match.group("kind") or "")
        # Old rubygems list dev dependencies again as plain add_dependency in an `else` branch.
        runtime = tuple(d for d, k in kinds.items() if "development_" not in k)
        licenses = tuple(fields.get("licenses") or fields.get("license") or ())
        return Inventory(
            packages=(package(PackageType.GEM, name, version, file, licenses=licenses, dependencies=runtime),)
        )


class GemfileLockAnalyzer:
    """Gems resolved by Bundler: the GEM and GIT sections (PATH gems are the project's own code)."""

    spec = specs.GEMFILE_LOCK

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        if _INSTALLED_GEM.search(file.path):
            return Inventory()  # an installed gem's own development lock
        return Inventory(packages=tuple(parse_gemfile_lock(file, ctx)))


def parse_gemfile_lock(file: FileInput, ctx: AnalysisContext) -> list[Package]:
    specs: list[tuple[str, str, list[str]]] = []
    section = ""
    lines = file.read_text().splitlines()
    sections = {"GEM", "GIT", "PATH", "PLATFORMS", "DEPENDENCIES", "BUNDLED WITH"}
    expect_format(any(line.strip() in sections for line in lines), file, "Gemfile.lock")
    for number, line in enumerate(lines, 1):
        if line and not line.startswith(" "):
            section = line.strip()
        elif section not in ("GEM", "GIT") or not line.startswith("    "):
            continue
        elif line.startswith("      "):
            if specs:
                specs[-1][2].append(line.split()[0])
        elif (match := _LOCK_SPEC.match(line)) is None:
            ctx.issue(file, f"line {number}: expected `    name (version)`, got {line.strip()!r}")
        else:
            specs.append((match.group("name"), match.group("version"), []))
    found = []
    for name, full_version, deps in specs:
        # Gem versions mark pre-releases with letters after a dot, so a `-` starts the platform.
        version, _, platform = full_version.partition("-")
        found.append(
            package(PackageType.GEM, name, version, file, arch=platform or None, dependencies=tuple(deps))
        )
    return found
