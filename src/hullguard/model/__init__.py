"""Pure data shared by every stage. Imports nothing else of hullguard."""

from hullguard.model.finding import Finding, Location, Misconfiguration, Secret, Vulnerability
from hullguard.model.package import OS, Digest, Inventory, Package, PackageType
from hullguard.model.report import Artifact, ArtifactType, Issue, Report
from hullguard.model.severity import Severity

__all__ = [
    "OS",
    "Artifact",
    "ArtifactType",
    "Digest",
    "Finding",
    "Inventory",
    "Issue",
    "Location",
    "Misconfiguration",
    "Package",
    "PackageType",
    "Report",
    "Secret",
    "Severity",
    "Vulnerability",
]
