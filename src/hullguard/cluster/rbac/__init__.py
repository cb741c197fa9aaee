"""RBAC: roles and bindings as values, who-can, risky grants and escalation paths."""
