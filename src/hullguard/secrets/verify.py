"""`--verify`: ask a credential's own provider whether it is live, with a harmless identity call.

Each provider below takes the credentials of its own rules only and sends them to its own
fixed HTTPS endpoint, never anywhere else: no redirects are followed (a redirect could carry an
Authorization header to another host), plain HTTP is refused, and the endpoints can be changed
only by constructing a `Verifier` in code (the tests point it at local HTTPS stand-ins). Off by
default: without `--verify` no Verifier exists and no connection is made.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import http.client
import json
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

TIMEOUT = 10.0
STS_BODY = b"Action=GetCallerIdentity&Version=2011-06-15"


class Status(StrEnum):
    VERIFIED = "verified"
    """The provider accepted the credential: it is live."""
    INVALID = "invalid"
    """The provider rejected it: revoked, expired or never valid."""
    UNKNOWN = "unknown"
    """No answer either way (network, rate limit, an unexpected reply, or no check for this kind)."""


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class Provider:
    name: str
    rules: frozenset[str]
    check: Callable[[Verifier, str, str | None], Status]
    """(verifier, credential, its partner such as the AWS secret for a key id) -> status."""


DEFAULT_ENDPOINTS: Mapping[str, str] = {
    "aws": "https://sts.amazonaws.com",
    "github": "https://api.github.com",
    "gitlab": "https://gitlab.com",
    "slack": "https://slack.com",
    "stripe": "https://api.stripe.com",
    "npm": "https://registry.npmjs.org",
}


@dataclass
class Verifier:
    endpoints: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ENDPOINTS))
    context: ssl.SSLContext = field(default_factory=ssl.create_default_context)
    now: Callable[[], datetime.datetime] = lambda: datetime.datetime.now(datetime.UTC)
    _memo: dict[tuple[str, str, str | None], Status] = field(default_factory=dict)

    def status(self, rule: str, secret: str, partner: str | None = None) -> Status:
        provider = next((p for p in PROVIDERS if rule in p.rules), None)
        if provider is None:
            return Status.UNKNOWN
        key = (provider.name, secret, partner)
        if key not in self._memo:
            try:
                self._memo[key] = provider.check(self, secret, partner)
            except (OSError, http.client.HTTPException, ValueError):
                self._memo[key] = Status.UNKNOWN
        return self._memo[key]

    def request(
        self, provider: str, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> Reply:
        url = urlsplit(self.endpoints[provider])
        if url.scheme != "https" or not url.hostname:
            raise ValueError(f"{provider}: verification endpoints must be https URLs")
        conn = http.client.HTTPSConnection(url.hostname, url.port, timeout=TIMEOUT, context=self.context)
        try:
            conn.request(
                method, path, body=body or None, headers={"User-Agent": "hullguard-verify", **headers}
            )
            response = conn.getresponse()
            return Reply(response.status, response.read(1 << 16))
        finally:
            conn.close()

    def host(self, provider: str) -> str:
        return urlsplit(self.endpoints[provider]).netloc


def _by_status(reply: Reply, ok: int = 200, bad: tuple[int, ...] = (401,)) -> Status:
    if reply.status == ok:
        return Status.VERIFIED
    return Status.INVALID if reply.status in bad else Status.UNKNOWN


def _github(v: Verifier, token: str, _partner: str | None) -> Status:
    reply = v.request(
        "github", "GET", "/user", {"Authorization": f"token {token}", "Accept": "application/vnd.github+json"}
    )
    return _by_status(reply)


def _gitlab(v: Verifier, token: str, _partner: str | None) -> Status:
    return _by_status(v.request("gitlab", "GET", "/api/v4/user", {"PRIVATE-TOKEN": token}))


def _stripe(v: Verifier, key: str, _partner: str | None) -> Status:
    basic = base64.b64encode(f"{key}:".encode()).decode()
    return _by_status(v.request("stripe", "GET", "/v1/account", {"Authorization": f"Basic {basic}"}))


def _npm(v: Verifier, token: str, _partner: str | None) -> Status:
    return _by_status(v.request("npm", "GET", "/-/whoami", {"Authorization": f"Bearer {token}"}))


def _slack(v: Verifier, token: str, _partner: str | None) -> Status:
    reply = v.request(
        "slack",
        "POST",
        "/api/auth.test",
        {"Authorization": f"Bearer {token}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    if reply.status != 200:
        return Status.UNKNOWN
    doc = json.loads(reply.body or b"{}")
    if doc.get("ok") is True:
        return Status.VERIFIED
    dead = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
    return Status.INVALID if doc.get("error") in dead else Status.UNKNOWN


def _aws(v: Verifier, key_id: str, secret: str | None) -> Status:
    if secret is None:
        return Status.UNKNOWN  # a key id alone cannot be checked
    headers = {"content-type": "application/x-www-form-urlencoded; charset=utf-8", "host": v.host("aws")}
    headers = sigv4(
        key_id, secret, "POST", "/", headers, STS_BODY, v.now(), region="us-east-1", service="sts"
    )
    reply = v.request("aws", "POST", "/", headers, STS_BODY)
    if reply.status == 200:
        return Status.VERIFIED
    rejected = (b"InvalidClientTokenId", b"SignatureDoesNotMatch", b"ExpiredToken")
    return (
        Status.INVALID if reply.status == 403 and any(r in reply.body for r in rejected) else Status.UNKNOWN
    )


def sigv4(
    key_id: str,
    secret: str,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
    when: datetime.datetime,
    *,
    region: str,
    service: str,
) -> dict[str, str]:
    """`headers` (lower-case names, `host` among them) plus `x-amz-date` and the Signature
    Version 4 `authorization` header, as AWS documents the algorithm."""
    amz_date, day = when.strftime("%Y%m%dT%H%M%SZ"), when.strftime("%Y%m%d")
    signed = {**headers, "x-amz-date": amz_date}
    names = sorted(signed)
    canonical = "\n".join(
        [
            method,
            path,
            "",
            *(f"{n}:{' '.join(signed[n].split())}" for n in names),
            "",
            ";".join(names),
            hashlib.sha256(body).hexdigest(),
        ]
    )
    scope = f"{day}/{region}/{service}/aws4_request"
    to_sign = f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = f"AWS4{secret}".encode()
    for part in (day, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    auth = f"AWS4-HMAC-SHA256 Credential={key_id}/{scope}, SignedHeaders={';'.join(names)}, Signature={signature}"
    return {**signed, "authorization": auth}


PROVIDERS = (
    Provider(name="aws", rules=frozenset({"aws-access-key-id"}), check=_aws),
    Provider(
        name="github",
        rules=frozenset(
            {
                "github-pat",
                "github-fine-grained-pat",
                "github-fine-grained-pat-loose",
                "github-oauth-token",
                "github-app-user-token",
                "github-app-installation-token",
            }
        ),
        check=_github,
    ),
    Provider(name="gitlab", rules=frozenset({"gitlab-pat"}), check=_gitlab),
    Provider(
        name="slack",
        rules=frozenset({"slack-bot-token", "slack-user-token", "slack-bot-token-legacy"}),
        check=_slack,
    ),
    Provider(
        name="stripe",
        rules=frozenset(
            {"stripe-secret-key", "stripe-restricted-key", "stripe-test-secret-key", "stripe-key-any"}
        ),
        check=_stripe,
    ),
    Provider(name="npm", rules=frozenset({"npm-access-token"}), check=_npm),
)
"""Every provider a credential may be sent to, with the rules whose credentials it takes."""
