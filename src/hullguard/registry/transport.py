"""HTTP to one registry: scheme and TLS choice, auth challenges, bounded retries, error mapping."""

from __future__ import annotations

import email.utils
import ipaddress
import os
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from hullguard.registry.auth import Challenge, Credentials, basic_header, find_credentials, parse_challenge
from hullguard.registry.errors import NotFound, RegistryError, Unauthorized

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 30.0
USER_AGENT = "hullguard"


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistryOptions:
    """How to reach registries; every command that talks to one takes these."""

    insecure: bool = False
    """Allow plain HTTP, and HTTPS without certificate verification."""
    ca_cert: Path | None = None
    client_cert: Path | None = None
    client_key: Path | None = None
    username: str | None = None
    password: str | None = None
    docker_config: Path | None = None
    """Default: $DOCKER_CONFIG/config.json, else ~/.docker/config.json."""
    plain_http_on_loopback: bool = True
    """A registry on this machine (127.0.0.0/8, ::1, localhost) may answer in plain HTTP without
    --insecure, as Docker allows: nothing crosses a network. TLS, when spoken, is still verified."""
    anonymous: bool = False
    """Never send credentials, not even from config.json (the audit asks what a stranger may do)."""
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 0.5
    sleep: Callable[[float], None] = time.sleep


def ssl_context(options: RegistryOptions) -> ssl.SSLContext | bool:
    """The system trust store plus --ca-cert; a client certificate when given; False if insecure."""
    if options.insecure and options.ca_cert is None and options.client_cert is None:
        return False
    try:
        ctx = ssl.create_default_context()
        if options.ca_cert is not None:
            ctx.load_verify_locations(cafile=str(options.ca_cert))
        if options.client_cert is not None:
            ctx.load_cert_chain(
                str(options.client_cert), str(options.client_key) if options.client_key else None
            )
    except (OSError, ssl.SSLError) as e:
        which = "--ca-cert" if options.ca_cert and not options.client_cert else "--ca-cert/--client-cert"
        raise RegistryError(f"{which}: cannot load certificate: {e}") from e
    if options.insecure:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


class Transport:
    """Requests to one registry host, authenticated on demand and retried when the server asks."""

    def __init__(self, host: str, options: RegistryOptions, scheme: str | None = None) -> None:
        self.host = host
        self.options = options
        self._scheme = scheme
        self._http = httpx.Client(
            verify=ssl_context(options),
            timeout=httpx.Timeout(options.timeout, connect=min(options.timeout, 15.0)),
            headers={"User-Agent": USER_AGENT},
            follow_redirects=False,
        )
        self._challenge: Challenge | None = None
        self._tokens: dict[str, str] = {}
        self._creds: Credentials | None = None
        self._creds_loaded = False

    def close(self) -> None:
        self._http.close()

    # -- where ----------------------------------------------------------------------------------

    @property
    def scheme(self) -> str:
        """https, or with --insecure whichever of https and http the registry answers on."""
        if self._scheme is None:
            self._scheme = "https"
            if self.options.insecure:
                try:
                    self._http.get(f"https://{self.host}/v2/")
                except httpx.TransportError:
                    self._scheme = "http"
            elif self.options.plain_http_on_loopback and is_loopback(self.host):
                try:
                    self._http.get(f"https://{self.host}/v2/")
                except httpx.TransportError as e:  # only a plain-HTTP answer, not a TLS failure
                    if _speaks_plain_http(e):
                        self._scheme = "http"
        return self._scheme

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.scheme}://{self.host}{path}"

    @property
    def credentials(self) -> Credentials | None:
        if not self._creds_loaded and not self.options.anonymous:
            self._creds = find_credentials(
                self.host, self.options.username, self.options.password, self.options.docker_config
            )
            self._creds_loaded = True
        return self._creds

    @property
    def challenge(self) -> Challenge | None:
        """The auth challenge this registry answered with, once one request has met it."""
        return self._challenge

    # -- requests -------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        scope: str | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        content: bytes | None = None,
        stream: bool = False,
        ok: tuple[int, ...] = (200,),
        what: str = "",
    ) -> httpx.Response:
        """Send, authenticate on a 401 (once), retry 429/5xx with backoff, map failures to errors.

        Statuses in `ok` are returned (with `stream`, unread: the caller closes the response);
        404 raises NotFound, 401/403 Unauthorized, anything else RegistryError.
        """
        what = what or f"{method} {path}"
        url = self.url(path)
        response = self._send(method, url, scope, headers, params, content, stream, what)
        if response.status_code == 401 and 401 not in ok:
            header = response.headers.get("www-authenticate", "")
            challenge = parse_challenge(header)
            response.close()
            if challenge is None:
                raise Unauthorized(f"{what}: 401 without an auth challenge", status=401)
            self._challenge = challenge
            self._authorize(challenge, scope, what)
            response = self._send(method, url, scope, headers, params, content, stream, what)
        if response.status_code in ok:
            return response
        try:
            raise self._error(response, what)
        finally:
            response.close()

    def _send(
        self,
        method: str,
        url: str,
        scope: str | None,
        headers: Mapping[str, str] | None,
        params: Mapping[str, str] | None,
        content: bytes | None,
        stream: bool,
        what: str,
    ) -> httpx.Response:
        all_headers = dict(headers or {})
        if httpx.URL(url).netloc.decode() == self.host:
            auth = self._auth_header(scope)
            if auth:
                all_headers["Authorization"] = auth
        for attempt in range(self.options.retries + 1):
            request = self._http.build_request(
                method, url, headers=all_headers, params=params, content=content
            )
            try:
                response = self._http.send(request, stream=True, follow_redirects=method in ("GET", "HEAD"))
            except httpx.TimeoutException as e:
                raise RegistryError(
                    f"{what}: {self.host} did not answer within {self.options.timeout:g} s ({type(e).__name__})",
                    hint="Check that the registry is up and reachable.",
                ) from e
            except httpx.TransportError as e:
                raise self._transport_error(e, what) from e
            if response.status_code not in RETRY_STATUSES or attempt == self.options.retries:
                if not stream:
                    try:
                        response.read()
                    except httpx.TransportError as e:
                        response.close()
                        raise self._transport_error(e, what) from e
                return response
            response.close()
            self.options.sleep(self._delay(response, attempt))
        raise AssertionError("unreachable")

    def _delay(self, response: httpx.Response, attempt: int) -> float:
        """Retry-After (seconds or an HTTP date), else exponential backoff; never past the cap."""
        after = response.headers.get("retry-after", "").strip()
        if after.isdigit():
            return min(float(after), MAX_RETRY_AFTER)
        if after:
            try:
                when = email.utils.parsedate_to_datetime(after)
            except (TypeError, ValueError):
                when = None
            if when is not None and when.tzinfo is not None:
                return min(max((when - datetime.now(UTC)).total_seconds(), 0.0), MAX_RETRY_AFTER)
        return min(self.options.backoff * 2.0**attempt, MAX_RETRY_AFTER)

    # -- auth -----------------------------------------------------------------------------------

    def _auth_header(self, scope: str | None) -> str | None:
        challenge = self._challenge
        if challenge is None:
            return None
        if challenge.scheme == "basic":
            creds = self.credentials
            return basic_header(creds) if creds and creds.username else None
        token = self._tokens.get(scope or "")
        return f"Bearer {token}" if token else None

    def _authorize(self, challenge: Challenge, scope: str | None, what: str) -> None:
        creds = self.credentials
        if challenge.scheme == "basic":
            if creds is None or not creds.username:
                raise Unauthorized(
                    f"{what}: {self.host} requires a user name and password (HTTP 401)",
                    status=401,
                    hint="Pass --username and --password (or HULLGUARD_PASSWORD), or run `docker login`.",
                )
            if self.scheme == "http" and not self.options.insecure:
                raise RegistryError(f"{what}: refusing to send a password over plain HTTP to {self.host}")
            return
        if challenge.scheme != "bearer":
            raise Unauthorized(
                f"{what}: unsupported auth scheme {challenge.scheme!r} at {self.host}", status=401
            )
        self._tokens[scope or ""] = self._fetch_token(challenge, scope, creds, what)

    def _fetch_token(
        self, challenge: Challenge, scope: str | None, creds: Credentials | None, what: str
    ) -> str:
        realm = challenge.get("realm")
        if not realm or not realm.startswith(("https://", "http://")):
            raise Unauthorized(f"{what}: bearer challenge from {self.host} has no usable realm", status=401)
        if realm.startswith("http://") and creds is not None and not self.options.insecure:
            raise RegistryError(f"{what}: refusing to send credentials to the plain-HTTP token realm {realm}")
        # One request may need several scopes (a mount: push here, pull there), space-separated.
        # Registries list actions in either order ("push,pull"); one scope per resource, actions
        # merged and sorted, so the token request is the same whichever order the challenge used.
        scopes = _merge_scopes(f"{scope or ''} {challenge.get('scope') or ''}".split())
        params: list[tuple[str, str]] = [("service", challenge.get("service") or "")]
        params += [("scope", s) for s in sorted(scopes)]
        try:
            if creds is not None and creds.identity_token:
                form = {"grant_type": "refresh_token", "refresh_token": creds.identity_token,
                        "client_id": USER_AGENT, "service": challenge.get("service") or "",
                        "scope": " ".join(sorted(scopes))}  # fmt: skip
                response = self._http.post(realm, data=form)
            else:
                headers = {"Authorization": basic_header(creds)} if creds and creds.username else {}
                response = self._http.get(realm, params=httpx.QueryParams(tuple(params)), headers=headers)
        except httpx.TimeoutException as e:
            raise RegistryError(f"{what}: token service {realm} did not answer in time") from e
        except httpx.TransportError as e:
            raise self._transport_error(e, f"{what}: token service {realm}") from e
        if response.status_code in (401, 403):
            raise Unauthorized(
                f"{what}: the token service {realm} rejected "
                + (f"the credentials from {creds.origin}" if creds else "anonymous access")
                + f" (HTTP {response.status_code})",
                status=response.status_code,
                hint="Check the user name and password, or run `docker login`.",
            )
        if response.status_code != 200:
            raise RegistryError(f"{what}: token service {realm} answered HTTP {response.status_code}")
        try:
            doc: Any = response.json()
        except ValueError as e:
            raise RegistryError(f"{what}: token service {realm} answered something other than JSON") from e
        token = doc.get("token") or doc.get("access_token") if isinstance(doc, dict) else None
        if not isinstance(token, str) or not token:
            raise RegistryError(f"{what}: token service {realm} returned no token")
        return token

    # -- errors ---------------------------------------------------------------------------------

    def _error(self, response: httpx.Response, what: str) -> RegistryError:
        status = response.status_code
        detail = _error_detail(response)
        suffix = f": {detail}" if detail else ""
        if status == 404:
            return NotFound(f"{what}: not found on {self.host} (HTTP 404){suffix}", status=404)
        if status == 401:
            creds = self.credentials
            return Unauthorized(
                f"{what}: {self.host} rejected "
                + (f"the credentials from {creds.origin}" if creds else "anonymous access")
                + f" (HTTP 401){suffix}",
                status=401,
                hint="Check the user name and password (--username/--password, HULLGUARD_PASSWORD or `docker login`).",
            )
        if status == 403:
            return Unauthorized(
                f"{what}: access denied by {self.host} (HTTP 403){suffix}",
                status=403,
                hint="These credentials are valid but lack permission for this repository or action.",
            )
        if status in RETRY_STATUSES:
            return RegistryError(
                f"{what}: {self.host} answered HTTP {status} after {self.options.retries + 1} attempts{suffix}",
                status=status,
            )
        return RegistryError(f"{what}: {self.host} answered HTTP {status}{suffix}", status=status)

    def _transport_error(self, e: httpx.TransportError, what: str) -> RegistryError:
        text = str(e)
        if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
            reason = text.split("certificate verify failed:", 1)[-1].split("(_ssl", 1)[0].strip(" ()")
            return RegistryError(
                f"{what}: TLS certificate of {self.host} is not trusted ({reason or 'verify failed'})",
                hint="Pass --ca-cert FILE with the CA that signed the registry's certificate "
                "(--insecure skips verification and trusts anyone on the network path).",
            )
        if "WRONG_VERSION_NUMBER" in text or "wrong version number" in text:
            return RegistryError(
                f"{what}: {self.host} does not speak TLS on this port",
                hint="If the registry serves plain HTTP, pass --insecure.",
            )
        if "ALERT_BAD_CERTIFICATE" in text or "ALERT_CERTIFICATE_REQUIRED" in text or "UNKNOWN_CA" in text:
            given = (
                "its client certificate was refused"
                if self.options.client_cert
                else "it wants a client certificate"
            )
            return RegistryError(
                f"{what}: {self.host} ended the TLS handshake: {given}",
                hint="Pass --client-cert (and --client-key) with a certificate the registry's client CA signed.",
            )
        if isinstance(e, httpx.ConnectError) or "SSL" in text:
            return RegistryError(f"{what}: cannot connect to {self.host}: {text or type(e).__name__}")
        return RegistryError(f"{what}: connection to {self.host} failed: {text or type(e).__name__}")


def is_loopback(host: str) -> bool:
    """HOST[:PORT] names this machine: localhost, 127.0.0.0/8 or ::1."""
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 or host.startswith("[") else host
    name = name.strip("[]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _speaks_plain_http(e: httpx.TransportError) -> bool:
    text = str(e)
    return "WRONG_VERSION_NUMBER" in text or "wrong version number" in text


def _error_detail(response: httpx.Response) -> str:
    """The `errors` list of a distribution error body, as one short line."""
    try:
        response.read()
        doc = response.json()
    except (ValueError, httpx.HTTPError):
        return ""
    errors = doc.get("errors") if isinstance(doc, dict) else None
    if not isinstance(errors, list):
        return ""
    parts = []
    for err in errors[:3]:
        if isinstance(err, dict):
            parts.append(" ".join(str(err.get(k, "")) for k in ("code", "message") if err.get(k)))
    return "; ".join(p for p in parts if p)[:300]


def password_from_env(username: str | None, password: str | None) -> str | None:
    """--password, else HULLGUARD_PASSWORD when a user name was given (keeps it out of `ps`)."""
    if password is not None or username is None:
        return password
    return os.environ.get("HULLGUARD_PASSWORD")


def _merge_scopes(scopes: list[str]) -> set[str]:
    """`repository:a:pull`, `repository:a:push,pull` -> {`repository:a:pull,push`}."""
    actions: dict[str, set[str]] = {}
    for text in scopes:
        resource, sep, acts = text.rpartition(":")
        if not sep or not resource:
            actions.setdefault(text, set())
            continue
        actions.setdefault(resource, set()).update(a for a in acts.split(",") if a)
    return {f"{res}:{','.join(sorted(acts))}" if acts else res for res, acts in actions.items()}
