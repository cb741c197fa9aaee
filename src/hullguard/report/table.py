"""Human-readable tables: the artifact, its packages, findings by severity, issues."""

from __future__ import annotations

from collections import Counter
from typing import TextIO, assert_never

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hullguard.model import Report, Severity
from hullguard.report.terminal import neutralise

_COLOURS = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.UNKNOWN: "dim",
}


def write(report: Report, out: TextIO) -> None:
    console = Console(file=out, width=160 if not out.isatty() else None, highlight=False, soft_wrap=False)
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
        if not report.findings:
            _packages(console, report)
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
        console.print("Findings: none")
    if report.issues:
        console.print(f"[yellow]{len(report.issues)} issue(s) while scanning:[/yellow]")
        for issue in report.issues:
            where = issue.path or issue.layer or ""
            line = f"  - {issue.stage}: {where + ': ' if where else ''}{issue.message}"
            console.print(neutralise(line), markup=False)


def _packages(console: Console, report: Report) -> None:
    table = Table(show_lines=False)
    for col in ("Type", "Name", "Version", "Source", "Layer"):
        table.add_column(col)
    for p in report.packages or ():
        table.add_row(
            p.type.value,
            _cell(p.name),
            _cell(p.version),
            _cell(p.source_name or ""),
            (p.layer or "")[7:19],
        )
    console.print(table)


def _findings(console: Console, report: Report) -> None:
    table = Table()
    for col in ("Severity", "ID", "Target", "Detail", "Where"):
        table.add_column(col)
    for f in report.findings:
        match f.kind:
            case "vulnerability":
                target = f"{f.package.name} {f.package.version}"
                detail = f"fixed in {f.fixed_version}" if f.fixed_version else "no fix yet"
            case "misconfiguration":
                target, detail = f.title, f.message
            case "secret":
                target, detail = f.title, f.match
            case "runtime":
                target, detail = f.title, f.output
            case _:
                assert_never(f)
        loc = f.location
        where = (
            ":".join(str(x) for x in (loc.path, loc.start_line) if x)
            or (loc.object.label() if loc.object else "")
            or (f"{loc.subject.kind} {loc.subject.name}" if loc.subject else "")
            or (loc.container.name or loc.container.id[:12] if loc.container else "")
            or (loc.layer or "")[7:19]
        )
        table.add_row(
            f"[{_COLOURS[f.severity]}]{f.severity.name}[/]",
            _cell(f.id),
            _cell(target),
            _cell(detail),
            _cell(where),
        )
    console.print(table)


def _cell(text: str) -> str:
    """Scanned content in a table: controls neutralised, rich markup escaped."""
    return escape(neutralise(text))
