"""The JSON twins of the YAML data files: current, equal to the YAML, and never trusted stale."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from hullguard import datafiles

DATA = Path(datafiles.__file__).parent / "data"


@pytest.mark.parametrize("name", datafiles.COMPILED)
def test_every_twin_is_current_and_equals_its_yaml(name: str) -> None:
    raw = (DATA / name).read_bytes()
    twin = DATA / "compiled" / f"{name}.json"
    assert twin.exists(), f"no twin for {name}: run scripts/compile-data"
    doc = json.loads(twin.read_bytes())
    assert doc["sha256"] == hashlib.sha256(raw).hexdigest(), f"{name} changed: run scripts/compile-data"
    assert doc["doc"] == datafiles.parse_yaml(raw)
    assert datafiles.load(name) == datafiles.parse_yaml(raw)


def test_a_stale_twin_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "compiled").mkdir()
    (tmp_path / "x.yaml").write_text("rules: [a, b]\n")
    stale = {"sha256": hashlib.sha256(b"rules: [a]\n").hexdigest(), "doc": {"rules": ["a"]}}
    (tmp_path / "compiled" / "x.yaml.json").write_text(json.dumps(stale))
    monkeypatch.setattr(datafiles, "data_dir", lambda: tmp_path)
    assert datafiles.load("x.yaml") == {"rules": ["a", "b"]}
    (tmp_path / "compiled" / "x.yaml.json").write_text("{not json")
    assert datafiles.load("x.yaml") == {"rules": ["a", "b"]}


def test_documents_json_would_change_get_no_twin() -> None:
    assert datafiles.twin_text(b"as_of: 2026-12-01\n") is None  # a date
    assert datafiles.twin_text(b"1: one\n") is None  # a non-string key
    assert datafiles.twin_text(b"as_of: '2026-12-01'\n") is not None


def test_loading_the_scan_data_does_not_import_yaml() -> None:
    """The point of the twins: a scan's start-up skips PyYAML (run in a fresh interpreter)."""
    import subprocess
    import sys

    code = (
        "import sys; from hullguard import datafiles\n"
        "for n in datafiles.COMPILED: datafiles.load(n)\n"
        "print('yaml' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
