"""The rule catalogue: every rule's metadata, read from the shipped data file `data/rules.yaml`."""

from __future__ import annotations

import functools
from typing import Any

from hullguard import datafiles
from hullguard.model import Severity
from hullguard.rules.base import Peers, RuleId, RuleMeta, Target


class CatalogueError(Exception):
    """The shipped catalogue is inconsistent: a bug, caught by the test suite."""


def parse_catalogue(text: str) -> dict[RuleId, RuleMeta]:
    return catalogue_from(datafiles.parse_yaml(text.encode()))


def catalogue_from(entries: Any) -> dict[RuleId, RuleMeta]:
    if not isinstance(entries, list):
        raise CatalogueError("rules.yaml must be a list of rules")
    catalogue: dict[RuleId, RuleMeta] = {}
    for entry in entries:
        rule_id = RuleId(str(entry["id"]))
        if rule_id in catalogue:
            raise CatalogueError(f"rule {rule_id} is defined twice in rules.yaml")
        peers = entry.get("peers") or {}
        pss = entry.get("pss")
        catalogue[rule_id] = RuleMeta(
            id=rule_id,
            target=Target(entry["target"]),
            title=str(entry["title"]),
            severity=Severity.parse(str(entry["severity"])),
            rationale=str(entry["rationale"]),
            remediation=str(entry["remediation"]),
            references=tuple(str(r) for r in entry.get("references") or ()),
            peers=Peers(
                hadolint=peers.get("hadolint"), trivy=peers.get("trivy"), checkov=peers.get("checkov")
            ),
            pss=(str(pss[0]), str(pss[1])) if pss else None,
        )
    return catalogue


@functools.cache
def catalogue() -> dict[RuleId, RuleMeta]:
    return catalogue_from(datafiles.load("rules.yaml"))
