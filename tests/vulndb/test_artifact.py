"""`db push` / `db update --from` / `db status` against a real docker-registry (distribution 2.8):
the artifact's media types and annotations, digest verification, refusal of other artifacts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from hullguard.cli.main import main
from hullguard.registry import RegistryClient, RegistryOptions, parse_reference
from hullguard.vulndb.artifact import ARTIFACT_TYPE, LAYER_TYPE
from hullguard.vulndb.bundled import bundled_dir
from tests.conftest import require
from tests.support import servers

pytestmark = pytest.mark.integration


@pytest.fixture
def registry() -> Iterator[servers.RegistryServer]:
    missing = servers.missing_registry_tools()
    require(not missing, f"registry test tools missing: {', '.join(missing)} (run scripts/setup)")
    with servers.run_registry() as server:
        yield server


@pytest.fixture
def published(tmp_path: Path, registry: servers.RegistryServer, capsys: pytest.CaptureFixture[str]) -> str:
    here = tmp_path / "here"
    assert main(["db", "import", str(bundled_dir()), "--cache-dir", str(here), "-q"]) == 0
    ref = f"{registry.host}/mirror/hullguard-db:1"
    assert main(["db", "push", ref, "--cache-dir", str(here), "--insecure"]) == 0
    assert "published as" in capsys.readouterr().err
    return ref


def _manifest(ref: str) -> tuple[RegistryClient, dict]:  # type: ignore[type-arg]
    parsed = parse_reference(ref)
    client = RegistryClient.for_reference(parsed, RegistryOptions(insecure=True))
    return client, json.loads(client.get_manifest(parsed).raw)


def test_push_publishes_an_artifact_of_its_own_type_with_annotations(published: str) -> None:
    client, doc = _manifest(published)
    client.close()
    assert (
        doc["artifactType"] == ARTIFACT_TYPE
        and doc["config"]["mediaType"] == "application/vnd.oci.empty.v1+json"
    )
    [layer] = doc["layers"]
    assert layer["mediaType"] == LAYER_TYPE and layer["digest"].startswith("sha256:")
    notes = doc["annotations"]
    assert notes["org.opencontainers.image.created"].endswith("Z")
    sources = json.loads(notes["dev.hullguard.vulndb.sources"])
    assert any(s.endswith("advisories") for s in sources)


def test_update_from_pulls_it_and_status_says_where_from(
    tmp_path: Path, published: str, capsys: pytest.CaptureFixture[str]
) -> None:
    there = tmp_path / "there"
    assert main(["db", "update", "--from", published, "--cache-dir", str(there), "--insecure"]) == 0
    capsys.readouterr()
    assert main(["db", "status", "--cache-dir", str(there)]) == 0
    out = capsys.readouterr().out
    assert f"origin: pulled from {published}@sha256:" in out
    assert "built: " in out and "today" in out
    assert "advisories: 28" in out  # the bundled set, now here
    # The database it was pushed from was imported here:
    assert main(["db", "status", "--cache-dir", str(tmp_path / "here")]) == 0
    assert "origin: imported here from 1 source, listed below" in capsys.readouterr().out


def test_a_tampered_layer_is_refused_and_the_old_database_kept(
    tmp_path: Path, registry: servers.RegistryServer, published: str, capsys: pytest.CaptureFixture[str]
) -> None:
    client, doc = _manifest(published)
    client.close()
    hexdigest = doc["layers"][0]["digest"].split(":")[1]
    [blob] = (registry.root / "data").rglob(f"blobs/sha256/{hexdigest[:2]}/{hexdigest}/data")
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0xFF
    blob.write_bytes(bytes(data))
    there = tmp_path / "there"
    assert main(["db", "import", str(bundled_dir() / "npm"), "--cache-dir", str(there), "-q"]) == 0
    before = (there / "vulndb.sqlite").read_bytes()
    code = main(["db", "update", "--from", published, "--cache-dir", str(there), "--insecure"])
    err = capsys.readouterr().err
    assert code == 2 and ("digest mismatch" in err or "not valid gzip" in err), err
    assert (there / "vulndb.sqlite").read_bytes() == before
    assert [p.name for p in there.iterdir()] == ["vulndb.sqlite"]  # no temp file left


def test_another_artifact_is_refused_with_a_clear_message(
    tmp_path: Path, registry: servers.RegistryServer, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = parse_reference(f"{registry.host}/other/thing:1")
    with RegistryClient.for_reference(ref, RegistryOptions(insecure=True)) as client:
        empty = client.push_blob(ref.repository, b"{}")
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "artifactType": "application/vnd.example.other",
            "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": empty, "size": 2},
            "layers": [{"mediaType": "application/vnd.oci.empty.v1+json", "digest": empty, "size": 2}],
        }
        client.put_manifest(ref.repository, "1", json.dumps(manifest).encode(), manifest["mediaType"])
    code = main(["db", "update", "--from", str(ref), "--cache-dir", str(tmp_path), "--insecure"])
    err = capsys.readouterr().err
    assert code == 2 and "not a hullguard vulnerability database" in err


def test_push_needs_a_tag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "import", str(bundled_dir()), "--cache-dir", str(tmp_path), "-q"]) == 0
    code = main(["db", "push", "127.0.0.1:1/x@sha256:" + "0" * 64, "--cache-dir", str(tmp_path)])
    assert code == 2 and "needs a tag" in capsys.readouterr().err


def test_push_and_pull_with_tls_and_credentials(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The usual registry options: --ca-cert, --username, --password (htpasswd over TLS)."""
    missing = servers.missing_registry_tools()
    require(not missing, f"registry test tools missing: {', '.join(missing)} (run scripts/setup)")
    with servers.run_registry(tls=True, htpasswd=True) as server:
        assert server.ca_cert is not None
        auth = ["--ca-cert", str(server.ca_cert), "--username", servers.USER, "--password", servers.PASSWORD]
        here, there = tmp_path / "here", tmp_path / "there"
        assert main(["db", "import", str(bundled_dir()), "--cache-dir", str(here), "-q"]) == 0
        ref = f"{server.host}/sec/db:latest"
        assert main(["db", "push", ref, "--cache-dir", str(here), "-q", *auth]) == 0
        code = main(
            ["db", "update", "--from", ref, "--cache-dir", str(there), "-q", "--ca-cert", str(server.ca_cert)]
        )
        err = capsys.readouterr().err
        assert code == 2 and "Traceback" not in err, err  # no credentials: refused
        assert "requires a user name and password" in err
        assert main(["db", "update", "--from", ref, "--cache-dir", str(there), "-q", *auth]) == 0
        assert capsys.readouterr().err == ""
        assert main(["db", "status", "--cache-dir", str(there)]) == 0
        assert f"origin: pulled from {ref}@sha256:" in capsys.readouterr().out
