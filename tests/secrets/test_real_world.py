"""Precision on real files: the demo image and the shared corpus of real manifests and Dockerfiles."""

from __future__ import annotations

from pathlib import Path

import pytest

from hullguard.model import Secret
from hullguard.pipeline import FsTarget, ImageTarget, ScanOptions, scan
from tests.support.images import BuiltImage

SECRETS = ScanOptions(scanners=frozenset({"secret"}))


@pytest.mark.integration
def test_bookworm_demo_image_has_no_secrets(demo_image: BuiltImage, tmp_path: Path) -> None:
    """A real Debian root, pinned PyPI wheels and npm packages, every layer: nothing to report."""
    options = ScanOptions(scanners=frozenset({"secret"}), cache_dir=tmp_path)
    report = scan(ImageTarget(ref=str(demo_image.archive)), options)
    assert [f for f in report.findings if isinstance(f, Secret)] == []


@pytest.mark.conformance
def test_shared_corpus_findings_are_the_two_real_credentials(shared_dir: Path) -> None:
    """402 real manifests and Dockerfiles: only the example Secrets that really hold credentials."""
    report = scan(FsTarget(path=shared_dir / "corpus"), SECRETS)
    found = {(f.location.path, f.id) for f in report.findings if isinstance(f, Secret)}
    assert found == {
        ("kubernetes/_archived/volumes/azure_file/secret/azure-secret.yaml", "azure-storage-account-key"),
        ("kubernetes/_archived/volumes/scaleio/secret.yaml", "generic-config-secret"),
    }
