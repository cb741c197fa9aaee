"""Pinned requirements in `requirements*.txt` (and `requirements/*.txt`): only `==` pins are packages."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

from hullguard.analyzers import specs
from hullguard.analyzers.base import AnalysisContext, FileInput
from hullguard.analyzers.documents import inside, package
from hullguard.analyzers.python_lock import VENDORED
from hullguard.model import Inventory, Package, PackageType

_REQUIREMENT = re.compile(
    r"^(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*(?P<spec>[^;@]*?)\s*(?:;.*)?$"
)
_PIN = re.compile(r"^===?\s*(?P<version>[A-Za-z0-9][A-Za-z0-9.+!_-]*)$")
_COMMENT = re.compile(r"#.*$")
"""pip wants a space before `#`, but `Jinja2==3.0.0#pinned` is common and the pin is what was meant."""
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_OPTION = re.compile(r"\s--?[a-z].*$")


class RequirementsAnalyzer:
    """Exact pins only: a range names no version that is installed, so it is reported as skipped."""

    spec = specs.PIP_REQUIREMENTS

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        if inside(file.path, *VENDORED):
            return Inventory()
        packages: list[Package] = []
        skipped: list[str] = []
        for number, line in iter_logical_lines(decode(file.read_bytes())):
            if line.startswith("-"):
                if line.startswith(("-e", "--editable")):
                    skipped.append(f"line {number}: {line}")
                continue
            match = _REQUIREMENT.match(_OPTION.sub("", line))
            pin = _PIN.match(match.group("spec")) if match else None
            if match is None or pin is None or "@" in line.split(";")[0]:
                skipped.append(f"line {number}: {line}")
                continue
            packages.append(package(PackageType.PYPI, match.group("name"), pin.group("version"), file))
        if skipped:
            ctx.issue(
                file,
                f"{len(skipped)} requirement{'' if len(skipped) == 1 else 's'} not pinned with == "
                f"{'was' if len(skipped) == 1 else 'were'} skipped: " + "; ".join(skipped),
            )
        return Inventory(packages=tuple(packages))


def decode(data: bytes) -> str:
    """UTF-8, or what a byte-order mark says (Windows editors save requirements as UTF-16)."""
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), "utf-8")
    return data.decode(encoding, errors="replace")


def iter_logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, text) with comments removed and `\\` continuations joined."""
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = _COMMENT.sub("", raw).rstrip()
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        joined = (pending + line).strip()
        pending = ""
        if joined:
            yield start, joined
    if pending.strip():
        yield start, pending.strip()
