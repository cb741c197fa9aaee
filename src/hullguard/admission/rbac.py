"""The RBAC objects CEL's `authorizer` checks against: `--rbac FILE...` (manifests, folders,
`kubectl get ... -o yaml` Lists) and, with `--kubeconfig`, the live cluster's, read through the
same reader as `hullguard k8s`. What could not be used becomes a warning for start-up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hullguard.admission.files import ConfigError
from hullguard.admission.vap.authz import NO_DATA, RbacAuthorizer
from hullguard.cluster.load import ClusterInputError, build, load_path
from hullguard.cluster.rbac.model import parse_rbac
from hullguard.model import Issue
from hullguard.rules.kubernetes.objects import KubeObject

RBAC_KINDS = frozenset({"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"})


@dataclass(frozen=True, slots=True, kw_only=True)
class RbacInput:
    files: tuple[Path, ...] = ()
    kubeconfig: Path | None = None
    context: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadedRbac:
    authorizer: RbacAuthorizer
    warnings: tuple[str, ...] = ()


def _issue(issue: Issue) -> str:
    return f"{issue.path}: {issue.message}" if issue.path else issue.message


def _from_file(path: Path) -> tuple[list[KubeObject], list[Issue]]:
    try:
        cluster = load_path(path, RBAC_KINDS)
    except ClusterInputError as e:
        raise ConfigError(f"--rbac {e.diagnostics()}") from e
    found = [o for o in cluster.objects if o.kind in RBAC_KINDS]
    if not found:
        raise ConfigError(f"--rbac {path}: no Role, ClusterRole, RoleBinding or ClusterRoleBinding in it")
    return found, list(cluster.issues)


def load_rbac(given: RbacInput, needed: bool) -> LoadedRbac:
    """The authorizer's RBAC data. `needed`: some policy reads `authorizer`; only then is a live
    cluster asked (the webhook needs no RBAC read permission otherwise), and no data is warned of."""
    objects: list[KubeObject] = []
    issues: list[Issue] = []
    warnings: list[str] = []
    for path in given.files:
        found, notes = _from_file(path)
        objects += found
        issues += notes
    live = given.kubeconfig is not None and needed
    if live and given.kubeconfig is not None:
        from hullguard.cluster.live import read_live

        try:
            cluster = read_live(given.kubeconfig, given.context, RBAC_KINDS)
            objects += cluster.objects
            issues += cluster.issues
        except ClusterInputError as e:
            warnings.append(f"RBAC objects not read from the cluster: {e.diagnostics()}")
            live = False
    if not given.files and not live:
        return LoadedRbac(
            authorizer=RbacAuthorizer(rbac=None), warnings=(*warnings, NO_DATA) if needed else ()
        )
    cluster = build(objects, issues, "rbac")
    rbac = parse_rbac(cluster)
    warnings += [_issue(i) for i in (*cluster.issues, *rbac.issues)]
    return LoadedRbac(authorizer=RbacAuthorizer(rbac=rbac), warnings=tuple(warnings))
