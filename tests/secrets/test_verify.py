"""`--verify` against local HTTPS stand-ins of the providers' identity endpoints (a real TLS
server on 127.0.0.1 with a throwaway certificate; the stand-in checks AWS signatures itself)."""

from __future__ import annotations

import datetime
import json
import random
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from hullguard.model import Secret
from hullguard.pipeline import FsTarget, ScanOptions, scan
from hullguard.report.json import to_dict
from hullguard.secrets import scanner as secret_scanner
from hullguard.secrets.rules import RuleSet
from hullguard.secrets.settings import builtin_rules
from hullguard.secrets.verify import DEFAULT_ENDPOINTS, PROVIDERS, STS_BODY, Status, Verifier, sigv4
from tests.support.fake_secrets import expand
from tests.support.servers import make_certificate

RNG = random.Random(16)
LIVE_GH, DEAD_GH, REDIRECT_GH = (expand("ghp_<<alnum:36>>", RNG) for _ in range(3))
LIVE_SLACK = expand("xoxb-<<digits:12>>-<<digits:12>>-<<alnum:24>>", RNG)
DEAD_STRIPE = expand("sk_live_<<alnum:32>>", RNG)
AWS_ID = expand("AKIA<<b32:16>>", RNG)
AWS_SECRET, WRONG_SECRET = (expand("<<b64:40>>", RNG) for _ in range(2))
OTHER = expand("glpat-<<b64url:20>>", RNG)


@dataclass
class StandIn:
    url: str
    context: ssl.SSLContext
    seen: list[tuple[str, str]] = field(default_factory=list)
    """(path, what credential header arrived) per request."""

    def verifier(self) -> Verifier:
        return Verifier(endpoints=dict.fromkeys(DEFAULT_ENDPOINTS, self.url), context=self.context)


class Handler(BaseHTTPRequestHandler):
    stand_in: StandIn

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _reply(self, status: int, body: bytes, location: str | None = None) -> None:
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        auth = self.headers.get("Authorization") or self.headers.get("PRIVATE-TOKEN") or ""
        self.stand_in.seen.append((self.path, auth))
        if self.path == "/user" and auth == f"token {REDIRECT_GH}":
            self._reply(302, b"", location="/elsewhere")
        elif self.path == "/user":
            self._reply(200 if auth == f"token {LIVE_GH}" else 401, b"{}")
        elif self.path == "/v1/account":
            self._reply(401, b'{"error": {"type": "invalid_request_error"}}')
        else:
            self._reply(404, b"")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        auth = self.headers.get("Authorization") or ""
        self.stand_in.seen.append((self.path, auth))
        if self.path == "/api/auth.test":
            ok = auth == f"Bearer {LIVE_SLACK}"
            self._reply(
                200, json.dumps({"ok": ok} if ok else {"ok": False, "error": "invalid_auth"}).encode()
            )
        elif self.path == "/":
            self._reply(*self._sts(body, auth))
        else:
            self._reply(404, b"")

    def _sts(self, body: bytes, auth: str) -> tuple[int, bytes]:
        """Recompute the Signature Version 4 signature with the one secret this key id has."""
        if f"Credential={AWS_ID}/" not in auth or body != STS_BODY:
            return 403, b"<Code>InvalidClientTokenId</Code>"
        when = datetime.datetime.strptime(self.headers["x-amz-date"], "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.UTC
        )
        headers = {n: self.headers[n] for n in ("content-type", "host")}
        expected = sigv4(
            AWS_ID, AWS_SECRET, "POST", "/", headers, body, when, region="us-east-1", service="sts"
        )
        if expected["authorization"] != auth:
            return 403, b"<Code>SignatureDoesNotMatch</Code>"
        return (
            200,
            b"<GetCallerIdentityResponse><Arn>arn:aws:iam::123456789012:user/ci</Arn></GetCallerIdentityResponse>",
        )


@pytest.fixture
def stand_in(tmp_path: Path) -> Iterator[StandIn]:
    cert, key = make_certificate(tmp_path / "tls")
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = server_ctx.wrap_socket(server.socket, server_side=True)
    client_ctx = ssl.create_default_context(cafile=str(cert))
    state = StandIn(f"https://127.0.0.1:{server.server_address[1]}", client_ctx)
    Handler.stand_in = state
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_sigv4_matches_the_aws_test_suite() -> None:
    """AWS's published Signature Version 4 test vector `get-header-key-duplicate`."""
    when = datetime.datetime(2015, 8, 30, 12, 36, tzinfo=datetime.UTC)
    headers = {"host": "example.amazonaws.com", "my-header1": "value2,value2,value1"}
    signed = sigv4(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        "GET",
        "/",
        headers,
        b"",
        when,
        region="us-east-1",
        service="service",
    )
    assert signed["authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        "SignedHeaders=host;my-header1;x-amz-date, "
        "Signature=c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"
    )


def test_every_provider_names_real_rules() -> None:
    ids = set(builtin_rules().ids())
    for provider in PROVIDERS:
        assert provider.rules <= ids, provider.name
        assert DEFAULT_ENDPOINTS[provider.name].startswith("https://")


def _tree(root: Path) -> Path:
    files = {
        "live.env": f"GITHUB_TOKEN={LIVE_GH}\nSLACK_BOT_TOKEN={LIVE_SLACK}\n",
        "dead.env": f"GITHUB_TOKEN={DEAD_GH}\nSTRIPE_KEY={DEAD_STRIPE}\n",
        "moved.env": f"GH={REDIRECT_GH}\nGITLAB={OTHER}\n",
        "aws/credentials": f"[ci]\naws_access_key_id = {AWS_ID}\naws_secret_access_key = {AWS_SECRET}\n",
        "aws-old/credentials": f"[old]\naws_access_key_id = {AWS_ID}\naws_secret_access_key = {WRONG_SECRET}\n",
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def _statuses(report_findings: tuple[object, ...]) -> dict[tuple[str | None, str], str | None]:
    return {(f.location.path, f.id): f.verification for f in report_findings if isinstance(f, Secret)}


OPTIONS = ScanOptions(scanners=frozenset({"secret"}))


def test_verify_asks_each_provider_about_its_own_credentials_only(
    stand_in: StandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(tmp_path / "tree")
    monkeypatch.setattr(secret_scanner, "new_verifier", stand_in.verifier)
    report = scan(FsTarget(path=root), replace(OPTIONS, secret=replace(OPTIONS.secret, verify=True)))
    assert _statuses(report.findings) == {
        ("live.env", "github-pat"): "verified",
        ("live.env", "slack-bot-token"): "verified",
        ("dead.env", "github-pat"): "invalid",
        ("dead.env", "stripe-secret-key"): "invalid",
        ("moved.env", "github-pat"): "unknown",  # a redirect is not followed
        ("moved.env", "gitlab-pat"): "unknown",  # the stand-in has no GitLab: 404
        ("aws/credentials", "aws-access-key-id"): "verified",
        ("aws/credentials", "aws-secret-access-key"): "verified",
        ("aws-old/credentials", "aws-access-key-id"): "invalid",
        ("aws-old/credentials", "aws-secret-access-key"): None,
    }
    # Each credential went only to its own provider's path, once; the redirect went nowhere.
    by_path: dict[str, set[str]] = {}
    for path, auth in stand_in.seen:
        by_path.setdefault(path, set()).add(auth)
    assert set(by_path) == {"/user", "/api/auth.test", "/v1/account", "/api/v4/user", "/"}
    assert by_path["/user"] == {f"token {t}" for t in (LIVE_GH, DEAD_GH, REDIRECT_GH)}
    assert by_path["/api/auth.test"] == {f"Bearer {LIVE_SLACK}"}
    assert by_path["/api/v4/user"] == {OTHER}
    assert all(AWS_SECRET not in a and WRONG_SECRET not in a for a in by_path["/"])
    assert len(stand_in.seen) == 8  # 3 GitHub, Slack, Stripe, GitLab, 2 AWS pairs
    secret_json = [f for f in to_dict(report)["findings"] if f["kind"] == "secret"]
    assert {f.get("verification") for f in secret_json} == {"verified", "invalid", "unknown", None}


def test_without_verify_nothing_is_sent(
    stand_in: StandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(tmp_path / "tree")
    monkeypatch.setattr(secret_scanner, "new_verifier", stand_in.verifier)
    report = scan(FsTarget(path=root), OPTIONS)
    assert set(_statuses(report.findings).values()) == {None}
    offline = scan(FsTarget(path=root), replace(OPTIONS, offline=True, secret=replace(OPTIONS.secret, verify=True)))
    assert set(_statuses(offline.findings).values()) == {None}
    assert stand_in.seen == []


def test_plain_http_endpoints_are_refused(stand_in: StandIn) -> None:
    verifier = Verifier(
        endpoints={"github": stand_in.url.replace("https:", "http:")}, context=stand_in.context
    )
    assert verifier.status("github-pat", LIVE_GH) is Status.UNKNOWN
    assert stand_in.seen == []
    assert Verifier().status("no-such-rule", LIVE_GH) is Status.UNKNOWN
    assert isinstance(builtin_rules(), RuleSet)
