"""Registry credentials (flags, ~/.docker/config.json, credential helpers) and auth challenges.

Lookup order for a host, as docker does it: explicit `--username/--password`; then
`credHelpers[host]`; then `credsStore`; then `auths[host]`. Helpers are run as
`docker-credential-NAME get` with the server name on stdin, never through a shell.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hullguard.registry.errors import RegistryError

HELPER_TIMEOUT = 30
_HUB_KEYS = ("https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io")


@dataclass(frozen=True, slots=True, kw_only=True)
class Credentials:
    username: str = ""
    password: str = ""
    identity_token: str | None = None
    """An OAuth2 refresh token (`identitytoken`), exchanged at the token realm."""
    origin: str = ""
    """Where they came from, for messages: 'command line', 'config.json auths', 'helper osxkeychain'."""

    def __repr__(self) -> str:  # never print a secret by accident
        return f"Credentials(username={self.username!r}, origin={self.origin!r})"


@dataclass(frozen=True, slots=True, kw_only=True)
class Challenge:
    """A parsed `WWW-Authenticate` header."""

    scheme: str
    """Lowercase: 'basic' or 'bearer'."""
    params: tuple[tuple[str, str], ...] = ()

    def get(self, key: str) -> str | None:
        return dict(self.params).get(key)


_PARAM = re.compile(r'\s*([A-Za-z0-9_-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^,\s]*)\s*,?')


def parse_challenge(header: str) -> Challenge | None:
    scheme, _, rest = header.strip().partition(" ")
    if not scheme:
        return None
    params = []
    for match in _PARAM.finditer(rest):
        value = match.group(3) if match.group(3) is not None else match.group(2)
        params.append((match.group(1).lower(), value.replace('\\"', '"')))
    return Challenge(scheme=scheme.lower(), params=tuple(params))


def docker_config_path() -> Path:
    base = os.environ.get("DOCKER_CONFIG")
    return Path(base) / "config.json" if base else Path.home() / ".docker" / "config.json"


def find_credentials(
    host: str,
    username: str | None = None,
    password: str | None = None,
    config_path: Path | None = None,
) -> Credentials | None:
    """Credentials for `host` (host[:port] as in the reference), or None for anonymous access."""
    if username is not None or password is not None:
        return Credentials(username=username or "", password=password or "", origin="command line")
    path = config_path or docker_config_path()
    config = _load_config(path)
    if config is None:
        return None
    keys = _HUB_KEYS if host in _HUB_KEYS else (host,)
    helpers = config.get("credHelpers")
    if isinstance(helpers, dict):
        for key in keys:
            if isinstance(helpers.get(key), str):
                return run_helper(helpers[key], _server_name(host))
    store = config.get("credsStore")
    # A default store whose program is absent (a config copied from another machine) must not
    # break anonymous pulls; a credHelpers entry for this very host, above, is an error instead.
    if isinstance(store, str) and store and shutil.which(f"docker-credential-{store}"):
        found = run_helper(store, _server_name(host))
        if found is not None:
            return found
    auths = config.get("auths")
    if isinstance(auths, dict):
        for key, entry in auths.items():
            if _normalise(key) in keys and isinstance(entry, dict):
                return _from_auth_entry(entry, f"{path} auths[{key}]")
    return None


def _load_config(path: Path) -> dict[str, Any] | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise RegistryError(f"{path}: cannot read docker config: {e.strerror}") from e
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise RegistryError(f"{path}: not valid JSON ({e})") from e
    if not isinstance(doc, dict):
        raise RegistryError(f"{path}: expected a JSON object")
    return doc


def _normalise(key: str) -> str:
    for prefix in ("https://", "http://"):
        key = key.removeprefix(prefix)
    return key.split("/", 1)[0].lower()


def _server_name(host: str) -> str:
    return "https://index.docker.io/v1/" if host in _HUB_KEYS else host


def _from_auth_entry(entry: dict[str, Any], where: str) -> Credentials | None:
    token = entry.get("identitytoken")
    if isinstance(entry.get("auth"), str) and entry["auth"]:
        try:
            decoded = base64.b64decode(entry["auth"], validate=True).decode()
        except (ValueError, UnicodeDecodeError) as e:
            raise RegistryError(f"{where}: 'auth' is not base64 of user:password") from e
        user, sep, secret = decoded.partition(":")
        if not sep:
            raise RegistryError(f"{where}: 'auth' does not decode to user:password")
        return Credentials(username=user, password=secret, identity_token=token or None, origin=where)
    if isinstance(entry.get("username"), str):
        return Credentials(
            username=entry["username"], password=str(entry.get("password", "")), origin="config.json auths"
        )
    if isinstance(token, str) and token:
        return Credentials(identity_token=token, origin="config.json identitytoken")
    return None


def run_helper(name: str, server: str) -> Credentials | None:
    """`docker-credential-NAME get`; None when the helper has nothing for this server."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        raise RegistryError(f"credential helper name {name!r} is not a plain program name")
    program = shutil.which(f"docker-credential-{name}")
    if program is None:
        raise RegistryError(
            f"credential helper docker-credential-{name} (named in docker config.json) is not on PATH",
            hint="Install it, remove it from config.json, or pass --username/--password.",
        )
    try:
        result = subprocess.run(
            [program, "get"], input=server.encode(), capture_output=True, timeout=HELPER_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as e:
        raise RegistryError(f"docker-credential-{name} get: no answer within {HELPER_TIMEOUT} s") from e
    except OSError as e:
        raise RegistryError(f"docker-credential-{name}: cannot run: {e.strerror}") from e
    out = result.stdout.decode(errors="replace").strip()
    if result.returncode != 0:
        message = (out or result.stderr.decode(errors="replace").strip())[:300]
        if "credentials not found" in message.lower():
            return None
        raise RegistryError(f"docker-credential-{name} get failed (exit {result.returncode}): {message}")
    try:
        doc = json.loads(out)
    except json.JSONDecodeError as e:
        raise RegistryError(f"docker-credential-{name} get: output is not JSON") from e
    if not isinstance(doc, dict):
        raise RegistryError(f"docker-credential-{name} get: output is not a JSON object")
    user, secret = str(doc.get("Username", "")), str(doc.get("Secret", ""))
    origin = f"credential helper {name}"
    if user == "<token>":
        return Credentials(identity_token=secret, origin=origin)
    return Credentials(username=user, password=secret, origin=origin)


def basic_header(creds: Credentials) -> str:
    raw = f"{creds.username}:{creds.password}".encode()
    return "Basic " + base64.b64encode(raw).decode()
