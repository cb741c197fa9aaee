"""What every rule is: catalogue metadata (a value) plus a check function per target."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from hullguard.model import RuleId as RuleId  # re-exported: rules name their ids from here
from hullguard.model import Severity

NodePath = tuple[str | int, ...]
"""Keys and indexes from a YAML document's root to one node."""


class Target(StrEnum):
    DOCKERFILE = "dockerfile"
    IMAGE = "image"
    KUBERNETES = "kubernetes"
    COMPOSE = "compose"
    HOST = "host"
    AUDIT_LOG = "audit-log"
    CLUSTER = "cluster"
    """Evaluated over a whole cluster model by `hullguard.cluster`, not per file."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Peers:
    """The same check under the ids of the best-known linters, where one exists."""

    hadolint: str | None = None
    trivy: str | None = None
    checkov: str | None = None
    docker_bench: str | None = None
    kube_bench: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleMeta:
    id: RuleId
    target: Target
    title: str
    severity: Severity
    rationale: str
    remediation: str
    references: tuple[str, ...] = ()
    peers: Peers = Peers()
    pss: tuple[str, str] | None = None
    """(level, upstream check id) for Pod Security Standards controls."""


@dataclass(frozen=True, slots=True)
class Violation:
    """One place a rule fails: a Dockerfile line range or a YAML node path."""

    message: str
    lines: tuple[int, int] | None = None
    node: NodePath | None = None


Subject = TypeVar("Subject")
Check = Callable[[Any], Iterator[Violation]]


@dataclass(frozen=True, slots=True)
class RuleCheck(Generic[Subject]):
    """A check function bound to its rule id; metadata comes from the catalogue at load."""

    id: RuleId
    target: Target
    check: Callable[[Subject], Iterator[Violation]]

    def __call__(self, subject: Subject) -> Iterator[Violation]:
        return self.check(subject)


def _binder(
    target: Target,
) -> Callable[[str], Callable[[Callable[[Any], Iterator[Violation]]], RuleCheck[Any]]]:
    def bind(rule_id: str) -> Callable[[Callable[[Any], Iterator[Violation]]], RuleCheck[Any]]:
        def wrap(fn: Callable[[Any], Iterator[Violation]]) -> RuleCheck[Any]:
            return RuleCheck(RuleId(rule_id), target, fn)

        return wrap

    return bind


dockerfile_rule = _binder(Target.DOCKERFILE)
image_rule = _binder(Target.IMAGE)
kubernetes_rule = _binder(Target.KUBERNETES)
compose_rule = _binder(Target.COMPOSE)


@dataclass(frozen=True, slots=True)
class Rule:
    meta: RuleMeta
    check: RuleCheck[Any]

    def run(self, subject: object) -> Iterator[Violation]:
        return self.check(subject)
