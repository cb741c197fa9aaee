"""The "vuln" scanner: match the inventory against the vulnerability database, name each
package's layer and history step, mark base-image layers, then apply ignore file and VEX."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from hullguard.errors import Error
from hullguard.matchers.base_image import base_layers
from hullguard.matchers.match import Matcher, Provenance
from hullguard.matchers.suppress import suppress
from hullguard.model import Digest, Issue
from hullguard.scanners import ScanContext, ScanResult
from hullguard.secrets.scrub import scrub
from hullguard.sources.layers import LayerVisitor
from hullguard.sources.tree import FileEntry
from hullguard.vulndb import store
from hullguard.vulndb.bundled import ensure_database

if TYPE_CHECKING:
    from hullguard.pipeline import ScanOptions


class VulnScanner:
    name = "vuln"

    def wants(self, entry: FileEntry) -> bool:
        return False

    def new_visitor(self, options: ScanOptions) -> LayerVisitor | None:
        return None

    def scan(self, ctx: ScanContext, visitor: LayerVisitor | None) -> ScanResult:
        issues: list[Issue] = []
        path = store.db_path(ctx.options.cache_dir)
        try:
            issues.extend(ensure_database(path))
            with store.opened(path) as conn:
                provenance = _provenance(ctx, issues)
                findings, match_issues = Matcher(conn).match(
                    ctx.inventory.packages, ctx.inventory.os, provenance
                )
        except (Error, sqlite3.Error, OSError) as e:
            return ScanResult(issues=(*issues, Issue(stage="vuln", message=f"vulnerability database: {e}")))
        issues.extend(match_issues)
        kept, notes = suppress(findings, ctx.options)
        return ScanResult(findings=tuple(kept), issues=(*issues, *notes))


def _provenance(ctx: ScanContext, issues: list[Issue]) -> Provenance | None:
    image = ctx.image
    if image is None:
        return None
    # History keeps build arguments (`|1 NPM_TOKEN=…`): never let them into a report unredacted.
    created = {layer.diff_id: scrub(layer.created_by) if layer.created_by else None for layer in image.layers}
    base_ref = ctx.options.get("base_image")
    base: frozenset[Digest] | None = None
    try:
        base = base_layers(image, str(base_ref) if base_ref else None, ctx.options.source)
    except Error as e:
        issues.append(Issue(stage="vuln", message=f"base image: {e}"))

    def describe(layer: Digest | None) -> tuple[str | None, bool | None]:
        if layer is None:
            return None, None
        return created.get(layer), (layer in base) if base is not None else None

    return describe
