"""The "vuln" scanner: match the inventory against the vulnerability database, name each
package's layer and history step, mark base-image layers (as the source stage found them).
VEX and the ignore file are the pipeline's filters."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hullguard.errors import Error
from hullguard.matchers.match import Matcher, Provenance
from hullguard.model import Digest, Issue
from hullguard.scanners import ScanContext, ScanResult
from hullguard.secrets.scrub import scrub
from hullguard.sources.tree import FileEntry, LayerVisitor
from hullguard.vulndb import store
from hullguard.vulndb.bundled import ensure_database


class VulnScanner:
    name = "vuln"
    keeps_content = False

    def __init__(self, database: Path) -> None:
        self.database = database

    def wants(self, entry: FileEntry) -> bool:
        return False

    def new_visitor(self) -> LayerVisitor | None:
        return None

    def scan(self, ctx: ScanContext, visitor: LayerVisitor | None) -> ScanResult:
        issues: list[Issue] = []
        path = self.database
        try:
            issues.extend(ensure_database(path))
            with store.opened(path) as conn:
                provenance = _provenance(ctx)
                findings, match_issues = Matcher(conn).match(
                    ctx.inventory.packages, ctx.inventory.os, provenance
                )
        except (Error, sqlite3.Error, OSError) as e:
            return ScanResult(issues=(*issues, Issue(stage="vuln", message=f"vulnerability database: {e}")))
        issues.extend(match_issues)
        return ScanResult(findings=tuple(findings), issues=tuple(issues))


def _provenance(ctx: ScanContext) -> Provenance | None:
    image = ctx.image
    if image is None:
        return None
    # History keeps build arguments (`|1 NPM_TOKEN=…`): never let them into a report unredacted.
    created = {layer.diff_id: scrub(layer.created_by) if layer.created_by else None for layer in image.layers}
    base = ctx.base_layers

    def describe(layer: Digest | None) -> tuple[str | None, bool | None]:
        if layer is None:
            return None, None
        return created.get(layer), (layer in base) if base is not None else None

    return describe
