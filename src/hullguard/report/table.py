"""Human-readable tables: the artifact, findings by kind (and by layer when narrow), issues.

Ids, versions and fixed versions are never cut (a truncated CVE id or version is a wrong
answer, not a shorter one); long paths lose their middle, never the package folder."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hullguard.model import Digest, Finding, Report, Severity
from hullguard.report.table_text import layer_label, plural, short_path, where

_COLOURS = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.UNKNOWN: "dim",
}
SEVERITY_WIDTH = 8
MIN_FLEXIBLE = 12
LAYER_COLUMN_WIDTH = 140
"""Below this many columns the Layer column would squeeze the rest: findings group by layer."""


class _Console(Console):
    def on_broken_pipe(self) -> None:  # rich exits with 1; the CLI decides what a closed pipe means
        raise BrokenPipeError


def write(report: Report, out: TextIO) -> None:
    columns = os.environ.get("COLUMNS", "")
    width = int(columns) if columns.isdigit() else (None if out.isatty() else 160)
    console = _Console(file=out, width=width, highlight=False, soft_wrap=False)
    a = report.artifact
    header = f"[bold]{escape(a.name)}[/bold] ({a.type.value})"
    if a.os:
        eol = " [bold red]END OF LIFE[/bold red]" if a.os.eol else ""
        header += f" — {a.os.family} {a.os.version}{eol}"
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
    if report.issues:
        console.print(f"[yellow]{plural(len(report.issues), 'issue')} while scanning:[/yellow]")
        for issue in report.issues:
            place = issue.path or issue.layer or ""
            prefix = f"{place}: " if place and not issue.message.startswith(place) else ""
            console.print(f"  - {issue.stage}: {prefix}{issue.message}", markup=False)


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
        console.print(f"\n[bold]{escape(heading)}[/bold] — {plural(len(chosen), 'finding')}")
        _tables(console, chosen, None)


def _tables(console: Console, findings: Sequence[Finding], steps: dict[str, str] | None) -> None:
    vulns = [f for f in findings if f.kind == "vulnerability"]
    others = [f for f in findings if f.kind != "vulnerability"]
    if vulns:
        rows = [
            [f.id, f.package.name, f.package.version, f.fixed_version or "", f.title, where(f)] for f in vulns
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
                case _:
                    detail = ""
            rows.append([f.id, f.title, detail, where(f)])
        _table(console, others, ("ID", "Title", "Detail", "Where"), rows, steps, (0,))


def _table(
    console: Console,
    findings: Sequence[Finding],
    headers: tuple[str, ...],
    rows: list[list[str]],
    steps: dict[str, str] | None,
    whole: tuple[int, ...],
) -> None:
    widths = [max([len(name), *(len(r[n]) for r in rows)]) for n, name in enumerate(headers)]
    flexible = len(headers) - len(whole) + (steps is not None)
    needed = SEVERITY_WIDTH + sum(widths[n] for n in whole) + flexible * MIN_FLEXIBLE + 3 * (len(headers) + 2)
    if needed > console.width:  # a table would have to cut something: one block per finding
        _blocks(console, findings, headers, rows, whole, steps)
        return
    table = Table()
    table.add_column("Severity", no_wrap=True, min_width=SEVERITY_WIDTH)
    for n, name in enumerate(headers):
        if n in whole:  # never cut: as wide as the widest value
            table.add_column(name, no_wrap=True, min_width=widths[n])
        else:
            table.add_column(name, ratio=1, min_width=min(widths[n], MIN_FLEXIBLE), overflow="fold")
    if steps is not None:
        table.add_column("Layer", ratio=1, min_width=MIN_FLEXIBLE, overflow="ellipsis", no_wrap=True)
    for f, row in zip(findings, rows, strict=True):
        cells = [f"[{_COLOURS[f.severity]}]{f.severity.name}[/]", *(escape(c) for c in row)]
        if steps is not None:
            layer: Digest | None = f.location.layer
            cells.append(escape(layer_label(layer, steps.get(layer), None)) if layer else "")
        table.add_row(*cells)
    console.print(table)


def _blocks(
    console: Console,
    findings: Sequence[Finding],
    headers: tuple[str, ...],
    rows: list[list[str]],
    whole: tuple[int, ...],
    steps: dict[str, str] | None,
) -> None:
    """Too narrow for a table: the whole values on the first line, the rest labelled below."""
    for f, row in zip(findings, rows, strict=True):
        first = "  ".join(f"{headers[n]} {escape(row[n])}" if n else escape(row[n]) for n in whole if row[n])
        console.print(f"[{_COLOURS[f.severity]}]{f.severity.name}[/] {first}", soft_wrap=True)
        for n, name in enumerate(headers):
            if n not in whole and row[n]:
                console.print(f"    {name}: {escape(row[n])}", soft_wrap=True)
        if steps is not None and f.location.layer:
            label = layer_label(f.location.layer, steps.get(f.location.layer), None)
            console.print(f"    Layer: {escape(label)}", soft_wrap=True)


__all__ = ["short_path", "write"]
