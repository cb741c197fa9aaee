"""Entry point: parse the command line, dispatch to a command, map errors to exit codes."""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from types import ModuleType

from hullguard import __version__
from hullguard.cli import (
    attest,
    config,
    db,
    fs,
    image,
    key,
    registry,
    rules,
    sbom,
    secret,
    sign,
    verify,
    verify_attestation,
)
from hullguard.errors import Error

COMMANDS: tuple[ModuleType, ...] = (
    image,
    fs,
    config,
    sbom,
    db,
    rules,
    secret,
    key,
    sign,
    verify,
    attest,
    verify_attestation,
    registry,
)

EXIT_USAGE = 2
EXIT_INTERNAL = 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"hullguard: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="hullguard", description="Container security scanner.")
    parser.add_argument("--version", action="version", version=f"hullguard {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        child = sub.add_parser(command.NAME, help=command.HELP, description=command.HELP)
        command.add_arguments(child)
        child.set_defaults(run=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
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
