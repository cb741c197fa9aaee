"""Redact every secret the rules find inside free text (history `created_by`, commands, labels).

Other stages that print text taken from an image, such as a vulnerability's `layer_created_by`,
pass it through `scrub` so a build argument like `NPM_TOKEN=npm_…` never reaches a report.
"""

from __future__ import annotations

import functools

from hullguard.secrets.detect import Detector
from hullguard.secrets.settings import builtin_rules


@functools.cache
def _detector() -> Detector:
    return Detector(builtin_rules())


def scrub(text: str, detector: Detector | None = None) -> str:
    data = text.encode()
    hits = (detector or _detector()).scan(data, "")
    if not hits:
        return text
    out: list[bytes] = []
    last = 0
    for hit in hits:
        out += [data[last : hit.start], hit.redacted.encode()]
        last = hit.end
    out.append(data[last:])
    return b"".join(out).decode("utf-8", errors="replace")
