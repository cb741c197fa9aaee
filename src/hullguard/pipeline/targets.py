"""What a scan is about: a small closed union of targets, each a value.

A new capability (a cluster, a host) is a new target here and a branch in `scan.scan`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hullguard.registry.audit import AuditOptions
    from hullguard.registry.transport import RegistryOptions
    from hullguard.signing import keyless, keys


@dataclass(frozen=True, slots=True, kw_only=True)
class SignaturePolicy:
    """Scan only an image signed by `key`, or keyless by `identity` under `root`."""

    key: keys.PublicKey | None = None
    identity: keyless.Identity | None = None
    root: keyless.TrustRoot | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageTarget:
    """A container image: registry ref, docker-archive, OCI layout, `docker-daemon:NAME`."""

    ref: str
    base_image: str | None = None
    """The base image (ref or archive) whose layers findings are marked as coming from;
    None: the image's `org.opencontainers.image.base.name` annotation or label, if any."""
    signature: SignaturePolicy | None = None
    """Verify first, then scan the verified digest (a moved tag cannot swap the image)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FsTarget:
    """A directory: an unpacked root filesystem or a project tree."""

    path: Path


@dataclass(frozen=True, slots=True, kw_only=True)
class SbomTarget:
    """A CycloneDX or SPDX JSON SBOM whose packages are matched."""

    path: Path


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigTarget:
    """Dockerfiles, Kubernetes manifests and Compose files under a file or folder."""

    path: Path
    more: tuple[Path, ...] = ()
    """Further files or folders, one report for all (a pre-commit hook passes each staged file)."""

    @property
    def paths(self) -> tuple[Path, ...]:
        return (self.path, *self.more)


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistryTarget:
    """A registry's own security: TLS, authentication, anonymous access, signatures."""

    url: str
    registry: RegistryOptions
    audit: AuditOptions


@dataclass(frozen=True, slots=True, kw_only=True)
class HostTarget:
    """A host (or an offline tree of one) against the CIS and hardening controls, and/or the
    containers running on it through the Docker Engine API."""

    root: Path = Path("/")
    benchmark: str = "all"
    host: bool = True
    """False: only the containers."""
    containers: bool = False
    docker_host: str | None = None
    """DOCKER_HOST for the container checks; None: the default socket."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditLogTarget:
    """Kubernetes audit logs (audit.k8s.io/v1 events), and with `root` the API server's audit settings."""

    files: tuple[Path, ...]
    root: Path | None = None
    cluster_cidrs: tuple[str, ...] = ()
    falco_rules: tuple[Path, ...] = ()
    """Falco k8saudit rule files, evaluated by the same engine as the runtime monitor's rules."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ClusterTarget:
    """A Kubernetes cluster: manifests, a `kubectl get -A -o json` dump, or a live API server."""

    path: Path | None = None
    kubeconfig: Path | None = None
    context: str | None = None
    rbac_only: bool = False
    """Only the RBAC risks and escalation paths (`k8s rbac`), not the whole posture (`k8s scan`)."""


Target = (
    ImageTarget
    | FsTarget
    | SbomTarget
    | ConfigTarget
    | RegistryTarget
    | HostTarget
    | AuditLogTarget
    | ClusterTarget
)
