"""Each Pod Security Standards control as a rule, evaluated at the scan's policy version."""

from __future__ import annotations

from collections.abc import Iterator

from hullguard.rules.base import RuleCheck, RuleId, Target, Violation
from hullguard.rules.kubernetes.objects import KubeObject
from hullguard.rules.kubernetes.pss import BY_ID, CONTROLS, Control

RULE_IDS: dict[str, RuleId] = {c.id: RuleId(f"HG-PSS-{n:03d}") for n, c in enumerate(CONTROLS, start=1)}


def _control_check(control: Control) -> RuleCheck[KubeObject]:
    def check(obj: KubeObject) -> Iterator[Violation]:
        workload = obj.workload
        fn = control.at(obj.context.pss_version)
        if workload is None or fn is None:
            return
        denial = fn(workload.meta, workload.spec)
        if denial is not None:  # one finding per control, at its first offending field
            where = f"{control.level} control {control.id}, policy v1.{obj.context.pss_version}"
            node = denial.nodes[0] if denial.nodes else ("spec",)
            yield Violation(f"{denial.message} ({where})", node=(*workload.node, *node))

    return RuleCheck(RULE_IDS[control.id], Target.KUBERNETES, check)


def control_of(rule_id: RuleId) -> Control | None:
    return next((BY_ID[cid] for cid, rid in RULE_IDS.items() if rid == rule_id), None)


RULES = tuple(_control_check(c) for c in CONTROLS)
