"""systemd units as systemd reads them: the unit file, its drop-ins, Environment and ExecStart.

Only what decides a daemon's command line: `ExecStart=` (an empty assignment resets it, as
kubeadm's drop-in does), `Environment=`, and `EnvironmentFile=` (a leading `-` means optional).
`$VAR` splits into words, `${VAR}` stays one word, as in systemd.exec(5).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from hullguard.host.cmdline import CommandLine
from hullguard.host.tree import HostReadError, HostTree

UNIT_DIRS = (
    "/etc/systemd/system",
    "/run/systemd/system",
    "/usr/local/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Unit:
    name: str
    path: str | None
    """The unit file systemd would load (the first in UNIT_DIRS), None if only drop-ins exist."""
    dropins: tuple[str, ...]
    exec_start: tuple[str, ...] | None
    """The effective ExecStart after variable expansion, None when there is none."""
    source: str
    """The file that set the effective ExecStart."""
    problems: tuple[str, ...] = ()

    @property
    def files(self) -> tuple[str, ...]:
        return ((self.path,) if self.path else ()) + self.dropins

    def command_line(self) -> CommandLine | None:
        return None if self.exec_start is None else CommandLine(argv=self.exec_start, source=self.source)


def find_unit(tree: HostTree, name: str) -> Unit | None:
    path = next((f"{d}/{name}" for d in UNIT_DIRS if tree.exists(f"{d}/{name}")), None)
    dropin_names: dict[str, str] = {}
    for d in reversed(UNIT_DIRS):  # earlier directories win for the same drop-in name
        for entry in tree.listdir(f"{d}/{name}.d"):
            if entry.endswith(".conf"):
                dropin_names[entry.rsplit("/", 1)[-1]] = entry
    dropins = tuple(dropin_names[k] for k in sorted(dropin_names))
    if path is None and not dropins:
        return None
    env: dict[str, str] = {}
    exec_start: str | None = None
    source = path or dropins[0]
    problems: list[str] = []
    for file in (path, *dropins) if path else dropins:
        try:
            text = tree.read_text(file) or ""
        except HostReadError as e:
            problems.append(str(e))
            continue
        for key, value in _service_entries(text):
            if key == "Environment":
                env.update(_environment(value))
            elif key == "EnvironmentFile":
                optional = value.startswith("-")
                env_path = value.lstrip("-").strip()
                try:
                    content = tree.read_text(env_path)
                except HostReadError as e:
                    problems.append(str(e))
                    content = None
                if content is None and not optional:
                    problems.append(f"{file}: EnvironmentFile {env_path} does not exist")
                env.update(parse_env_file(content or ""))
            elif key == "ExecStart":
                exec_start = value or None
                source = file
    argv = None if exec_start is None else expand(exec_start.lstrip("@-:+!"), env)
    return Unit(
        name=name, path=path, dropins=dropins, exec_start=argv, source=source, problems=tuple(problems)
    )


def _service_entries(text: str) -> list[tuple[str, str]]:
    """`Key=value` lines of [Service] (and any section; only Service keys are asked for),
    with backslash continuations joined."""
    entries: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = pending + raw.strip()
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        if not line or line[0] in "#;[":
            continue
        key, eq, value = line.partition("=")
        if eq:
            entries.append((key.strip(), value.strip()))
    return entries


def _environment(value: str) -> dict[str, str]:
    try:
        words = shlex.split(value)
    except ValueError:
        return {}
    return {k: v for k, eq, v in (w.partition("=") for w in words) if eq}


def parse_env_file(text: str) -> dict[str, str]:
    """KEY=VALUE lines (quotes removed, `export ` allowed), as /etc/default files are written."""
    env: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, eq, value = line.removeprefix("export ").partition("=")
        if not eq:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        env[key.strip()] = value
    return env


_VAR = re.compile(r"\$\{(\w+)\}|\$(\w+)")


def expand(command: str, env: dict[str, str]) -> tuple[str, ...]:
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    argv: list[str] = []
    for word in words:
        bare = re.fullmatch(r"\$(\w+)", word)
        if bare:  # `$VAR` alone is split on whitespace into several words
            argv.extend(env.get(bare.group(1), "").split())
            continue
        argv.append(_VAR.sub(lambda m: env.get(m.group(1) or m.group(2), ""), word))
    return tuple(argv)
