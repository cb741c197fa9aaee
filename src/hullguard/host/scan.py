"""`scan_host(options)`: every selected benchmark's controls over one host tree -> findings, issues."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hullguard.host.auditrules import load_rules
from hullguard.host.catalogue import Benchmark, Control, controls
from hullguard.host.checks import Context, NotChecked, run_control
from hullguard.host.components import Discovery
from hullguard.host.tree import HostTree
from hullguard.host.users import read_accounts
from hullguard.model import Issue, Misconfiguration

SELECTIONS: dict[str, tuple[Benchmark, ...]] = {
    "cis-docker": (Benchmark.CIS_DOCKER,),
    "cis-kubernetes-node": (Benchmark.CIS_KUBERNETES,),
    "host-hardening": (Benchmark.HOST,),
    "all": (Benchmark.CIS_DOCKER, Benchmark.CIS_KUBERNETES, Benchmark.HOST),
}
COMPONENT_OF = {Benchmark.CIS_DOCKER: "docker", Benchmark.CIS_KUBERNETES: "kubelet"}


@dataclass(frozen=True, slots=True, kw_only=True)
class HostOptions:
    root: Path = Path("/")
    benchmark: str = "all"
    only: frozenset[str] | None = None
    """Run just these control ids (e.g. the API server's audit controls for `audit-log`)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HostResult:
    findings: tuple[Misconfiguration, ...]
    issues: tuple[Issue, ...]
    checked: tuple[Control, ...]
    """Controls that were evaluated (automated ones whose checks ran)."""


def scan_host(options: HostOptions) -> HostResult:
    tree = HostTree(options.root)
    discovery = Discovery(tree)
    audit, audit_problems = load_rules(tree)
    ctx = Context(discovery=discovery, accounts=read_accounts(tree), audit=audit)
    findings: list[Misconfiguration] = []
    issues: list[Issue] = [Issue(stage="host", path=p, message=m) for p, m in audit_problems]
    checked: list[Control] = []
    for benchmark in SELECTIONS[options.benchmark]:
        component = COMPONENT_OF.get(benchmark)
        if (
            component
            and options.benchmark != "all"
            and options.only is None
            and discovery.settings(component) is None
            and not _control_plane(discovery)
        ):
            issues.append(
                Issue(
                    stage="host",
                    path=str(options.root),
                    message=f"{benchmark}: no {component} found on this host",
                )
            )
        for control in controls(benchmark):
            if options.only is not None and control.id not in options.only:
                continue
            if not control.checks or not _applies(control, discovery):
                continue
            checked.append(control)
            for outcome in run_control(control, ctx):
                if isinstance(outcome, NotChecked):
                    issues.append(Issue(stage="host", path=outcome.path, message=outcome.message))
                else:
                    findings.append(outcome)
    issues.extend(Issue(stage="host", path=p, message=m) for p, m in discovery.problems)
    return HostResult(findings=tuple(findings), issues=tuple(_unique(issues)), checked=tuple(checked))


def _applies(control: Control, discovery: Discovery) -> bool:
    """A control is about a component; on a host without it there is nothing to check."""
    if any("container" in spec or "daemon" in spec for spec in control.checks):
        return False  # section 5: the running containers, checked by `--containers`
    if control.benchmark is Benchmark.CIS_DOCKER:
        return discovery.settings("docker") is not None
    if control.node == "worker":
        return discovery.settings("kubelet") is not None
    if control.node == "etcd":
        return discovery.settings("etcd") is not None
    if control.node == "controlplane":
        return _control_plane(discovery)
    return control.node != "policies"


def _control_plane(discovery: Discovery) -> bool:
    return any(
        discovery.settings(c) is not None
        for c in ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd")
    )


def _unique(issues: list[Issue]) -> list[Issue]:
    return list(dict.fromkeys(issues))
