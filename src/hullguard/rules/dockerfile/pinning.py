"""Dockerfile rules: package installs pinned to a version, so a rebuild installs what was reviewed."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from hullguard.rules.base import Violation, dockerfile_rule
from hullguard.rules.dockerfile.parse import Dockerfile, Instruction
from hullguard.rules.dockerfile.shell import Command, commands

PIP_VALUE_OPTIONS = frozenset({
    "--abi", "-b", "--build", "-e", "--editable", "--extra-index-url", "-f", "--find-links", "-i",
    "--index-url", "--implementation", "--no-binary", "--only-binary", "--platform", "--prefix",
    "--progress-bar", "--proxy", "--python-version", "--root", "--src", "-t", "--target", "--trusted-host",
    "--upgrade-strategy", "--cache-dir", "--log", "--timeout", "--retries", "--exists-action",
    "--global-option", "--install-option", "--config-settings", "-C", "--root-user-action", "--python",
})
PIP_VERSION = ("==", ">=", "<=", ">", "<", "!=", "~=", "===")
VCS = ("git+", "hg+", "svn+", "bzr+")
RPM_VERSION_CHARS = re.compile(r"[0-9A-Za-z.~^_:+]+")


def _unpinned(
    df: Dockerfile, select: Callable[[Command], list[str] | None], pinned: Callable[[str, Instruction], bool]
) -> Iterator[tuple[Instruction, list[str]]]:
    """(RUN, packages without a version) for each RUN whose selected commands name unpinned packages."""
    for inst in df.runs():
        loose = [
            p for c in commands(inst.script) for p in (select(c) or ()) if not pinned(p, inst)
        ]
        if loose:
            yield inst, loose


def _names(loose: list[str]) -> str:
    return ", ".join(loose[:5]) + (f" and {len(loose) - 5} more" if len(loose) > 5 else "")


def _apt_packages(c: Command) -> list[str] | None:
    if c.name != "apt-get" or not c.sub("install"):
        return None
    return c.operands(frozenset({"-t", "--target-release", "-o", "-c", "--config-file"}))[1:]


@dockerfile_rule("HG-DF-045")
def apt_unpinned(df: Dockerfile) -> Iterator[Violation]:
    def pinned(p: str, _: Instruction) -> bool:
        return "=" in p or "/" in p or p.endswith(".deb")

    for inst, loose in _unpinned(df, _apt_packages, pinned):
        yield Violation(f"apt-get install without a version: {_names(loose)} (use name=version)", inst.lines)


def _pip_packages(c: Command) -> list[str] | None:
    if not _is_pip_install(c) or c.has("-r", "--requirement", "-c", "--constraint") or "." in c.words:
        return None
    rest = c.operands(PIP_VALUE_OPTIONS)
    return rest[rest.index("install") + 1 :] if "install" in rest else []


def _is_pip_install(c: Command) -> bool:
    if re.fullmatch(r"pip[0-9.]*|pipx", c.name):
        return c.sub("install")
    if re.fullmatch(r"python[0-9.]*", c.name) and len(c.words) > 3 and c.words[1:3] == ("-m", "pip"):
        return "install" in c.words[3:]
    return False


@dockerfile_rule("HG-DF-046")
def pip_unpinned(df: Dockerfile) -> Iterator[Violation]:
    def pinned(p: str, _: Instruction) -> bool:
        if p.startswith(VCS):
            return "@" in p
        return any(s in p for s in PIP_VERSION) or p.endswith((".whl", ".tar.gz")) or "/" in p

    for inst, loose in _unpinned(df, _pip_packages, pinned):
        yield Violation(f"pip install without a version: {_names(loose)} (use name==version)", inst.lines)


def _npm_packages(c: Command) -> list[str] | None:
    if c.name != "npm":
        return None
    rest = c.operands(frozenset({"--loglevel", "--registry"}))
    if not rest or rest[0] not in ("install", "i", "add"):
        return None
    return rest[1:]


@dockerfile_rule("HG-DF-047")
def npm_unpinned(df: Dockerfile) -> Iterator[Violation]:
    def pinned(p: str, _: Instruction) -> bool:
        if p.startswith(("git://", "git+ssh://", "git+http://", "git+https://")):
            return "#" in p
        if p.endswith((".tar", ".tar.gz", ".tgz")) or p.startswith(("/", "./", "../", "~/")):
            return True
        return "@" in (p.split("/", 1)[1] if p.startswith("@") and "/" in p else p)

    for inst, loose in _unpinned(df, _npm_packages, pinned):
        yield Violation(f"npm install without a version: {_names(loose)} (use name@version)", inst.lines)


def _apk_packages(c: Command) -> list[str] | None:
    if c.name != "apk" or not c.sub("add"):
        return None
    return c.operands(frozenset({"-t", "--virtual", "--repository", "-X", "-p", "--root"}))[1:]


@dockerfile_rule("HG-DF-048")
def apk_unpinned(df: Dockerfile) -> Iterator[Violation]:
    def pinned(p: str, _: Instruction) -> bool:
        return any(s in p for s in "=~<>") or p.endswith(".apk")

    for inst, loose in _unpinned(df, _apk_packages, pinned):
        yield Violation(f"apk add without a version: {_names(loose)} (use name=version)", inst.lines)


def _gem_packages(c: Command) -> list[str] | None:
    if c.name != "gem" or not c.sub("install", "i") or c.has("-v", "--version"):
        return None
    words = list(c.words[1 : c.words.index("--")] if "--" in c.words else c.words[1:])
    out: list[str] = []
    skip = False
    for w in words:
        if skip:
            skip = False
        elif w.startswith("-"):
            skip = "=" not in w  # gem's options take a value: skip it, as hadolint does
        elif w not in ("install", "i"):
            out.append(w)
    return out


@dockerfile_rule("HG-DF-049")
def gem_unpinned(df: Dockerfile) -> Iterator[Violation]:
    for inst, loose in _unpinned(df, _gem_packages, lambda p, _: ":" in p):
        yield Violation(f"gem install without a version: {_names(loose)} (use name:version)", inst.lines)


def _rpm_installs(tools: tuple[str, ...]) -> Callable[[Command], list[str] | None]:
    def select(c: Command) -> list[str] | None:
        if c.name not in tools:
            return None
        rest = c.operands(frozenset({"--releasever", "--installroot", "--setopt"}))
        if rest[:2] == ["module", "install"]:
            # a module without a stream (`nodejs:18`) installs whatever the default stream is
            return [f"{m}:" if ":" not in m else "module:pinned-1" for m in rest[2:]]
        if not rest or rest[0] not in ("install", "in"):
            return None
        return rest[1:]

    return select


def _rpm_pinned(package: str, inst: Instruction) -> bool:
    """`name-version[-release]` (a dash followed by parts that look like a version), an .rpm, or a variable."""
    if package.endswith(".rpm"):
        return True
    parts = package.split("-")
    if len(parts) <= 1:
        return False
    if "$" in package:
        return True  # a build variable: what it holds is decided elsewhere
    tail = parts[1:]
    return all(RPM_VERSION_CHARS.fullmatch(p) for p in tail) and any(p[:1].isdigit() for p in tail)


@dockerfile_rule("HG-DF-050")
def yum_unpinned(df: Dockerfile) -> Iterator[Violation]:
    for inst, loose in _unpinned(df, _rpm_installs(("yum",)), _rpm_pinned):
        yield Violation(f"yum install without a version: {_names(loose)} (use name-version)", inst.lines)


@dockerfile_rule("HG-DF-051")
def dnf_unpinned(df: Dockerfile) -> Iterator[Violation]:
    for inst, loose in _unpinned(df, _rpm_installs(("dnf", "microdnf")), _rpm_pinned):
        yield Violation(f"dnf install without a version: {_names(loose)} (use name-version)", inst.lines)


def _zypper_packages(c: Command) -> list[str] | None:
    return c.operands()[1:] if c.name == "zypper" and c.sub("install", "in") else None


@dockerfile_rule("HG-DF-052")
def zypper_unpinned(df: Dockerfile) -> Iterator[Violation]:
    def pinned(p: str, _: Instruction) -> bool:
        return any(s in p for s in "=<>") or p.endswith(".rpm")

    for inst, loose in _unpinned(df, _zypper_packages, pinned):
        yield Violation(f"zypper install without a version: {_names(loose)} (use name=version)", inst.lines)


def _go_packages(c: Command) -> list[str] | None:
    if c.name != "go":
        return None
    rest = c.operands()
    if rest[:1] == ["run"]:
        return rest[1:2]
    if rest[:1] in (["install"], ["get"]):
        return [w for w in rest[1:] if w not in ("tool", "-tool")]
    return None


@dockerfile_rule("HG-DF-053")
def go_unpinned(df: Dockerfile) -> Iterator[Violation]:
    def pinned(p: str, _: Instruction) -> bool:
        # @latest (and a branch name like @master) moves: only a version or commit pins
        version = p.rpartition("@")[2] if "@" in p else ""
        return (bool(version) and version not in ("latest", "master", "main")) or p.startswith((".", "/")) or p.endswith(".go")

    for inst, loose in _unpinned(df, _go_packages, pinned):
        yield Violation(f"go install without a version: {_names(loose)} (use module@version)", inst.lines)


RULES = (
    apt_unpinned, pip_unpinned, npm_unpinned, apk_unpinned, gem_unpinned,
    yum_unpinned, dnf_unpinned, zypper_unpinned, go_unpinned,
)
