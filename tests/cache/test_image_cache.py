"""The analysis cache: a warm scan of the demo image reads no layer blob and reports exactly
what a scan that reads every layer reports; other analyzers or other layers miss it."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO

import pytest

from hullguard.analysis import analyze_image, image_key
from hullguard.analyzers import ANALYZERS
from hullguard.analyzers.base import AnalysisContext, Analyzer, FileInput
from hullguard.cache.image import FORMAT, Analysis, ImageCache, _package
from hullguard.errors import SourceError
from hullguard.model import OS, Digest, Inventory, Issue, Package, PackageType
from hullguard.pipeline import ImageTarget, ScannerName, ScanOptions, scan
from hullguard.pipeline import image as image_stage
from hullguard.report import writer_for
from hullguard.sources import SourceOptions, open_image
from hullguard.sources.image import Image, ImageConfig
from hullguard.sources.tree import EntryType, FileEntry, Removal
from hullguard.vulndb import store
from hullguard.vulndb.bundled import ensure_database
from tests.conftest import require
from tests.secrets.test_image import secret_recipe
from tests.support import images
from tests.support.images import BuiltImage

ALL: frozenset[ScannerName] = frozenset({"vuln", "secret", "config"})


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Digest]:
    """Every layer blob the pipeline opens, by diff_id. (Layers are read through `open_blob`
    here, not from their file region, so that every read is counted.)"""
    blobs: list[Digest] = []
    real = image_stage.open_image

    @contextmanager
    def counting(target: str, options: SourceOptions) -> Iterator[Image]:
        with real(target, options) as image:
            layers = tuple(
                dataclasses.replace(
                    layer, open_blob=_counted(layer.open_blob, layer.diff_id, blobs), region=None
                )
                for layer in image.layers
            )
            yield dataclasses.replace(image, layers=layers)

    monkeypatch.setattr(image_stage, "open_image", counting)
    return blobs


def _counted(opener, diff_id: Digest, blobs: list[Digest]):  # type: ignore[no-untyped-def]
    def open_blob() -> IO[bytes]:
        blobs.append(diff_id)
        return opener()

    return open_blob


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    """A cache dir whose vulnerability DB exists already: its first import adds a note to a report."""
    ensure_database(store.db_path(tmp_path))
    return tmp_path


def _json(
    target: Path, cache: Path, analyzers: tuple[Analyzer, ...] = ANALYZERS, no_cache: bool = False
) -> str:
    options = ScanOptions(scanners=ALL, cache_dir=cache, use_cache=not no_cache, analyzers=analyzers)
    out = io.StringIO()
    writer_for("json")(scan(ImageTarget(ref=str(target)), options), out)
    return out.getvalue()


def test_warm_scan_reads_no_layer_and_reports_the_same(
    demo_image: BuiltImage, cache: Path, opened: list[Digest]
) -> None:
    uncached = _json(demo_image.archive, cache, no_cache=True)  # also fills the vuln DB
    assert opened and not (cache / "images").exists()
    opened.clear()
    cold = _json(demo_image.archive, cache)
    layers = len(set(opened))
    assert layers >= 3 and list((cache / "images" / f"v{FORMAT}").glob("*.json"))
    opened.clear()
    warm = _json(demo_image.archive, cache)
    assert opened == []
    assert cold == uncached
    assert warm == uncached
    report = json.loads(warm)
    assert report["packages"] and any(f["kind"] == "misconfiguration" for f in report["findings"])


def test_other_analyzer_version_or_broken_entry_reads_the_layers(
    demo_image: BuiltImage, cache: Path, opened: list[Digest]
) -> None:
    first = _json(demo_image.archive, cache)
    opened.clear()
    bumped = tuple(_Bumped(a) if a.spec.id == "dpkg" else a for a in ANALYZERS)
    assert _json(demo_image.archive, cache, bumped) == first
    assert opened, "a newer dpkg analyzer must not reuse the old analysis"
    for entry in (cache / "images" / f"v{FORMAT}").glob("*.json"):
        entry.write_text('{"key": "truncated', encoding="utf-8")
    opened.clear()
    assert _json(demo_image.archive, cache) == first
    assert opened, "an unreadable entry is a miss"
    opened.clear()
    assert _json(demo_image.archive, cache) == first
    assert opened == [], "the broken entry was written again"


class _Bumped:
    def __init__(self, inner: Analyzer) -> None:
        self.inner = inner
        self.spec = dataclasses.replace(inner.spec, version=inner.spec.version + 1)

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        return self.inner.analyze(file, ctx)


def test_other_layers_or_a_config_that_does_not_match_its_digest_change_the_key(
    demo_image: BuiltImage,
) -> None:
    with open_image(str(demo_image.archive), SourceOptions()) as image:
        key = image_key(image, ANALYZERS)
        assert key is not None and key == image_key(image, ANALYZERS)
        other = _with_diff_ids(image, (*image.config.diff_ids[:-1], Digest("sha256:" + "0" * 64)))
        assert image_key(other, ANALYZERS) not in (None, key)
        forged = dataclasses.replace(image, raw_config=image.raw_config + b" ")
        assert image_key(forged, ANALYZERS) is None
        assert image_key(image, ANALYZERS[1:]) != key


def _with_diff_ids(image: Image, diff_ids: tuple[Digest, ...]) -> Image:
    doc = json.loads(image.raw_config)
    doc["rootfs"]["diff_ids"] = list(diff_ids)
    raw = json.dumps(doc).encode()
    layers = tuple(
        dataclasses.replace(layer, diff_id=d) for layer, d in zip(image.layers, diff_ids, strict=True)
    )
    return dataclasses.replace(
        image,
        raw_config=raw,
        config=ImageConfig.parse(raw, "test"),
        config_digest=Digest("sha256:" + hashlib.sha256(raw).hexdigest()),
        layers=layers,
    )


def test_an_entry_round_trips_every_field(tmp_path: Path) -> None:
    layer, other = Digest("sha256:" + "a" * 64), Digest("sha256:" + "b" * 64)
    package = Package(
        type=PackageType.RPM,
        name="bash",
        version="1:5.1-6.el9",
        purl="pkg:rpm/almalinux/bash@5.1-6.el9?epoch=1",
        source_name="bash",
        source_version="5.1",
        arch="x86_64",
        licenses=("GPL-3.0-or-later",),
        layer=layer,
        path="var/lib/rpm/rpmdb.sqlite",
        modularity_label="m:1",
        dependencies=("glibc",),
        dev=True,
    )
    assert {f.name for f in dataclasses.fields(Package)} == set(_package(package)), "a field is not cached"
    setuid = FileEntry(path="usr/bin/su", type=EntryType.FILE, size=9, mode=0o4755, layer=layer)
    analysis = Analysis(
        inventory=Inventory(
            packages=(package,),
            os=OS(family="almalinux", version="9.4", name="AlmaLinux", eol=False, eol_date=date(2032, 5, 31)),
            extra=(("kind", "value"),),
        ),
        issues=(Issue(stage="analyzer", message="m", path="p", layer=layer),),
        entries=(
            setuid,
            FileEntry(path="bin", type=EntryType.SYMLINK, mode=0o777, layer=other, linkname="usr/bin"),
            FileEntry(path="usr", type=EntryType.DIR, mode=0o755),
        ),
        removals=(Removal(setuid, other),),
    )
    cache = ImageCache(tmp_path)
    cache.store("k" * 64, analysis)
    assert cache.load("k" * 64) == analysis
    assert cache.load("x" * 64) is None


def test_the_listing_is_read_only_when_the_tree_is_looked_at(tmp_path: Path) -> None:
    """A hit needs its listing file, reads it on first use, and a listing that is damaged by
    then is a clear error (the entry itself was sound)."""
    entry = FileEntry(path="etc/passwd", type=EntryType.FILE, size=3, mode=0o644, layer=Digest("sha256:" + "a" * 64))
    analysis = Analysis(inventory=Inventory(packages=()), issues=(), entries=(entry,), removals=())
    cache, key = ImageCache(tmp_path), "k" * 64
    cache.store(key, analysis)
    listing = cache.dir / f"{key}.entries.json"
    assert "etc/passwd" not in (cache.dir / f"{key}.json").read_text(encoding="utf-8")

    loaded = cache.load(key)
    assert loaded is not None
    listing.write_text('{"key": "' + key + '", "entries": [["etc/passwd", "file"]]}', encoding="utf-8")
    with pytest.raises(SourceError, match="damaged image cache entry"):
        list(loaded.entries)

    cache.store(key, analysis)
    loaded = cache.load(key)
    assert loaded is not None and tuple(loaded.entries) == (entry,)
    listing.unlink()
    assert cache.load(key) is None, "an entry without its listing is a miss"


def test_warm_scan_keeps_deleted_secrets_and_their_layers(cache: Path, opened: list[Digest]) -> None:
    """The secret image: a key added in one layer and deleted in the next, a whiteout-only
    layer. Findings that need the final tree and its removals come out the same warm."""
    missing = [t for t in ("umoci", "skopeo", "openssl") if shutil.which(t) is None]
    require(not missing, f"image build tools missing: {', '.join(missing)} (run scripts/setup)")
    image = images.build(secret_recipe())
    uncached = _json(image.archive, cache, no_cache=True)
    cold = _json(image.archive, cache)
    opened.clear()
    warm = _json(image.archive, cache)
    assert opened == []
    assert cold == uncached and warm == uncached
    assert any(f["kind"] == "secret" and f.get("removed_in_layer") for f in json.loads(warm)["findings"])


class _WantsOsRelease:
    """A scanner that reads a file's content from the tree: the cache cannot serve it."""

    name = "reads-content"
    keeps_content = True

    def wants(self, entry: FileEntry) -> bool:
        return entry.path == "usr/lib/os-release"

    def new_visitor(self) -> None:
        return None

    def scan(self, ctx: object, visitor: object) -> None:
        raise AssertionError("not run here")


def test_a_scanner_that_reads_content_makes_the_layers_be_read(demo_image: BuiltImage, cache: Path) -> None:
    analyzers = tuple(a for a in ANALYZERS if not a.spec.pre_build)
    with open_image(str(demo_image.archive), SourceOptions()) as image:
        with analyze_image(image, analyzers, (), (), cache) as (_, first):
            pass
        opened: list[Digest] = []
        layers = tuple(
            dataclasses.replace(
                layer, open_blob=_counted(layer.open_blob, layer.diff_id, opened), region=None
            )
            for layer in image.layers
        )
        counted = dataclasses.replace(image, layers=layers)
        with analyze_image(counted, analyzers, (), (), cache) as (_, warm):
            assert warm == first and opened == []
        with analyze_image(counted, analyzers, (_WantsOsRelease(),), (), cache) as (tree, again):
            entry = tree.lookup("usr/lib/os-release")
            assert opened and entry is not None and b"bookworm" in tree.read_bytes(entry)
            assert again == first
