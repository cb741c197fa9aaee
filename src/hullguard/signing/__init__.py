"""cosign-compatible keys, image signatures, attestations and their verification."""
