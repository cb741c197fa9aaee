"""Human-readable tables: the artifact, findings by kind (and by layer when narrow), issues.

Ids, versions and fixed versions are never cut (a truncated CVE id or version is a wrong
answer, not a shorter one); long paths lose their middle, never the package folder."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from typing import TextIO, assert_never

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hullguard.model import Finding, Report, Severity
from hullguard.report.table_text import fit_widths, layer_label, path_limit, plural, where
from hullguard.report.terminal import neutralise

_COLOURS = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.UNKNOWN: "dim",
}
SEVERITY_WIDTH = 8
MIN_FLEXIBLE = 12
LAYER_COLUMN_WIDTH = 170
"""Below this many columns the Layer column would squeeze the rest: findings group by layer."""
LAYER_MAX = 44
LAYER_LEAST = 30
"""The Layer column: a 12-digit digest and the start of the step that made the layer."""


class _Console(Console):
    def on_broken_pipe(self) -> None:  # rich exits with 1; the CLI decides what a closed pipe means
        raise BrokenPipeError


def write(report: Report, out: TextIO) -> None:
    columns = os.environ.get("COLUMNS", "")
    width = int(columns) if columns.isdigit() else (None if out.isatty() else 160)
    console = _Console(file=out, width=width, highlight=False, soft_wrap=False)
    a = report.artifact
    header = f"[bold]{_cell(a.name)}[/bold] ({a.type.value})"
    if a.os:
        eol = " [bold red]END OF LIFE[/bold red]" if a.os.eol else ""
        header += f" — {_cell(a.os.family)} {_cell(a.os.version)}{eol}"
    console.print(header)
    if report.packages is not None:
        by_type = Counter(p.type.value for p in report.packages)
        summary = ", ".join(f"{n} {t}" for t, n in sorted(by_type.items())) or "none"
        console.print(f"Packages: {len(report.packages)} ({summary})")
    if report.findings:
        counts = Counter(f.severity for f in report.findings)
        console.print(
            "Findings: "
            + ", ".join(
                f"[{_COLOURS[s]}]{s.name} {counts.get(s, 0)}[/]" for s in sorted(Severity, reverse=True)
            )
        )
        _findings(console, report)
    else:
        checked = (
            f": {plural(len(report.packages), 'package')} checked" if report.packages is not None else ""
        )
        console.print(f"No findings{checked}.")
    _advice(console, report)
    if report.issues:
        console.print(f"[yellow]{plural(len(report.issues), 'issue')} while scanning:[/yellow]")
        for issue in report.issues:
            place = issue.path or issue.layer or ""
            prefix = f"{place}: " if place and not issue.message.startswith(place) else ""
            console.print(neutralise(f"  - {issue.stage}: {prefix}{issue.message}"), markup=False)


def _advice(console: Console, report: Report) -> None:
    """What a rebuild fixes, and which base would shrink the image (report/advice.py)."""
    from hullguard.report.advice import base_advice, rebuild_advice

    rebuild = rebuild_advice(report)
    if rebuild is not None:
        console.print(f"[bold]Rebuild:[/bold] {escape(rebuild.summary())}")
    base = base_advice(report)
    if base is None:
        return
    if base.built:
        console.print(
            f"[bold]Base:[/bold] {escape(base.os)}{' [bold red](end of life)[/bold red]' if base.eol else ''}, "
            f"image built {escape(base.built[:10])}{_age(base.built)}; "
            f"{base.vulnerabilities} known {'vulnerability' if base.vulnerabilities == 1 else 'vulnerabilities'} "
            f"in {plural(base.os_packages, 'OS package')}"
        )
    counted = [a for a in base.alternatives if a.removes_packages]
    for alt in counted[:3]:
        console.print(
            f"[bold]Smaller base:[/bold] {escape(alt.image)} ({alt.kind}) would remove "
            f"{plural(alt.removes_packages or 0, 'OS package')} of {base.os_packages} and "
            f"{alt.removes_vulnerabilities or 0} known "
            f"{'vulnerability' if alt.removes_vulnerabilities == 1 else 'vulnerabilities'} "
            f"[dim](table of {base.as_of})[/dim]"
        )


def _age(created: str) -> str:
    from datetime import UTC, datetime

    try:
        when = datetime.fromisoformat(created.replace("Z", "+00:00")[:32])
    except ValueError:
        return ""
    days = (datetime.now(UTC) - (when if when.tzinfo else when.replace(tzinfo=UTC))).days
    return f" ({plural(days, 'day')} ago)" if days >= 0 else ""


def _findings(console: Console, report: Report) -> None:
    steps: dict[str, str] = {}  # layer digest -> the history step that created it
    for f in report.findings:
        if f.kind == "vulnerability" and f.location.layer and f.layer_created_by:
            steps.setdefault(f.location.layer, f.layer_created_by)
    layered = any(f.location.layer for f in report.findings)
    if not layered or console.width >= LAYER_COLUMN_WIDTH:
        _tables(console, report.findings, steps if layered else None)
        return
    order: dict[str, int] = {str(d): n for n, d in enumerate(report.artifact.layers)}
    layers = sorted({f.location.layer or "" for f in report.findings}, key=lambda d: order.get(d, len(order)))
    for layer in layers:
        chosen = [f for f in report.findings if (f.location.layer or "") == layer]
        heading = layer_label(layer, steps.get(layer), order) if layer else "Not from a layer"
        console.print(f"\n[bold]{_cell(heading)}[/bold] — {plural(len(chosen), 'finding')}")
        _tables(console, chosen, None)


def _tables(console: Console, findings: Sequence[Finding], steps: dict[str, str] | None) -> None:
    limit = path_limit(console.width)
    vulns = [f for f in findings if f.kind == "vulnerability"]
    others = [f for f in findings if f.kind != "vulnerability"]
    if vulns:
        rows = [
            _clean([f.id, f.package.name, f.package.version, f.fixed_version or "", f.title, where(f, limit)])
            for f in vulns
        ]
        _table(
            console, vulns, ("ID", "Package", "Version", "Fixed in", "Title", "Where"), rows, steps, (0, 2, 3)
        )
    if others:
        rows = []
        for f in others:
            match f.kind:
                case "misconfiguration":
                    detail = f.message
                case "secret":
                    detail = f.match
                case "runtime":
                    detail = f.output
                case "vulnerability":
                    detail = f.title
                case _:
                    assert_never(f)
            rows.append(_clean([f.id, f.title, detail, where(f, limit)]))
        _table(console, others, ("ID", "Title", "Detail", "Where"), rows, steps, (0,))


def _table(
    console: Console,
    findings: Sequence[Finding],
    headers: tuple[str, ...],
    rows: list[list[str]],
    steps: dict[str, str] | None,
    whole: tuple[int, ...],
) -> None:
    if steps is not None:
        headers = (*headers, "Layer")
        for f, row in zip(findings, rows, strict=True):
            layer = f.location.layer
            row.append(neutralise(layer_label(layer, steps.get(layer), None)) if layer else "")
    shown = [n for n, name in enumerate(headers) if n in whole or any(r[n] for r in rows)]
    natural = [max([len(headers[n]), *(len(r[n]) for r in rows)]) for n in shown]
    limit = path_limit(console.width)
    floor = {"Where": limit, "Layer": LAYER_LEAST}
    least = [
        natural[i] if n in whole else min(natural[i], floor.get(headers[n], MIN_FLEXIBLE))
        for i, n in enumerate(shown)
    ]
    natural = [min(w, LAYER_MAX) if headers[n] == "Layer" else w for w, n in zip(natural, shown, strict=True)]
    room = console.width - SEVERITY_WIDTH - 3 * (len(shown) + 1) - 1
    where = next((i for i, n in enumerate(shown) if headers[n] == "Where"), None)
    widths = fit_widths(natural, least, room, first=where)  # a shortened path rather not wrap
    if widths is None:  # a table would have to cut something: one block per finding
        _blocks(console, findings, headers, rows, whole)
        return
    table = Table()
    table.add_column("Severity", no_wrap=True, width=SEVERITY_WIDTH)
    for n, width in zip(shown, widths, strict=True):
        name = headers[n]
        if name == "Layer":  # a layer's step may be cut; nothing else is
            table.add_column(name, width=width, no_wrap=True, overflow="ellipsis")
        else:
            table.add_column(name, width=width, no_wrap=n in whole, overflow="fold")
    for f, row in zip(findings, rows, strict=True):
        table.add_row(f"[{_COLOURS[f.severity]}]{f.severity.name}[/]", *(escape(row[n]) for n in shown))
    console.print(table)


def _blocks(
    console: Console,
    findings: Sequence[Finding],
    headers: tuple[str, ...],
    rows: list[list[str]],
    whole: tuple[int, ...],
) -> None:
    """Too narrow for a table: the whole values on the first line, the rest labelled below."""
    for f, row in zip(findings, rows, strict=True):
        first = "  ".join(f"{headers[n]} {escape(row[n])}" if n else escape(row[n]) for n in whole if row[n])
        console.print(f"[{_COLOURS[f.severity]}]{f.severity.name}[/] {first}", soft_wrap=True)
        for n, name in enumerate(headers):
            if n not in whole and row[n]:
                console.print(f"    {name}: {escape(row[n])}", soft_wrap=True)


def _clean(row: list[str]) -> list[str]:
    """Scanned content: control characters neutralised before widths are measured."""
    return [neutralise(cell) for cell in row]


def _cell(text: str) -> str:
    """Scanned content in rich markup: controls neutralised, markup escaped."""
    return escape(neutralise(text))
