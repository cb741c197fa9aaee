"""The image policy: every container image of a pod template from an allowed registry, signed by the
key at the digest its tag names now, and no worse than a severity in its latest stored scan; the
mutating answer pins each verified tag to that digest (JSONPatch)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hullguard.admission.decision import Mode, Outcome, Violation
from hullguard.admission.images.scan import BackgroundScans
from hullguard.admission.images.scans import ScanStore
from hullguard.admission.images.verify import ImageLookup
from hullguard.admission.policy import Namespaces
from hullguard.admission.review import Request
from hullguard.errors import Error
from hullguard.model import Digest, Severity
from hullguard.registry.reference import Reference, parse_reference
from hullguard.rules.kubernetes.objects import Container, make_workload


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageRules:
    allow_registries: tuple[str, ...] = ()
    """`host` or `host/path` prefixes; empty: any registry."""
    max_severity: Severity | None = None
    unknown_images: str = "allow"
    """What an image without a stored scan gets: allow, deny, or scan (deny now, scan for the retry)."""


def pointer(node: tuple[str | int, ...]) -> str:
    return "".join("/" + str(k).replace("~", "~0").replace("/", "~1") for k in node)


def pinned(image: str, digest: Digest) -> str:
    """`registry/repo:tag` as written, less its tag, at the digest."""
    name = image.partition("@")[0]
    head, _, last = name.rpartition("/")
    return f"{head + '/' if head else ''}{last.partition(':')[0]}@{digest}"


def allowed_registry(ref: Reference, allowed: tuple[str, ...]) -> bool:
    where = f"{ref.registry}/{ref.repository}"
    return any(where == a or where.startswith(a.rstrip("/") + "/") for a in allowed)


@dataclass(frozen=True, kw_only=True)
class ImagePolicy:
    rules: ImageRules
    lookup: ImageLookup | None
    """Registry answers; signatures are required when it holds a key."""
    scans: ScanStore | None
    background: BackgroundScans | None = None
    """Where `--unknown-images scan` sends images that have no stored scan."""
    mode: Mode = Mode.ENFORCE
    name: str = "image"

    def review(self, request: Request, namespaces: Namespaces) -> Outcome:
        if request.operation not in ("CREATE", "UPDATE") or request.object is None:
            return Outcome()
        workload = make_workload(request.object, request.kind.kind, ())
        if workload is None:
            return Outcome()
        violations: list[Violation] = []
        patch: list[dict[str, Any]] = []
        for container in workload.containers:
            problems, digest = self._check(container)
            violations += [
                Violation(policy="image", check=check, message=f'container "{container.name}": {text}',
                          actions=self.mode.actions)
                for check, text in problems
            ]  # fmt: skip
            if digest is not None and not problems and "@" not in container.image:
                patch.append({"op": "replace", "path": pointer((*container.node, "image")),
                              "value": pinned(container.image, digest)})  # fmt: skip
        return Outcome(violations=tuple(violations), patch=tuple(patch) if self._signatures else ())

    def needs_io(self, request: Request) -> bool:
        """A registry round trip may be needed: review off the event loop."""
        if self.lookup is None or request.object is None:
            return False
        workload = make_workload(request.object, request.kind.kind, ())
        for container in workload.containers if workload is not None else ():
            try:
                if not self.lookup.cached(parse_reference(container.image)):
                    return True
            except Error:
                continue
        return False

    @property
    def _signatures(self) -> bool:
        return self.lookup is not None and self.lookup.signatures

    def _check(self, container: Container) -> tuple[list[tuple[str, str]], Digest | None]:
        try:
            ref = parse_reference(container.image)
        except Error as e:
            return [("reference", f"image {container.image!r} is not a valid reference: {e}")], None
        if self.rules.allow_registries and not allowed_registry(ref, self.rules.allow_registries):
            return [("registry", f"image {container.image} is not from an allowed registry "
                                 f"({', '.join(self.rules.allow_registries)})")], None  # fmt: skip
        digest = None
        if self.lookup is not None:
            resolved = self.lookup.resolve(ref)
            if resolved.digest is None:
                return [("resolve", resolved.error or f"cannot resolve {container.image}")], None
            digest = resolved.digest
        if self._signatures and self.lookup is not None and digest is not None:
            verified = self.lookup.check(ref, digest)
            if verified.error is not None:
                signer = "the key" if self.lookup.key is not None else "the required identity"
                return [
                    (
                        "signature",
                        f"image {container.image} ({digest}) is not signed by {signer}: {verified.error}",
                    )
                ], None
        if self.rules.max_severity is not None and digest is not None:
            problem = self._vulnerabilities(container.image, digest)
            if problem is not None:
                return [problem], digest
        return [], digest

    def _vulnerabilities(self, image: str, digest: Digest) -> tuple[str, str] | None:
        assert self.rules.max_severity is not None
        scan = self.scans.latest(digest) if self.scans is not None else None
        if scan is None:
            if self.rules.unknown_images == "allow":
                return None
            why = f"--unknown-images {self.rules.unknown_images}"
            if self.background is not None:
                why = self.background.request(image, digest)
            return ("unscanned", f"image {image} ({digest}) has no stored scan: {why}")
        if scan.worst is not None and scan.worst > self.rules.max_severity:
            return ("vulnerabilities", f"image {image} ({digest}) has {scan.worst.name} vulnerabilities "
                                       f"above {self.rules.max_severity.name} (scan {scan.path.name})")  # fmt: skip
        return None
