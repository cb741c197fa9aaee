"""The secret scanner on a project tree: every credential-file kind, skips, config, baseline, redaction."""

from __future__ import annotations

import argparse
import base64
import datetime
import io
import json
import random
from dataclasses import replace
from pathlib import Path

import pytest

from hullguard.cli.main import main
from hullguard.cli.secret_options import byte_size
from hullguard.model import Secret
from hullguard.pipeline import FsTarget, ScanOptions, scan
from hullguard.report import formats, writer_for
from tests.support.fake_secrets import basic_auth, expand, github_token, jwt

RNG = random.Random(5)
GH = github_token("ghp", RNG)
NPM = github_token("npm", RNG)
PASSWORD = expand("<<alnum:18>>", RNG)
AWS_ID = expand("AKIA<<b32:16>>", RNG)
AWS_SECRET = expand("<<b64:40>>", RNG)
SLACK = expand("https://hooks.slack.com/services/T<<upperalnum:10>>/B<<upperalnum:10>>/<<alnum:24>>", RNG)
TOKEN = jwt(RNG)
KEY_BODY = "\n".join(expand("<<b64:64>>", RNG) for _ in range(6))
SECRET_OPTIONS = ScanOptions(scanners=frozenset({"secret"}))

FILES: dict[str, str] = {
    "Dockerfile": f"FROM debian:12\nARG GITHUB_TOKEN={GH}\nENV DB_PASSWORD={PASSWORD}\nRUN make\n",
    "deploy/secret.yaml": (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ntype: Opaque\ndata:\n"
        f"  slack: {base64.b64encode(SLACK.encode()).decode()}\n"
        f"  .dockerconfigjson: {base64.b64encode(json.dumps({'auths': {'r.io': {'auth': basic_auth(RNG)}}}).encode()).decode()}\n"
    ),
    "deploy/pod.yaml": (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: app\n    image: app\n"
        f"    env:\n    - name: STRIPE_KEY\n      value: {expand('sk_live_<<alnum:24>>', RNG)}\n"
        f'    - name: SESSION_SECRET\n      value: "{expand("<<alnum:32>>", RNG)}"\n'
    ),
    "deploy/configmap.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n"
        f"  application.properties: |\n    spring.datasource.password={PASSWORD}\n"
    ),
    "home/.docker/config.json": json.dumps({"auths": {"registry.example.org": {"auth": basic_auth(RNG)}}}),
    "home/.npmrc": f"//registry.npmjs.org/:_authToken={NPM}\n",
    "home/.pypirc": f"[pypi]\nusername = __token__\npassword = {expand('pypi-AgEIcHlwaS5vcmc<<b64url:80>>', RNG)}\n",
    "home/.netrc": f"machine api.internal.net login ci password {expand('<<alnum:20>>', RNG)}\n",
    "home/.git-credentials": f"https://ci:{GH}@git.internal.net\n",
    "home/.kube/config": (
        "apiVersion: v1\nkind: Config\ncurrent-context: prod\nusers:\n- name: ci\n  user:\n"
        f"    token: {TOKEN}\n"
    ),
    "home/.aws/credentials": f"[default]\naws_access_key_id = {AWS_ID}\naws_secret_access_key = {AWS_SECRET}\n",
    "home/.config/gcloud/application_default_credentials.json": json.dumps(
        {
            "client_id": "764086051850-6qr4p6gpi6hn506pt8ejuq83di341hur.apps.googleusercontent.com",
            "client_secret": "d-FL95Q19q7MQmFpd7hHD0Ty",
            "refresh_token": expand("1//0<<b64url:99>>", RNG),
            "type": "authorized_user",
        },
        indent=2,
    ),
    "home/.ssh/id_rsa": f"-----BEGIN RSA PRIVATE KEY-----\n{KEY_BODY}\n-----END RSA PRIVATE KEY-----\n",
}
EXPECTED = {
    ("Dockerfile", 2, "github-pat"),
    ("Dockerfile", 3, "generic-env-secret"),
    ("deploy/secret.yaml", 7, "slack-webhook-url"),
    ("deploy/secret.yaml", 8, "docker-config-auth"),
    ("deploy/pod.yaml", 11, "stripe-secret-key"),
    ("deploy/pod.yaml", 13, "generic-env-secret"),
    ("deploy/configmap.yaml", 7, "generic-config-secret"),
    ("home/.docker/config.json", 1, "docker-config-auth"),
    ("home/.npmrc", 1, "npm-access-token"),
    ("home/.pypirc", 3, "pypi-upload-token"),
    ("home/.netrc", 1, "netrc-password"),
    ("home/.git-credentials", 1, "github-pat"),
    ("home/.kube/config", 7, "jwt"),
    ("home/.aws/credentials", 2, "aws-access-key-id"),
    ("home/.aws/credentials", 3, "aws-secret-access-key"),
    ("home/.ssh/id_rsa", 1, "private-key-rsa"),
    ("home/.config/gcloud/application_default_credentials.json", 4, "gcp-oauth-refresh-token"),
}
RAW = [GH, NPM, PASSWORD, AWS_ID, AWS_SECRET, SLACK, TOKEN, KEY_BODY.splitlines()[0]]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for rel, text in FILES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    # A binary holding a token, and a text file over the size cap: both skipped.
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin/tool").write_bytes(b"\x7fELF\x00\x00" + GH.encode())
    (tmp_path / "big.log").write_bytes(b"x" * (10 << 20) + b"\n" + GH.encode())
    return tmp_path


def _found(report_findings: tuple[object, ...]) -> set[tuple[str | None, int | None, str]]:
    return {(f.location.path, f.location.start_line, f.id) for f in report_findings if isinstance(f, Secret)}


def test_every_credential_file_kind_is_found_and_binaries_and_big_files_are_skipped(project: Path) -> None:
    report = scan(FsTarget(path=project), SECRET_OPTIONS)
    assert _found(report.findings) == EXPECTED
    assert [i.message for i in report.issues] == [
        "1 file over 10485760 bytes not scanned for secrets: big.log (10485801 bytes); "
        "raise the limit with --secret-max-file-size BYTES"
    ]
    raised = replace(SECRET_OPTIONS, secret=replace(SECRET_OPTIONS.secret, max_file_size=11 << 20))
    report = scan(FsTarget(path=project), raised)
    assert ("big.log", 2, "github-pat") in _found(report.findings)
    assert report.issues == ()


def test_size_flag_reads_units_and_rejects_nonsense() -> None:
    assert byte_size("50M") == 50 << 20
    assert byte_size("52428800") == 52428800
    assert byte_size("1GiB") == 1 << 30
    for bad in ("0", "-1", "ten", "5T"):
        with pytest.raises(argparse.ArgumentTypeError, match="positive size"):
            byte_size(bad)


def test_no_writer_ever_prints_a_secret(project: Path) -> None:
    report = scan(FsTarget(path=project), SECRET_OPTIONS)
    for fmt in formats():
        out = io.StringIO()
        writer_for(fmt)(report, out)
        text = out.getvalue()
        for raw in RAW:
            assert raw not in text, f"{fmt} printed a secret"
            assert raw[4:-4] not in text, f"{fmt} printed the middle of a secret"
    for f in report.findings:
        assert isinstance(f, Secret)
        assert len(f.match.replace("*", "")) <= 8


def test_secret_config_disables_adds_and_allowlists(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    config = tmp_path_factory.mktemp("cfg") / "secrets.yaml"
    config.write_text(
        "disable: [generic-env-secret]\n"
        "allow:\n  paths: ['^home/\\.aws/']\n"
        "rules:\n- id: internal-ticket-key\n  title: Internal ticket key\n  severity: LOW\n"
        "  keywords: [tkt-]\n  regex: 'TKT-[0-9]{6}'\n"
    )
    (project / "notes.txt").write_text("use TKT-123456 for access\n")
    out = tmp_path_factory.mktemp("out") / "r.json"
    code = main(
        [
            "fs",
            str(project),
            "--scanners",
            "secret",
            "--secret-config",
            str(config),
            "-f",
            "json",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    found = {(f["location"]["path"], f["id"]) for f in json.loads(out.read_text())["findings"]}
    assert ("notes.txt", "internal-ticket-key") in found
    assert not any(rule == "generic-env-secret" for _, rule in found)
    assert not any(path.startswith("home/.aws/") for path, _ in found)
    assert ("home/.npmrc", "npm-access-token") in found


def test_bad_secret_config_is_a_usage_error(
    project: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path_factory.mktemp("cfg") / "bad.yaml"
    config.write_text("disable: [no-such-rule]\n")
    assert main(["fs", str(project), "--scanners", "secret", "--secret-config", str(config)]) == 2
    assert "cannot disable unknown secret rule(s): no-such-rule" in capsys.readouterr().err


def test_baseline_hides_known_secrets_and_ci_fails_only_on_new_ones(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    baseline = tmp_path_factory.mktemp("b") / "baseline.json"
    assert main(["secret", "baseline", str(project), "-o", str(baseline)]) == 0
    text = baseline.read_text()
    assert len(json.loads(text)["secrets"]) == len(EXPECTED)
    assert not any(raw in text for raw in RAW)
    args = [
        "fs",
        str(project),
        "--scanners",
        "secret",
        "--secret-baseline",
        str(baseline),
        "--exit-code",
        "5",
        "-q",
    ]
    assert main(args) == 0
    (project / "new.env").write_text(f"API_TOKEN={expand('<<alnum:32>>', RNG)}\n")
    assert main(args) == 5


def test_config_targets_read_only_config_and_credential_files(project: Path) -> None:
    from hullguard.secrets.config_target import scan_config_secrets
    from hullguard.secrets.settings import load_settings

    (project / "notes.txt").write_text(f"token {GH}\n")
    findings, issues = scan_config_secrets(project, load_settings())
    found = {(f.location.path, f.location.start_line, f.id) for f in findings}
    assert ("notes.txt", 1, "github-pat") not in found
    assert found == EXPECTED - {("home/.ssh/id_rsa", 1, "private-key-rsa")}
    assert issues == []
    single, _ = scan_config_secrets(project / "deploy/secret.yaml", load_settings())
    assert {(f.location.path, f.id) for f in single} == {
        ("secret.yaml", "slack-webhook-url"),
        ("secret.yaml", "docker-config-auth"),
    }


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_cli_output_and_errors_never_hold_a_secret(
    project: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fs", str(project), "--scanners", "secret", "-f", fmt]) == 0
    captured = capsys.readouterr()
    assert "github-pat" in captured.out
    for raw in RAW:
        assert raw not in captured.out + captured.err


def test_config_command_scans_secrets_when_asked(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    out = tmp_path_factory.mktemp("cfg") / "r.json"
    assert main(["config", str(project), "--scanners", "secret", "-f", "json", "-o", str(out)]) == 0
    doc = json.loads(out.read_text())
    kinds = {f["kind"] for f in doc["findings"]}
    assert kinds == {"secret"}
    found = {(f["location"]["path"], f["id"]) for f in doc["findings"]}
    assert ("deploy/secret.yaml", "slack-webhook-url") in found
    assert ("Dockerfile", "github-pat") in found
    assert main(["config", str(project), "--scanners", "config,secret", "-f", "json", "-o", str(out)]) == 0
    assert {f["kind"] for f in json.loads(out.read_text())["findings"]} == {"secret", "misconfiguration"}
    assert main(["config", str(project), "-f", "json", "-o", str(out)]) == 0
    assert {f["kind"] for f in json.loads(out.read_text())["findings"]} == {"misconfiguration"}


def test_secret_rules_lists_the_catalogue(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["secret", "rules", "-f", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert (
        len(rows) >= 80
        and {"id": "github-pat", "family": "github"}.items()
        <= rows[[r["id"] for r in rows].index("github-pat")].items()
    )
    config = tmp_path / "c.yaml"
    config.write_text("disable: [github-pat]\n")
    assert main(["secret", "rules", "--secret-config", str(config)]) == 0
    out = capsys.readouterr().out
    assert f"{len(rows) - 1} secret rules" in out and "github-pat " not in out


def test_pkcs12_keystores_are_found_by_file_and_checked_by_content(tmp_path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "hullguard-test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs/client.p12").write_bytes(
        pkcs12.serialize_key_and_certificates(b"client", key, cert, None, BestAvailableEncryption(b"pw"))
    )
    (tmp_path / "certs/README.pfx").write_text("not a keystore\n")
    report = scan(FsTarget(path=tmp_path), SECRET_OPTIONS)
    secrets = [f for f in report.findings if isinstance(f, Secret)]
    assert [(f.id, f.location.path) for f in secrets] == [("pkcs12-file", "certs/client.p12")]
    assert secrets[0].match.startswith("<pkcs12 file, ")
