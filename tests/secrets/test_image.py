"""A real image whose 2nd layer adds a private key and whose 3rd deletes it: still found, both layers named."""

from __future__ import annotations

import io
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from hullguard.model import Secret
from hullguard.pipeline import ImageTarget, ScanOptions, scan
from hullguard.report import writer_for
from hullguard.secrets.options import SecretOptions
from tests.conftest import require
from tests.support import images
from tests.support.fake_secrets import expand, github_token

pytestmark = pytest.mark.integration

RNG = random.Random("secret-image-v1")
NPM_TOKEN = github_token("npm", RNG)
DB_PASSWORD = expand("<<alnum:20>>", RNG)
ENV_TOKEN = github_token("ghp", RNG)


def _tiny_root(dest: Path) -> None:
    (dest / "etc").mkdir()
    (dest / "etc/os-release").write_text('ID=debian\nVERSION_ID="12"\n')
    (dest / "bin").mkdir()
    (dest / "bin/tool").write_bytes(b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64)


def _add_key(dest: Path) -> None:
    ssh = dest / "root/.ssh"
    ssh.mkdir(parents=True)
    subprocess.run(
        ["openssl", "genrsa", "-traditional", "-out", str(ssh / "id_rsa"), "2048"],
        check=True,
        capture_output=True,
    )
    (dest / "app").mkdir()
    (dest / "app/.env").write_text(f"GITHUB_TOKEN={ENV_TOKEN}\n")


def _clean_env(dest: Path) -> None:
    (dest / "app").mkdir()
    (dest / "app/.env").write_text("GITHUB_TOKEN=\n")


def secret_recipe() -> images.Recipe:
    return images.Recipe(
        name="secret-layers",
        layers=(
            images.Layer(created_by="tiny root", populate=_tiny_root, key="tiny-root-v1"),
            images.Layer(
                created_by=f"|1 NPM_TOKEN={NPM_TOKEN} /bin/sh -c openssl genrsa -traditional -out /root/.ssh/id_rsa",
                populate=_add_key,
                key="key-v2",
            ),
            images.Layer(created_by="/bin/sh -c rm /root/.ssh/id_rsa", whiteouts=("/root/.ssh/id_rsa",)),
            images.Layer(
                created_by="/bin/sh -c echo GITHUB_TOKEN= > /app/.env", populate=_clean_env, key="env-v1"
            ),
        ),
        config=("--config.env", f"DB_PASSWORD={DB_PASSWORD}"),
    )


@pytest.fixture(scope="module")
def secret_image() -> images.BuiltImage:
    missing = [t for t in ("umoci", "skopeo", "openssl") if shutil.which(t) is None]
    require(not missing, f"image build tools missing: {', '.join(missing)} (run scripts/setup)")
    return images.build(secret_recipe())


@pytest.mark.parametrize("ref", ["archive", "oci"])
def test_deleted_key_is_found_with_the_adding_and_the_deleting_layer(
    secret_image: images.BuiltImage, ref: str
) -> None:
    target = str(secret_image.archive) if ref == "archive" else secret_image.oci_ref
    report = scan(ImageTarget(ref=target), ScanOptions(scanners=frozenset({"secret"})))
    layers = report.artifact.layers
    assert len(layers) == 4
    found = {(f.id, f.location.path): f for f in report.findings if isinstance(f, Secret)}
    key = found[("private-key-rsa", "root/.ssh/id_rsa")]
    assert key.location.layer == layers[1]
    assert key.removed_in_layer == layers[2]
    assert key.title == (
        f"RSA private key: added in layer 2 ({layers[1][7:19]}), deleted in layer 3 ({layers[2][7:19]}), "
        "still in the image"
    )
    overwritten = found[("github-pat", "app/.env")]
    assert (overwritten.location.layer, overwritten.removed_in_layer) == (layers[1], layers[3])
    assert found[("generic-env-secret", "image-config:Env")].location.start_line is not None
    assert ("npm-access-token", "image-config:history") in found
    assert set(found) == {
        ("private-key-rsa", "root/.ssh/id_rsa"),
        ("github-pat", "app/.env"),
        ("generic-env-secret", "image-config:Env"),
        ("npm-access-token", "image-config:history"),
    }
    out = io.StringIO()
    writer_for("json")(report, out)
    text = out.getvalue()
    for raw in (NPM_TOKEN, DB_PASSWORD, ENV_TOKEN):
        assert raw not in text
    assert layers[2] in text


def test_secret_scanner_off_means_no_secret_findings(secret_image: images.BuiltImage) -> None:
    report = scan(ImageTarget(ref=str(secret_image.archive)), ScanOptions(scanners=frozenset({"vuln"})))
    assert not [f for f in report.findings if isinstance(f, Secret)]


def test_image_baseline_hides_known_secrets(secret_image: images.BuiltImage, tmp_path: Path) -> None:
    from hullguard.cli.main import main

    baseline = tmp_path / "baseline.json"
    assert main(["secret", "baseline", str(secret_image.archive), "-o", str(baseline)]) == 0
    assert NPM_TOKEN not in baseline.read_text()
    args = ["image", str(secret_image.archive), "--scanners", "secret", "--exit-code", "4", "-q"]
    assert main(args) == 4
    assert main([*args, "--secret-baseline", str(baseline)]) == 0


def test_layer_results_are_cached_by_diff_id_and_rules(
    secret_image: images.BuiltImage, tmp_path: Path
) -> None:
    options = ScanOptions(scanners=frozenset({"secret"}), cache_dir=tmp_path)
    first = scan(ImageTarget(ref=str(secret_image.archive)), options)
    entries = sorted((tmp_path / "secrets").glob("*/*.json"))
    layers = [e for e in entries if not e.name.startswith("config-")]
    assert len(layers) == 4  # every layer: the whiteout-only one is stored as holding nothing
    assert len(entries) == 5  # and the image config (Env, history), by its digest
    assert all(NPM_TOKEN not in e.read_text() and ENV_TOKEN not in e.read_text() for e in entries)
    # The second scan reads its results from the cache: a marked entry shows through.
    for entry in entries:
        entry.write_text(entry.read_text().replace("ghp_*", "ghp_CACHED*"))
    second = scan(ImageTarget(ref=secret_image.oci_ref), options)
    pat = [f for f in second.findings if isinstance(f, Secret) and f.id == "github-pat"]
    assert pat and pat[0].match.startswith("ghp_CACHED")
    assert [(f.id, f.location, f.removed_in_layer) for f in first.findings if isinstance(f, Secret)] == [
        (f.id, f.location, f.removed_in_layer) for f in second.findings if isinstance(f, Secret)
    ]
    # Other rules, other key: nothing is reused.
    config = tmp_path / "c.yaml"
    config.write_text("disable: [jwt]\n")
    third = scan(
        ImageTarget(ref=str(secret_image.archive)),
        ScanOptions(scanners=frozenset({"secret"}), cache_dir=tmp_path, secret=SecretOptions(config=config)),
    )
    assert not any(isinstance(f, Secret) and f.match.startswith("ghp_CACHED") for f in third.findings)
    assert len(list((tmp_path / "secrets").iterdir())) == 2


def test_a_rescan_answered_by_the_cache_runs_no_detector(
    secret_image: images.BuiltImage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Layers and the image config both come from the cache: nothing is scanned again (the
    detector, its automaton and its regexes are never built; of the built-in rules only those
    the cached findings name are read), and the findings are the same."""
    from hullguard.secrets import detect
    from hullguard.secrets.rules import RuleSet
    from hullguard.secrets.settings import builtin_rules

    options = ScanOptions(scanners=frozenset({"secret"}), cache_dir=tmp_path)
    first = scan(ImageTarget(ref=str(secret_image.archive)), options)
    assert any(isinstance(f, Secret) and f.location.path.startswith("image-config") for f in first.findings)

    def no_detector(*args: object) -> None:
        raise AssertionError("a detector was built for a cached rescan")

    def no_full_read(*args: object) -> None:
        raise AssertionError("every rule was read for a cached rescan")

    monkeypatch.setattr(detect.Detector, "__init__", no_detector)
    monkeypatch.setattr(RuleSet, "_read_all", no_full_read)
    builtin_rules.cache_clear()  # a fresh process's rules: none read yet
    second = scan(ImageTarget(ref=str(secret_image.archive)), options)
    assert first.findings == second.findings
