"""Whole-cluster posture: one report joining workload rules, RBAC, NetworkPolicy and images, ranked."""
