"""Red Hat-family module streams: which advisories can concern an rpm.

RHEL 8+ and its rebuilds ship some software both outside modules and as module streams
(nodejs 16 in AlmaLinux 9's AppStream, and the nodejs:18, nodejs:20 streams). A stream's
rpms carry a modularity label (`nodejs:18:9040020240409:rhel9`) and a `.module_el9...`
release; an update of one stream fixes only that stream. OSV's AlmaLinux and Rocky records
name the stream only in the fixed version's release and in the summary ("nodejs:18 security
update"), and version ranges alone cannot tell the streams apart: nodejs 16 is "below" every
nodejs:18 fix. So an advisory applies to an rpm only when both are modular or both are not,
and, when the summary names streams of the package's own module, when one is its stream.
"""

from __future__ import annotations

import re

from hullguard.vulndb.osv import Affected

_MODULE_RELEASE = re.compile(r"\.module[_+]el\d")
_STREAM = re.compile(r"(?<!\S)([A-Za-z0-9][\w.+-]*):([\w.+-]+?)(?=[\s,;)]|$)")


def module_stream(label: str | None) -> str | None:
    """`nodejs:18:9040020240409:rhel9` -> `nodejs:18`; None outside modules."""
    if not label:
        return None
    name, _, rest = label.partition(":")
    stream = rest.partition(":")[0]
    return f"{name}:{stream}" if name and stream else None


def is_modular(affected: Affected) -> bool | None:
    """Whether the record's fixes are module builds; None when it names no fix to tell by."""
    bounds = [e.version for r in affected.ranges for e in r.events if e.kind in ("fixed", "last_affected")]
    if not bounds:
        return None
    return any(_MODULE_RELEASE.search(v) for v in bounds)


def applies(affected: Affected, title: str, label: str | None) -> bool:
    """Can this affected entry concern an rpm with this modularity label (None: no module)?"""
    stream = module_stream(label)
    modular = is_modular(affected)
    if modular is None:
        return True
    if modular != (stream is not None):
        return False
    if stream is None:
        return True
    module = stream.partition(":")[0]
    named = {f"{m.group(1)}:{m.group(2)}" for m in _STREAM.finditer(title) if m.group(1) == module}
    return not named or stream in named
