"""Open a cluster: from files (manifests, dumps) or, with a kubeconfig, from a live API server."""

from __future__ import annotations

from pathlib import Path

from hullguard.cluster.load import ClusterInputError, load_path
from hullguard.cluster.model import Cluster


def open_cluster(
    path: Path | None,
    kubeconfig: Path | None = None,
    context: str | None = None,
    kinds: frozenset[str] | None = None,
) -> Cluster:
    if kubeconfig is not None:
        from hullguard.cluster.live import read_live

        return read_live(kubeconfig, context, kinds)
    if path is None:
        raise ClusterInputError("name a PATH of manifests or a dump, or --kubeconfig FILE")
    return load_path(path, kinds)
