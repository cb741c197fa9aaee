"""Read a live cluster with the official `kubernetes` client: read-only list calls, paged with `continue`;
a kind we may not list (403) or the server does not serve (404) becomes an issue and the read goes on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hullguard.cluster.load import STAGE, ClusterInputError, build, typed_items
from hullguard.cluster.model import Cluster
from hullguard.model import Issue
from hullguard.rules.kubernetes.objects import KubeObject, iter_objects
from hullguard.rules.kubernetes.yamldoc import YamlDoc

LISTS: tuple[tuple[str, str], ...] = (
    ("Namespace", "/api/v1/namespaces"),
    ("Pod", "/api/v1/pods"),
    ("ServiceAccount", "/api/v1/serviceaccounts"),
    ("Service", "/api/v1/services"),
    ("Deployment", "/apis/apps/v1/deployments"),
    ("StatefulSet", "/apis/apps/v1/statefulsets"),
    ("DaemonSet", "/apis/apps/v1/daemonsets"),
    ("ReplicaSet", "/apis/apps/v1/replicasets"),
    ("Job", "/apis/batch/v1/jobs"),
    ("CronJob", "/apis/batch/v1/cronjobs"),
    ("Role", "/apis/rbac.authorization.k8s.io/v1/roles"),
    ("ClusterRole", "/apis/rbac.authorization.k8s.io/v1/clusterroles"),
    ("RoleBinding", "/apis/rbac.authorization.k8s.io/v1/rolebindings"),
    ("ClusterRoleBinding", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings"),
    ("NetworkPolicy", "/apis/networking.k8s.io/v1/networkpolicies"),
    ("Ingress", "/apis/networking.k8s.io/v1/ingresses"),
    ("AdminNetworkPolicy", "/apis/policy.networking.k8s.io/v1alpha1/adminnetworkpolicies"),
    ("BaselineAdminNetworkPolicy", "/apis/policy.networking.k8s.io/v1alpha1/baselineadminnetworkpolicies"),
    ("Route", "/apis/route.openshift.io/v1/routes"),
)
PAGE = 500


class ApiError(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


MAX_PAGES = 10_000


def read_live(kubeconfig: Path, context: str | None, kinds: frozenset[str] | None = None) -> Cluster:
    """The cluster's objects of `kinds` (None: every kind analysed), listed read-only."""
    from kubernetes import config
    from kubernetes.client.exceptions import ApiException
    from kubernetes.config.config_exception import ConfigException
    from urllib3.exceptions import HTTPError

    try:
        api = config.new_client_from_config(config_file=str(kubeconfig), context=context)  # type: ignore[no-untyped-call]
    except (ConfigException, OSError, ValueError) as e:
        raise ClusterInputError(f"{kubeconfig}: cannot use this kubeconfig: {e}") from e
    objects: list[KubeObject] = []
    issues: list[Issue] = []
    for kind, path in LISTS:
        if kinds is not None and kind not in kinds:
            continue
        try:
            for page in _pages(api, path):
                objects.extend(iter_objects(typed_items(YamlDoc(page, {}, 0)), f"{path}"))
        except (ApiException, ApiError) as e:
            why = {403: "forbidden (no list permission)", 404: "not served by this cluster"}.get(
                e.status, f"HTTP {e.status}"
            )
            issues.append(
                Issue(
                    stage=STAGE, path=path, message=f"cannot list {kind}: {why}; analysis goes on without it"
                )
            )
        except (OSError, ValueError, HTTPError) as e:  # refused, TLS, timeouts (urllib3 wraps them)
            raise ClusterInputError(f"{api.configuration.host}: cannot read the API server: {e}") from e
    if not objects:
        detail = "; ".join(i.message for i in issues[:3])
        raise ClusterInputError(f"{api.configuration.host}: nothing could be listed ({detail})")
    return build(objects, issues, f"{api.configuration.host}{f' (context {context})' if context else ''}")


def _pages(api: Any, path: str) -> Any:
    token = ""
    for _ in range(MAX_PAGES):
        query = [("limit", PAGE), *([("continue", token)] if token else [])]
        request = api.param_serialize(
            "GET",
            path,
            query_params=query,
            header_params={"Accept": "application/json"},
            auth_settings=["BearerToken"],
        )
        response = api.call_api(*request)
        body = response.read()
        if response.status >= 400:
            raise ApiError(response.status)
        page = json.loads(body)
        yield page
        token = (page.get("metadata") or {}).get("continue") or ""
        if not token:
            return
