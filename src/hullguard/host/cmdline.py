"""Command lines of host daemons: flags as the Go `flag`/`pflag` packages read them, and processes."""

from __future__ import annotations

from dataclasses import dataclass

from hullguard.host.tree import HostReadError, HostTree


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandLine:
    """A daemon's argv and where it came from (`/proc/123/cmdline`, a unit file, a manifest)."""

    argv: tuple[str, ...]
    source: str

    def flags(self, aliases: dict[str, str] | None = None) -> dict[str, tuple[str, ...]]:
        """`--name=value`, `--name value` and bare `--name` (true), repeatable, by long name.

        A bare flag followed by a word that is not a flag takes it as its value unless the word
        looks like a positional argument; daemons here take no positionals, so that never matters.
        """
        out: dict[str, list[str]] = {}
        args = list(self.argv[1:])
        i = 0
        while i < len(args):
            arg = args[i]
            i += 1
            if not arg.startswith("-") or arg in ("-", "--"):
                continue
            name, eq, value = arg.lstrip("-").partition("=")
            if not eq:
                if i < len(args) and not args[i].startswith("-") and not _is_bool_word(name):
                    value = args[i]
                    i += 1
                else:
                    value = "true"
            name = (aliases or {}).get(name, name)
            out.setdefault(name, []).append(value)
        return {k: tuple(v) for k, v in out.items()}


_BOOLEAN_FLAGS = frozenset(
    {
        "icc",
        "iptables",
        "live-restore",
        "no-new-privileges",
        "experimental",
        "userland-proxy",
        "tls",
        "tlsverify",
        "selinux-enabled",
        "debug",
        "D",
        "ip-forward",
        "ip-masq",
        "rotate-certificates",
        "make-iptables-util-chains",
        "anonymous-auth",
        "protect-kernel-defaults",
        "profiling",
        "client-cert-auth",
        "peer-client-cert-auth",
        "auto-tls",
        "peer-auto-tls",
        "service-account-lookup",
        "use-service-account-credentials",
        "seccomp-default",
    }
)


def _is_bool_word(name: str) -> bool:
    return name in _BOOLEAN_FLAGS


def find_processes(tree: HostTree, names: tuple[str, ...]) -> list[CommandLine]:
    """Processes whose executable's base name is one of `names`, from the tree's /proc."""
    found: list[CommandLine] = []
    for entry in tree.listdir("/proc"):
        if not entry.rsplit("/", 1)[-1].isdigit():
            continue
        try:
            raw = tree.read_bytes(f"{entry}/cmdline", limit=1 << 20)
        except HostReadError:
            continue
        if not raw:
            continue
        argv = tuple(a.decode("utf-8", errors="replace") for a in raw.rstrip(b"\0").split(b"\0"))
        if argv and argv[0].rsplit("/", 1)[-1] in names:
            found.append(CommandLine(argv=argv, source=f"{entry}/cmdline"))
    return found
