"""Kubernetes audit logs: typed events, Falco-style `ka.*` fields, native rules as data."""
