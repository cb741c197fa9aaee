"""Pure data shared by every stage. Imports nothing else of hullguard."""

from hullguard.model.finding import (
    ContainerRef,
    Finding,
    FindingKind,
    KubeObject,
    Location,
    Misconfiguration,
    ProcessInfo,
    RuntimeAlert,
    Secret,
    Subject,
    Vulnerability,
)
from hullguard.model.ids import RuleId, VulnId
from hullguard.model.package import OS, Digest, Inventory, Package, PackageType
from hullguard.model.report import Artifact, ArtifactType, Issue, Report
from hullguard.model.severity import Severity

__all__ = [
    "OS",
    "Artifact",
    "ArtifactType",
    "ContainerRef",
    "Digest",
    "Finding",
    "FindingKind",
    "Inventory",
    "Issue",
    "KubeObject",
    "Location",
    "Misconfiguration",
    "Package",
    "PackageType",
    "ProcessInfo",
    "Report",
    "RuleId",
    "RuntimeAlert",
    "Secret",
    "Severity",
    "Subject",
    "VulnId",
    "Vulnerability",
]
