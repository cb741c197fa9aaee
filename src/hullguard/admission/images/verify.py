"""Each image's tag resolved to a digest and its signature checked, through the registry client and
the signing verifier that `hullguard verify` uses; both answers cached for a bounded time."""

from __future__ import annotations

from dataclasses import dataclass

from hullguard.admission.images.cache import TtlCache
from hullguard.errors import Error
from hullguard.model import Digest
from hullguard.registry import RegistryClient
from hullguard.registry.reference import Reference
from hullguard.registry.transport import RegistryOptions
from hullguard.signing import keyless, keys
from hullguard.signing.remote import RemoteRepository, Target, verify_image

FAILURE_TTL = 10.0
"""A refusal is remembered briefly: a retry storm must not hammer the registry, a fixed image must pass soon."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Checked:
    digest: Digest | None
    error: str | None = None


class ImageLookup:
    """Digests of tags, and signatures at digests (when a key or a keyless identity is given)."""

    def __init__(
        self,
        key: keys.PublicKey | None,
        options: RegistryOptions,
        ttl: float,
        size: int = 1024,
        *,
        identity: keyless.Identity | None = None,
        root: keyless.TrustRoot | None = None,
    ) -> None:
        self.key, self.options, self.identity, self.root = key, options, identity, root
        self.digests: TtlCache[str, Checked] = TtlCache(ttl, size)
        self.verified: TtlCache[str, Checked] = TtlCache(ttl, size)

    @property
    def signatures(self) -> bool:
        """Signatures are required: a key or a keyless identity was given."""
        return self.key is not None or self.identity is not None

    def cached(self, ref: Reference) -> bool:
        """Both answers for `ref` are in the cache: checking it costs no registry round trip."""
        digest = ref.digest
        if digest is None:
            found = self.digests.peek(str(ref))
            if found is None or found.digest is None:
                return found is not None
            digest = found.digest
        return (
            not self.signatures or self.verified.peek(f"{ref.registry}/{ref.repository}@{digest}") is not None
        )

    def resolve(self, ref: Reference) -> Checked:
        """The digest `ref` names now (its own digest when pinned)."""
        if ref.digest:
            return Checked(digest=ref.digest)
        key = str(ref)
        found = self.digests.get(key)
        if found is None:
            try:
                with RegistryClient.for_reference(ref, self.options) as client:
                    found = Checked(digest=client.resolve(ref))
                self.digests.put(key, found)
            except Error as e:
                found = Checked(digest=None, error=f"cannot resolve {ref}: {e.diagnostics()}")
                self.digests.put(key, found, FAILURE_TTL)
        return found

    def check(self, ref: Reference, digest: Digest) -> Checked:
        """Signed by the key, at exactly this digest."""
        assert self.signatures, "check() needs a key or a keyless identity"
        pinned = ref.with_digest(digest)
        key = f"{pinned.registry}/{pinned.repository}@{digest}"
        found = self.verified.get(key)
        if found is not None:
            return found
        try:
            with RegistryClient.for_reference(pinned, self.options) as client:
                target = Target(ref=pinned, digest=digest, repo=RemoteRepository(client, pinned))
                verify_image(target, key=self.key, identity=self.identity, root=self.root)
            found = Checked(digest=digest)
            self.verified.put(key, found)
        except Error as e:
            found = Checked(digest=digest, error=e.diagnostics().replace("\n", " "))
            self.verified.put(key, found, FAILURE_TTL)
        return found
