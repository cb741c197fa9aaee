"""Cluster security: a cluster model from manifests, dumps or a live API; RBAC, NetworkPolicy, posture."""
