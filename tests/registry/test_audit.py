"""`hullguard registry audit` against real registries: plain HTTP anonymous, TLS + htpasswd, and more."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from hullguard.cli.main import main
from hullguard.oci.manifest import OCI_MANIFEST
from hullguard.registry import RegistryClient, RegistryError, RegistryOptions, parse_reference
from hullguard.registry.audit import CHECKS, AuditOptions, audit_registry
from hullguard.signing import keys, remote
from tests.conftest import require
from tests.registry.conftest import LiveRegistry
from tests.support import servers
from tests.support.images import BuiltImage

pytestmark = pytest.mark.integration


def _audit_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    code = main(["registry", "audit", *argv, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def _ids(report: dict[str, object]) -> set[str]:
    return {f["id"] for f in report["findings"]}  # type: ignore[attr-defined]


def test_plain_anonymous_registry(plain_registry: LiveRegistry, capsys: pytest.CaptureFixture[str]) -> None:
    host = plain_registry.server.host
    code, report = _audit_json([host], capsys)
    assert code == 0
    assert _ids(report) == {"HG-REG-001", "HG-REG-006", "HG-REG-007"}
    assert report["issues"] == []
    pull = next(f for f in report["findings"] if f["id"] == "HG-REG-006")  # type: ignore[attr-defined]
    assert pull["message"].endswith("can be read without credentials")  # a repository from the catalog
    code, report = _audit_json([f"http://{host}", "--active", "--exit-code", "4"], capsys)
    assert code == 4
    assert _ids(report) == {"HG-REG-001", "HG-REG-006", "HG-REG-007", "HG-REG-008"}
    # The push probe left nothing behind.
    with RegistryClient(host, plain_registry.options) as client:
        assert not [r for r in client.catalog() if r.startswith("hullguard-audit")]


def test_tls_registry_with_auth(tls_registry: LiveRegistry, capsys: pytest.CaptureFixture[str]) -> None:
    host = tls_registry.server.host
    creds = ["--username", servers.USER, "--password", servers.PASSWORD]
    # Without the CA: untrusted, and the 10-day test certificate is inside the 30-day warning.
    code, report = _audit_json([host, *creds, "--active"], capsys)
    assert _ids(report) == {"HG-REG-002", "HG-REG-003"}
    untrusted = next(f for f in report["findings"] if f["id"] == "HG-REG-002")  # type: ignore[attr-defined]
    assert "self-signed certificate" in untrusted["message"]
    assert [i["message"].split(":")[0] for i in report["issues"]] == [  # type: ignore[attr-defined]
        "credentials not sent",  # to an endpoint whose certificate does not verify
        "anonymous pull not tested",
    ]
    # --insecure says "send them anyway": the catalog is read and anonymous pull is refused.
    code, report = _audit_json([host, *creds, "--insecure"], capsys)
    assert (_ids(report), report["issues"]) == ({"HG-REG-002", "HG-REG-003"}, [])
    # With the CA and a shorter warning window: nothing to report; anonymous access is refused.
    ca = ["--ca-cert", str(tls_registry.server.ca_cert)]
    code, report = _audit_json([f"https://{host}", *creds, *ca, "--active", "--cert-warn-days", "5"], capsys)
    assert (code, _ids(report), report["issues"]) == (0, set(), [])


def test_tls_without_credentials_cannot_test_pull(
    tls_registry: LiveRegistry,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    code, report = _audit_json(
        [tls_registry.server.host, "--ca-cert", str(tls_registry.server.ca_cert)], capsys
    )
    assert code == 0
    assert _ids(report) == {"HG-REG-003"}
    assert [i["message"] for i in report["issues"]] == [  # type: ignore[attr-defined]
        "anonymous pull not tested: no repository known (the catalog is empty, "
        "or give credentials that can list it)"
    ]


def test_basic_auth_over_plain_http() -> None:
    missing = servers.missing_registry_tools()
    require(not missing, f"registry test tools missing: {', '.join(missing)}")
    with servers.run_registry(htpasswd=True) as server:
        options = RegistryOptions(insecure=True, username=servers.USER, password=servers.PASSWORD)
        result = audit_registry(server.host, options, AuditOptions(active=True))
    assert {f.id for f in result.findings} == {"HG-REG-001", "HG-REG-005"}
    assert "basic auth over plain HTTP" in next(f.message for f in result.findings if f.id == "HG-REG-005")


def test_certificate_expiry_uses_the_injected_clock(tls_registry: LiveRegistry) -> None:
    later = datetime.now().astimezone() + timedelta(days=11)
    options = RegistryOptions(ca_cert=tls_registry.server.ca_cert)
    result = audit_registry(tls_registry.server.host, options, AuditOptions(now=lambda: later))
    assert "HG-REG-004" in {f.id for f in result.findings}


def test_bad_input_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["registry", "audit", "https://"]) == 2
    assert "expected a registry URL" in capsys.readouterr().err
    assert main(["registry", "audit", f"127.0.0.1:{servers.free_port()}"]) == 2
    assert "cannot connect" in capsys.readouterr().err
    assert main(["registry", "audit", "127.0.0.1:1", "--format", "nope"]) == 2


def test_checks_have_unique_ids_and_text() -> None:
    assert len(CHECKS) == 9
    assert all(c.title and c.remediation and c.id.startswith("HG-REG-") for c in CHECKS.values())


def test_key_reports_unsigned_tags(
    demo_image: BuiltImage, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with servers.run_registry() as server:
        ref = servers.push(server, demo_image.oci_ref, "team/signed")
        options = RegistryOptions(insecure=True)
        with RegistryClient(server.host, options) as client:
            config = client.push_blob("team/unsigned", b"{}")
            manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "layers": [],
                        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": config, "size": 2}}  # fmt: skip
            client.put_manifest("team/unsigned", "v1", json.dumps(manifest).encode(), OCI_MANIFEST)
        pair = keys.generate_key_pair(b"pw")
        public = tmp_path / "cosign.pub"
        public.write_bytes(pair.public_pem)
        with remote.open_target(ref, options) as target:
            remote.sign_image(target, keys.load_private_key(pair.private_pem, b"pw", "test key"), {})
        assert (
            main(["registry", "audit", server.host, "--insecure", "--key", str(public), "--format", "json"])
            == 0
        )
        report = json.loads(capsys.readouterr().out)
    unsigned = [f for f in report["findings"] if f["id"] == "HG-REG-009"]
    # team/signed's tag is signed; its cosign `sha256-<hex>.sig` tag is not an image to check.
    assert [f["location"]["path"] for f in unsigned] == [f"{parse_reference(ref).registry}/team/unsigned"]
    assert "1 of 1 tags of team/unsigned" in unsigned[0]["message"]
    assert report["issues"] == []


def test_expired_certificate(tmp_path: Path) -> None:
    require(not servers.missing_registry_tools(), "registry test tools missing (run scripts/setup)")
    cert, key = servers.make_expired_certificate(tmp_path / "certs")
    with servers.run_registry(tls=True, certificate=(cert, key)) as server:
        options = RegistryOptions(ca_cert=cert)
        result = audit_registry(server.host, options, AuditOptions())
        with RegistryClient(server.host, options) as client, pytest.raises(RegistryError) as caught:
            client.ping()
    expired = [f for f in result.findings if f.id == "HG-REG-004"]
    assert len(expired) == 1 and "certificate has expired" in expired[0].message
    assert "HG-REG-002" not in {f.id for f in result.findings}  # expired, not also "untrusted"
    assert "not trusted (certificate has expired)" in str(caught.value)
