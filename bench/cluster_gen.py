"""Write a synthetic `kubectl get -A -o json` dump: 5,000 pods, 500 NetworkPolicies, 2,000 RBAC objects.

python bench/cluster_gen.py OUT.json [--pods 5000 --policies 500 --rbac 2000]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path


def generate(pods: int, policies: int, rbac: int, seed: int = 7) -> dict[str, object]:
    rng = random.Random(seed)
    namespaces = [f"team-{n:02d}" for n in range(50)]
    items: list[dict[str, object]] = [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": ns, "labels": {"tier": rng.choice(["web", "data", "ops"])}},
        }
        for ns in namespaces
    ]
    owners = max(1, pods // 10)
    for n in range(owners):
        ns = namespaces[n % len(namespaces)]
        app = f"app-{n}"
        items.append(
            {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": f"sa-{n}", "namespace": ns}}
        )
        for r in range(pods // owners):
            items.append({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": f"{app}-7d9f-{r}", "namespace": ns, "labels": {"app": app, "role": rng.choice(["api", "db", "cache"])},
                             "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": f"{app}-7d9f", "controller": True}]},
                "spec": {"serviceAccountName": f"sa-{n}", "containers": [{"name": "main", "image": f"registry.example/{app}:1.{r % 3}",
                         "ports": [{"name": "http", "containerPort": 8080}], "securityContext": {"privileged": n % 97 == 0}}]},
                "status": {"hostIP": "10.0.0.1", "podIPs": [{"ip": f"10.{n // 250}.{n % 250}.{r}"}]},
            })  # fmt: skip
    for n in range(policies):
        ns = namespaces[n % len(namespaces)]
        items.append({
            "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": f"np-{n}", "namespace": ns},
            "spec": {"podSelector": {"matchLabels": {"app": f"app-{rng.randrange(owners)}"}} if n % 10 else {},
                     "policyTypes": ["Ingress", "Egress"],
                     "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"tier": "web"}}, "podSelector": {"matchLabels": {"role": "api"}}},
                                           {"ipBlock": {"cidr": f"172.{n % 32}.0.0/16", "except": [f"172.{n % 32}.1.0/24"]}}],
                                  "ports": [{"port": "http"}, {"port": 9000, "endPort": 9100}]}] if n % 10 else [],
                     "egress": [{"to": [{"podSelector": {"matchLabels": {"role": "db"}}}], "ports": [{"port": 5432}]}]},
        })  # fmt: skip
    for n in range(rbac // 4):
        ns = namespaces[n % len(namespaces)]
        verbs = rng.choice([["get", "list"], ["create"], ["*"], ["get"]])
        resources = rng.choice([["pods"], ["secrets"], ["deployments"], ["pods/exec"], ["configmaps"]])
        items += [
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": f"role-{n}", "namespace": ns},
             "rules": [{"apiGroups": ["", "apps"], "resources": resources, "verbs": verbs}]},
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": f"rb-{n}", "namespace": ns},
             "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": f"role-{n}"},
             "subjects": [{"kind": "ServiceAccount", "name": f"sa-{rng.randrange(owners)}", "namespace": ns}, {"kind": "User", "name": f"user-{n % 40}"}]},
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": f"crole-{n}"},
             "rules": [{"apiGroups": [""], "resources": rng.choice([["nodes"], ["namespaces"], ["secrets"]]), "verbs": ["get", "list"]}]},
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": f"crb-{n}"},
             "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": f"crole-{n}" if n % 100 else "cluster-admin"},
             "subjects": [{"kind": "Group", "name": f"group-{n % 20}"}]},
        ]  # fmt: skip
    items.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "cluster-admin"},
                  "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]})  # fmt: skip
    return {"apiVersion": "v1", "kind": "List", "items": items}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--pods", type=int, default=5000)
    parser.add_argument("--policies", type=int, default=500)
    parser.add_argument("--rbac", type=int, default=2000)
    args = parser.parse_args()
    args.out.write_text(json.dumps(generate(args.pods, args.policies, args.rbac)))


if __name__ == "__main__":
    main()
