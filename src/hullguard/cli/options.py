"""Options shared by the scanning commands, and turning them into ScanOptions."""

from __future__ import annotations

import argparse
import atexit
import sys
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any, TextIO

from hullguard.cli.secret_options import add_secret_arguments, secret_extra
from hullguard.cli.vuln_options import add_vuln_arguments, vuln_extra
from hullguard.errors import UsageError
from hullguard.model import Report, Severity
from hullguard.pipeline import ALL_SCANNERS, ScanOptions
from hullguard.report import formats, writer_for
from hullguard.sources import SourceOptions
from hullguard.sources.manifest import Platform


def add_report_options(parser: argparse.ArgumentParser, default_scanners: str) -> None:
    parser.add_argument(
        "--scanners",
        default=default_scanners,
        help=f"comma-separated: {','.join(ALL_SCANNERS)} (default: {default_scanners})",
    )
    parser.add_argument("--format", "-f", default="table", help=f"one of {', '.join(formats())}")
    parser.add_argument("--output", "-o", type=Path, help="write the report to FILE instead of stdout")
    parser.add_argument("--severity", "-s", help="only these severities, e.g. HIGH,CRITICAL")
    parser.add_argument("--ignore-unfixed", action="store_true", help="hide vulnerabilities with no fix yet")
    parser.add_argument(
        "--exit-code",
        type=int,
        default=0,
        help="exit with this code when findings remain after filters (default 0)",
    )
    parser.add_argument("--offline", action="store_true", help="never touch the network except the target")
    parser.add_argument("--cache-dir", type=Path, help="where the vulnerability DB and caches live")
    parser.add_argument("--no-cache", action="store_true", help="read every layer; neither use nor fill caches")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    parser.add_argument("--secret-config", type=Path, help="YAML: secret rules to add or disable, allowlists")
    parser.add_argument("--secret-baseline", type=Path, help="known secrets (`hullguard secret baseline`) to hide")
    add_secret_arguments(parser)
    add_vuln_arguments(parser)


def add_source_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--platform", default="linux/amd64", help="os/arch[/variant] to pick from an index")
    parser.add_argument(
        "--insecure", action="store_true", help="allow plain HTTP and unverified TLS to registries"
    )
    parser.add_argument("--ca-cert", type=Path, help="PEM file of CA certificates to trust for registries")
    parser.add_argument("--client-cert", type=Path, help="PEM client certificate (and key) for registry mTLS")
    parser.add_argument("--client-key", type=Path, help="PEM private key of --client-cert, if separate")
    parser.add_argument("--username", help="registry user name (else ~/.docker/config.json)")
    parser.add_argument("--password", help="registry password or token (prefer HULLGUARD_PASSWORD)")


def scan_options(args: argparse.Namespace) -> ScanOptions:
    scanners = frozenset(s.strip() for s in args.scanners.split(",") if s.strip())
    unknown = scanners - set(ALL_SCANNERS)
    if unknown:
        raise UsageError(
            f"--scanners: unknown {', '.join(sorted(unknown))}; expected {', '.join(ALL_SCANNERS)}"
        )
    if args.format not in formats():
        raise UsageError(f"--format {args.format!r}: expected one of {', '.join(formats())}")
    severities = None
    if args.severity:
        try:
            severities = frozenset(Severity.parse(s) for s in args.severity.split(",") if s.strip())
        except ValueError as e:
            raise UsageError(f"--severity: {e}") from e
    source = SourceOptions()
    if hasattr(args, "platform"):
        source = SourceOptions(
            platform=Platform.parse(args.platform),
            insecure=args.insecure,
            ca_cert=args.ca_cert,
            username=args.username,
            password=args.password,
            client_cert=args.client_cert,
            client_key=args.client_key,
        )
    return ScanOptions(
        scanners=scanners,
        source=source,
        severities=severities,
        ignore_unfixed=args.ignore_unfixed,
        cache_dir=args.cache_dir,
        offline=args.offline,
        extra=(("secret_config", args.secret_config), ("secret_baseline", args.secret_baseline), ("no_cache", args.no_cache), *vuln_extra(args), *secret_extra(args)),
    )


def emit(report: Report, args: argparse.Namespace) -> int:
    """Write the report where asked and return the exit code its findings call for."""
    bar = getattr(args, "progress_bar", None)
    if bar is not None:
        bar.stop()
    writer = writer_for(args.format)
    target: Any = args.output.open("w", encoding="utf-8") if args.output else nullcontext(sys.stdout)
    with target as out:
        writer(report, out)
    return args.exit_code if report.findings and args.exit_code else 0


def layer_progress(args: argparse.Namespace, err: TextIO | None = None) -> Callable[..., None] | None:
    """A progress bar over the layers on a terminal; nothing when piped or --quiet.
    `emit` takes it off the screen before the report is written."""
    err = sys.stderr if err is None else err  # looked up now: sys.stderr may be replaced after import
    if args.quiet or not err.isatty():
        return None
    bar = _LayerBar(err)
    args.progress_bar = bar
    return bar


class _LayerBar:
    def __init__(self, err: TextIO) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("[dim]reading layers[/dim]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("[dim]{task.fields[layer]}[/dim]"),
            TimeElapsedColumn(),
            console=Console(file=err),
            transient=True,
        )
        self._task: Any = None

    def __call__(self, layer: Any, count: int) -> None:
        if self._task is None:
            self._progress.start()
            atexit.register(self.stop)  # an error ends the scan before `emit`: give the cursor back
            self._task = self._progress.add_task("layers", total=count, layer="")
        self._progress.update(self._task, completed=layer.index, layer=f"{layer.diff_id[:19]}…")

    def stop(self) -> None:
        self._progress.stop()
