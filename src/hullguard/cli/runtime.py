"""`hullguard runtime watch|profile|rules check`: behavioural monitoring with Falco's rule language."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from hullguard.errors import UsageError

NAME = "runtime"
HELP = "watch kernel events with Falco rules, learn profiles, check rule files"
FORMATS = ("json", "table", "falco-json")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="runtime_command", metavar="SUBCOMMAND", required=True)
    watch = sub.add_parser("watch", help="watch this host's processes and containers (root)")
    watch.add_argument("--rules", "-r", action="append", type=Path, default=[], metavar="FILE",
                       help="a Falco rules file (repeat; merged in order)")
    watch.add_argument("--duration", type=float, help="stop after this many seconds (else SIGINT/SIGTERM)")
    watch.add_argument("--format", "-f", choices=FORMATS, default="json")
    watch.add_argument("--output", "-o", type=Path, help="append alerts to this file instead of stdout")
    watch.add_argument("--webhook", metavar="URL", help="also POST each alert (JSON) to this URL")
    watch.add_argument("--syslog", nargs="?", const="/dev/log", metavar="ADDR",
                       help="also send each alert to syslog (/dev/log, or HOST:PORT over UDP)")
    watch.add_argument("--source", choices=("auto", "ebpf", "proc-connector"), default="auto",
                       help="eBPF (auto falls back to the proc connector and fanotify, which see less)")
    watch.add_argument("--block-drift", action="store_true",
                       help="deny execs of files not in the container's image (fanotify permission events)")
    watch.add_argument("--no-drift", action="store_true", help="no drift alerts")
    profile = sub.add_parser("profile", help="learn a container's seccomp profile and NetworkPolicy (root)")
    profile.add_argument("--container", required=True, help="podman container id or name")
    profile.add_argument("--duration", type=float, required=True)
    profile.add_argument("--output-dir", type=Path, default=Path("."))
    rules = sub.add_parser("rules", help="check Falco rule files: what loads and what does not")
    rules.add_argument("action", choices=("check",))
    rules.add_argument("files", nargs="+", type=Path, metavar="FILE", help="rule files, merged in order")
    rules.add_argument("--format", "-f", choices=("table", "json"), default="table")
    rules.add_argument("--exit-code", type=int, default=0, help="exit with this code when a rule did not load")


def run(args: argparse.Namespace) -> int:
    match args.runtime_command:
        case "rules":
            return _rules_check(args)
        case "watch":
            return _watch(args)
        case "profile":
            return _profile(args)
    raise AssertionError(args.runtime_command)


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def _warn(message: str) -> None:
    sys.stderr.write(f"hullguard runtime: {message}\n")


def _watch(args: argparse.Namespace) -> int:
    from hullguard.runtime.outputs import Output, StreamOutput, SyslogOutput, WebhookOutput
    from hullguard.runtime.rules import load_rules
    from hullguard.runtime.watch import Watcher, WatchOptions

    ruleset = load_rules(args.rules)
    for problem in ruleset.problems:
        _warn(f"rule not loaded: {problem}")
    if not args.rules:
        _warn("no --rules given: only drift is reported")
    else:
        enabled = sum(r.enabled for r in ruleset.rules)
        _warn(f"{enabled} rules enabled, {len(ruleset.problems)} not loaded")
    try:
        stream: Any = args.output.open("a", encoding="utf-8") if args.output else sys.stdout
    except OSError as e:
        raise UsageError(f"--output {args.output}: {e.strerror}") from e
    outputs: list[Output] = [StreamOutput(stream, args.format)]
    if args.webhook:
        if not args.webhook.startswith(("http://", "https://")):
            raise UsageError(f"--webhook {args.webhook}: expected an http:// or https:// URL")
        outputs.append(WebhookOutput(args.webhook, args.format))
    if args.syslog:
        try:
            outputs.append(SyslogOutput(args.syslog))
        except OSError as e:
            raise UsageError(f"--syslog {args.syslog}: {e}") from e
    options = WatchOptions(duration=args.duration, source=args.source, drift=not args.no_drift,
                           block_drift=args.block_drift)
    watcher = Watcher(ruleset, outputs, options, warn=_warn)
    stop = _stop_on_signals()
    sources = watcher.attach()
    _warn(f"watching ({', '.join(sources)})")
    stats = watcher.run(stop)
    _warn(f"{stats.events} events, {stats.alerts} alerts, {stats.dropped} dropped")
    if stats.failed:
        _warn(f"{stats.failed} records could not be processed (a bug; please report): {stats.first_failure}")
    if args.output:
        stream.close()
    return 0


def _profile(args: argparse.Namespace) -> int:
    from hullguard.runtime.learn import learn_profile

    seccomp, policy = learn_profile(args.container, args.duration, args.output_dir, _stop_on_signals(), _warn)
    _warn(f"wrote {seccomp} and {policy}")
    return 0


def _rules_check(args: argparse.Namespace) -> int:
    from hullguard.runtime.rules import load_rules

    ruleset = load_rules(args.files)
    if args.format == "json":
        doc = {
            "loaded": [
                {"rule": r.name, "priority": r.priority.value, "enabled": r.enabled, "source": r.source,
                 "file": r.file, "line": r.line, "tags": list(r.tags)}
                for r in ruleset.rules
            ],
            "not_loaded": [
                {"kind": p.kind, "name": p.name, "file": p.file, "line": p.line, "reason": p.message}
                for p in ruleset.problems
            ],
        }
        json.dump(doc, sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
    else:
        enabled = sum(r.enabled for r in ruleset.rules)
        print(f"{len(ruleset.rules)} rules loaded ({enabled} enabled, {len(ruleset.rules) - enabled} disabled)")
        for r in ruleset.rules:
            print(f"  loaded   {r.name} [{r.priority.value}]{'' if r.enabled else ' (disabled)'}")
        for p in ruleset.problems:
            print(f"  skipped  {p}")
        print(f"{len(ruleset.problems)} not loaded")
    return args.exit_code if ruleset.problems else 0
