"""Signature status on the image page: cosign signatures verified with --signature-key."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import sqlalchemy as sa

from hullguard.server.database import database_url
from tests.server.conftest import HULLGUARD, run_server
from tests.support import images
from tests.support.servers import push, run_registry


def test_signed_image_verifies_and_unsigned_does_not(tmp_path: Path, demo_image: images.BuiltImage,
                                                     vuln_cache: Path) -> None:
    env = {**os.environ, "COSIGN_PASSWORD": ""}
    subprocess.run([*HULLGUARD, "key", "generate", "--output-key-prefix", str(tmp_path / "cosign")],
                   check=True, capture_output=True, env=env, timeout=60)
    with run_registry() as registry:
        signed = push(registry, demo_image.oci_ref, "signed/app", "1")
        unsigned = push(registry, f"docker-archive:{demo_image.archive}", "unsigned/app", "1")
        subprocess.run([*HULLGUARD, "sign", "--key", str(tmp_path / "cosign.key"), "--insecure", signed],
                       check=True, capture_output=True, env=env, timeout=120)
        with run_server(tmp_path / "data", None, vuln_cache, "--signature-key", str(tmp_path / "cosign.pub")) as server, \
                server.client() as client:
            ids = [client.post("/api/v1/scans", json={"target": t}).json()["id"] for t in (signed, unsigned)]
            for scan_id in ids:
                assert server.wait_scan(scan_id)["status"] == "done"
            time.sleep(0.2)
            engine = sa.create_engine(database_url(server.data_dir, None))
            with engine.connect() as conn:
                status = dict(conn.execute(sa.text("SELECT ref, signature FROM images")).all())
            engine.dispose()
            signed_id = client.get("/api/v1/images", params={"ref": signed}).json()["images"][0]["id"]
            page = client.get(f"/images/{signed_id}", headers={"Cookie": f"hullguard_token={server.viewer}"}).text
    assert status[signed].startswith("verified: 1 signature")
    assert status[unsigned].startswith("not verified")
    assert '<span class="tag fix">verified: 1 signature' in page
