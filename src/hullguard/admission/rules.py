"""hullguard's Kubernetes configuration rules as an admission policy, on any object with a pod template
(and on every other kind the rules read: Services, Ingresses, RBAC)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from hullguard.admission.decision import Mode, Outcome, Violation
from hullguard.admission.policy import Namespaces
from hullguard.admission.review import Request
from hullguard.errors import UsageError
from hullguard.model import Severity
from hullguard.rules import rules_for
from hullguard.rules.base import Rule, Target
from hullguard.rules.kubernetes import pss
from hullguard.rules.kubernetes.objects import ManifestContext, iter_objects
from hullguard.rules.kubernetes.yamldoc import YamlDoc


def select_rules(ids: tuple[str, ...], min_severity: Severity | None) -> tuple[Rule, ...]:
    """Rules by id, or every non-PSS rule at or above a severity (PSS has its own policy)."""
    rules = rules_for(Target.KUBERNETES)
    if ids:
        known = {r.meta.id: r for r in rules}
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise UsageError(
                f"unknown Kubernetes rule id(s): {', '.join(unknown)} (see `hullguard rules list`)"
            )
        return tuple(known[i] for i in ids)  # type: ignore[index]
    floor = min_severity if min_severity is not None else Severity.UNKNOWN
    return tuple(r for r in rules if r.meta.pss is None and r.meta.severity >= floor)


@dataclass(frozen=True, slots=True, kw_only=True)
class RulesPolicy:
    rules: tuple[Rule, ...]
    mode: Mode = Mode.ENFORCE
    pss_minor: int = pss.NEWEST_MINOR
    name: str = "rules"

    def review(self, request: Request, namespaces: Namespaces) -> Outcome:
        if request.operation not in ("CREATE", "UPDATE") or request.object is None:
            return Outcome()
        raw = dict(request.object)
        if request.namespace and not isinstance(raw.get("metadata"), dict):
            raw["metadata"] = {}
        if request.namespace and "namespace" not in raw["metadata"]:
            raw["metadata"] = {**raw["metadata"], "namespace": request.namespace}
        raw.setdefault("apiVersion", "/".join(p for p in (request.kind.group, request.kind.version) if p))
        raw.setdefault("kind", request.kind.kind)
        doc = YamlDoc(data=raw, spans={}, index=0)
        context = ManifestContext(pss_version=self.pss_minor)
        violations = []
        for o in iter_objects(doc, request.display):
            o = replace(o, context=context)
            for rule in self.rules:
                for v in rule.run(o):
                    violations.append(
                        Violation(
                            policy="rules", check=rule.meta.id, message=v.message, actions=self.mode.actions
                        )
                    )
        return Outcome(violations=tuple(violations))
