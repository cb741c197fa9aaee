"""OCI/Docker wire formats: manifests, indexes, platforms, blobs and their verification.

Below both `sources/` (which opens images) and `registry/` (which fetches them): it imports
neither."""
