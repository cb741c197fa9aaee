"""A Compose file's services as Compose would run them: interpolated from `.env`, `extends` resolved.

Findings stay on the scanned file's lines: values are replaced in place (keys never change), and
whatever a service inherits through `extends` is located at its `extends:` node. An `extends.file`
is read only inside the scanned folder; cycles, missing services and unreadable files are issues.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hullguard.errors import Error
from hullguard.model import Issue
from hullguard.rules.base import NodePath
from hullguard.rules.compose.interpolate import Interpolator, parse_dotenv
from hullguard.rules.compose.merge import merge_service
from hullguard.rules.compose.model import ComposeService
from hullguard.rules.kubernetes.yamldoc import YamlDoc, load_documents

MAX_FILE = 8 << 20
MAX_CHAIN = 32
STAGE = "config"


@dataclass(frozen=True, slots=True)
class _File:
    real: Path
    display: str
    doc: YamlDoc
    services: dict[str, Any]
    """Interpolated services."""
    raw: dict[str, Any]
    """Services as written."""


class _Project:
    def __init__(self, root: Path, env: Mapping[str, str], issues: list[Issue]) -> None:
        self.root = root
        self.env = env
        self.issues = issues
        self.files: dict[Path, _File | None] = {}

    def add(self, real: Path, display: str, doc: YamlDoc) -> _File:
        data = doc.data if isinstance(doc.data, dict) else {}
        found = data.get("services")
        raw: dict[str, Any] = found if isinstance(found, dict) else {}
        interp = Interpolator(self.env)
        services = interp.tree(raw, ("services",))
        problems = (f"{display}:{doc.lines(at)[0]}: {message}" for at, message in interp.problems)
        for problem in dict.fromkeys(problems):
            self._issue(display, problem)
        file = _File(real=real, display=display, doc=doc, services=services, raw=raw)
        self.files[real] = file
        return file

    def resolve(self, file: _File, name: str, chain: tuple[tuple[Path, str], ...]) -> tuple[Any, Any]:
        """(interpolated, raw) spec of service `name` of `file`, with what it extends merged in."""
        spec, raw = file.services[name], file.raw[name]
        if not isinstance(spec, dict) or "extends" not in spec:
            return spec, raw
        spec = {k: v for k, v in spec.items() if k != "extends"}
        raw_own = {k: v for k, v in raw.items() if k != "extends"}
        where = f"{file.display}:{file.doc.lines(('services', name, 'extends'))[0]}"
        target = self._target(file, file.services[name]["extends"], where)
        if target is None:
            return spec, raw_own
        base_file, base_name = target
        if (base_file.real, base_name) in chain or len(chain) >= MAX_CHAIN:
            names = " -> ".join(n for _, n in (*chain, (base_file.real, base_name)))
            self._issue(file.display, f"{where}: extends cycle {names}; not followed")
            return spec, raw_own
        if base_name not in base_file.services:
            self._issue(
                file.display,
                f"{where}: extends service {base_name!r}, which {base_file.display} does not define",
            )
            return spec, raw_own
        base_spec, base_raw = self.resolve(base_file, base_name, (*chain, (base_file.real, base_name)))
        if not isinstance(base_spec, dict):
            return spec, raw_own
        return merge_service(base_spec, spec), merge_service(base_raw, raw_own)

    def _target(self, file: _File, extends: Any, where: str) -> tuple[_File, str] | None:
        if isinstance(extends, str):
            return file, extends
        if not isinstance(extends, dict) or not isinstance(extends.get("service"), str):
            self._issue(file.display, f"{where}: extends must be a service name or {{service, file}}")
            return None
        ref = extends.get("file")
        if ref is None:
            return file, extends["service"]
        other = self._open(file, str(ref), where)
        return (other, extends["service"]) if other is not None else None

    def _open(self, file: _File, ref: str, where: str) -> _File | None:
        try:
            real = (file.real.parent / ref).resolve(strict=True)
        except (OSError, RuntimeError):
            real = None
        if real is not None and real in self.files:
            return self.files[real]
        found = read_compose(
            self.root, file.real.parent, ref, f"{where}: extends file", self.issues, file.display
        )
        if found is None:
            return None
        self.files[found[0]] = None
        return self.add(*found)

    def _issue(self, path: str, message: str) -> None:
        self.issues.append(Issue(stage=STAGE, path=path, message=message))


def read_compose(
    root: Path, folder: Path, ref: str, what: str, issues: list[Issue], path: str
) -> tuple[Path, str, YamlDoc] | None:
    """The first document of the Compose file `ref` (relative to `folder`), read only inside `root`;
    otherwise an issue on `path` starting with `what`."""
    try:
        real = (folder / ref).resolve(strict=True)
    except (OSError, RuntimeError):
        issues.append(Issue(stage=STAGE, path=path, message=f"{what} {ref} not found"))
        return None
    if not real.is_relative_to(root):
        message = f"{what} {ref} is outside the scanned folder; not read"
        issues.append(Issue(stage=STAGE, path=path, message=message))
        return None
    display = str(real.relative_to(root))
    try:
        if not real.is_file() or real.stat().st_size > MAX_FILE:
            raise Error(f"{display}: not a regular file of at most {MAX_FILE} bytes")
        docs = load_documents(real.read_text(encoding="utf-8", errors="replace"), display)
    except (OSError, Error) as e:
        problem = e.diagnostics() if isinstance(e, Error) else f"{display}: cannot read: {e.strerror}"
        issues.append(Issue(stage=STAGE, path=path, message=f"{what} {ref}: {problem}"))
        return None
    if not docs or not isinstance(docs[0].data, dict):
        issues.append(Issue(stage=STAGE, path=path, message=f"{what} {ref} is not a Compose file"))
        return None
    return real, display, docs[0]


def load_env(
    folder: Path, names: list[str], root: Path, issues: list[Issue], *, required: bool, where: str
) -> dict[str, str]:
    """The variables of env files `names` (relative to `folder`), later ones winning; read only
    inside `root`. The default `.env` may be absent; a file an `include` names must exist.
    Problems are issues on the file:line `where` that named the files."""
    env: dict[str, str] = {}
    path = where.rsplit(":", 1)[0]
    for name in names:
        try:
            real = (folder / name).resolve(strict=True)
        except (OSError, RuntimeError):
            if required:
                issues.append(Issue(stage=STAGE, path=path, message=f"{where}: env file {name} not found"))
            continue
        if not real.is_relative_to(root):
            message = f"{where}: env file {name} is outside the scanned folder; not read"
            issues.append(Issue(stage=STAGE, path=path, message=message))
            continue
        where = str(real.relative_to(root))
        try:
            if not real.is_file() or real.stat().st_size > MAX_FILE:
                raise OSError(0, f"not a regular file of at most {MAX_FILE} bytes")
            values, problems = parse_dotenv(real.read_text(encoding="utf-8", errors="replace"))
        except OSError as e:
            issues.append(Issue(stage=STAGE, path=where, message=f"{where}: cannot read: {e.strerror}"))
            continue
        env.update(values)
        issues.extend(Issue(stage=STAGE, path=where, message=f"{where}:{n}: {m}") for n, m in problems)
    return env


def load_services(
    doc: YamlDoc, path: Path, display: str, root: Path
) -> tuple[list[ComposeService], list[Issue]]:
    """The services of the Compose document `doc` of file `path` and of the files it includes;
    `root` confines `extends.file`, `include` and env files."""
    issues: list[Issue] = []
    base = root.resolve()
    base = base.parent if base.is_file() else base
    real = path.resolve()
    env = load_env(real.parent, [".env"], base, issues, required=False, where=display)
    return _load(base, real, display, doc, env, issues, (real,)), issues


def _load(
    root: Path,
    real: Path,
    display: str,
    doc: YamlDoc,
    env: dict[str, str],
    issues: list[Issue],
    chain: tuple[Path, ...],
) -> list[ComposeService]:
    project = _Project(root, env, issues)
    file = project.add(real, display, doc)
    base = _override_base(project, file)
    services = []
    for name in file.services:
        spec, raw = project.resolve(file, name, ((file.real, name),))
        if not isinstance(spec, dict):
            continue
        anchor = None
        if isinstance(file.services[name], dict) and "extends" in file.services[name]:
            anchor = doc.lines(("services", name, "extends"))
        if base is not None and name in base.services:
            base_spec, base_raw = project.resolve(base, name, ((base.real, name),))
            if isinstance(base_spec, dict):
                spec, raw = merge_service(base_spec, spec), merge_service(base_raw, raw)
                anchor = anchor or (doc.lines(("services", name))[0],) * 2
        located = doc
        if anchor is not None:
            # only this service's paths: a copy of the whole file's spans per service is quadratic
            at = ("services", name)
            spans = {p: doc.spans.get(p, anchor) for p in _paths(spec, at)}
            spans.update((p, doc.spans[p]) for p in ((), ("services",), (*at, "extends")) if p in doc.spans)
            located = YamlDoc(data=doc.data, spans=spans, index=doc.index)
        services.append(ComposeService(path=display, doc=located, name=str(name), spec=spec, raw=raw))
    names = {s.name for s in services}
    for ref, env_files, required, where in _includes(doc, display, env, issues):
        found = read_compose(root, real.parent, ref, f"{where}: include", issues, display)
        if found is None:
            continue
        if found[0] in chain:
            cycle = " -> ".join(str(p.relative_to(root)) for p in (*chain, found[0]))
            issues.append(
                Issue(stage=STAGE, path=display, message=f"{where}: include cycle {cycle}; not followed")
            )
            continue
        if env_files:
            included_env = load_env(real.parent, env_files, root, issues, required=required, where=where)
        else:
            included_env = load_env(found[0].parent, [".env"], root, issues, required=False, where=where)
        for service in _load(root, *found, included_env, issues, (*chain, found[0])):
            if service.name in names:
                message = f"{where}: included service {service.name} conflicts with one defined already"
                issues.append(Issue(stage=STAGE, path=display, message=message))
                continue
            names.add(service.name)
            services.append(service)
    return services


def _override_base(project: _Project, file: _File) -> _File | None:
    """For `compose.override.yaml` (and the other default names), the file Compose merges it over."""
    name = file.real.name
    if ".override." not in name or not name.startswith(("compose.", "docker-compose.")):
        return None
    base = file.real.with_name(name.replace(".override", "", 1))
    if not base.is_file():
        return None
    if base in project.files:
        return project.files[base]
    found = read_compose(
        project.root, file.real.parent, base.name, "override of", project.issues, file.display
    )
    return project.add(*found) if found is not None else None


def _includes(
    doc: YamlDoc, display: str, env: dict[str, str], issues: list[Issue]
) -> Iterator[tuple[str, list[str], bool, str]]:
    """(path, env files, whether they must exist, file:line) of each file the top-level `include` names, interpolated."""
    data = doc.data if isinstance(doc.data, dict) else {}
    if "include" not in data:
        return
    interp = Interpolator(env)
    entries = interp.tree(data["include"], ("include",))
    for at, message in dict.fromkeys(interp.problems):
        issues.append(Issue(stage=STAGE, path=display, message=f"{display}:{doc.lines(at)[0]}: {message}"))
    for n, entry in enumerate(entries if isinstance(entries, list) else [entries]):
        where = f"{display}:{doc.lines(('include', n))[0]}"
        if isinstance(entry, str):
            yield entry, [], False, where
            continue
        paths = entry.get("path") if isinstance(entry, dict) else None
        paths = [paths] if isinstance(paths, str) else paths
        env_files = entry.get("env_file", []) if isinstance(entry, dict) else []
        env_files = [env_files] if isinstance(env_files, str) else env_files
        if (
            not isinstance(paths, list)
            or not all(isinstance(p, str) for p in paths)
            or not isinstance(env_files, list)
            or not all(isinstance(e, str) for e in env_files)
        ):
            message = f"{where}: include must be a path or {{path, env_file, project_directory}}"
            issues.append(Issue(stage=STAGE, path=display, message=message))
            continue
        required = bool(env_files)
        if isinstance(entry, dict) and isinstance(entry.get("project_directory"), str) and not env_files:
            env_files = [str(Path(entry["project_directory"]) / ".env")]
        for p in paths:
            yield p, env_files, required, where


def _paths(data: Any, at: NodePath, seen: set[int] | None = None) -> Iterator[NodePath]:
    """Every node path in `data`; a collection shared through an alias is entered once."""
    seen = set() if seen is None else seen
    yield at
    if isinstance(data, (dict, list)):
        if id(data) in seen:
            return
        seen.add(id(data))
        items = data.items() if isinstance(data, dict) else enumerate(data)
        for k, v in items:
            yield from _paths(v, (*at, k), seen)
