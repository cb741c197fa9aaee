"""Kubernetes ValidatingAdmissionPolicy: the objects, matching, and CEL evaluation as the API server does it."""
