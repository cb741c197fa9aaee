"""Run the rules over Dockerfiles, Kubernetes manifests and Compose files: findings and issues."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from hullguard.errors import Error
from hullguard.model import Issue, Location, Misconfiguration
from hullguard.rules import rules_for
from hullguard.rules.base import Rule, Target, Violation
from hullguard.rules.compose.model import is_compose
from hullguard.rules.compose.project import load_services
from hullguard.rules.discover import ConfigFile, FileKind, discover
from hullguard.rules.dockerfile.parse import parse_dockerfile
from hullguard.rules.kubernetes import pss
from hullguard.rules.kubernetes.objects import KubeObject, iter_objects, manifest_context
from hullguard.rules.kubernetes.yamldoc import YamlDoc, check_syntax, load_documents, only_skipped_kinds
from hullguard.rules.policy import Policy, run_policies

IGNORE = re.compile(r"#\s*hullguard:ignore=([A-Za-z0-9_,.*-]+)")


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigOptions:
    pss_level: str | None = None
    """baseline or restricted: the level of the PSS controls that run (None: restricted)."""
    only_pss: bool = False
    """Run the PSS controls alone: no Dockerfile, Compose or other Kubernetes rules."""
    pss_version: int = pss.NEWEST_MINOR
    dockerfile_patterns: tuple[str, ...] = ()
    policies: tuple[Policy, ...] = ()


@dataclass
class ConfigResult:
    findings: list[Misconfiguration]
    issues: list[Issue]
    objects: list[KubeObject]


def finding(rule: Rule, v: Violation, path: str, lines: tuple[int, int] | None) -> Misconfiguration:
    return Misconfiguration(
        id=rule.meta.id,
        severity=rule.meta.severity,
        title=rule.meta.title,
        message=v.message,
        location=Location(
            path=path, start_line=lines[0] if lines else None, end_line=lines[1] if lines else None
        ),
        remediation=rule.meta.remediation,
        references=rule.meta.references,
    )


def ignores(text: str) -> list[tuple[int, frozenset[str]]]:
    """(line, rule ids) of each `# hullguard:ignore=ID[,ID] reason` comment."""
    return [
        (n, frozenset(m.group(1).split(",")))
        for n, line in enumerate(text.splitlines(), start=1)
        if "hullguard:ignore" in line and (m := IGNORE.search(line))
    ]


def suppressed(f: Misconfiguration, marks: list[tuple[int, frozenset[str]]]) -> bool:
    """An ignore comment on the line before a finding's node, or inside its line range."""
    start = f.location.start_line or 1
    end = f.location.end_line or start
    return any((f.id in ids or "*" in ids) and start - 1 <= line <= end for line, ids in marks)


def _kube_rules(options: ConfigOptions) -> tuple[Rule, ...]:
    rules = rules_for(Target.KUBERNETES)
    level = options.pss_level or pss.RESTRICTED
    active = pss.active(level, options.pss_version)
    chosen = tuple(r for r in rules if r.meta.pss is None or r.meta.pss[1] in active)
    if options.only_pss:
        chosen = tuple(r for r in chosen if r.meta.pss is not None)
    return chosen


def scan_config(root: Path, options: ConfigOptions) -> ConfigResult:
    findings: list[Misconfiguration] = []
    issues: list[Issue] = []
    objects: list[KubeObject] = []
    texts: dict[str, str] = {}
    run_dockerfiles = not options.only_pss
    for file in discover(root, options.dockerfile_patterns):
        try:
            text = file.path.read_text(encoding="utf-8", errors="replace")
        except OSError as e:
            issues.append(Issue(stage="config", path=file.display, message=f"cannot read: {e.strerror}"))
            continue
        texts[file.display] = text
        try:
            if file.kind is FileKind.DOCKERFILE:
                if run_dockerfiles:
                    findings.extend(_dockerfile(file, text))
            else:
                found, objs = _manifest(file, text, run_dockerfiles, root, issues)
                findings.extend(found)
                objects.extend(objs)
        except Error as e:
            issues.append(_problem(file, text, e))
    context = manifest_context(objects, options.pss_version)
    objects = [replace(o, context=context) for o in objects]
    rules = _kube_rules(options)
    for o in objects:
        findings.extend(_run(rules, o, o.path, o.doc))
    if options.policies:
        for result in run_policies(options.policies, objects):
            if isinstance(result, Issue):
                issues.append(result)
            else:
                findings.append(result)
    marks = {path: ignores(text) for path, text in texts.items()}
    unique = dict.fromkeys(findings)  # an included compose file may also be scanned on its own
    kept = [f for f in unique if not suppressed(f, marks.get(f.location.path or "", []))]
    return ConfigResult(findings=kept, issues=list(dict.fromkeys(issues)), objects=objects)


def _problem(file: ConfigFile, text: str, error: Error) -> Issue:
    if "{{" in text:
        return Issue(
            stage="config",
            path=file.display,
            message="skipped: a template ({{ ... }}), not valid before rendering",
        )
    return Issue(stage="config", path=file.display, message=error.diagnostics())


def _run(
    rules: Iterable[Rule], subject: object, path: str, doc: YamlDoc | None
) -> Iterator[Misconfiguration]:
    for rule in rules:
        for v in rule.run(subject):
            lines = (
                v.lines
                if v.lines is not None
                else (doc.lines(v.node) if doc is not None and v.node is not None else None)
            )
            yield finding(rule, v, path, lines)


def _dockerfile(file: ConfigFile, text: str) -> list[Misconfiguration]:
    dockerignore = (file.path.parent / ".dockerignore").exists()
    df = parse_dockerfile(text, file.display, dockerignore=dockerignore)
    return list(_run(rules_for(Target.DOCKERFILE), df, file.display, None))


def _manifest(
    file: ConfigFile, text: str, with_compose: bool, root: Path, issues: list[Issue]
) -> tuple[list[Misconfiguration], list[KubeObject]]:
    if "{{" in text and "/templates/" in f"/{file.display}":
        raise Error("Helm template")
    if only_skipped_kinds(text):
        check_syntax(text, file.display)
        return [], []
    docs = load_documents(text, file.display)
    findings: list[Misconfiguration] = []
    objects: list[KubeObject] = []
    for doc in docs:
        if is_compose(doc.data, file.path.name):
            if with_compose:
                services, problems = load_services(doc, file.path, file.display, root)
                issues.extend(problems)
                for service in services:
                    findings.extend(_run(rules_for(Target.COMPOSE), service, service.path, service.doc))
            continue
        objects.extend(iter_objects(doc, file.display))
    return findings, objects
