"""The JSON report: the stable shape of DESIGN.md §3."""

from __future__ import annotations

import json
from typing import Any, TextIO, assert_never

from hullguard import __version__
from hullguard.model import OS, ContainerRef, Finding, Issue, Location, Package, ProcessInfo, Report
from hullguard.model.finding import location_fingerprint
from hullguard.report.advice import to_dict as advice_dict

SCHEMA_VERSION = 1


def write(report: Report, out: TextIO) -> None:
    json.dump(to_dict(report), out, indent=2, sort_keys=True)
    out.write("\n")


def to_dict(report: Report, *, advice: bool = True) -> dict[str, Any]:
    artifact = report.artifact
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "hullguard", "version": __version__},
        "artifact": _clean(
            {
                "name": artifact.name,
                "type": artifact.type.value,
                "digest": artifact.digest,
                "os": _os(artifact.os) if artifact.os else None,
                "layers": list(artifact.layers) or None,
            }
        ),
        "findings": [finding_dict(f) for f in report.findings],
        "issues": [_issue(i) for i in report.issues],
    }
    if report.packages is not None:
        doc["packages"] = [package_dict(p) for p in report.packages]
    advised = advice_dict(report) if advice else None
    if advised is not None:
        doc["advice"] = advised
    return doc


def _os(os: OS) -> dict[str, Any]:
    return _clean(
        {
            "family": os.family,
            "version": os.version,
            "name": os.name,
            "eol": os.eol,
            "eol_date": os.eol_date.isoformat() if os.eol_date else None,
        }
    )


def package_dict(p: Package) -> dict[str, Any]:
    return _clean(
        {
            "name": p.name,
            "version": p.version,
            "type": p.type.value,
            "purl": p.purl,
            "source_name": p.source_name,
            "source_version": p.source_version,
            "arch": p.arch,
            "licenses": list(p.licenses) or None,
            "layer": p.layer,
            "path": p.path,
            "modularity_label": p.modularity_label,
            "dev": p.dev or None,
        }
    )


def location_dict(loc: Location) -> dict[str, Any]:
    return _clean(
        {
            "path": loc.path,
            "start_line": loc.start_line,
            "end_line": loc.end_line,
            "layer": loc.layer,
            "object": _clean(
                {"kind": loc.object.kind, "namespace": loc.object.namespace, "name": loc.object.name,
                 "api_version": loc.object.api_version}
            ) if loc.object else None,
            "subject": _clean(
                {"kind": loc.subject.kind, "namespace": loc.subject.namespace, "name": loc.subject.name}
            ) if loc.subject else None,
            "escalation_path": list(loc.steps) or None,
            "container": container_dict(loc.container) if loc.container else None,
        }
    )


def container_dict(c: ContainerRef) -> dict[str, Any]:
    return _clean({"id": c.id, "name": c.name, "image": c.image})


def process_dict(p: ProcessInfo) -> dict[str, Any]:
    return _clean(
        {"pid": p.pid, "name": p.name, "exe": p.exe, "cmdline": p.cmdline, "user": p.user, "tty": p.tty,
         "parents": list(p.parents) or None}
    )


def finding_dict(f: Finding) -> dict[str, Any]:
    base: dict[str, Any] = {
        "kind": f.kind,
        "id": f.id,
        "severity": f.severity.name,
        "title": f.title,
        "location": location_dict(f.location),
    }
    match f.kind:
        case "vulnerability":
            base.update(
                aliases=list(f.aliases),
                package={"name": f.package.name, "version": f.package.version, "purl": f.package.purl},
                fixed_version=f.fixed_version,
                cvss_score=f.cvss_score,
                cvss_vector=f.cvss_vector,
                references=list(f.references) or None,
                layer_created_by=f.layer_created_by,
                in_base_image=f.in_base_image,
            )
        case "misconfiguration":
            base.update(message=f.message, remediation=f.remediation, references=list(f.references) or None)
        case "secret":
            base.update(match=f.match, removed_in_layer=f.removed_in_layer, fingerprint=location_fingerprint(f), verification=f.verification)
        case "runtime":
            base.update(
                output=f.output,
                time=f.time,
                source=f.source,
                container=container_dict(f.location.container) if f.location.container else None,
                process=process_dict(f.process) if f.process else None,
                fields=dict(f.fields) or None,
                tags=list(f.tags) or None,
            )
        case _:
            assert_never(f)
    return _clean(base, keep=("fixed_version",))


def _issue(i: Issue) -> dict[str, Any]:
    return _clean({"stage": i.stage, "path": i.path, "layer": i.layer, "message": i.message})


def _clean(d: dict[str, Any], keep: tuple[str, ...] = ()) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None or k in keep}
