"""Dockerfile rules about package managers and downloads in RUN."""

from __future__ import annotations

from collections.abc import Iterator

from hullguard.rules.base import Violation, dockerfile_rule
from hullguard.rules.dockerfile.parse import Dockerfile, Instruction
from hullguard.rules.dockerfile.shell import Command, commands

SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ash", "ksh", "python", "python3", "perl", "ruby", "node"})


def _runs(df: Dockerfile) -> Iterator[tuple[Instruction, list[Command]]]:
    for inst in df.runs():
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
    # Only stages whose files reach the image: the final one and those a later FROM builds on.
    shipped = _shipped_stages(df)
    for inst, cmds in _runs(df):
        if inst.stage not in shipped:
            continue
        updates = [c for c in cmds if c.name in ("apt-get", "apt", "aptitude") and c.sub("update")]
        if not updates or "/var/lib/apt/lists" in inst.script:
            continue
        mounts = _mount_targets(inst)
        if "/var/lib/apt/lists" in mounts or {"/var/lib/apt", "/var/cache/apt"} <= mounts:
            continue
        yield Violation(
            "apt lists are left in the layer: end the RUN with rm -rf /var/lib/apt/lists/*", inst.lines
        )


def _shipped_stages(df: Dockerfile) -> frozenset[int]:
    final = df.final_stage.index
    built_on = {s.image.lower() for s in df.stages}
    return frozenset({final} | {s.index for s in df.stages if s.alias and s.alias.lower() in built_on})


def _mount_targets(inst: Instruction) -> set[str]:
    """Targets of `RUN --mount=type=cache|tmpfs,...`: what they hold never reaches the layer."""
    targets: set[str] = set()
    for name, value in inst.flags:
        if name != "mount":
            continue
        fields = dict(part.partition("=")[::2] for part in value.split(","))
        if fields.get("type") in ("cache", "tmpfs"):
            target = fields.get("target") or fields.get("dst") or fields.get("destination")
            if target:
                targets.add(target.rstrip("/"))
    return targets


@dockerfile_rule("HG-DF-012")
def apk_cache(df: Dockerfile) -> Iterator[Violation]:
    for inst, cmds in _runs(df):
        for c in _installs(cmds, "apk", "add"):
            # --no-network installs from what is already local: nothing is fetched, nothing cached
            if (
                not c.has("--no-cache", "--no-network")
                and "/var/cache/apk" not in inst.script
                and not {"/var/cache/apk", "/etc/apk/cache"} & _mount_targets(inst)
            ):
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
            if not (c.has_short("y") or c.has("--yes", "--assume-yes") or _quiet_level(c) >= 2):
                yield Violation("apt-get install without -y waits for an answer nobody gives", inst.lines)


def _quiet_level(c: Command) -> int:
    """apt-get's -q count: `-qq`, `-q -q`, `-q=2`, `--quiet --quiet`, `--quiet=2` (2 implies -y)."""
    level = 0
    for w in c.words[1:]:
        if w.startswith(("-q=", "--quiet=")):
            level = int(w.partition("=")[2]) if w.partition("=")[2].isdigit() else level
        elif w == "--quiet":
            level += 1
        elif w.startswith("-") and not w.startswith("--"):
            level += w[1:].count("q")
    return level


@dockerfile_rule("HG-DF-030")
def yum_clean(df: Dockerfile) -> Iterator[Violation]:
    yield from _clean(df, "yum", "yum clean all")


@dockerfile_rule("HG-DF-031")
def dnf_clean(df: Dockerfile) -> Iterator[Violation]:
    yield from _clean(df, "dnf", "dnf clean all")
    yield from _clean(df, "microdnf", "microdnf clean all")


@dockerfile_rule("HG-DF-032")
def zypper_clean(df: Dockerfile) -> Iterator[Violation]:
    yield from _clean(df, "zypper", "zypper clean")


INSTALL_VERBS = {
    "yum": ("install", "groupinstall", "localinstall", "reinstall", "upgrade", "update"),
    "dnf": ("install", "in", "upgrade", "up", "upgrade-minimal", "up-min", "reinstall", "rei"),
    "microdnf": ("install", "in", "upgrade", "up", "reinstall"),
    "zypper": ("install", "in", "remove", "rm", "source-install", "si", "patch", "update", "up", "dist-upgrade", "dup"),
}
CACHES = {
    "yum": ("/var/cache/yum",),
    "dnf": ("/var/cache/dnf", "/var/cache/yum", "/var/cache/libdnf5"),
    "microdnf": ("/var/cache/dnf", "/var/cache/yum", "/var/cache/libdnf5"),
    "zypper": ("/var/cache/zypp",),
}


def _clean(df: Dockerfile, tool: str, cleaner: str) -> Iterator[Violation]:
    """An install (or upgrade) not followed, in the same RUN, by the tool's clean or a removal of its cache."""
    for inst, cmds in _runs(df):
        if _mount_targets(inst) & set(CACHES[tool]):
            continue
        installs = [n for n, c in enumerate(cmds) if c.name == tool and c.sub(*INSTALL_VERBS[tool])]
        if not installs:
            continue
        cleaned = [
            n for n, c in enumerate(cmds)
            if (c.name == tool and c.sub("clean", "cc"))
            or (c.name == "rm" and any(a.startswith(CACHES[tool]) for a in c.args))
        ]
        if not cleaned or max(cleaned) < installs[-1]:
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
    seen: dict[int, set[str]] = {}
    for inst, cmds in _runs(df):
        tools = {c.name for c in cmds} & {"curl", "wget"}
        stage_tools = seen.setdefault(inst.stage, set())
        stage_tools |= tools
        if tools and len(stage_tools) == 2:
            yield Violation(
                "both curl and wget are used in one stage: one download tool is enough attack surface",
                inst.lines,
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
