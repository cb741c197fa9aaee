"""The webhook's settings: a `--config FILE` (YAML) with command-line flags on top, and the
policies built from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hullguard.admission.decision import Mode
from hullguard.admission.files import ConfigError, read_text
from hullguard.admission.policy import Namespaces, Policy
from hullguard.admission.pss import PssPolicy
from hullguard.admission.rbac import RbacInput
from hullguard.admission.reviewer import IoPolicy, Reviewer
from hullguard.admission.rules import RulesPolicy, select_rules
from hullguard.model import Severity
from hullguard.rules.kubernetes import pss
from hullguard.rules.kubernetes.yamldoc import load_documents

MAX_CONFIG = 4 << 20
KEYS = frozenset(
    {"mode", "pss", "rules", "validatingAdmissionPolicies", "namespaces", "exemptNamespaces", "images", "log", "rbac"}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    mode: Mode = Mode.ENFORCE
    pss_level: str | None = None
    pss_minor: int = pss.NEWEST_MINOR
    rule_ids: tuple[str, ...] = ()
    min_severity: Severity | None = None
    vap_files: tuple[Path, ...] = ()
    namespaces: dict[str, dict[str, Any]] = field(default_factory=dict)
    exempt_namespaces: frozenset[str] = frozenset()
    images: dict[str, Any] = field(default_factory=dict)
    log: Path | None = None
    rbac: RbacInput = field(default_factory=RbacInput)
    """RBAC objects for the CEL `authorizer` (files; a kubeconfig to read them from)."""


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigError(f"{where}: expected a list")
    return value


def _map(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a mapping")
    return value


IMAGE_PATHS = ("key", "scanStore", "caCert", "trustedRoot")


def _relative(images: dict[str, Any], folder: Path) -> dict[str, Any]:
    """File and folder names in `images:` are read from the config file's folder."""
    return {k: str(folder / str(v)) if k in IMAGE_PATHS and v else v for k, v in images.items()}


def namespace_objects(items: list[Any], where: str) -> dict[str, dict[str, Any]]:
    """Namespace objects by name; `List` documents (`kubectl get namespaces -o yaml`) are unwrapped."""
    found: dict[str, dict[str, Any]] = {}
    for n, ns in enumerate(items):
        obj = _map(ns, f"{where}[{n}]")
        if str(obj.get("kind", "")).endswith("List"):
            found.update(
                namespace_objects(_list(obj.get("items"), f"{where}[{n}].items"), f"{where}[{n}].items")
            )
            continue
        name = _map(obj.get("metadata"), f"{where}[{n}]").get("name")
        if not isinstance(name, str) or obj.get("kind", "Namespace") != "Namespace":
            raise ConfigError(f"{where}[{n}]: a Namespace object with metadata.name is expected")
        found[name] = obj
    return found


def live_namespaces(kubeconfig: Path, context: str | None) -> dict[str, dict[str, Any]]:
    """Namespace objects listed from a live cluster (read-only), for their PSS labels and
    `namespaceObject`; the same reader as `hullguard k8s --kubeconfig`."""
    from hullguard.cluster.live import read_live

    cluster = read_live(kubeconfig, context, frozenset({"Namespace"}))
    items = [{**o.raw, "kind": "Namespace"} for o in cluster.of_kind("Namespace")]
    return namespace_objects(items, f"{kubeconfig}: namespaces")


def read_namespaces(path: Path) -> dict[str, dict[str, Any]]:
    """Namespace objects from a file: `kubectl get namespaces -o json|yaml`, or Namespace documents."""
    docs = [d.data for d in load_documents(read_text(path, MAX_CONFIG), str(path)) if d.data is not None]
    return namespace_objects(docs, str(path))


def read_settings(path: Path) -> Settings:
    """A config file; relative policy and log paths are read from the file's folder."""
    docs = load_documents(read_text(path, MAX_CONFIG), str(path))
    data = _map(docs[0].data if docs else None, str(path))
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(unknown)}; expected {', '.join(sorted(KEYS))}")
    pss_part, rules_part = _map(data.get("pss"), f"{path}: pss"), _map(data.get("rules"), f"{path}: rules")
    namespaces = namespace_objects(
        _list(data.get("namespaces"), f"{path}: namespaces"), f"{path}: namespaces"
    )
    try:
        return Settings(
            mode=Mode(data.get("mode", "enforce")),
            pss_level=pss_part.get("level"),
            pss_minor=pss.parse_version(str(pss_part.get("version", "latest"))),
            rule_ids=tuple(str(i) for i in _list(rules_part.get("ids"), f"{path}: rules.ids")),
            min_severity=Severity.parse(rules_part["minSeverity"]) if "minSeverity" in rules_part else None,
            vap_files=tuple(
                path.parent / str(p) for p in _list(data.get("validatingAdmissionPolicies"), f"{path}: vap")
            ),
            namespaces=namespaces,
            exempt_namespaces=frozenset(
                str(n) for n in _list(data.get("exemptNamespaces"), f"{path}: exempt")
            ),
            images=_relative(_map(data.get("images"), f"{path}: images"), path.parent),
            log=path.parent / str(data["log"]) if data.get("log") else None,
            rbac=RbacInput(files=tuple(path.parent / str(p) for p in _list(data.get("rbac"), f"{path}: rbac"))),
        )
    except ValueError as e:
        raise ConfigError(f"{path}: {e}") from e


def build_reviewer(settings: Settings) -> Reviewer:
    validators: list[Policy] = []
    mutators: list[Policy] = []
    if settings.pss_level is not None:
        if settings.pss_level not in (pss.BASELINE, pss.RESTRICTED):
            raise ConfigError(f"pss level {settings.pss_level!r}: expected baseline or restricted")
        validators.append(PssPolicy(level=settings.pss_level, minor=settings.pss_minor, mode=settings.mode))
    if settings.rule_ids or settings.min_severity is not None:
        rules = select_rules(settings.rule_ids, settings.min_severity)
        validators.append(RulesPolicy(rules=rules, mode=settings.mode, pss_minor=settings.pss_minor))
    warnings: tuple[str, ...] = ()
    if settings.vap_files:
        from hullguard.admission.vap.policy import load_vap_policies

        vap, warnings = load_vap_policies(settings.vap_files, settings.rbac)
        validators.append(vap)
    blocking: tuple[IoPolicy, ...] = ()
    if settings.images:
        from hullguard.admission.images.settings import image_policy

        images = image_policy(settings.images, settings.mode)
        validators.append(images)
        mutators.append(images)
        blocking = (images,)
    return Reviewer(
        validators=tuple(validators),
        mutators=tuple(mutators),
        namespaces=Namespaces(objects=settings.namespaces),
        exempt_namespaces=settings.exempt_namespaces,
        blocking=blocking,
        warnings=warnings,
    )
