"""`config --fix`: harden Kubernetes manifests in place so they pass restricted Pod Security,
and pin Dockerfiles' FROM lines to digests (rules/dockerfile/pin.py).

ruamel.yaml's round-trip mode keeps comments, key order and quoting; the original is kept
beside the file as `<name>.orig`. Only workloads change; every other document is written back
as it was read.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hullguard.errors import Error
from hullguard.rules.discover import FileKind, discover
from hullguard.rules.dockerfile.pin import Resolver, pin_dockerfile
from hullguard.rules.kubernetes import pss_checks as pss
from hullguard.rules.kubernetes.objects import CONTAINER_LISTS, POD_TEMPLATE_AT

INDENTED_SEQUENCE = re.compile(r"^( *)[A-Za-z_][\w.-]*:\s*\n\1  - ", re.M)
UNSAFE_HOST_FIELDS = ("hostNetwork", "hostPID", "hostIPC")


class FixError(Error):
    """A manifest that could not be rewritten."""


def _yaml(text: str) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    if INDENTED_SEQUENCE.search(text):
        yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _map() -> Any:
    from ruamel.yaml.comments import CommentedMap

    return CommentedMap()


def _child(parent: Any, key: str) -> Any:
    """parent[key] as a mapping, created (at the end, keeping order) when absent or null."""
    if not isinstance(parent.get(key), dict):
        parent[key] = _map()
    return parent[key]


def _harden_context(sc: Any, *, pod: bool) -> None:
    if sc.get("runAsUser") == 0:
        del sc["runAsUser"]
    if sc.get("runAsNonRoot") is not True and (pod or sc.get("runAsNonRoot") is not None):
        sc["runAsNonRoot"] = True
    profile = sc.get("seccompProfile")
    if (pod and profile is None) or (
        profile is not None and (profile or {}).get("type") not in pss.SECCOMP_TYPES
    ):
        sc["seccompProfile"] = _map()
        sc["seccompProfile"]["type"] = "RuntimeDefault"
    options = sc.get("seLinuxOptions")
    if options is not None and (
        (options or {}).get("type", "") not in pss.SELINUX_TYPES | {"container_engine_t"}
        or (options or {}).get("user")
        or (options or {}).get("role")
    ):
        del sc["seLinuxOptions"]
    armor = sc.get("appArmorProfile")
    if armor is not None and (armor or {}).get("type") not in pss.APPARMOR_TYPES:
        del sc["appArmorProfile"]
    if isinstance(sc.get("windowsOptions"), dict) and sc["windowsOptions"].get("hostProcess") is True:
        del sc["windowsOptions"]["hostProcess"]


def _harden_container(c: Any) -> None:
    sc = _child(c, "securityContext")
    _harden_context(sc, pod=False)
    sc["allowPrivilegeEscalation"] = False
    if sc.get("privileged") is True:
        sc["privileged"] = False
    sc["readOnlyRootFilesystem"] = True
    if sc.get("procMount") not in (None, "Default"):
        del sc["procMount"]
    caps = _child(sc, "capabilities")
    if "ALL" not in (caps.get("drop") or []):
        caps["drop"] = ["ALL"]
    if caps.get("add"):
        kept = [a for a in caps["add"] if a == "NET_BIND_SERVICE"]
        if kept:
            caps["add"] = kept
        else:
            del caps["add"]
    for port in c.get("ports") or []:
        if isinstance(port, dict) and port.get("hostPort"):
            del port["hostPort"]
    for key in (*pss.PROBES, "lifecycle"):
        handlers = (
            [c.get(key)]
            if key != "lifecycle"
            else [(c.get(key) or {}).get(k) for k in ("postStart", "preStop")]
        )
        for handler in handlers:
            for action in ("httpGet", "tcpSocket"):
                if (
                    isinstance(handler, dict)
                    and isinstance(handler.get(action), dict)
                    and handler[action].get("host")
                ):
                    del handler[action]["host"]


def harden_pod(meta: Any, spec: Any) -> None:
    spec["automountServiceAccountToken"] = False
    for key in UNSAFE_HOST_FIELDS:
        if spec.get(key) is True:
            spec[key] = False
    sc = _child(spec, "securityContext")
    _harden_context(sc, pod=True)
    if sc.get("sysctls"):
        safe = [s for s in sc["sysctls"] if (s or {}).get("name") in pss.SYSCTLS_1_0]
        if safe:
            sc["sysctls"] = safe
        else:
            del sc["sysctls"]
    for key, _ in CONTAINER_LISTS:
        for c in spec.get(key) or []:
            if isinstance(c, dict):
                _harden_container(c)
    for volume in spec.get("volumes") or []:
        sources = [k for k in volume if k != "name" and volume[k] is not None]
        if sources and not any(k in pss.ALLOWED_VOLUMES for k in sources):
            for k in sources:
                del volume[k]
            volume["emptyDir"] = _map()
            volume.yaml_add_eol_comment(f"hullguard --fix: was {', '.join(sources)}", "emptyDir")
    annotations = (meta or {}).get("annotations") or {}
    for key in list(annotations):
        value = str(annotations[key] or "")
        if key.startswith(pss.APPARMOR_ANNOTATION) and not (
            value in ("", "runtime/default") or value.startswith("localhost/")
        ):
            del annotations[key]
        if key.startswith(
            ("seccomp.security.alpha", "container.seccomp.security.alpha")
        ) and not pss.seccomp_annotation_ok(value):
            del annotations[key]


def harden_document(doc: Any) -> bool:
    """Harden every workload in one document (or List); True when it is a workload at all."""
    if not isinstance(doc, dict):
        return False
    if str(doc.get("kind", "")).endswith("List") and isinstance(doc.get("items"), list):
        return any([harden_document(item) for item in doc["items"]])
    rel = POD_TEMPLATE_AT.get(str(doc.get("kind")))
    if rel is None:
        return False
    template = doc
    for key in rel:
        template = _child(template, str(key))
    harden_pod(template.get("metadata"), _child(template, "spec"))
    return True


def fix_file(path: Path) -> str | None:
    """Rewrite one manifest; returns what was done, or None when it holds no workload."""
    text = path.read_text(encoding="utf-8")
    if "{{" in text:
        return None
    yaml = _yaml(text)
    try:
        docs = list(yaml.load_all(text))
    except Exception as e:  # ruamel raises many unrelated types for bad YAML
        raise FixError(f"{path}: cannot be fixed, not valid YAML: {e}") from e
    if not any([harden_document(d) for d in docs]):
        return None
    out = io.StringIO()
    yaml.dump_all(docs, out)
    if out.getvalue() == text:
        return f"{path}: already hardened"
    backup = path.with_name(path.name + ".orig")
    if not backup.exists():
        backup.write_text(text, encoding="utf-8")
    path.write_text(out.getvalue(), encoding="utf-8")
    return f"{path}: hardened (original kept in {backup.name})"


def fix_tree(root: Path, resolve: Resolver | None = None) -> Iterator[str]:
    """Harden manifests; with a digest `resolve`r, also pin Dockerfiles' FROM lines."""
    for file in discover(root):
        if file.kind is FileKind.DOCKERFILE and resolve is not None:
            try:
                yield from pin_dockerfile(file.path, resolve)
            except Error as e:
                yield str(e)
            continue
        if file.kind is FileKind.YAML:
            try:
                done = fix_file(file.path)
            except FixError as e:
                yield str(e)
                continue
            if done:
                yield done
