"""Installed Python distributions: `*.dist-info/METADATA`, `*.egg-info/PKG-INFO` and `*.egg-info` files."""

from __future__ import annotations

import io
import re

from hullguard.analyzers import specs
from hullguard.analyzers.base import AnalysisContext, FileInput
from hullguard.analyzers.documents import package
from hullguard.errors import AnalyzerError
from hullguard.model import Inventory, PackageType

_SPDX_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]{0,63}$")
_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_CLASSIFIER_LICENSES = {
    "Apache Software License": "Apache-2.0",
    "MIT License": "MIT",
    "MIT No Attribution License (MIT-0)": "MIT-0",
    "ISC License (ISCL)": "ISC",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "Python Software Foundation License": "PSF-2.0",
    "The Unlicense (Unlicense)": "Unlicense",
    "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    "GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "GNU Affero General Public License v3": "AGPL-3.0-only",
    "Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
    "Historical Permission Notice and Disclaimer (HPND)": "HPND",
    "Zope Public License": "ZPL-2.1",
}
"""Trove classifiers (after `License :: OSI Approved :: `) that name exactly one SPDX licence."""


class PythonAnalyzer:
    """One package per installed distribution's core metadata (PEP 566 / PEP 643 / PEP 639)."""

    spec = specs.PYTHON_INSTALLED

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        headers = CoreMetadata(file.read_text())
        name, version = headers.get("Name"), headers.get("Version")
        if not name or not version:
            raise AnalyzerError(f"{file.path}: core metadata without Name or Version")
        requires = (
            _REQUIREMENT_NAME.match(r) for r in headers.get_all("Requires-Dist") or () if "extra" not in r
        )
        return Inventory(
            packages=(
                package(
                    PackageType.PYPI,
                    str(name).strip(),
                    str(version).strip(),
                    file,
                    licenses=licenses(
                        headers.get("License-Expression"),
                        headers.get("License"),
                        headers.get_all("Classifier") or (),
                    ),
                    dependencies=tuple(m.group(1) for m in requires if m),
                ),
            )
        )


_HEADER = re.compile(r"([\x21-\x39\x3b-\x7e]*):[ \t]*(.*)", re.DOTALL)
"""A header line as RFC 822 and the email package read it: printable name, colon, value."""


class CoreMetadata:
    """The header block of a METADATA / PKG-INFO file, read as the standard library's
    `email.parser.HeaderParser(policy=compat32)` reads it: headers up to the first empty line
    or the first line that is not one; continuation lines (leading space or tab) kept with
    their line break; names compared without case. Written here because the email package
    takes ~10 ms to import, a thirtieth of a whole image scan, for a few dozen lines; a test
    holds it to the email package's reading of every METADATA file in this environment."""

    def __init__(self, text: str) -> None:
        headers: list[tuple[str, str]] = []
        for line in io.StringIO(text, newline=""):  # splits at \r, \n, \r\n only, as email does
            if line[:1] in (" ", "\t") and headers:
                name, value = headers[-1]
                headers[-1] = (name, value + line)
                continue
            match = _HEADER.fullmatch(line)
            if match is None:
                break  # the empty line before the body, or a line that is no header at all
            headers.append((match.group(1).lower(), match.group(2)))
        self._headers = [(name, value.rstrip("\r\n")) for name, value in headers]

    def get(self, name: str) -> str | None:
        return next((value for key, value in self._headers if key == name.lower()), None)

    def get_all(self, name: str) -> list[str]:
        return [value for key, value in self._headers if key == name.lower()]


def licenses(
    expression: str | None, license: str | None, classifiers: list[str] | tuple[str, ...]
) -> tuple[str, ...]:
    """PEP 639's expression; else a `License:` that is one SPDX-like id; else the trove classifiers
    (known ones as SPDX ids); else a short free-text `License:` ("Apache 2.0") as written."""
    if expression and expression.strip():
        return (expression.strip(),)
    text = (license or "").strip()
    if _SPDX_ID.match(text) and text != "UNKNOWN":
        return (text,)
    found = []
    for classifier in classifiers:
        parts = [p.strip() for p in classifier.split("::")]
        if parts[0] == "License" and len(parts) > 1 and parts[-1] != "OSI Approved":
            found.append(_CLASSIFIER_LICENSES.get(parts[-1], parts[-1]))
    if found:
        return tuple(dict.fromkeys(found))
    return (text,) if text and "\n" not in text and len(text) <= 80 and text != "UNKNOWN" else ()
