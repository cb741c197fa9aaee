"""Misconfiguration rules: the registry of rule modules, joined with the catalogue at load."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from types import ModuleType

from hullguard.rules.base import Rule, RuleCheck, RuleId, Target, Violation
from hullguard.rules.catalogue import CatalogueError, catalogue
from hullguard.rules.compose import services
from hullguard.rules.dockerfile import (
    base_image,
    commands,
    instructions,
    packages,
    pinning,
    secrets,
    structure,
    user,
)
from hullguard.rules.image import config
from hullguard.rules.kubernetes import containers, network, pod, pss_rules, rbac

MODULES: tuple[ModuleType, ...] = (
    user,
    base_image,
    instructions,
    packages,
    pinning,
    commands,
    structure,
    secrets,
    config,
    pss_rules,
    containers,
    pod,
    rbac,
    network,
    services,
)


def checks_of(modules: tuple[ModuleType, ...]) -> tuple[RuleCheck[object], ...]:
    return tuple(check for module in modules for check in module.RULES)


@functools.cache
def load_rules() -> tuple[Rule, ...]:
    """Every rule, in id order. Duplicate ids, or a check without catalogue entry, fail here."""
    meta = catalogue()
    rules: dict[RuleId, Rule] = {}
    for check in checks_of(MODULES):
        if check.id in rules:
            raise CatalogueError(f"rule {check.id} has two check functions")
        if check.id not in meta:
            raise CatalogueError(f"rule {check.id} has no entry in data/rules.yaml")
        if meta[check.id].target is not check.target:
            raise CatalogueError(
                f"rule {check.id}: catalogue target {meta[check.id].target} != {check.target}"
            )
        rules[check.id] = Rule(meta[check.id], check)
    missing = sorted(k for k in set(meta) - set(rules) if meta[k].target is not Target.CLUSTER)
    if missing:
        raise CatalogueError(f"catalogue entries without a check: {', '.join(missing)}")
    return tuple(rules[k] for k in sorted(rules))


@functools.cache
def cluster_rules() -> tuple[Rule, ...]:
    """Catalogue entries of target cluster. They are checked over a whole cluster model by
    `hullguard.cluster` (which imports this package, so it cannot be registered here); their
    pass/fail fixtures live in tests/cluster/rules/."""
    meta = catalogue()
    return tuple(
        Rule(meta[k], RuleCheck(k, Target.CLUSTER, _whole_cluster))
        for k in sorted(meta)
        if meta[k].target is Target.CLUSTER
    )


def listed_rules() -> tuple[Rule, ...]:
    """Every rule `hullguard rules list` shows, in id order."""
    return tuple(sorted((*load_rules(), *cluster_rules()), key=lambda r: r.meta.id))


def _whole_cluster(_subject: object) -> Iterator[Violation]:
    return iter(())


def rules_for(target: Target) -> tuple[Rule, ...]:
    return tuple(r for r in load_rules() if r.meta.target is target)
