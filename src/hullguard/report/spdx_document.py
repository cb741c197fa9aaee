"""SPDX 2.3 JSON through spdx-tools: the artifact, its OS and every package, related by
CONTAINS and DEPENDS_ON; layer and source package kept as `hullguard:` lines in each
package's comment (annotations would do too, but spdx-tools' writer matches every package
against every annotation: quadratic, 16 s for 3000 packages)."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import TextIO

from license_expression import LicenseExpression
from spdx_tools.common.spdx_licensing import spdx_licensing
from spdx_tools.spdx.model.actor import Actor, ActorType
from spdx_tools.spdx.model.document import CreationInfo, Document
from spdx_tools.spdx.model.extracted_licensing_info import ExtractedLicensingInfo
from spdx_tools.spdx.model.package import (
    ExternalPackageRef,
    ExternalPackageRefCategory,
    Package,
    PackagePurpose,
)
from spdx_tools.spdx.model.relationship import Relationship, RelationshipType
from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion
from spdx_tools.spdx.writer.json.json_writer import write_document_to_stream

from hullguard import __version__
from hullguard.model import OS, ArtifactType, Report
from hullguard.model import Package as HgPackage
from hullguard.report.licenses import is_spdx_id, spdx_expression
from hullguard.report.sbom import artifact_facts, content_uuid, now, os_facts, package_facts

DOCUMENT = "SPDXRef-DOCUMENT"
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9.-]+")
_UNSAFE_URI = re.compile(r"[^A-Za-z0-9._~-]+")
_PURPOSE = {
    ArtifactType.CONTAINER_IMAGE: PackagePurpose.CONTAINER,
    ArtifactType.FILESYSTEM: PackagePurpose.FILE,
    ArtifactType.CONFIG: PackagePurpose.FILE,
    ArtifactType.SBOM: PackagePurpose.FILE,
}


def write(report: Report, out: TextIO) -> None:
    # Validation is the tests' job (and costly); the document is built to be valid.
    write_document_to_stream(to_document(report, created=now()), out, validate=False, drop_duplicates=False)
    out.write("\n")


def to_document(report: Report, *, created: datetime) -> Document:
    a = report.artifact
    tool = Actor(ActorType.TOOL, f"hullguard-{__version__}")
    doc = Document(
        CreationInfo(
            spdx_version="SPDX-2.3",
            spdx_id=DOCUMENT,
            name=a.name,
            document_namespace=(
                f"https://hullguard.dev/spdx/{a.type.value}/"
                f"{_UNSAFE_URI.sub('-', a.name).strip('-')}-{content_uuid(report)}"
            ),
            creators=[tool],
            created=created,
        )
    )
    builder = _Builder(doc)
    root = builder.add(
        _id("Artifact", a.name),
        name=a.name,
        version=a.digest,
        purpose=_PURPOSE[a.type],
        facts=artifact_facts(report),
    )
    doc.relationships.append(Relationship(DOCUMENT, RelationshipType.DESCRIBES, root))
    os_id = builder.add_os(a.os) if a.os else None
    if os_id is not None:
        doc.relationships.append(Relationship(root, RelationshipType.CONTAINS, os_id))
    ids: dict[tuple[str, str | None, str], str] = {}
    for p in report.packages or ():
        spdx_id = builder.add_package(p)
        ids.setdefault((p.type.value, p.path, p.name), spdx_id)
        parent = os_id if p.type.is_os and os_id else root
        doc.relationships.append(Relationship(parent, RelationshipType.CONTAINS, spdx_id))
    for p in report.packages or ():
        source = ids[(p.type.value, p.path, p.name)]
        for dep in p.dependencies:
            target = ids.get((p.type.value, p.path, dep))
            if target is not None and target != source:
                doc.relationships.append(Relationship(source, RelationshipType.DEPENDS_ON, target))
    return doc


class _Builder:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.taken: set[str] = set()
        self.refs: dict[str, str] = {}

    def add(
        self,
        spdx_id: str,
        *,
        name: str,
        version: str | None,
        purpose: PackagePurpose,
        facts: list[tuple[str, str]] | None = None,
        purl: str | None = None,
        licenses: tuple[str, ...] = (),
        source_info: str | None = None,
    ) -> str:
        base, n = spdx_id, 1
        while spdx_id in self.taken:
            n += 1
            spdx_id = f"{base}-{n}"
        self.taken.add(spdx_id)
        self.doc.packages.append(
            Package(
                spdx_id=spdx_id,
                name=name,
                version=version,
                download_location=SpdxNoAssertion(),
                files_analyzed=False,
                license_concluded=SpdxNoAssertion(),
                license_declared=self._license(licenses) if licenses else SpdxNoAssertion(),
                copyright_text=SpdxNoAssertion(),
                source_info=source_info,
                comment="\n".join(f"{key}: {value}" for key, value in facts or ()) or None,
                primary_package_purpose=purpose,
                external_references=[
                    ExternalPackageRef(ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", purl)
                ]
                if purl
                else [],
            )
        )
        return spdx_id

    def add_os(self, os: OS) -> str:
        return self.add(
            _id("OperatingSystem", f"{os.family}-{os.version}"),
            name=os.family,
            version=os.version,
            purpose=PackagePurpose.OPERATING_SYSTEM,
            facts=os_facts(os),
        )

    def add_package(self, p: HgPackage) -> str:
        source = None
        if p.source_name and (p.source_name, p.source_version) != (p.name, p.version):
            source = f"built package from: {p.source_name} {p.source_version or ''}".rstrip()
        return self.add(
            _id(f"Package-{p.type.value}", f"{p.name}-{p.version}", key=f"{p.purl}|{p.path}"),
            name=p.name,
            version=p.version,
            purpose=PackagePurpose.LIBRARY,
            facts=package_facts(p),
            purl=p.purl or None,
            licenses=p.licenses,
            source_info=source,
        )

    def _license(self, licenses: tuple[str, ...]) -> LicenseExpression:
        """SPDX ids and expressions as they are; anything else as a declared LicenseRef."""
        expression = spdx_expression(licenses)
        if expression is None:
            parts = [text if is_spdx_id(text) else self._license_ref(text) for text in licenses]
            expression = " AND ".join(parts)
        return spdx_licensing.parse(expression)

    def _license_ref(self, text: str) -> str:
        ref = self.refs.get(text)
        if ref is None:
            ref = f"LicenseRef-{_UNSAFE_ID.sub('-', text).strip('-')[:40]}-{_digest(text)[:8]}"
            self.refs[text] = ref
            self.doc.extracted_licensing_info.append(
                ExtractedLicensingInfo(license_id=ref, extracted_text=text, license_name=text)
            )
        return ref


def _id(kind: str, label: str, key: str = "") -> str:
    """`SPDXRef-<kind>-<label>-<hash>`: readable, and unique even when labels collide."""
    return f"SPDXRef-{kind}-{_UNSAFE_ID.sub('-', label).strip('-')[:60]}-{_digest(key or label)[:8]}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
