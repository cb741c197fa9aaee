"""Dockerfile rules about what RUN scripts do: prompts, caches, logs, and commands with no place in a build."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hullguard.rules.base import Violation, dockerfile_rule
from hullguard.rules.dockerfile.packages import _mount_targets
from hullguard.rules.dockerfile.parse import Dockerfile, Instruction
from hullguard.rules.dockerfile.pinning import _is_pip_install
from hullguard.rules.dockerfile.shell import Command, commands

POINTLESS = frozenset({"free", "kill", "mount", "ps", "service", "shutdown", "ssh", "top", "vim"})
"""Interactive or host-level commands that do nothing useful in a build step."""
TRUTHY = ("1", "true", "on", "yes")


def _each(df: Dockerfile, onbuild: bool = True) -> Iterator[tuple[Instruction, Command]]:
    for inst in df.runs() if onbuild else df.all("RUN"):
        for c in commands(inst.script):
            yield inst, c


@dockerfile_rule("HG-DF-054")
def pointless_command(df: Dockerfile) -> Iterator[Violation]:
    for inst, c in _each(df):
        if c.name in POINTLESS:
            yield Violation(f"`{c.name}` makes no sense in a build step", inst.lines)


def _no_prompt(c: Command, tools: tuple[str, ...], verbs: tuple[str, ...], yes: tuple[str, ...]) -> bool:
    """An install that will stop at a prompt: none of the `yes` flags (short letters or long names)."""
    if c.name not in tools or not c.sub(*verbs):
        return False
    return not any(c.has_short(f) if len(f) == 1 else c.has(f"--{f}") for f in yes)


@dockerfile_rule("HG-DF-055")
def yum_prompts(df: Dockerfile) -> Iterator[Violation]:
    for inst, c in _each(df):
        if _no_prompt(c, ("yum",), ("install", "groupinstall", "localinstall"), ("y", "assumeyes")):
            yield Violation("yum install without -y waits for an answer nobody gives", inst.lines)


@dockerfile_rule("HG-DF-056")
def dnf_prompts(df: Dockerfile) -> Iterator[Violation]:
    for inst, c in _each(df):
        if _no_prompt(c, ("dnf", "microdnf"), ("install", "groupinstall", "localinstall"), ("y", "assumeyes")):
            yield Violation(f"{c.name} install without -y waits for an answer nobody gives", inst.lines)


@dockerfile_rule("HG-DF-057")
def zypper_prompts(df: Dockerfile) -> Iterator[Violation]:
    verbs = ("install", "in", "remove", "rm", "source-install", "si", "patch")
    for inst, c in _each(df):
        if _no_prompt(c, ("zypper",), verbs, ("non-interactive", "n", "no-confirm", "y")):
            yield Violation("zypper without --non-interactive (-n) or -y waits for an answer", inst.lines)


@dockerfile_rule("HG-DF-058")
def zypper_dist_upgrade(df: Dockerfile) -> Iterator[Violation]:
    for inst, c in _each(df):
        if c.name == "zypper" and c.sub("dist-upgrade", "dup"):
            yield Violation("zypper dist-upgrade may move the image to another release", inst.lines)


@dockerfile_rule("HG-DF-059")
def pip_cache(df: Dockerfile) -> Iterator[Violation]:
    disabled: set[int] = set()
    for inst in df.instructions:
        if inst.keyword == "ENV" and re.search(r"\bPIP_NO_CACHE_DIR=[\"']?(" + "|".join(TRUTHY) + ")", inst.value, re.I):
            disabled.add(inst.stage)
        if inst.keyword != "RUN" or inst.stage in disabled:
            continue
        if re.search(r"\bPIP_NO_CACHE_DIR=[\"']?(" + "|".join(TRUTHY) + ")", inst.script, re.I):
            continue
        if any(t.endswith(".cache/pip") for t in _mount_targets(inst)):
            continue
        for c in commands(inst.script):
            wrapper = "pipx" in c.name or "pipenv" in c.name or any(w in ("pipx", "pipenv") for w in c.words[1:3])
            if _is_pip_install(c) and not c.has("--no-cache-dir") and not wrapper:
                yield Violation("pip install keeps its download cache in the layer: add --no-cache-dir", inst.lines)
                break


@dockerfile_rule("HG-DF-060")
def useradd_lastlog(df: Dockerfile) -> Iterator[Violation]:
    for inst, c in _each(df):
        if c.name != "useradd" or c.has_short("l") or c.has("--no-log-init"):
            continue
        uid = next((c.words[n + 1] for n, w in enumerate(c.words[:-1]) if w in ("-u", "--uid")), "")
        uid = uid or next((w.partition("=")[2] for w in c.words if w.startswith("--uid=")), "")
        if len(uid) > 5:
            yield Violation(
                f"useradd -u {uid} without -l: the sparse lastlog/faillog files bloat the layer", inst.lines
            )


@dockerfile_rule("HG-DF-061")
def wget_progress(df: Dockerfile) -> Iterator[Violation]:
    quiet = ("q", "o", "a")
    for inst, c in _each(df):
        if c.name != "wget" or c.has("--progress", "--quiet", "--output-file", "--append-output", "--no-verbose"):
            continue
        if "-nv" in c.words or any(c.has_short(f) for f in quiet):
            continue
        yield Violation("wget without --progress=dot:giga (or -q, -nv) floods the build log", inst.lines)


@dockerfile_rule("HG-DF-062")
def yarn_cache(df: Dockerfile) -> Iterator[Violation]:
    for inst in df.runs():
        cmds = commands(inst.script)
        installs = [n for n, c in enumerate(cmds) if c.name == "yarn" and (not c.operands() or c.sub("install"))]
        if not installs or any(t.endswith(".cache/yarn") for t in _mount_targets(inst)):
            continue
        cleans = [n for n, c in enumerate(cmds) if c.name == "yarn" and c.operands()[:2] == ["cache", "clean"]]
        if not cleans or max(cleans) < installs[-1]:
            yield Violation("yarn install without a later `yarn cache clean` keeps the cache in the layer", inst.lines)


@dockerfile_rule("HG-DF-063")
def ln_default_shell(df: Dockerfile) -> Iterator[Violation]:
    for inst, c in _each(df):
        if c.name == "ln" and "/bin/sh" in c.args:
            yield Violation("RUN ln ... /bin/sh: use the SHELL instruction to change the default shell", inst.lines)


def _basename(path: str) -> str:
    return re.split(r"[\\/]", path)[-1]


ARCHIVE = re.compile(r"\.(tar|tar\.(gz|bz2|xz|zst)|tgz|tbz2?|txz|zip|gz|bz2|xz)$", re.I)


@dockerfile_rule("HG-DF-064")
def copy_then_extract(df: Dockerfile) -> Iterator[Violation]:
    for stage in df.stages:
        copied: dict[str, Instruction] = {}
        for inst in stage.instructions:
            if inst.keyword == "COPY" and not inst.onbuild and inst.flag("from") is None:
                paths = [w.strip("\"'") for w in inst.value.split()]
                for path in paths:  # the sources, and the destination when it names the archive itself
                    if ARCHIVE.search(path):
                        copied[_basename(path)] = inst
            if inst.keyword == "RUN" and copied:
                for c in commands(inst.script):
                    extracts = (c.name == "tar" and any("x" in w for w in c.words[1:] if w.startswith("-") or w.isalpha())) or c.name == "unzip"
                    for arg in c.operands():
                        base = _basename(arg)
                        if extracts and base in copied:
                            yield Violation(
                                f"{base} is copied in and then extracted: ADD extracts a local archive in one layer",
                                copied.pop(base).lines,
                            )


RULES = (
    pointless_command, yum_prompts, dnf_prompts, zypper_prompts, zypper_dist_upgrade, pip_cache,
    useradd_lastlog, wget_progress, yarn_cache, ln_default_shell, copy_then_extract,
)
