"""Dockerfile rules about package managers and downloads in RUN."""

from __future__ import annotations

from collections.abc import Iterator

from hullguard.rules.base import Violation, dockerfile_rule
from hullguard.rules.dockerfile.parse import Dockerfile, Instruction
from hullguard.rules.dockerfile.shell import Command, commands

SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ash", "ksh", "python", "python3", "perl", "ruby", "node"})


def _runs(df: Dockerfile) -> Iterator[tuple[Instruction, list[Command]]]:
    for inst in df.all("RUN"):
        yield inst, commands(inst.script)


def _installs(cmds: list[Command], tool: str, *verbs: str) -> list[Command]:
    return [c for c in cmds if c.name == tool and c.sub(*verbs)]


@dockerfile_rule("HG-DF-009")
def pipe_to_shell(df: Dockerfile) -> Iterator[Violation]:
    for inst, cmds in _runs(df):
        for c in cmds:
            if c.name in ("curl", "wget") and c.piped_to and c.piped_to[0].rsplit("/", 1)[-1] in SHELLS:
                yield Violation(
                    f"{c.name} output is piped into {c.piped_to[0]}: unverified code runs in the build",
                    inst.lines,
                )


@dockerfile_rule("HG-DF-010")
def apt_recommends(df: Dockerfile) -> Iterator[Violation]:
    for inst, cmds in _runs(df):
        for c in _installs(cmds, "apt-get", "install") + _installs(cmds, "apt", "install"):
            if not c.has("--no-install-recommends") and "APT::Install-Recommends" not in " ".join(c.words):
                yield Violation(
                    "apt-get install without --no-install-recommends pulls in packages nobody asked for",
                    inst.lines,
                )


@dockerfile_rule("HG-DF-011")
def apt_lists_kept(df: Dockerfile) -> Iterator[Violation]:
    for inst, cmds in _runs(df):
        installs = _installs(cmds, "apt-get", "update", "install", "upgrade", "dist-upgrade")
        if installs and "/var/lib/apt/lists" not in inst.script and not inst.flag("mount"):
            yield Violation(
                "apt lists are left in the layer: end the RUN with rm -rf /var/lib/apt/lists/*",
                inst.lines,
            )


@dockerfile_rule("HG-DF-012")
def apk_cache(df: Dockerfile) -> Iterator[Violation]:
    for inst, cmds in _runs(df):
        for c in _installs(cmds, "apk", "add"):
            if not c.has("--no-cache") and "/var/cache/apk" not in inst.script and not inst.flag("mount"):
                yield Violation("apk add without --no-cache keeps the package index in the layer", inst.lines)


@dockerfile_rule("HG-DF-019")
def update_alone(df: Dockerfile) -> Iterator[Violation]:
    for inst, cmds in _runs(df):
        for tool in ("apt-get", "apt", "apk", "yum", "dnf", "zypper"):
            updates = [c for c in cmds if c.name == tool and c.sub("update", "refresh", "ref", "makecache")]
            installs = [
                c for c in cmds if c.name == tool and c.sub("install", "add", "upgrade", "in", "dist-upgrade")
            ]
            if updates and not installs and tool != "yum" and tool != "dnf":
                yield Violation(
                    f"{tool} update in a RUN of its own: a cached layer serves stale indexes", inst.lines
                )


@dockerfile_rule("HG-DF-020")
def apt_no_yes(df: Dockerfile) -> Iterator[Violation]:
    for inst, cmds in _runs(df):
        for c in _installs(cmds, "apt-get", "install"):
            if not (
                c.has_short("y")
                or c.has("--yes", "--assume-yes")
                or (c.has_short("q") and "qq" in " ".join(c.words))
            ):
                yield Violation("apt-get install without -y waits for an answer nobody gives", inst.lines)


@dockerfile_rule("HG-DF-030")
def yum_clean(df: Dockerfile) -> Iterator[Violation]:
    yield from _clean(df, "yum", "yum clean all", "/var/cache/yum")


@dockerfile_rule("HG-DF-031")
def dnf_clean(df: Dockerfile) -> Iterator[Violation]:
    yield from _clean(df, "dnf", "dnf clean all", "/var/cache/dnf")
    yield from _clean(df, "microdnf", "microdnf clean all", "/var/cache/yum")


@dockerfile_rule("HG-DF-032")
def zypper_clean(df: Dockerfile) -> Iterator[Violation]:
    yield from _clean(df, "zypper", "zypper clean", "/var/cache/zypp")


def _clean(df: Dockerfile, tool: str, cleaner: str, cache: str) -> Iterator[Violation]:
    for inst, cmds in _runs(df):
        if (
            _installs(cmds, tool, "install", "in")
            and not any(c.name == tool and c.sub("clean", "cc") for c in cmds)
            and cache not in inst.script
        ):
            yield Violation(f"{tool} install without `{cleaner}` leaves its cache in the layer", inst.lines)


@dockerfile_rule("HG-DF-033")
def dist_upgrade(df: Dockerfile) -> Iterator[Violation]:
    for inst, cmds in _runs(df):
        for c in cmds:
            if c.name in ("apt-get", "apt") and c.sub("dist-upgrade", "full-upgrade"):
                yield Violation(f"{c.name} {c.words[1]} may move the image to another release", inst.lines)


@dockerfile_rule("HG-DF-034")
def tls_disabled(df: Dockerfile) -> Iterator[Violation]:
    for inst, cmds in _runs(df):
        for c in cmds:
            if (c.name == "curl" and (c.has("--insecure") or c.has_short("k"))) or (
                c.name == "wget" and c.has("--no-check-certificate")
            ):
                yield Violation(
                    f"{c.name} with certificate checks off: a network attacker chooses the file", inst.lines
                )
            if c.name in ("pip", "pip3") and c.has("--trusted-host"):
                yield Violation("pip --trusted-host disables TLS verification for that index", inst.lines)
            if c.name in ("npm", "yarn") and "strict-ssl" in c.words and "false" in c.words:
                yield Violation(f"{c.name} strict-ssl false disables TLS verification", inst.lines)
            if c.name == "git" and "http.sslVerify=false" in " ".join(c.words).replace(" ", "="):
                yield Violation("git with http.sslVerify=false disables TLS verification", inst.lines)


@dockerfile_rule("HG-DF-035")
def signatures_disabled(df: Dockerfile) -> Iterator[Violation]:
    for inst, cmds in _runs(df):
        for c in cmds:
            if (
                (c.name == "apk" and c.has("--allow-untrusted"))
                or (
                    c.name in ("apt-get", "apt")
                    and (
                        c.has("--allow-unauthenticated", "--allow-insecure-repositories")
                        or "AllowUnauthenticated" in " ".join(c.words)
                    )
                )
                or (
                    c.name in ("yum", "dnf", "microdnf", "tdnf")
                    and (c.has("--nogpgcheck") or "gpgcheck=0" in " ".join(c.words))
                )
                or (c.name == "rpm" and c.has("--nosignature", "--nodigest"))
                or (c.name == "zypper" and c.has("--no-gpg-checks"))
            ):
                yield Violation(f"{c.name} installs packages without checking their signatures", inst.lines)


@dockerfile_rule("HG-DF-038")
def curl_and_wget(df: Dockerfile) -> Iterator[Violation]:
    names = {c.name for _, cmds in _runs(df) for c in cmds}
    if {"curl", "wget"} <= names:
        first = next(inst for inst, cmds in _runs(df) if any(c.name in ("curl", "wget") for c in cmds))
        yield Violation(
            "both curl and wget are used: one download tool is enough attack surface", first.lines
        )


@dockerfile_rule("HG-DF-039")
def pipe_without_pipefail(df: Dockerfile) -> Iterator[Violation]:
    pipefail, posix = False, True
    for inst in df.instructions:
        if inst.keyword == "SHELL":
            pipefail = "pipefail" in inst.value
            shell = (inst.exec_form or ("",))[0].lower().replace("\\", "/").rsplit("/", 1)[-1]
            posix = shell.endswith("sh") and shell != "pwsh"  # PowerShell and cmd pipes work differently
        if inst.keyword == "FROM":
            pipefail, posix = False, True
        if inst.keyword == "RUN" and inst.exec_form is None and posix and not pipefail:
            cmds = commands(inst.script)
            if any(c.piped_to for c in cmds) and "pipefail" not in inst.script:
                yield Violation(
                    "RUN with a pipe but no `set -o pipefail`: a failed download goes unnoticed", inst.lines
                )


@dockerfile_rule("HG-DF-044")
def apt_instead_of_apt_get(df: Dockerfile) -> Iterator[Violation]:
    for inst, cmds in _runs(df):
        if any(c.name == "apt" for c in cmds):
            yield Violation("`apt` has no stable command-line interface for scripts: use apt-get", inst.lines)


RULES = (
    pipe_to_shell,
    apt_recommends,
    apt_lists_kept,
    apk_cache,
    update_alone,
    apt_no_yes,
    yum_clean,
    dnf_clean,
    zypper_clean,
    dist_upgrade,
    tls_disabled,
    signatures_disabled,
    curl_and_wget,
    pipe_without_pipefail,
    apt_instead_of_apt_get,
)
