"""`config --fix` pins Dockerfile FROM lines to digests, against a real docker-registry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hullguard.cli.main import main
from hullguard.registry import RegistryClient, parse_reference
from tests.registry.conftest import LiveRegistry


def test_fix_pins_from_to_the_registry_digest(
    plain_registry: LiveRegistry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = parse_reference(plain_registry.demo_ref)
    with RegistryClient.for_reference(ref, plain_registry.options) as client:
        digest = client.resolve(ref)
    dockerfile = tmp_path / "Dockerfile"
    original = (
        f"# build\nFROM {plain_registry.demo_ref} AS base\nRUN true\n"
        "FROM base AS again\nFROM scratch\nCOPY --from=again /etc/os-release /\n"
    )
    dockerfile.write_text(original)

    assert main(["config", str(tmp_path), "--fix", "--format", "json"]) == 0
    err = capsys.readouterr().err
    assert f"pinned to {digest}" in err
    assert (tmp_path / "Dockerfile.orig").read_text() == original
    pinned = dockerfile.read_text()
    assert f"FROM {plain_registry.demo_ref}@{digest} AS base\n" in pinned
    assert "FROM base AS again\nFROM scratch\n" in pinned  # stage references and scratch untouched

    # Pinned now: the digest rule is satisfied, and a second --fix changes nothing.
    assert main(["config", str(tmp_path), "--fix", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert "HG-DF-005" not in {f["id"] for f in report["findings"]}
    assert dockerfile.read_text() == pinned


def test_unreachable_registry_leaves_the_line_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.support.servers import free_port

    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(f"FROM 127.0.0.1:{free_port()}/nothing/here:1.0\n")
    assert main(["config", str(tmp_path), "--fix", "--format", "json"]) == 0
    assert "not pinned" in capsys.readouterr().err
    assert not (tmp_path / "Dockerfile.orig").exists()
