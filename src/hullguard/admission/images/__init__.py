"""Image policies at admission: signatures (tags resolved to verified digests), registries, vulnerabilities."""
