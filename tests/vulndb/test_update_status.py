"""`db update` against a real HTTP server on 127.0.0.1 serving osv.dev's layout; `db status`."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import ssl
import subprocess
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from hullguard.cli.main import main
from hullguard.vulndb.reader import ReadError, download
from tests.conftest import require


@pytest.fixture
def osv_mirror(tmp_path: Path) -> Iterator[str]:
    root = tmp_path / "mirror"
    for ecosystem, ident, name, modified in (
        ("PyPI", "PYSEC-T-1", "requests", "2026-11-20T00:00:00Z"),
        ("npm", "GHSA-t-1", "lodash", "2020-01-01T00:00:00Z"),
    ):
        (root / ecosystem).mkdir(parents=True)
        with zipfile.ZipFile(root / ecosystem / "all.zip", "w") as zf:
            zf.writestr(
                f"{ident}.json",
                json.dumps(
                    {
                        "id": ident,
                        "modified": modified,
                        "affected": [
                            {
                                "package": {"ecosystem": ecosystem, "name": name},
                                "ranges": [
                                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "9"}]}
                                ],
                            }
                        ],
                    }
                ),
            )
    (root / "single").mkdir()
    (root / "single/REC-1.json").write_text(json.dumps({"id": "REC-1", "modified": "2026-01-01T00:00:00Z"}))
    (root / "single/fake.zip").write_text("not a zip")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_update_downloads_configured_ecosystems_then_status(
    osv_mirror: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    code = main(
        ["db", "update", "--cache-dir", str(cache), "--mirror", osv_mirror, "--ecosystems", "PyPI,npm"]
    )
    err = capsys.readouterr().err
    assert code == 0 and "2 added" in err
    assert (
        main(["db", "update", "--cache-dir", str(cache), "--mirror", osv_mirror, "--ecosystems", "PyPI"]) == 0
    )
    assert "0 added, 0 updated, 1 unchanged" in capsys.readouterr().err
    assert main(["db", "status", "--cache-dir", str(cache), "--max-age", "36500"]) == 0
    out, err = capsys.readouterr()
    assert "advisories: 2" in out and "  PyPI: 1" in out and "  npm: 1" in out
    assert "newest modified: 2026-11-20T00:00:00Z" in out
    assert f"{osv_mirror}/PyPI/all.zip" in out
    assert "warning" not in err
    # `db import` takes the same URLs, and single records by URL.
    other = ["--cache-dir", str(tmp_path / "other")]
    assert main(["db", "import", f"{osv_mirror}/npm/all.zip", f"{osv_mirror}/single/REC-1.json", *other]) == 0
    assert "2 added" in capsys.readouterr().err
    assert main(["db", "import", f"{osv_mirror}/single/fake.zip", *other]) == 2
    assert "not a zip archive" in capsys.readouterr().err
    assert main(["db", "status", "--cache-dir", str(cache), "--max-age", "0"]) == 0
    assert "warning: the newest advisory is older than 0 days" in capsys.readouterr().err


def test_missing_export_is_exit_2_and_db_untouched(
    osv_mirror: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    code = main(
        ["db", "update", "--cache-dir", str(cache), "--mirror", osv_mirror, "--ecosystems", "PyPI,Nope"]
    )
    err = capsys.readouterr().err
    assert code == 2 and "HTTP 404" in err and "Traceback" not in err
    assert not (cache / "vulndb.sqlite").exists()


def test_plain_http_is_refused_except_to_loopback() -> None:
    with pytest.raises(ReadError, match="HTTPS only"):
        download("http://example.org/PyPI/all.zip")


def test_status_without_database_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "status", "--cache-dir", str(tmp_path)]) == 2
    assert "db update" in capsys.readouterr().err


@pytest.fixture
def tls_mirror(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The same layout over real TLS: an openssl self-signed certificate for IP:127.0.0.1."""
    require(shutil.which("openssl") is not None, "openssl not installed (run scripts/setup)")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    root = tmp_path / "tls-mirror" / "PyPI"
    root.mkdir(parents=True)
    with zipfile.ZipFile(root / "all.zip", "w") as zf:
        zf.writestr("PYSEC-TLS-1.json", json.dumps({"id": "PYSEC-TLS-1", "modified": "2026-01-01T00:00:00Z"}))
    handler = functools.partial(_QuietHandler, directory=str(root.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", cert
    finally:
        server.shutdown()
        server.server_close()


def test_update_over_https_verifies_the_server(
    tls_mirror: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, cert = tls_mirror
    cache = ["--cache-dir", str(tmp_path / "cache"), "--mirror", url, "--ecosystems", "PyPI"]
    assert main(["db", "update", *cache]) == 2
    assert "CERTIFICATE_VERIFY_FAILED" in capsys.readouterr().err
    assert main(["db", "update", *cache, "--ca-cert", str(cert)]) == 0
    assert "1 added" in capsys.readouterr().err
