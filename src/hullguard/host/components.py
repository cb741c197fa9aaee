"""Find each daemon a benchmark is about and read its effective settings from the tree.

The running process wins over the files that would start it (a unit's ExecStart, a static pod
manifest), since that is what runs; the files are still what the file-permission controls check.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hullguard.host.cmdline import CommandLine, find_processes
from hullguard.host.settings import Settings, load_config
from hullguard.host.systemd import find_unit, parse_env_file
from hullguard.host.tree import HostReadError, HostTree

DOCKER_ALIASES = {"H": "host", "D": "debug", "l": "log-level", "s": "storage-driver", "g": "data-root"}
MANIFESTS = "/etc/kubernetes/manifests"
STATIC_PODS = {
    "kube-apiserver": "kube-apiserver",
    "kube-controller-manager": "kube-controller-manager",
    "kube-scheduler": "kube-scheduler",
    "etcd": "etcd",
}


@dataclass(slots=True)
class Discovery:
    """What was found, plus problems that stop some checks (turned into report issues)."""

    tree: HostTree
    found: dict[str, Settings] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)
    """(path, message)"""

    def settings(self, component: str) -> Settings | None:
        if component not in self.found:
            self.found[component] = _discover(self, component)  # type: ignore[assignment]
        return self.found[component]


def _discover(d: Discovery, component: str) -> Settings | None:
    if component == "docker":
        return _docker(d)
    if component == "kubelet":
        return _daemon(d, "kubelet", "kubelet.service", "/var/lib/kubelet/config.yaml")
    if component == "kube-proxy":
        return _daemon(d, "kube-proxy", "kube-proxy.service", None)
    if component in STATIC_PODS:
        return _static_pod(d, component)
    raise AssertionError(f"unknown component {component}")


def _docker(d: Discovery) -> Settings | None:
    tree = d.tree
    command = next(iter(find_processes(tree, ("dockerd",))), None)
    unit = find_unit(tree, "docker.service")
    if unit is not None:
        d.problems.extend((unit.source, p) for p in unit.problems)
    if command is None and unit is not None:
        command = unit.command_line()
    if command is None:
        opts = _read_env(d, "/etc/default/docker").get("DOCKER_OPTS") or _read_env(
            d, "/etc/sysconfig/docker"
        ).get("OPTIONS")
        if opts:
            command = CommandLine(argv=("dockerd", *opts.split()), source="/etc/default/docker")
    flags = command.flags(DOCKER_ALIASES) if command else {}
    config_path = (flags.get("config-file") or ("/etc/docker/daemon.json",))[-1]
    config, error = load_config(tree, config_path, "json")
    if command is None and unit is None and config is None and error is None:
        return None
    if error:
        d.problems.append((config_path, error))
    return Settings(
        component="docker",
        command=command,
        flags=flags,
        config=config,
        config_path=config_path,
        config_error=error,
        files=unit.files if unit else (),
    )


def _daemon(d: Discovery, name: str, unit_name: str, default_config: str | None) -> Settings | None:
    tree = d.tree
    command = next(iter(find_processes(tree, (name,))), None)
    unit = find_unit(tree, unit_name)
    if unit is not None:
        d.problems.extend((unit.source, p) for p in unit.problems)
    if command is None and unit is not None:
        command = unit.command_line()
    flags = command.flags() if command else {}
    config_path = (flags.get("config") or ((default_config,) if default_config else (None,)))[-1]
    if config_path is not None:
        config_path = seen_by(tree, command, config_path)
    config, error = (None, None) if config_path is None else load_config(tree, config_path, "yaml")
    if command is None and unit is None and config is None and error is None:
        return None
    if error:
        d.problems.append((config_path or name, error))
    return Settings(
        component=name,
        command=command,
        flags=flags,
        config=config,
        config_path=config_path if (config is not None or error) else None,
        config_error=error,
        files=unit.files if unit else (),
    )


def seen_by(tree: HostTree, command: CommandLine | None, path: str) -> str:
    """A running daemon's file as it sees it: through /proc/PID/root on the live host, since
    kube-proxy (and sometimes the kubelet) runs in a container with its own root."""
    if tree.live and command is not None and command.source.startswith("/proc/") and path.startswith("/"):
        pid = command.source.split("/")[2]
        seen = f"/proc/{pid}/root{path}"
        if tree.exists(seen):
            return seen
    return path


def _static_pod(d: Discovery, name: str) -> Settings | None:
    tree = d.tree
    command = next(iter(find_processes(tree, (name,))), None)
    manifest = next(
        (
            f"{MANIFESTS}/{name}{ext}"
            for ext in (".yaml", ".yml", ".manifest")
            if tree.exists(f"{MANIFESTS}/{name}{ext}")
        ),
        None,
    )
    if command is None and manifest is not None:
        command = _manifest_command(d, manifest)
    if command is None:
        return None
    return Settings(
        component=name, command=command, flags=command.flags(), files=(manifest,) if manifest else ()
    )


def _manifest_command(d: Discovery, path: str) -> CommandLine | None:
    import yaml

    try:
        text = d.tree.read_text(path) or ""
        doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader
    except HostReadError as e:
        d.problems.append((path, str(e)))
        return None
    except yaml.YAMLError as e:
        d.problems.append((path, f"not valid YAML: {getattr(e, 'problem', None) or e}"))
        return None
    try:
        container = doc["spec"]["containers"][0]
        argv = [str(a) for a in (container.get("command") or ())] + [
            str(a) for a in (container.get("args") or ())
        ]
    except (KeyError, IndexError, TypeError, AttributeError):
        d.problems.append((path, "not a Pod manifest with spec.containers[0]"))
        return None
    return CommandLine(argv=tuple(argv), source=path) if argv else None


def _read_env(d: Discovery, path: str) -> dict[str, str]:
    try:
        return parse_env_file(d.tree.read_text(path) or "")
    except HostReadError as e:
        d.problems.append((path, str(e)))
        return {}
