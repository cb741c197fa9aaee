"""`hullguard clean` removes the scan caches and keeps the vulnerability database."""

from __future__ import annotations

from pathlib import Path

from hullguard.cli.main import main


def test_clean_removes_scan_caches_only(tmp_path: Path) -> None:
    for folder in ("images/v1", "secrets/abc"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "entry.json").write_text("{}")
    db = tmp_path / "vulndb.sqlite"
    db.write_bytes(b"SQLite format 3\0")
    assert main(["clean", "--cache", "--cache-dir", str(tmp_path), "-q"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vulndb.sqlite"]
    assert main(["clean", "--cache-dir", str(tmp_path), "-q"]) == 0  # nothing left to remove: fine


def test_clean_does_not_follow_a_symlinked_cache_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.json").write_text("{}")
    root = tmp_path / "cache"
    root.mkdir()
    (root / "images").symlink_to(outside)
    assert main(["clean", "--cache-dir", str(root), "-q"]) == 0
    assert (outside / "keep.json").is_file()
