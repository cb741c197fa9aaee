"""Entry point: parse the command line, dispatch to a command, map errors to exit codes."""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Sequence
from types import ModuleType

from hullguard import __version__
from hullguard.errors import Error

COMMANDS: tuple[str, ...] = (
    "image",
    "fs",
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
    """The parser; with `only`, just that command is loaded (the rest are named, for errors)."""
    parser = _Parser(prog="hullguard", description="Container security scanner.")
    parser.add_argument("--version", action="version", version=f"hullguard {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        if only is not None and name != only:
            sub.add_parser(name)
            continue
        command = load_command(name)
        assert name == command.NAME, f"cli module {name} says NAME={command.NAME}"
        child = sub.add_parser(command.NAME, help=command.HELP, description=command.HELP)
        command.add_arguments(child)
        child.set_defaults(run=command.run)
    return parser


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
        return int(args.run(args))
    except Error as e:
        sys.stderr.write(f"hullguard: {e.diagnostics()}\n")
        return EXIT_USAGE
    except BrokenPipeError:  # the reader went away (`| head`): not an error of ours
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        sys.stderr.write("hullguard: interrupted\n")
        return 130
    except Exception:  # a bug: say so, and show the traceback only when asked
        if args.debug:
            traceback.print_exc()
        else:
            sys.stderr.write(
                f"hullguard: internal error: {sys.exc_info()[1]!r}\n"
                "This is a bug in hullguard; run again with --debug for the traceback.\n"
            )
        return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
