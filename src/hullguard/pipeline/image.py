"""Scanning an image: (verify its signature,) open it, read its layers once, run the scanners."""

from __future__ import annotations

from hullguard.cache.image import Analysis
from hullguard.errors import Error
from hullguard.model import Artifact, ArtifactType, Digest, Issue, Report
from hullguard.pipeline.filters import filter_findings
from hullguard.pipeline.options import ScanOptions
from hullguard.pipeline.progress import Run
from hullguard.pipeline.scanners import registered
from hullguard.pipeline.steps import run_scanners
from hullguard.pipeline.targets import ImageTarget
from hullguard.scanners import ScanContext
from hullguard.sources import open_image
from hullguard.sources.base_image import base_layers
from hullguard.sources.image import Image, LayerRef
from hullguard.sources.layer_hashes import LayerHashes


def scan_image(target: ImageTarget, options: ScanOptions, run: Run) -> Report:
    ref = target.ref
    if target.signature is not None:
        from hullguard.pipeline.signature import verify_signature

        run.step("signature")
        ref = verify_signature(ref, target.signature, options.source, run)
    active = registered(options)
    visitors = {s.name: s.new_visitor() for s in active}
    run.step("source", detail=ref)
    # The layers on disk are hashed by a child process from the start, while this one loads
    # the analyzers (a sixth of a cold scan's time) and then reads the layers; with a cache,
    # from when the cache has not answered (a warm scan reads no layer).
    cache = options.scan_cache()
    with open_image(ref, options.source) as image, LayerHashes(image.layers, start=cache is None) as hashes:
        from hullguard.analysis import analyze_image
        from hullguard.analyzers import ANALYZERS

        chosen = ANALYZERS if options.analyzers is None else options.analyzers
        analyzers = tuple(a for a in chosen if not a.spec.pre_build)
        count = len(image.layers)

        def on_layer(layer: LayerRef) -> None:
            run.step("layer", done=layer.index, total=count, detail=layer.diff_id)

        live = tuple(v for v in visitors.values() if v is not None)
        with analyze_image(image, analyzers, active, live, cache, on_layer, hashes) as (
            tree,
            analysis,
        ):
            run.step("scan")
            base, base_issues = _base(image, target, options) if "vuln" in options.scanners else (None, ())
            artifact = _artifact(image, analysis)
            ctx = ScanContext(
                artifact=artifact,
                tree=tree,
                inventory=analysis.inventory,
                image=image,
                removals=analysis.removals,
                base_layers=base,
                issues=analysis.issues,
            )
            findings, scan_issues = run_scanners(active, ctx, visitors, run)
            kept, notes = filter_findings(findings, options.filters, options.today())
            return Report(
                artifact=artifact,
                packages=analysis.inventory.packages,
                findings=kept,
                issues=(*analysis.issues, *base_issues, *scan_issues, *notes),
            )


def _artifact(image: Image, analysis: Analysis) -> Artifact:
    return Artifact(
        name=image.name,
        type=ArtifactType.CONTAINER_IMAGE,
        digest=image.manifest_digest or image.config_digest,
        os=analysis.inventory.os,
        layers=tuple(layer.diff_id for layer in image.layers),
        created=image.config.created,
    )


def _base(
    image: Image, target: ImageTarget, options: ScanOptions
) -> tuple[frozenset[Digest] | None, tuple[Issue, ...]]:
    """The base image's layers, resolved here so that no scanner opens an image."""
    try:
        return base_layers(image, target.base_image, options.source), ()
    except Error as e:
        return None, (Issue(stage="vuln", message=f"base image: {e}"),)
