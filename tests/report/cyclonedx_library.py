"""The reference for report/cyclonedx_json.py: the same CycloneDX 1.6 BOM built through
cyclonedx-python-lib, as hullguard wrote it before it wrote the JSON itself (the artifact, its
OS, every package and vulnerability, layer and source package as `hullguard:` properties)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import TextIO

from cyclonedx.model import Property, XsUri
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.dependency import Dependency
from cyclonedx.model.license import DisjunctiveLicense, License, LicenseExpression
from cyclonedx.model.vulnerability import (
    BomTarget,
    Vulnerability,
    VulnerabilityAdvisory,
    VulnerabilityRating,
    VulnerabilityScoreSource,
    VulnerabilitySeverity,
)
from cyclonedx.output.json import JsonV1Dot6
from packageurl import PackageURL

from hullguard import __version__
from hullguard.model import OS, ArtifactType, Package, PackageType, Report, Severity, spdx
from hullguard.report.licenses import spdx_expression
from hullguard.report.sbom import (
    PROPERTY_PREFIX,
    artifact_facts,
    content_uuid,
    now,
    os_facts,
    package_facts,
    package_ref,
)

_SEVERITY = {
    Severity.CRITICAL: VulnerabilitySeverity.CRITICAL,
    Severity.HIGH: VulnerabilitySeverity.HIGH,
    Severity.MEDIUM: VulnerabilitySeverity.MEDIUM,
    Severity.LOW: VulnerabilitySeverity.LOW,
    Severity.UNKNOWN: VulnerabilitySeverity.UNKNOWN,
}
_ARTIFACT_TYPE = {
    ArtifactType.CONTAINER_IMAGE: ComponentType.CONTAINER,
    ArtifactType.FILESYSTEM: ComponentType.FILE,
    ArtifactType.CONFIG: ComponentType.FILE,
    ArtifactType.SBOM: ComponentType.FILE,
}


def write(report: Report, out: TextIO) -> None:
    out.write(to_json(report, created=now()))
    out.write("\n")


def to_json(report: Report, *, created: datetime) -> str:
    return JsonV1Dot6(to_bom(report, created=created)).output_as_string(indent=2)


def to_bom(report: Report, *, created: datetime) -> Bom:
    bom = Bom(serial_number=content_uuid(report))
    bom.metadata.timestamp = created
    bom.metadata.tools.components.add(
        Component(type=ComponentType.APPLICATION, name="hullguard", version=__version__)
    )
    artifact = _artifact(report)
    bom.metadata.component = artifact
    taken: set[str] = set()
    components = [(p, _component(p, package_ref(p, taken))) for p in report.packages or ()]
    os_component = _os(report.artifact.os) if report.artifact.os else None
    bom.components = [c for c in (os_component,) if c] + [c for _, c in components]
    # Keyed by bom-ref: a Component hashes through its whole comparable tuple, every time.
    graph: dict[str, tuple[Component, list[Component]]] = {_ref(c): (c, []) for c in bom.components}
    if os_component is not None:
        graph[_ref(os_component)] = (os_component, [c for p, c in components if p.type.is_os])
        graph[_ref(artifact)] = (artifact, [os_component] + [c for p, c in components if not p.type.is_os])
    else:
        graph[_ref(artifact)] = (artifact, [c for _, c in components])
    for component, depends_on in _package_graph(components):
        graph[_ref(component)] = (component, depends_on)
    # Built at once: Bom.register_dependency searches the whole graph on every call.
    bom.dependencies = [
        Dependency(ref=c.bom_ref, dependencies=[Dependency(ref=d.bom_ref) for d in deps])
        for c, deps in graph.values()
    ]
    by_purl = {p.purl: c for p, c in components if p.purl}
    for vulnerability in _vulnerabilities(report, by_purl):
        bom.vulnerabilities.add(vulnerability)
    return bom


def _ref(component: Component) -> str:
    return str(component.bom_ref.value)


def _artifact(report: Report) -> Component:
    a = report.artifact
    # One ordered value: the library keeps properties sorted, and layer order matters.
    properties = [Property(name=name, value=value) for name, value in artifact_facts(report)]
    return Component(
        type=_ARTIFACT_TYPE[a.type],
        name=a.name,
        version=a.digest,
        bom_ref=f"artifact:{a.name}",
        properties=properties,
    )


def _os(os: OS) -> Component:
    return Component(
        type=ComponentType.OPERATING_SYSTEM,
        name=os.family,
        version=os.version,
        description=os.name,
        bom_ref=f"os:{os.family}@{os.version}",
        properties=[Property(name=k, value=v) for k, v in os_facts(os)],
    )


def _component(p: Package, ref: str) -> Component:
    group, name = None, p.name
    if p.type is PackageType.MAVEN and ":" in p.name:
        group, _, name = p.name.partition(":")
    return Component(
        type=ComponentType.LIBRARY,
        group=group,
        name=name,
        version=p.version,
        purl=PackageURL.from_string(p.purl) if p.purl else None,
        bom_ref=ref,
        licenses=licenses(p.licenses),
        properties=[Property(name=k, value=v) for k, v in package_facts(p)],
    )


def licenses(declared: tuple[str, ...]) -> list[License]:
    """One SPDX id or expression when every licence is SPDX; else each licence by id or name.

    Made directly rather than by the library's LicenseFactory: importing that builds an SPDX
    matcher (~80 ms) to judge what `spdx_expression` has judged already."""
    expression = spdx_expression(declared)
    if expression is not None:
        return [DisjunctiveLicense(id=expression) if " " not in expression else LicenseExpression(expression)]
    result: list[License] = []
    for text in declared:
        known = spdx.licence_id(text.strip())
        result.append(DisjunctiveLicense(id=known) if known else DisjunctiveLicense(name=text))
    return result


def _package_graph(
    components: list[tuple[Package, Component]],
) -> Iterable[tuple[Component, list[Component]]]:
    """Dependencies by name within one package type and file, as the databases record them."""
    index = {(p.type, p.path, p.name): c for p, c in components}
    for p, c in components:
        targets = [index[(p.type, p.path, d)] for d in p.dependencies if (p.type, p.path, d) in index]
        if targets:
            yield c, targets


def _vulnerabilities(report: Report, by_purl: dict[str, Component]) -> Iterable[Vulnerability]:
    for f in report.findings:
        if f.kind != "vulnerability":
            continue
        target = by_purl.get(f.package.purl)
        rating = VulnerabilityRating(
            severity=_SEVERITY[f.severity],
            score=Decimal(str(f.cvss_score)) if f.cvss_score is not None else None,
            method=_method(f.cvss_vector),
            vector=f.cvss_vector,
        )
        yield Vulnerability(
            bom_ref=f"{f.id}:{target.bom_ref.value if target else f.package.purl}",
            id=f.id,
            description=f.title or None,
            recommendation=f"upgrade to {f.fixed_version}" if f.fixed_version else None,
            ratings=[rating],
            advisories=[VulnerabilityAdvisory(url=XsUri(url)) for url in f.references],
            affects=[BomTarget(ref=target.bom_ref.value)] if target and target.bom_ref.value else [],
            properties=[Property(name=f"{PROPERTY_PREFIX}alias", value=a) for a in f.aliases],
        )


def _method(vector: str | None) -> VulnerabilityScoreSource | None:
    if not vector:
        return None
    if vector.startswith("CVSS:4"):
        return VulnerabilityScoreSource.CVSS_V4
    if vector.startswith("CVSS:3"):
        return VulnerabilityScoreSource.CVSS_V3_1 if "3.1" in vector[:8] else VulnerabilityScoreSource.CVSS_V3
    return VulnerabilityScoreSource.CVSS_V2
