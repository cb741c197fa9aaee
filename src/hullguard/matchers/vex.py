"""VEX input: OpenVEX documents and CycloneDX VEX; `not_affected` statements suppress findings."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packageurl import PackageURL

from hullguard.errors import UsageError
from hullguard.model import Vulnerability

_PYPI = re.compile(r"[-_.]+")
_IMAGE_PURLS = ("pkg:oci/", "pkg:docker/")


@dataclass(frozen=True, slots=True, kw_only=True)
class VexStatement:
    vulnerability: str
    products: tuple[str, ...]
    """purls; empty means every package."""
    justification: str = ""
    detail: str = ""
    source: str = ""

    def applies(self, finding: Vulnerability, ids: set[str]) -> bool:
        if self.vulnerability not in ids:
            return False
        return not self.products or any(purl_matches(p, finding.package.purl) for p in self.products)


def _purl_key(text: str) -> tuple[str, str, str, str | None] | None:
    try:
        purl = PackageURL.from_string(text)
    except ValueError:
        return None
    name = _PYPI.sub("-", purl.name).lower() if purl.type == "pypi" else purl.name
    return purl.type, purl.namespace or "", name, purl.version


def purl_matches(stated: str, installed: str) -> bool:
    """The stated purl names the package; a version in it must equal the installed one."""
    a, b = _purl_key(stated), _purl_key(installed)
    if a is None or b is None:
        return False
    return a[:3] == b[:3] and (a[3] is None or a[3] == b[3])


def load_vex(path: Path) -> tuple[VexStatement, ...]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise UsageError(f"--vex {path}: cannot read: {e}") from e
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise UsageError(f"--vex {path}: not valid JSON: {e}") from e
    if isinstance(doc, dict) and "statements" in doc:
        return tuple(_openvex(doc, path))
    if isinstance(doc, dict) and doc.get("bomFormat") == "CycloneDX":
        return tuple(_cyclonedx(doc, path))
    raise UsageError(f"--vex {path}: neither an OpenVEX document (`statements`) nor CycloneDX (`bomFormat`)")


def _openvex(doc: dict[str, Any], path: Path) -> list[VexStatement]:
    out = []
    for n, statement in enumerate(doc.get("statements") or (), 1):
        if not isinstance(statement, dict):
            raise UsageError(f"--vex {path}: statement {n} is not an object")
        if statement.get("status") != "not_affected":
            continue
        vuln = statement.get("vulnerability")
        name = vuln.get("name") or vuln.get("@id") if isinstance(vuln, dict) else vuln
        if not isinstance(name, str):
            raise UsageError(f"--vex {path}: statement {n} names no vulnerability")
        products: list[str] = []
        whole_image = False
        for product in statement.get("products") or ():
            pid = product.get("@id") if isinstance(product, dict) else product
            subs = product.get("subcomponents") if isinstance(product, dict) else None
            if subs:
                products.extend(s.get("@id", "") if isinstance(s, dict) else str(s) for s in subs)
            elif isinstance(pid, str) and pid.startswith(_IMAGE_PURLS):
                # The image itself with no subcomponents: the statement covers all of it.
                whole_image = True
            elif isinstance(pid, str):
                products.append(pid)
        if whole_image:
            products = []
        out.append(
            VexStatement(
                vulnerability=name,
                products=tuple(p for p in products if p.startswith("pkg:")),
                justification=str(statement.get("justification") or ""),
                detail=str(statement.get("impact_statement") or ""),
                source=str(path),
            )
        )
    return out


def _cyclonedx(doc: dict[str, Any], path: Path) -> list[VexStatement]:
    refs: dict[str, str] = {}
    for component in _components(doc):
        if isinstance(component.get("bom-ref"), str) and isinstance(component.get("purl"), str):
            refs[component["bom-ref"]] = component["purl"]
    out = []
    for vuln in doc.get("vulnerabilities") or ():
        analysis = vuln.get("analysis") if isinstance(vuln, dict) else None
        if not isinstance(analysis, dict) or analysis.get("state") != "not_affected":
            continue
        products = []
        for affect in vuln.get("affects") or ():
            ref = str(affect.get("ref", "")) if isinstance(affect, dict) else ""
            ref = ref.split("#", 1)[1] if ref.startswith("urn:cdx:") and "#" in ref else ref
            products.append(refs.get(ref, ref))
        out.append(
            VexStatement(
                vulnerability=str(vuln.get("id", "")),
                products=tuple(p for p in products if p.startswith("pkg:")),
                justification=str(analysis.get("justification") or ""),
                detail=str(analysis.get("detail") or ""),
                source=str(path),
            )
        )
    return out


def _components(doc: dict[str, Any]) -> list[dict[str, Any]]:
    stack = list(doc.get("components") or ())
    meta = (doc.get("metadata") or {}).get("component")
    if isinstance(meta, dict):
        stack.append(meta)
    out = []
    while stack:
        component = stack.pop()
        if isinstance(component, dict):
            out.append(component)
            stack.extend(component.get("components") or ())
    return out
