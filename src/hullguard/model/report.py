"""The report: what a scan found about one artifact."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hullguard.model.finding import Finding
from hullguard.model.package import OS, Digest, Package


class ArtifactType(StrEnum):
    CONTAINER_IMAGE = "container_image"
    FILESYSTEM = "filesystem"
    CONFIG = "config"
    SBOM = "sbom"


@dataclass(frozen=True, slots=True, kw_only=True)
class Artifact:
    name: str
    type: ArtifactType
    digest: Digest | None = None
    os: OS | None = None
    layers: tuple[Digest, ...] = ()
    created: str | None = None
    """When an image was built (its config's `created`, RFC 3339)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Issue:
    """Something that could not be read; the scan went on without it."""

    stage: str
    message: str
    path: str | None = None
    layer: Digest | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    artifact: Artifact
    packages: tuple[Package, ...] | None = None
    findings: tuple[Finding, ...] = ()
    issues: tuple[Issue, ...] = ()
