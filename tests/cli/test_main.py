"""The CLI contract: exit codes, clear errors with no traceback, report on stdout."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

import pytest

from hullguard.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_not_a_tar_is_exit_2_with_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "image.tar"
    bogus.write_bytes(b"this is not a tar archive at all" * 40)
    code, _, err = run(capsys, "image", str(bogus))
    assert code == 2
    assert "not a readable tar archive" in err and "Traceback" not in err


def test_tar_without_manifest_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "x.tar.gz"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("hello.txt")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"hi"))
    path.write_bytes(gzip.compress(buf.getvalue()))
    code, _, err = run(capsys, "image", str(path))
    assert code == 2 and "neither a docker-archive" in err


def test_missing_target_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "fs", "/definitely/not/here")
    assert code == 2 and "not a directory" in err


def test_bad_option_values_are_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "fs", str(tmp_path), "--format", "xml")[0] == 2
    assert run(capsys, "fs", str(tmp_path), "--severity", "SEVERE")[0] == 2
    assert run(capsys, "fs", str(tmp_path), "--scanners", "magic")[0] == 2
    assert run(capsys, "image")[0] == 2


def test_fs_json_report_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = tmp_path / "var/lib/dpkg/status"
    status.parent.mkdir(parents=True)
    status.write_text(
        "Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\n"
        "Version: 1:1.2.13.dfsg-1\n\n"
        "Package: gone\nStatus: deinstall ok config-files\nVersion: 1.0\n"
    )
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/os-release").write_text(
        'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12"\n'
    )
    code, out, _ = run(capsys, "fs", str(tmp_path), "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["schema_version"] == 1 and doc["artifact"]["type"] == "filesystem"
    assert doc["artifact"]["os"]["family"] == "debian"
    [pkg] = doc["packages"]
    assert pkg["name"] == "zlib1g" and pkg["source_name"] == "zlib" and pkg["version"] == "1:1.2.13.dfsg-1"
    assert pkg["purl"] == "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12"


def test_every_command_module_is_registered_and_loads() -> None:
    """A command module left out of COMMANDS would be dead code; each loads and names itself."""
    import pkgutil

    import hullguard.cli
    from hullguard.cli.main import COMMANDS, load_command

    modules = {m.name for m in pkgutil.iter_modules(hullguard.cli.__path__)}
    commands = {name for name in modules if hasattr(load_command(name), "run")}
    assert {c.replace("-", "_") for c in COMMANDS} == commands
    for name in COMMANDS:
        assert name == load_command(name).NAME


def test_only_the_command_run_is_imported() -> None:
    import subprocess
    import sys

    code = (
        "import sys\nfrom hullguard.cli.main import build_parser\nbuild_parser(only='fs')\n"
        "print(','.join(m for m in ('httpx', 'sigstore', 'celpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""


def test_missing_archive_is_a_file_error_not_a_registry_lookup(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "image", "no-such-image.tar")
    assert code == 2 and "no-such-image.tar: no such file or directory" in err


def _docker_archive(path: Path, layer: bytes, diff_id: str) -> None:
    """A `docker save` archive of one layer, whose config names the layer by `diff_id`."""
    import hashlib

    config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": [diff_id]}})
    config_name = hashlib.sha256(config.encode()).hexdigest() + ".json"
    files = {
        "manifest.json": json.dumps([{"Config": config_name, "RepoTags": ["t:1"], "Layers": ["l/layer.tar"]}]).encode(),
        config_name: config.encode(),
        "l/layer.tar": layer,
    }
    with tarfile.open(path, "w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_a_layer_that_does_not_match_its_diff_id_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The layer is read at offsets while a second thread hashes it: the mismatch must still
    stop the scan, with no report, after the analyzers have run on the unverified content."""
    import hashlib

    from tests.sources.test_layers import make_tar

    layer = make_tar(("etc/os-release", "ID=alpine\nVERSION_ID=3.19.0\n", "file"))
    good = tmp_path / "good.tar"
    _docker_archive(good, layer, "sha256:" + hashlib.sha256(layer).hexdigest())
    code, out, _ = run(capsys, "image", str(good), "--format", "json", "--cache-dir", str(tmp_path), "--offline")
    assert code == 0 and json.loads(out)["artifact"]["os"]["family"] == "alpine"
    bad = tmp_path / "bad.tar"
    _docker_archive(bad, layer, "sha256:" + hashlib.sha256(b"another layer").hexdigest())
    code, out, err = run(capsys, "image", str(bad), "--format", "json", "--cache-dir", str(tmp_path), "--offline")
    assert code == 2 and out == "" and "digest mismatch" in err and "Traceback" not in err


def test_the_program_exits_with_mains_code_after_atexit_handlers_and_flushing() -> None:
    """`entry` skips the interpreter's teardown (os._exit) but not what must happen at exit."""
    import subprocess
    import sys

    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('atexit ran'))\n"
        "sys.argv = ['hullguard', 'rules', 'list', '--target', 'nosuch']\n"
        "print('buffered', end='')\n"
        "from hullguard.cli.main import entry\n"
        "entry()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stdout.startswith("buffered") and "atexit ran" in done.stdout
    assert "nosuch" in done.stderr


def test_the_installed_program_starts_with_fewer_garbage_collections() -> None:
    """The console script names `program.entry`, which raises the young generation's threshold
    before anything else is imported (see `hullguard.cli.program`)."""
    import subprocess
    import sys
    import tomllib

    from hullguard.cli import program

    scripts = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["hullguard"] == "hullguard.cli.program:entry"
    code = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('threshold', gc.get_threshold()[0]))\n"
        "sys.argv = ['hullguard', 'rules', 'list', '--target', 'nosuch']\n"
        "from hullguard.cli.program import entry\n"
        "entry()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 2 and f"threshold {program.YOUNG_THRESHOLD}" in done.stdout
