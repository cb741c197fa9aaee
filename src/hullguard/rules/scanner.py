"""The "config" scanner: image-config rules for images, config rules for directories."""

from __future__ import annotations

from pathlib import Path

from hullguard.model import ArtifactType, Finding, Location, Misconfiguration
from hullguard.rules import rules_for
from hullguard.rules.base import Target
from hullguard.rules.engine import ConfigOptions, scan_config
from hullguard.rules.image.config import ImageFacts
from hullguard.rules.image.history import HISTORY_RULES, history_dockerfile
from hullguard.scanners import ScanContext, ScanResult
from hullguard.sources.tree import EntryType, FileEntry, LayerVisitor

SETID = 0o6000


class ConfigScanner:
    name = "config"
    keeps_content = False

    def __init__(self, options: ConfigOptions) -> None:
        self.options = options

    def wants(self, entry: FileEntry) -> bool:
        return False

    def new_visitor(self) -> LayerVisitor | None:
        return None

    def scan(self, ctx: ScanContext, visitor: LayerVisitor | None) -> ScanResult:
        if ctx.image is not None:
            return ScanResult(findings=tuple(image_findings(ctx)))
        if ctx.artifact.type is ArtifactType.FILESYSTEM:
            result = scan_config(Path(ctx.artifact.name), self.options)
            return ScanResult(findings=tuple(result.findings), issues=tuple(result.issues))
        return ScanResult()


def image_findings(ctx: ScanContext) -> list[Finding]:
    assert ctx.image is not None
    setid = tuple(
        sorted((e.path, e.mode) for e in ctx.tree.entries() if e.type is EntryType.FILE and e.mode & SETID)
    )
    facts = ImageFacts(name=ctx.image.name, config=ctx.image.config, os=ctx.inventory.os, setid_files=setid)
    findings: list[Finding] = []
    for rule in rules_for(Target.IMAGE):
        for v in rule.run(facts):
            findings.append(
                Misconfiguration(
                    id=rule.meta.id,
                    severity=rule.meta.severity,
                    title=rule.meta.title,
                    message=v.message,
                    location=Location(path=f"{ctx.image.name} (image config)"),
                    remediation=rule.meta.remediation,
                    references=rule.meta.references,
                )
            )
    findings.extend(history_findings(ctx))
    return findings


def history_findings(ctx: ScanContext) -> list[Finding]:
    """RUN-level Dockerfile rules on the image's history; lines are history step numbers."""
    assert ctx.image is not None
    parsed = history_dockerfile(ctx.image.config, ctx.image.name)
    if parsed is None:
        return []
    df, steps = parsed
    wanted = set(HISTORY_RULES)
    findings: list[Finding] = []
    for rule in rules_for(Target.DOCKERFILE):
        if rule.meta.id not in wanted:
            continue
        for v in rule.run(df):
            step = steps.get(v.lines[0]) if v.lines else None
            findings.append(
                Misconfiguration(
                    id=rule.meta.id,
                    severity=rule.meta.severity,
                    title=rule.meta.title,
                    message=f"history step {step}: {v.message}",
                    location=Location(path=f"{ctx.image.name} (history)", start_line=step, end_line=step),
                    remediation=rule.meta.remediation,
                    references=rule.meta.references,
                )
            )
    return findings
