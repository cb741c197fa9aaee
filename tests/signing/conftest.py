"""Signing fixtures: the registry helper's real TLS + htpasswd docker-registry, and key pairs."""

from __future__ import annotations

from pathlib import Path

import pytest

from hullguard.signing.keys import generate_key_pair
from tests.registry.conftest import plain_registry, tls_registry  # noqa: F401  (session fixtures, re-exported)

PASSWORD = "s3cret pass"


@pytest.fixture(autouse=True)
def cosign_password(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COSIGN_PASSWORD", PASSWORD)
    return PASSWORD


@pytest.fixture(scope="session")
def key_pairs(tmp_path_factory: pytest.TempPathFactory) -> tuple[tuple[Path, Path], tuple[Path, Path]]:
    """Two cosign key pairs: the signer's, and a stranger's."""
    pairs = []
    for name in ("signer", "stranger"):
        folder = tmp_path_factory.mktemp(name)
        pair = generate_key_pair(PASSWORD.encode())
        (folder / "cosign.key").write_bytes(pair.private_pem)
        (folder / "cosign.pub").write_bytes(pair.public_pem)
        pairs.append((folder / "cosign.key", folder / "cosign.pub"))
    return pairs[0], pairs[1]
