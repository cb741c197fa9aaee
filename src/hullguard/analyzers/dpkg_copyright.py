"""Licences of a Debian package from `usr/share/doc/PKG/copyright`.

Machine-readable files (DEP-5, `Format: .../copyright-format/1.0/`) name their licences in
`License:` fields: the first line is the short name. Older free-form files are only trusted
where they point at a licence text in `/usr/share/common-licenses/`.
"""

from __future__ import annotations

import re

from hullguard.analyzers.licenses import normalize

_DEP5_FORMAT = re.compile(r"^format:\s*\S*copyright-format", re.IGNORECASE | re.MULTILINE)
_COMMON_LICENSE = re.compile(r"/usr/share/common-licenses/([A-Za-z0-9][A-Za-z0-9.+-]*[A-Za-z0-9+])")
_NOT_A_LICENCE = frozenset({"", "none", "unknown", "other"})
MAX_LICENCES = 32


def parse_copyright(text: str) -> tuple[str, ...]:
    """Distinct licences in first-seen order, as SPDX expressions where recognizable."""
    if _DEP5_FORMAT.search(text[:4096]):
        # `License:` fields, by line: a regex anchored at every line start of a 100 KiB file
        # costs more than splitting it
        names = [line[8:].lstrip(" \t") for line in text.split("\n") if line[:8].lower() == "license:"]
    else:
        names = _COMMON_LICENSE.findall(text)
    found: dict[str, None] = {}
    for name in names:
        name = name.strip()
        if name.lower() not in _NOT_A_LICENCE:
            found.setdefault(normalize(name))
    return tuple(found)[:MAX_LICENCES]
