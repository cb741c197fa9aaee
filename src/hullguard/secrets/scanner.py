"""The "secret" scanner: every file of every layer (deleted ones too), the image config, or a tree."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from hullguard.errors import SourceError
from hullguard.model import Digest, Issue, Location, RuleId, Secret
from hullguard.scanners import ScanContext, ScanResult
from hullguard.secrets.fingerprint import location_fingerprint
from hullguard.secrets.layer_cache import CachedLayer, LayerCache, Row, settings_key
from hullguard.secrets.options import SecretOptions
from hullguard.secrets.rules import Rule
from hullguard.secrets.settings import SecretSettings, load_settings
from hullguard.sources.tree import EntryType, FileEntry, FileTree, LayerVisitor

if TYPE_CHECKING:
    from hullguard.secrets.detect import Detector, Hit
    from hullguard.secrets.verify import Verifier

MAX_NAMED = 20
"""Files skipped for size named in the report issue; the rest are counted."""
BINARY_SUFFIXES = (
    *(".png", ".jpg", ".jpeg", ".gif", ".ico", ".bmp", ".webp", ".woff", ".woff2", ".ttf", ".otf", ".eot"),
    *(".zip", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".7z", ".jar", ".war", ".whl", ".egg", ".deb", ".rpm"),
    *(".so", ".a", ".o", ".pyc", ".pyo", ".class", ".exe", ".dll", ".mo", ".db", ".sqlite", ".pdf", ".mp3"),
)


@dataclass(frozen=True, slots=True)
class Found:
    """A secret found: what a report needs, without the secret itself."""

    path: str
    line: int
    rule: Rule
    redacted: str
    digest: str
    layer: Digest | None = None
    verification: str | None = None

    @classmethod
    def of(
        cls, path: str, line: int, hit: Hit, layer: Digest | None = None, verification: str | None = None
    ) -> Found:
        return cls(path, line, hit.rule, hit.redacted, hit.digest, layer, verification)


@dataclass(slots=True)
class Stats:
    files: int = 0
    bytes: int = 0
    binary: int = 0
    too_large: int = 0
    too_large_paths: list[str] = field(default_factory=list)


@dataclass
class FileScanner:
    """Scans one file's bytes; counts what it skipped."""

    settings: SecretSettings
    stats: Stats = field(default_factory=Stats)
    verifier: Verifier | None = None
    """With `--verify`: asks providers whether what was found is live."""
    _detector: Detector | None = field(default=None, init=False, repr=False)

    @property
    def detector(self) -> Detector:
        """Made on first use: a rescan answered by the layer cache reads no file."""
        if self._detector is None:
            from hullguard.secrets.detect import Detector  # not needed by a cached scan

            self._detector = Detector(self.settings.ruleset)
        return self._detector

    def wants(self, entry: FileEntry) -> bool:
        if entry.type is not EntryType.FILE or entry.path.endswith(BINARY_SUFFIXES):
            return False
        if entry.size > self.settings.max_file_bytes:
            self.stats.too_large += 1
            self.stats.too_large_paths.append(f"{entry.path} ({entry.size} bytes)")
            return False
        return not self.settings.ruleset.allow.allows_path(entry.path)

    def scan(self, path: str, data: bytes, layer: Digest | None = None) -> list[Found]:
        whole = self._whole_files(path, data, layer)
        if whole:
            return whole
        from hullguard.secrets.detect import is_binary  # these only when a file is read
        from hullguard.secrets.structured import manifest_extras

        if is_binary(data):
            self.stats.binary += 1
            return []
        self.stats.files += 1
        self.stats.bytes += len(data)
        decoded: list[tuple[int, Hit]] = []
        lines: set[int] = set()
        for extra in manifest_extras(path, data):
            if extra.line is not None:
                lines.add(extra.line)
            decoded += [(extra.line or h.line, h) for h in self.detector.scan(extra.text, extra.path)]
        # Where a value was decoded and scanned, its encoded form on that line is not scanned again.
        hits = [(h.line, h) for h in self.detector.scan(data, path) if h.line not in lines] + decoded
        status = verify_hits(self.verifier, [h for _, h in hits]) if self.verifier else {}
        found = [Found.of(path, line, h, layer, status.get(id(h))) for line, h in hits]
        unique = {(f.path, f.line, f.rule.id, f.digest): f for f in reversed(found)}
        return sorted(unique.values(), key=lambda f: (f.line, f.rule.id))

    def _whole_files(self, path: str, data: bytes, layer: Digest | None) -> list[Found]:
        """Keystores found by path and checked by content (`file:` rules): the file is the secret."""
        from hullguard.secrets.detect import FILE_KINDS, fingerprint

        found = []
        for rule in self.settings.ruleset.rules:
            if rule.file and any(p.search(path) for p in rule.paths) and FILE_KINDS[rule.file](data):
                digest = fingerprint(rule.id, hashlib.sha256(data).hexdigest())
                found.append(Found(path, 1, rule, f"<{rule.file} file, {len(data)} bytes>", digest, layer))
        return found


class LayerSecrets(FileScanner):
    """A layer visitor: sees each file of each layer as it streams, so later deletions hide nothing.

    With a cache, a layer already scanned under the same rules is not read again: its files
    are declined in `wants` and its stored results stand in for them."""

    def __init__(
        self, settings: SecretSettings, cache: LayerCache | None = None, verifier: Verifier | None = None
    ) -> None:
        super().__init__(settings, verifier=verifier)
        self.found: list[Found] = []
        self.cache = cache
        self.from_cache: dict[Digest, bool] = {}
        self.fresh: dict[Digest, list[Found]] = {}
        self.too_large_in: dict[Digest, list[str]] = {}

    def wants(self, entry: FileEntry) -> bool:
        layer = entry.layer
        if layer is None or self.cache is None:
            return super().wants(entry)
        if layer not in self.from_cache:
            self._open_layer(layer, self.cache)
        if self.from_cache[layer]:
            return False
        before = self.stats.too_large
        wanted = super().wants(entry)
        self.too_large_in[layer] += self.stats.too_large_paths[before:]
        return wanted

    def restore(self, layers: tuple[Digest, ...]) -> bool:
        """Take every layer's results from the cache, and say True; or take none and say False."""
        if self.cache is None:
            return False
        cached = [self._usable(self.cache.load(layer)) for layer in layers]
        if any(c is None for c in cached):
            return False
        for layer, c in zip(layers, cached, strict=True):
            self._use(layer, c)
        return True

    def _usable(self, cached: CachedLayer | None) -> CachedLayer | None:
        rules = self.settings.ruleset
        return None if cached is None or any(rules.rule(row.rule) is None for row in cached.rows) else cached

    def _open_layer(self, layer: Digest, cache: LayerCache) -> None:
        self._use(layer, self._usable(cache.load(layer)))

    def _use(self, layer: Digest, cached: CachedLayer | None) -> None:
        if cached is None:
            self.from_cache[layer] = False
            self.fresh[layer], self.too_large_in[layer] = [], []
            return
        self.from_cache[layer] = True
        self.stats.too_large += len(cached.too_large)
        self.stats.too_large_paths += cached.too_large
        self.found += self.found_in(cached, layer)

    def found_in(self, cached: CachedLayer, layer: Digest | None) -> list[Found]:
        """A cache entry's rows as findings (`_usable` has checked that their rules exist)."""
        rules = self.settings.ruleset
        return [
            Found(r.path, r.line, rule, r.redacted, r.fingerprint, layer)
            for r in cached.rows
            if (rule := rules.rule(r.rule)) is not None
        ]

    def visit(self, entry: FileEntry, data: bytes) -> None:
        found = self.scan(entry.path, data, entry.layer)
        self.found += found
        if entry.layer in self.fresh:
            self.fresh[entry.layer] += found

    def save(self, unreadable: set[Digest | None], layers: tuple[Digest, ...] = ()) -> None:
        """Store each layer read in full this time (not one that broke off part-way); one of
        `layers` that held no file to look at is stored as having nothing."""
        if self.cache is None:
            return
        for layer in layers:
            if layer not in self.from_cache and layer not in unreadable:
                self.cache.store(layer, [], [])
        for layer, found in self.fresh.items():
            if layer not in unreadable:
                self.cache.store(layer, _rows(found), self.too_large_in[layer])


class SecretScanner:
    name = "secret"
    keeps_content = False

    def __init__(self, options: SecretOptions, cache: Path | None = None) -> None:
        """`cache`: the scan caches' root, None for no cache."""
        self.options = options
        self.cache = cache

    def wants(self, entry: FileEntry) -> bool:
        return False  # the layer visitor reads what it needs; an fs tree is read on demand

    def new_visitor(self) -> LayerVisitor | None:
        settings = settings_for(self.options)
        if self.options.verify:
            # The cache holds no secrets, so there would be nothing to verify: read every layer.
            return LayerSecrets(settings, verifier=new_verifier())
        if self.cache is None:
            return LayerSecrets(settings)
        return LayerSecrets(settings, LayerCache(self.cache, settings_key(settings, BINARY_SUFFIXES)))

    def scan(self, ctx: ScanContext, visitor: LayerVisitor | None) -> ScanResult:
        if isinstance(visitor, LayerSecrets):
            unreadable = {i.layer for i in ctx.issues if i.stage == "source"}
            visitor.save(unreadable, ctx.artifact.layers)
            found = [*_in_image_config(visitor, ctx), *visitor.found]
            findings = image_findings(found, ctx)
            scanner: FileScanner = visitor
            issues: list[Issue] = []
        else:
            verifier = new_verifier() if self.options.verify else None
            scanner = FileScanner(settings_for(self.options), verifier=verifier)
            found, issues = scan_tree(scanner, ctx.tree)
            findings = [to_finding(f) for f in found]
        known = scanner.settings.baseline
        findings = [
            f for f in findings if f.fingerprint not in known and location_fingerprint(f) not in known
        ]
        if scanner.stats.too_large:
            issues.append(Issue(stage="secret", message=too_large_message(scanner.stats, scanner.settings)))
        return ScanResult(findings=tuple(findings), issues=tuple(issues))


def verify_hits(verifier: Verifier, hits: list[Hit]) -> dict[int, str]:
    """Each verifiable hit's status, by `id(hit)`; an AWS key id is checked with a secret
    access key found in the same file (the first the provider accepts)."""
    from hullguard.secrets.verify import Status  # with --verify only: it loads an HTTP client

    secrets = [h.secret for h in hits if h.rule.id == "aws-secret-access-key"]
    out: dict[int, str] = {}
    for h in hits:
        if h.rule.id == "aws-access-key-id":
            results = [verifier.status(h.rule.id, h.secret, s) for s in secrets]
            if Status.VERIFIED in results:
                status = Status.VERIFIED
            else:
                status = Status.INVALID if results and set(results) == {Status.INVALID} else Status.UNKNOWN
            out[id(h)] = status
            for s in (x for x in hits if x.rule.id == "aws-secret-access-key"):
                if verifier.status(h.rule.id, h.secret, s.secret) is Status.VERIFIED:
                    out[id(s)] = Status.VERIFIED
        elif h.rule.id != "aws-secret-access-key":
            out[id(h)] = verifier.status(h.rule.id, h.secret)
    return out


def too_large_message(stats: Stats, settings: SecretSettings) -> str:
    """Names the files skipped for size (the first few), the limit, and the flag that raises it."""
    named = stats.too_large_paths[:MAX_NAMED]
    rest = stats.too_large - len(named)
    names = ", ".join(named) + (f" and {rest} more" if rest > 0 else "")
    return (
        f"{stats.too_large} file{'' if stats.too_large == 1 else 's'} over {settings.max_file_bytes} bytes "
        f"not scanned for secrets: {names}; "
        f"raise the limit with --secret-max-file-size BYTES"
    )


def new_verifier() -> Verifier:
    """The one place a Verifier is made for a scan: with the providers' real endpoints."""
    from hullguard.secrets.verify import Verifier

    return Verifier()


def settings_for(options: SecretOptions) -> SecretSettings:
    settings = load_settings(options.config, options.baseline)
    limit = options.max_file_size
    return replace(settings, max_file_bytes=limit) if limit else settings


def scan_tree(scanner: FileScanner, tree: FileTree) -> tuple[list[Found], list[Issue]]:
    found: list[Found] = []
    issues: list[Issue] = []
    for entry in sorted(tree.entries(), key=lambda e: e.path):
        if not scanner.wants(entry):
            continue
        try:
            data = tree.read_bytes(entry)
        except SourceError as e:
            issues.append(Issue(stage="secret", path=entry.path, message=str(e)))
            continue
        found += scanner.scan(entry.path, data, entry.layer)
    return found, issues


def _in_image_config(scanner: FileScanner, ctx: ScanContext) -> list[Found]:
    """Secrets in the image config (Env, Labels, history, Cmd); with a layer cache, kept there
    by the config's digest, so a rescan answered from the cache runs no detector at all."""
    if ctx.image is None:
        return []
    config = Digest("sha256:" + hashlib.sha256(ctx.image.raw_config).hexdigest())
    if isinstance(scanner, LayerSecrets) and scanner.cache is not None:
        usable = scanner._usable(scanner.cache.load_config(config))
        if usable is not None:
            return scanner.found_in(usable, None)
    from hullguard.secrets.structured import image_config_texts

    found: list[Found] = []
    for path, text in image_config_texts(ctx.image.config):
        found += [Found.of(path, h.line, h) for h in scanner.detector.scan(text, path)]
    if isinstance(scanner, LayerSecrets) and scanner.cache is not None:
        scanner.cache.store_config(config, _rows(found))
    return found


def _rows(found: list[Found]) -> list[Row]:
    """Findings as the layer cache keeps them: where, which rule, redacted, never the secret."""
    return [Row(f.path, f.line, f.rule.id, f.redacted, f.digest) for f in found]


def image_findings(found: list[Found], ctx: ScanContext) -> list[Secret]:
    """One finding per secret, at the first layer holding it; marked when no longer in the final tree."""
    layers_of: dict[tuple[str, str], set[Digest | None]] = {}
    first: dict[tuple[str, str], Found] = {}
    for f in found:
        key = (f.path, f.digest)
        layers_of.setdefault(key, set()).add(f.layer)
        first.setdefault(key, f)
    removed_by = {(r.entry.path, r.entry.layer): r.by_layer for r in ctx.removals}
    findings = []
    for key, f in first.items():
        if f.layer is None:
            findings.append(to_finding(f))
            continue
        final = ctx.tree.lookup(f.path)
        if final is not None and final.layer in layers_of[key]:
            findings.append(to_finding(f))
            continue
        later = [removed_by[(f.path, layer)] for layer in layers_of[key] if (f.path, layer) in removed_by]
        by = later[-1] if later else (final.layer if final is not None else None)
        findings.append(to_finding(f, removed_in=by, layers=ctx.artifact.layers))
    return findings


def to_finding(f: Found, removed_in: Digest | None = None, layers: tuple[Digest, ...] = ()) -> Secret:
    rule = f.rule
    title = rule.title
    if removed_in is not None:
        title = f"{rule.title}: added in {_layer_name(f.layer, layers)}, deleted in {_layer_name(removed_in, layers)}, still in the image"
    if f.verification is not None:
        title = f"{title} [{f.verification}]"
    return Secret(
        id=RuleId(rule.id),
        severity=rule.severity,
        title=title,
        match=f.redacted,
        location=Location(path=f.path, start_line=f.line, layer=f.layer),
        removed_in_layer=removed_in,
        fingerprint=f.digest,
        verification=f.verification,
    )


def _layer_name(digest: Digest | None, layers: tuple[Digest, ...]) -> str:
    short = (digest or "")[7:19]
    return f"layer {layers.index(digest) + 1} ({short})" if digest in layers else f"layer {short}"
