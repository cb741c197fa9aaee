"""Time sign / verify / attest / verify-attestation against a real TLS + htpasswd docker-registry.

Run: .venv/bin/python -m bench.signing_roundtrip [ROUNDS]
Prints the median wall time of each command (in-process, so interpreter start-up is excluded)
and of one offline verification of every conformance bundle.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.support import images, servers

from hullguard.cli.main import main
from hullguard.signing import keyless
from hullguard.signing.keys import generate_key_pair


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
        code = main(argv)
    if code != 0:
        raise SystemExit(f"{argv[0]} failed ({code}): {err.getvalue()}")
    return time.perf_counter() - start


def main_bench(rounds: int) -> None:
    os.environ["COSIGN_PASSWORD"] = "bench"
    image = images.build(images.demo_recipe())
    work = Path(tempfile.mkdtemp())
    pair = generate_key_pair(b"bench")
    (work / "k.key").write_bytes(pair.private_pem)
    (work / "k.pub").write_bytes(pair.public_pem)
    (work / "sbom.json").write_text(
        json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1})
    )
    results: dict[str, list[float]] = {}
    with servers.run_registry(tls=True, htpasswd=True) as server:
        ref = servers.push(server, image.oci_ref, "bench/app")
        auth = ["--ca-cert", str(server.ca_cert), "--username", servers.USER, "--password", servers.PASSWORD]
        key, pub = str(work / "k.key"), str(work / "k.pub")
        for _ in range(rounds):
            for name, argv in (
                ("sign", ["sign", ref, "--key", key, *auth]),
                ("verify", ["verify", ref, "--key", pub, *auth]),
                (
                    "attest",
                    [
                        "attest",
                        ref,
                        "--predicate",
                        str(work / "sbom.json"),
                        "--type",
                        "cyclonedx",
                        "--key",
                        key,
                        *auth,
                    ],
                ),
                ("verify-attestation", ["verify-attestation", ref, "--key", pub, *auth]),
            ):
                results.setdefault(name, []).append(timed(argv))
    root = Path(__file__).resolve().parent.parent.parent / "shared/conformance/sigstore/bundles"
    if root.is_dir():
        production = keyless.load_trusted_root()
        data = (root / "sigstore-conformance/happy-path-v0.3/bundle.sigstore.json").read_bytes()
        artifact = (root / "sigstore-conformance/a.txt").read_bytes()
        who = keyless.Identity(
            identity="https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main",
            issuer="https://token.actions.githubusercontent.com",
        )
        for _ in range(rounds):
            start = time.perf_counter()
            keyless.verify_bundle(data, who, production, artifact)
            results.setdefault("keyless bundle (offline)", []).append(time.perf_counter() - start)
    for name, times in results.items():
        print(
            f"{name:28s} median {statistics.median(times) * 1000:8.1f} ms  ({len(times)} runs; signatures accumulate)"
        )


if __name__ == "__main__":
    main_bench(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
