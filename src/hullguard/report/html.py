"""`--format html`: one self-contained HTML file (inline CSS, no scripts, no network), the dashboard's image page."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from hullguard.model import Report
from hullguard.report.terminal import neutralise

TEMPLATES = Path(__file__).with_name("templates")
SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN")


def write(report: Report, out: TextIO) -> None:
    from hullguard.report.json import to_dict

    out.write(render_report(to_dict(report)))


def environment(*extra: Path) -> Any:
    """Autoescaping on, and control characters shown as escapes: every string in a report comes
    from the scanned image (markup our own templates made is left as it is)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from markupsafe import Markup

    def finalize(value: object) -> object:
        return neutralise(value) if isinstance(value, str) and not isinstance(value, Markup) else value

    env = Environment(loader=FileSystemLoader([*map(str, extra), str(TEMPLATES)]),
                      autoescape=select_autoescape(default=True, default_for_string=True), finalize=finalize)
    env.globals["css"] = (TEMPLATES / "style.css").read_text(encoding="utf-8")
    return env


def render_report(doc: dict[str, Any]) -> str:
    return str(environment().get_template("report.html.j2").render(doc=doc, view=view_of(doc)))


@dataclass
class LayerGroup:
    layer: str | None
    title: str
    base: bool | None
    findings: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class View:
    """What the image page shows, derived from a JSON report."""

    findings: list[dict[str, Any]]
    counts: dict[str, int]
    layers: list[LayerGroup]
    fixes: list[dict[str, Any]]
    fixable: int
    base_count: int
    own_count: int


def _natural(version: str) -> list[tuple[int, int | str]]:
    return [(0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", version) if p]


def view_of(doc: dict[str, Any]) -> View:
    findings = doc.get("findings") or []
    layers_order = {d: i for i, d in enumerate((doc.get("artifact") or {}).get("layers") or [])}
    groups: dict[str | None, LayerGroup] = {}
    for f in findings:
        layer = (f.get("location") or {}).get("layer")
        group = groups.get(layer)
        if group is None:
            title = f.get("layer_created_by") or (f"layer {layers_order[layer] + 1}" if layer in layers_order else "no layer")
            group = groups[layer] = LayerGroup(layer=layer, title=title[:160], base=f.get("in_base_image"))
        group.findings.append(f)
    fixes: dict[str, dict[str, Any]] = {}
    for f in findings:
        if f.get("kind") == "vulnerability" and f.get("fixed_version"):
            key = f"{f['package']['name']} {f['package']['version']}"
            fix = fixes.setdefault(key, {"name": f["package"]["name"], "installed": f["package"]["version"],
                                         "versions": set(), "counts": Counter()})
            fix["counts"][f["severity"]] += 1
            fix["versions"].add(f["fixed_version"])
    for fix in fixes.values():
        # Display only (report/ imports no version schemes): a natural order is right for the
        # dotted versions fixes name; the highest fixes every finding listed for the package.
        fix["versions"] = sorted(fix["versions"], key=_natural)
        fix["to"] = fix["versions"][-1]
    vulns = [f for f in findings if f.get("kind") == "vulnerability"]
    by_severity: defaultdict[str, int] = defaultdict(int)
    for f in findings:
        by_severity[f.get("severity", "UNKNOWN")] += 1
    return View(
        findings=findings,
        counts=dict(by_severity),
        layers=sorted(groups.values(), key=lambda g: layers_order.get(g.layer, len(layers_order))),
        fixes=sorted(fixes.values(), key=lambda x: [-x["counts"].get(s, 0) for s in SEVERITIES]),
        fixable=sum(1 for f in vulns if f.get("fixed_version")),
        base_count=sum(1 for f in vulns if f.get("in_base_image") is True),
        own_count=sum(1 for f in vulns if f.get("in_base_image") is False),
    )
