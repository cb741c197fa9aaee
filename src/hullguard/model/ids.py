"""Identifiers as their own types, so that a rule id is never passed where a CVE id belongs."""

from __future__ import annotations

from typing import NewType

RuleId = NewType("RuleId", str)
"""A misconfiguration or secret rule: `HG-DF-002`, `aws-access-key-id`."""
VulnId = NewType("VulnId", str)
"""A vulnerability: `CVE-2024-1234`, `GHSA-xxxx-xxxx-xxxx`, `DLA-3000-1`."""
