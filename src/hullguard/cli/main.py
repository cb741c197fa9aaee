"""Entry point: parse the command line, dispatch to a command, map errors to exit codes."""

from __future__ import annotations

import argparse
import atexit
import importlib
import os
import sys
import threading
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from hullguard import __version__
from hullguard.cli.extras import MissingExtra, missing_extra
from hullguard.cli.outcome import check_output, quiet_closed_pipe
from hullguard.errors import Error

COMMANDS: tuple[str, ...] = (
    "image",
    "fs",
    "rootfs",
    "config",
    "sbom",
    "db",
    "rules",
    "secret",
    "key",
    "sign",
    "verify",
    "attest",
    "verify-attestation",
    "registry",
    "clean",
    "admission",
    "host",
    "audit-log",
    "k8s",
    "server",
    "worker",
    "runtime",
)
"""Each is the module `hullguard.cli.<name>` (dashes as underscores) with NAME, HELP,
add_arguments and run. Only the command being run is imported: the others pull in heavy
libraries (httpx, sigstore, cel) that a scan of a local archive never needs."""


def load_command(name: str) -> ModuleType:
    return importlib.import_module(f"hullguard.cli.{name.replace('-', '_')}")


EXIT_USAGE = 2
EXIT_INTERNAL = 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"hullguard: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with `only`, just that command (the one the command line names: the others'
    parsers would never be consulted, and building 21 of them costs a warm rescan 3 ms)."""
    parser = _Parser(prog="hullguard", description="Container security scanner.")
    parser.add_argument("--version", action="version", version=f"hullguard {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        if only is not None and name != only:
            continue
        try:
            command = load_command(name)
        except ImportError as e:  # an optional feature's libraries are missing: say which extra
            if (missing := missing_extra(e)) is None:
                raise
            _unavailable(sub, name, missing)
            continue
        assert name == command.NAME, f"cli module {name} says NAME={command.NAME}"
        child = sub.add_parser(command.NAME, help=command.HELP, description=command.HELP)
        command.add_arguments(child)
        _add_quiet(child)
        child.set_defaults(run=command.run)
    return parser


def _add_quiet(parser: argparse.ArgumentParser) -> None:
    """Every command, down to `key generate`, takes -q: nothing but the result is printed."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    for action in subs:
        for child in set(action.choices.values()):
            _add_quiet(child)
    if not subs and "--quiet" not in parser._option_string_actions:
        parser.add_argument("--quiet", "-q", action="store_true", help="print nothing but the result")


def _unavailable(sub: Any, name: str, missing: MissingExtra) -> None:
    """A command whose extra is not installed: listed, and its use explains what to install."""
    child = sub.add_parser(name, help=f"(needs hullguard[{missing.extra}])", add_help=False)
    child.add_argument("rest", nargs=argparse.REMAINDER)

    def run(args: argparse.Namespace) -> int:
        raise missing

    child.set_defaults(run=run)


def _command_in(argv: Sequence[str]) -> str | None:
    first = next((a for a in argv if not a.startswith("-")), None)
    return first if first in COMMANDS else None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(only=_command_in(argv))
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        check_output(args)
        return int(args.run(args))
    except Error as e:
        from hullguard.report.terminal import neutralise  # messages may quote scanned names

        sys.stderr.write(f"hullguard: {neutralise(e.diagnostics(), newlines=True)}\n")
        return EXIT_USAGE
    except BrokenPipeError:  # the reader went away (`| head`): not an error of ours
        quiet_closed_pipe()
        return 0
    except KeyboardInterrupt:
        sys.stderr.write("hullguard: interrupted\n")
        return 130
    except Exception as e:  # a bug: say so, and show the traceback only when asked
        if isinstance(e, ImportError) and (missing := missing_extra(e)) is not None:
            sys.stderr.write(f"hullguard: {missing.diagnostics()}\n")
            return EXIT_USAGE
        if args.debug:
            import traceback  # (with textwrap) 1 ms of every run's start-up, for a bug's report

            traceback.print_exc()
        else:
            sys.stderr.write(
                f"hullguard: internal error: {sys.exc_info()[1]!r}\n"
                "This is a bug in hullguard; run again with --debug for the traceback.\n"
            )
        return EXIT_INTERNAL


def entry() -> None:
    """The `hullguard` program: `main`, then an exit that skips tearing the interpreter down.

    Freeing a scan's objects one by one (the tree, the inventory, every module) takes 15-20 ms,
    longer than writing a small image's SBOM. Output files are closed by then; atexit handlers
    (the progress display, temporary folders) still run and the standard streams are flushed.
    With threads still alive (a server stopping), or under a profiler or tracer (cProfile and
    coverage write their data at the interpreter's exit), it exits the usual way."""
    code = main()
    if threading.active_count() > 1 or sys.getprofile() is not None or sys.gettrace() is not None:
        raise SystemExit(code)
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        quiet_closed_pipe()
    except OSError:
        code = code or EXIT_INTERNAL
    os._exit(code)


if __name__ == "__main__":
    entry()
