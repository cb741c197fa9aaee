"""A finding's commit-style fingerprint, `<layer>:<path>:<rule>:<line>` (gitleaks writes
`<commit>:<path>:<rule>:<line>`): stable across rescans of the same image, made of where the
secret is, not of the secret, so it is safe to publish in reports and to list in a baseline."""

from __future__ import annotations

from hullguard.model import Secret


def location_fingerprint(f: Secret) -> str:
    loc = f.location
    return f"{loc.layer or ''}:{loc.path or ''}:{f.id}:{loc.start_line or 0}"
