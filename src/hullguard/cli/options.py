"""Options shared by the scanning commands, turning them into ScanOptions, and writing the report."""

from __future__ import annotations

import argparse
import atexit
import sys
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from hullguard.cli.outcome import deliver
from hullguard.cli.secret_options import add_secret_arguments
from hullguard.cli.vuln_options import add_vuln_arguments, filters_from
from hullguard.errors import UsageError
from hullguard.matchers.options import VulnOptions
from hullguard.model import Report, Severity
from hullguard.oci.manifest import Platform
from hullguard.pipeline import ALL_SCANNERS, ProgressEvent, ScannerName, ScanOptions
from hullguard.report import formats, writer_for
from hullguard.report.terminal import neutralise
from hullguard.secrets.options import SecretOptions
from hullguard.sources import SourceOptions

if TYPE_CHECKING:
    from hullguard.rules.engine import ConfigOptions


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
    parser.add_argument(
        "--no-cache", action="store_true", help="read every layer; neither use nor fill caches"
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    parser.add_argument("--secret-config", type=Path, help="YAML: secret rules to add or disable, allowlists")
    parser.add_argument(
        "--secret-baseline", type=Path, help="known secrets (`hullguard secret baseline`) to hide"
    )
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


def parse_scanners(text: str) -> frozenset[ScannerName]:
    names = {s.strip() for s in text.split(",") if s.strip()}
    unknown = names - set(ALL_SCANNERS)
    if unknown:
        raise UsageError(
            f"--scanners: unknown {', '.join(sorted(unknown))}; expected {', '.join(ALL_SCANNERS)}"
        )
    return frozenset(n for n in ALL_SCANNERS if n in names)


def check_format(text: str) -> None:
    if text not in formats():
        raise UsageError(f"--format {text!r}: expected one of {', '.join(formats())}")


def parse_severities(text: str | None) -> frozenset[Severity] | None:
    if not text:
        return None
    try:
        return frozenset(Severity.parse(s) for s in text.split(",") if s.strip())
    except ValueError as e:
        raise UsageError(f"--severity: {e}") from e


def scan_options(args: argparse.Namespace, config: ConfigOptions | None = None) -> ScanOptions:
    """The options of a scanning command; `config`: the config scanner's, where a command has them."""
    scanners = parse_scanners(args.scanners)
    check_format(args.format)
    severities = parse_severities(args.severity)
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
        filters=filters_from(args, severities),
        vuln=VulnOptions(),
        secret=SecretOptions(
            config=args.secret_config,
            baseline=args.secret_baseline,
            max_file_size=getattr(args, "secret_max_file_size", None),
            # --offline promises no network but the target's: it overrides --verify
            verify=getattr(args, "verify", False) and not args.offline,
        ),
        cache_dir=args.cache_dir,
        use_cache=not args.no_cache,
        offline=args.offline,
        config=config,
    )


def emit(report: Report, args: argparse.Namespace) -> int:
    """Write the report where asked and return the exit code its findings call for."""
    bar = getattr(args, "progress_bar", None)
    if bar is not None:
        bar.stop()
    writer = writer_for(args.format)
    target: Any = args.output.open("w", encoding="utf-8") if args.output else nullcontext(sys.stdout)
    with target as out:
        deliver(writer, report, out)
    return args.exit_code if report.findings and args.exit_code else 0


def progress(args: argparse.Namespace, err: TextIO | None = None) -> Callable[[ProgressEvent], None]:
    """What the CLI shows of a scan's progress: notes (`Signature verified for …`) unless --quiet;
    a progress bar over the layers on a terminal (not when piped or --quiet), which `emit` takes
    off the screen before the report."""
    err = sys.stderr if err is None else err  # looked up now: sys.stderr may be replaced after import
    bar = None
    if not args.quiet and err.isatty():
        bar = _LayerBar(err)
        args.progress_bar = bar

    def show(event: ProgressEvent) -> None:
        if event.stage == "note":
            if not args.quiet:
                err.write(f"{neutralise(event.detail)}\n")
        elif event.stage == "layer" and bar is not None:
            bar(event.done, event.total or 0, event.detail)

    return show


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

    def __call__(self, done: int, count: int, diff_id: str) -> None:
        if self._task is None:
            self._progress.start()
            atexit.register(self.stop)  # an error ends the scan before `emit`: give the cursor back
            self._task = self._progress.add_task("layers", total=count, layer="")
        self._progress.update(self._task, completed=done, layer=f"{diff_id[:19]}…")

    def stop(self) -> None:
        self._progress.stop()
