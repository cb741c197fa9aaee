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
            self._issue(file.display, f"{where}: extends file {ref} not found")
            return None
        if not real.is_relative_to(self.root):
            self._issue(file.display, f"{where}: extends file {ref} is outside the scanned folder; not read")
            return None
        if real in self.files:
            return self.files[real]
        display = str(real.relative_to(self.root))
        self.files[real] = None
        try:
            if not real.is_file() or real.stat().st_size > MAX_FILE:
                raise Error(f"{display}: not a regular file of at most {MAX_FILE} bytes")
            docs = load_documents(real.read_text(encoding="utf-8", errors="replace"), display)
        except (OSError, Error) as e:
            message = e.diagnostics() if isinstance(e, Error) else f"{display}: cannot read: {e.strerror}"
            self._issue(file.display, f"{where}: extends file {ref}: {message}")
            return None
        if not docs or not isinstance(docs[0].data, dict):
            self._issue(file.display, f"{where}: extends file {ref} is not a Compose file")
            return None
        return self.add(real, display, docs[0])

    def _issue(self, path: str, message: str) -> None:
        self.issues.append(Issue(stage=STAGE, path=path, message=message))


def load_env(folder: Path, display: str, issues: list[Issue]) -> dict[str, str]:
    """The variables of the `.env` next to a Compose file (none when there is no such file)."""
    dotenv = folder / ".env"
    if dotenv.is_symlink() or not dotenv.is_file() or dotenv.stat().st_size > MAX_FILE:
        return {}
    try:
        text = dotenv.read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        issues.append(Issue(stage=STAGE, path=display, message=f"cannot read .env: {e.strerror}"))
        return {}
    env, problems = parse_dotenv(text)
    where = str(Path(display).parent / ".env")
    issues.extend(Issue(stage=STAGE, path=where, message=f"{where}:{n}: {m}") for n, m in problems)
    return env


def load_services(
    doc: YamlDoc, path: Path, display: str, root: Path
) -> tuple[list[ComposeService], list[Issue]]:
    """The services of the Compose document `doc` of file `path`; `root` confines `extends.file`."""
    issues: list[Issue] = []
    base = root.resolve()
    base = base.parent if base.is_file() else base
    project = _Project(base, load_env(path.parent, display, issues), issues)
    file = project.add(path.resolve(), display, doc)
    services = []
    for name in file.services:
        spec, raw = project.resolve(file, name, ((file.real, name),))
        if not isinstance(spec, dict):
            continue
        located = doc
        if isinstance(file.services[name], dict) and "extends" in file.services[name]:
            extends = doc.lines(("services", name, "extends"))
            inherited = {p: extends for p in _paths(spec, ("services", name)) if p not in doc.spans}
            located = YamlDoc(data=doc.data, spans={**doc.spans, **inherited}, index=doc.index)
        services.append(ComposeService(path=display, doc=located, name=str(name), spec=spec, raw=raw))
    return services, issues


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
