"""The registry audit: how safe is this registry, seen from the network, as findings.

Checks, each a Misconfiguration with an HG-REG id: plain HTTP; an untrusted, expired or
soon-expiring certificate; passwords or tokens over plain HTTP; what an anonymous client
may do (pull, list the catalog, and with `active` push, by starting and cancelling an
upload); and with a `SignatureCheck`, repositories whose tags are unsigned.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from hullguard.model import Digest, Issue, Location, Misconfiguration, RuleId, Severity
from hullguard.registry.auth import parse_challenge
from hullguard.registry.client import CATALOG_SCOPE, RegistryClient, pull_scope
from hullguard.registry.errors import NotFound, RegistryError, Unauthorized
from hullguard.registry.reference import Reference, parse_registry_url
from hullguard.registry.tls import TlsProbe, probe_tls
from hullguard.registry.transport import RegistryOptions

SignatureCheck = Callable[[RegistryClient, Reference, Digest], str | None]
"""(client, reference, digest) -> None when signed as required, else why not."""

PROBE_REPOSITORY = "hullguard-audit/push-probe"


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditOptions:
    active: bool = False
    """Try an anonymous push (an upload session started, then cancelled; nothing is stored)."""
    cert_warn_days: int = 30
    max_repositories: int = 200
    max_tags: int = 100
    signature_check: SignatureCheck | None = None
    now: Callable[[], datetime] = field(default=lambda: datetime.now().astimezone())


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditResult:
    url: str
    findings: tuple[Misconfiguration, ...]
    issues: tuple[Issue, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Check:
    id: str
    severity: Severity
    title: str
    remediation: str


CHECKS = {
    c.id: c
    for c in (
        Check(id="HG-REG-001", severity=Severity.HIGH, title="Registry serves its API over plain HTTP",
              remediation="Serve the registry over TLS (http.tls in the distribution config) and drop plain HTTP."),
        Check(id="HG-REG-002", severity=Severity.HIGH, title="Registry TLS certificate is not trusted",
              remediation="Use a certificate from a CA that clients trust, for the name clients connect to."),
        Check(id="HG-REG-003", severity=Severity.MEDIUM, title="Registry TLS certificate expires soon",
              remediation="Renew the certificate, and automate renewal."),
        Check(id="HG-REG-004", severity=Severity.HIGH, title="Registry TLS certificate has expired",
              remediation="Renew the certificate; clients that verify cannot connect."),
        Check(id="HG-REG-005", severity=Severity.CRITICAL, title="Credentials are sent over plain HTTP",
              remediation="Enable TLS before enabling basic or token authentication."),
        Check(id="HG-REG-006", severity=Severity.MEDIUM, title="Anonymous pull is allowed",
              remediation="Require authentication for pulls unless the images are meant to be public."),
        Check(id="HG-REG-007", severity=Severity.MEDIUM, title="Anyone can list the repository catalog",
              remediation="Require authentication for /v2/_catalog (it reveals every repository name)."),
        Check(id="HG-REG-008", severity=Severity.CRITICAL, title="Anonymous push is allowed",
              remediation="Require authentication for pushes: anyone can replace the images your systems pull."),
        Check(id="HG-REG-009", severity=Severity.HIGH, title="Repository has unsigned tags",
              remediation="Sign the images (hullguard sign / cosign sign) and verify signatures before deploying."),
    )
}  # fmt: skip


def audit_registry(url: str, registry: RegistryOptions, options: AuditOptions) -> AuditResult:
    host, scheme = parse_registry_url(url)
    run = _Audit(host, registry, options)
    tls = None
    if scheme != "http":
        tls = probe_tls(host, registry, registry.timeout)
        if not tls.speaks_tls:
            if scheme == "https":
                raise RegistryError(f"{url}: the registry does not speak TLS on this port")
            scheme = "http"
    scheme = scheme or "https"
    where = f"{scheme}://{host}/v2/"
    run.where = where
    if scheme == "http":
        run.add(
            "HG-REG-001", f"{where} answers over plain HTTP: pulls can be tampered with on the network path"
        )
    elif tls is not None:
        run.check_certificate(tls)
    # Keep probing an untrusted endpoint (the point is to report, not to refuse), but send it
    # no credentials unless the user said --insecure: anyone could be answering.
    untrusted = tls is not None and tls.verify_error is not None
    lenient = replace(registry, insecure=True) if untrusted else registry
    if untrusted and not registry.insecure:
        if registry.username is not None or registry.password is not None:
            run.issue("credentials not sent: the certificate is not trusted (pass --ca-cert, or --insecure)")
        lenient = replace(lenient, anonymous=True)
    with RegistryClient(host, replace(lenient, anonymous=True), scheme) as anonymous:
        run.check_anonymous(anonymous, scheme)
        repositories = run.known_repositories
        if options.signature_check is not None or not repositories:
            with RegistryClient(host, lenient, scheme) as client:
                repositories = run.list_repositories(client) or repositories
                if options.signature_check is not None:
                    run.check_signatures(client, repositories)
        run.check_anonymous_pull(anonymous, repositories)
        if options.active:
            run.check_anonymous_push(anonymous)
    return AuditResult(url=where, findings=tuple(run.findings), issues=tuple(run.issues))


class _Audit:
    def __init__(self, host: str, registry: RegistryOptions, options: AuditOptions) -> None:
        self.host = host
        self.registry = registry
        self.options = options
        self.where = host
        self.findings: list[Misconfiguration] = []
        self.issues: list[Issue] = []
        self.known_repositories: list[str] = []
        self.open_api = False

    def add(self, check_id: str, message: str, path: str | None = None) -> None:
        check = CHECKS[check_id]
        self.findings.append(
            Misconfiguration(
                id=RuleId(check_id),
                severity=check.severity,
                title=check.title,
                message=message,
                location=Location(path=path or self.where),
                remediation=check.remediation,
            )
        )

    def issue(self, message: str) -> None:
        self.issues.append(Issue(stage="registry-audit", message=message, path=self.where))

    def check_certificate(self, tls: TlsProbe) -> None:
        now = self.options.now()
        if tls.verify_error and "expired" in tls.verify_error:
            self.add("HG-REG-004", f"the certificate of {self.host} has expired ({tls.verify_error})")
            return
        if tls.verify_error:
            extra = " (with --ca-cert)" if self.registry.ca_cert else ""
            self.add(
                "HG-REG-002", f"the certificate of {self.host} does not verify{extra}: {tls.verify_error}"
            )
        if tls.not_after is not None:
            left = tls.not_after - now
            if left <= timedelta(0):
                self.add("HG-REG-004", f"the certificate of {self.host} expired on {tls.not_after:%Y-%m-%d}")
            elif left < timedelta(days=self.options.cert_warn_days):
                self.add(
                    "HG-REG-003",
                    f"the certificate of {self.host} expires on {tls.not_after:%Y-%m-%d}, in {left.days} days "
                    f"(warning threshold {self.options.cert_warn_days} days)",
                )

    def check_anonymous(self, client: RegistryClient, scheme: str) -> None:
        response = client.ping()
        self.open_api = response.status_code == 200
        challenge = parse_challenge(response.headers.get("www-authenticate", ""))
        if challenge is not None and challenge.scheme == "basic" and scheme == "http":
            self.add(
                "HG-REG-005",
                f"{self.host} asks for HTTP basic auth over plain HTTP: passwords cross in clear",
            )
        realm = challenge.get("realm") if challenge is not None and challenge.scheme == "bearer" else None
        if realm and realm.startswith("http://"):
            self.add("HG-REG-005", f"the token service {realm} is plain HTTP: passwords cross in clear")
        elif realm and scheme == "http":
            self.add(
                "HG-REG-005",
                f"{self.host} takes bearer tokens over plain HTTP: anyone on the path can reuse them",
            )
        try:
            response = client.transport.request(
                "GET", "/v2/_catalog?n=100", scope=CATALOG_SCOPE, what="anonymous catalog listing"
            )
        except (Unauthorized, NotFound):
            return
        except RegistryError as e:
            self.issue(f"anonymous catalog listing: {e}")
            return
        try:
            doc = response.json()
        except ValueError:
            doc = None
        names = doc.get("repositories") if isinstance(doc, dict) else None
        self.known_repositories = [n for n in names or () if isinstance(n, str)]
        self.add(
            "HG-REG-007",
            f"GET /v2/_catalog without credentials lists {len(self.known_repositories)} repositories"
            + (f" (first: {', '.join(self.known_repositories[:3])})" if self.known_repositories else ""),
        )

    def list_repositories(self, client: RegistryClient) -> list[str]:
        if client.transport.credentials is None:
            return []
        try:
            return client.catalog(page_size=100, limit=self.options.max_repositories)
        except RegistryError as e:
            self.issue(f"listing repositories with the given credentials: {e}")
            return []

    def check_anonymous_pull(self, client: RegistryClient, repositories: list[str]) -> None:
        for repository in repositories[:5]:
            try:
                client.transport.request(
                    "GET", f"/v2/{repository}/tags/list", scope=pull_scope(repository), what="anonymous pull"
                )
            except (Unauthorized, NotFound):
                continue
            except RegistryError as e:
                self.issue(f"anonymous pull of {repository}: {e}")
                continue
            self.add(
                "HG-REG-006", f"{repository} can be read without credentials", f"{self.host}/{repository}"
            )
            return
        if not repositories and self.open_api:
            self.add("HG-REG-006", f"GET /v2/ answers 200 without credentials: {self.host} serves anyone")
        elif not repositories:
            self.issue(
                "anonymous pull not tested: no repository known (the catalog is empty, or give credentials that can list it)"
            )

    def check_anonymous_push(self, client: RegistryClient) -> None:
        repository = f"{PROBE_REPOSITORY}-{secrets.token_hex(4)}"
        try:
            location = client.start_upload(repository)
        except (Unauthorized, NotFound):
            return
        except RegistryError as e:
            if e.status in (405, 400):  # read-only or refusing: no push
                return
            self.issue(f"anonymous push probe: {e}")
            return
        self.add("HG-REG-008", f"an anonymous client started an upload to {repository} (cancelled at once)")
        try:
            client.cancel_upload(repository, location)
        except RegistryError as e:
            self.issue(f"cancelling the probe upload {location}: {e}")

    def check_signatures(self, client: RegistryClient, repositories: list[str]) -> None:
        check = self.options.signature_check
        assert check is not None
        if not repositories:
            self.issue("--key: no repositories to check (the catalog is empty or not readable)")
        for repository in repositories:
            try:
                tags = [t for t in client.list_tags(repository) if not _is_artifact_tag(t)][
                    : self.options.max_tags
                ]
            except RegistryError as e:
                self.issue(f"{repository}: cannot list tags: {e}")
                continue
            unsigned = []
            for tag in sorted(tags):
                ref = Reference(registry=self.host, repository=repository, tag=tag)
                try:
                    reason = check(client, ref, client.resolve(ref))
                except RegistryError as e:
                    self.issue(f"{ref}: cannot check its signature: {e}")
                    continue
                if reason is not None:
                    unsigned.append(tag)
            if unsigned:
                shown = ", ".join(unsigned[:10]) + (
                    f" and {len(unsigned) - 10} more" if len(unsigned) > 10 else ""
                )
                self.add(
                    "HG-REG-009",
                    f"{len(unsigned)} of {len(tags)} tags of {repository} carry no valid signature by the key: {shown}",
                    f"{self.host}/{repository}",
                )


def _is_artifact_tag(tag: str) -> bool:
    """cosign's `sha256-<hex>.sig/.att/.sbom` and OCI's `sha256-<hex>` referrers fallback tags."""
    head, _, _ = tag.partition(".")
    return head.startswith(("sha256-", "sha512-")) and len(head) in (71, 135)
