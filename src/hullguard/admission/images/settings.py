"""The image policy from the `images:` settings (config file keys, set by the command-line flags too)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hullguard.admission.decision import Mode
from hullguard.admission.images.policy import ImagePolicy, ImageRules
from hullguard.admission.images.scan import BackgroundScans
from hullguard.admission.images.scans import ScanStore
from hullguard.admission.images.verify import ImageLookup
from hullguard.errors import UsageError
from hullguard.model import Severity
from hullguard.registry.transport import RegistryOptions, password_from_env
from hullguard.signing import identity_match, keyless, keys

KEYLESS = (
    "certificateIdentity",
    "certificateOidcIssuer",
    "certificateIdentityRegexp",
    "certificateOidcIssuerRegexp",
)
KEYS = frozenset({"requireSignature", "key", "allowRegistries", "maxSeverity", "unknownImages", "scanStore",
                  "insecure", "caCert", "username", "cacheSeconds", "cacheSize", "trustedRoot", "githubWorkflow",
                  *KEYLESS})  # fmt: skip
MAX_KEY = 64 * 1024


def _key(path: Path) -> keys.PublicKey:
    try:
        if path.stat().st_size > MAX_KEY:
            raise UsageError(f"{path}: too large for a key file")
        return keys.load_public_key(path.read_bytes(), str(path))
    except OSError as e:
        raise UsageError(f"{path}: cannot read the key: {e.strerror}") from e


def _identity(images: dict[str, Any]) -> keyless.Identity | None:
    if not any(images.get(k) for k in KEYLESS):
        return None
    identity = keyless.Identity(
        identity=images.get("certificateIdentity"),
        issuer=images.get("certificateOidcIssuer"),
        identity_regexp=images.get("certificateIdentityRegexp"),
        issuer_regexp=images.get("certificateOidcIssuerRegexp"),
        github_workflow=tuple(
            sorted((str(k), str(v)) for k, v in (images.get("githubWorkflow") or {}).items())
        ),
    )
    try:
        identity_match.check_options(identity)
    except identity_match.IdentityError as e:
        raise UsageError(str(e)) from e
    return identity


def image_policy(images: dict[str, Any], mode: Mode) -> ImagePolicy:
    unknown = sorted(set(images) - KEYS)
    if unknown:
        raise UsageError(f"images: unknown key(s) {', '.join(unknown)}; expected {', '.join(sorted(KEYS))}")
    key = _key(Path(images["key"])) if images.get("requireSignature") and images.get("key") else None
    identity = _identity(images) if images.get("requireSignature") and not images.get("key") else None
    if images.get("requireSignature") and key is None and identity is None:
        raise UsageError(
            "images.requireSignature needs images.key (a cosign public key) or a keyless identity"
        )
    try:
        worst = Severity.parse(str(images["maxSeverity"])) if images.get("maxSeverity") else None
    except ValueError as e:
        raise UsageError(f"maxSeverity: {e}") from e
    rules = ImageRules(
        allow_registries=tuple(str(r) for r in images.get("allowRegistries") or ()),
        max_severity=worst,
        unknown_images=str(images.get("unknownImages") or "allow"),
    )
    if rules.unknown_images not in ("allow", "deny", "scan"):
        raise UsageError(f"unknownImages {rules.unknown_images!r}: expected allow, deny or scan")
    options = RegistryOptions(
        insecure=bool(images.get("insecure")),
        ca_cert=Path(images["caCert"]) if images.get("caCert") else None,
        username=images.get("username"),
        password=password_from_env(images.get("username"), None),
    )
    lookup = None
    if key is not None or identity is not None or worst is not None:
        trusted = images.get("trustedRoot")
        root = keyless.load_trusted_root(Path(trusted) if trusted else None) if identity is not None else None
        ttl, size = float(images.get("cacheSeconds", 300)), int(images.get("cacheSize", 1024))
        lookup = ImageLookup(key, options, ttl, size, identity=identity, root=root)
    scans = ScanStore(Path(images["scanStore"])) if images.get("scanStore") else None
    background = None
    if rules.unknown_images == "scan":
        if not images.get("scanStore"):
            raise UsageError("--unknown-images scan needs --scan-store DIR (where the reports go)")
        background = BackgroundScans(Path(images["scanStore"]), options)
    return ImagePolicy(rules=rules, lookup=lookup, scans=scans, background=background, mode=mode)
