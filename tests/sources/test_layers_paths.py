"""The two ways a layer is read build the same tree: streamed (registries, compressed blobs,
anything not lying in one piece in a file) and on disk (read at offsets, hashed beside the
parse by a child process)."""

from __future__ import annotations

import dataclasses
import io
import os
import sys
import tarfile
from pathlib import Path

import pytest

from hullguard.errors import DigestMismatch
from hullguard.oci.blobs import FileRegion
from hullguard.sources.image import Image
from hullguard.sources.layer_hashes import LayerHashes
from hullguard.sources.layers import LayerTree, build_tree
from tests.sources.test_layers import everything, make_image, make_tar, sha


def on_disk(image: Image, folder: Path) -> Image:
    """Each blob in a file after 1,000 bytes of other data, as a member of an image tar: the
    region path (reads at offsets, hashes in a second thread)."""
    layers = []
    for layer in image.layers:
        data = layer.open_blob().read()
        path = folder / f"{layer.index}.blob"
        path.write_bytes(b"\xff" * 1000 + data + b"\xee" * 100)
        region = FileRegion(path, 1000, len(data))
        layers.append(dataclasses.replace(layer, open_blob=lambda: pytest.fail("read as a stream"), region=region))
    return dataclasses.replace(image, layers=tuple(layers))


def _unpadded(tar: bytes, last_size: int) -> bytes:
    """What umoci 0.4.7 writes: no end blocks, and the last file's data unpadded."""
    body = tar.rstrip(b"\0")
    return body + b"\0" * (last_size - len(body) % 512) if len(body) % 512 > last_size else body


def _snapshot(tree: LayerTree) -> tuple[object, ...]:
    entries = sorted((e.path, e.type, e.size, e.layer) for e in tree.entries())
    content = sorted((path, tree.read_bytes(tree.lookup(path))) for path in tree._content)  # type: ignore[arg-type]
    removals = sorted((r.entry.path, r.by_layer) for r in tree.removals)
    return entries, content, removals, [i.message for i in tree.issues]


def _members_only(tar: bytes) -> bytes:
    """The tar without its end blocks, for appending another archive's members."""
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        last = archive.getmembers()[-1]
    return tar[: last.offset_data + (-(-last.size // 512) * 512)]


def _global_pax_tar() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT, pax_headers={"comment": "g"}) as tar:
        info = tarfile.TarInfo("after/pax")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"after"))
    return buf.getvalue()


CASES = {
    "whiteouts-and-links": (
        make_tar(
            ("etc/a", "1", "file"),
            ("etc/b", "2", "file"),
            ("usr/x", "x" * 3000, "file"),
            ("usr/link", "usr/x", "hardlink"),
            ("usr/sym", "x", "symlink"),
        ),
        make_tar(("etc/.wh.a", "", "file"), ("usr/.wh..wh..opq", "", "file"), ("usr/y", "y", "file")),
    ),
    "umoci-unpadded-ending": (
        make_tar(("keep", "1", "file")),
        _unpadded(make_tar(("dir", None, "dir"), ("dir/last", "abc", "file")), 3),
    ),
    "large-files": (  # kept in memory, left in the blob, spooled piece by piece: same content
        make_tar(("usr/bin/mid", "m" * (200 << 10), "file"), ("usr/bin/big", bytes(range(256)) * 6000, "file")),
        make_tar(("usr/bin/later", "l" * ((1 << 20) + 1), "file")),
    ),
    "global-pax-midway": (  # the fast reader hands over to tarfile in the middle of a layer
        make_tar(("keep", "1", "file")),
        _members_only(make_tar(("before/one", "one", "file"), ("before/two", "two", "file"))) + _global_pax_tar(),
    ),
    "truncated-member": (
        make_tar(("keep", "1", "file")),
        make_tar(("big", "x" * 5000, "file"), ("after", "2", "file"))[:700],
    ),
}


@pytest.mark.parametrize("layers", CASES.values(), ids=CASES.keys())
def test_both_paths_agree(layers: tuple[bytes, ...], tmp_path: Path) -> None:
    image = make_image(*layers)
    with build_tree(image, everything) as stream, build_tree(on_disk(image, tmp_path), everything) as region:
        assert _snapshot(stream) == _snapshot(region)


def test_unpadded_layer_has_no_issue_and_truncated_one_has() -> None:
    with build_tree(make_image(*CASES["umoci-unpadded-ending"]), everything) as tree:
        assert tree.read_bytes(tree.lookup("dir/last")) == b"abc"  # type: ignore[arg-type]
        assert not tree.issues
    with build_tree(make_image(*CASES["truncated-member"]), everything) as tree:
        assert tree.lookup("after") is None and "truncated" in tree.issues[0].message


def test_a_wrong_digest_fails_on_the_streaming_path() -> None:
    layer = make_tar(("a", "x", "file"))
    with pytest.raises(DigestMismatch):
        build_tree(make_image(layer, diff_ids=[sha(b"other")]), everything)


def test_a_wrong_digest_fails_on_disk_after_the_whole_image_is_read(tmp_path: Path) -> None:
    good, bad = make_tar(("a", "x", "file")), make_tar(("b", "y", "file"))
    image = on_disk(make_image(good, bad, diff_ids=[sha(good), sha(b"other")]), tmp_path)
    with pytest.raises(DigestMismatch, match="layer 2"):
        build_tree(image, everything)


def test_a_blob_file_shorter_than_its_region_fails_its_digest(tmp_path: Path) -> None:
    image = on_disk(make_image(make_tar(("a", "x" * 2000, "file"))), tmp_path)
    region = image.layers[0].region
    assert region is not None
    with region.path.open("r+b") as f:
        f.truncate(region.offset + 600)
    with pytest.raises(DigestMismatch):
        build_tree(image, everything)


def test_a_blob_file_changed_during_the_scan_is_refused(tmp_path: Path) -> None:
    """Hashing and parsing read an on-disk blob separately: a file whose inode, size or mtime
    changes between them no longer has a digest that vouches for what was parsed."""
    from hullguard.errors import SourceError

    big = "x" * (100 << 10)  # over LEAVE_ABOVE: its content stays in the file until read
    image = on_disk(make_image(make_tar(("usr/bin/tool", big, "file"))), tmp_path)
    region = image.layers[0].region
    assert region is not None
    with build_tree(image, everything, verify_later=True) as tree:
        os.utime(region.path, ns=(1, 1))
        with pytest.raises(SourceError, match="changed while it was being scanned"):
            tree.read_bytes(tree.lookup("usr/bin/tool"))  # type: ignore[arg-type]
        with pytest.raises(SourceError, match="changed while it was being scanned"):
            tree.verify()


def test_a_layer_handed_to_tarfile_midway_keeps_every_file(tmp_path: Path) -> None:
    image = make_image(*CASES["global-pax-midway"])
    for candidate in (image, on_disk(image, tmp_path)):
        with build_tree(candidate, everything) as tree:
            found = {p: tree.read_bytes(tree.lookup(p)) for p in ("before/one", "before/two", "after/pax")}  # type: ignore[arg-type]
            assert found == {"before/one": b"one", "before/two": b"two", "after/pax": b"after"}
            assert not tree.issues


def test_digests_come_from_a_child_process_and_a_thread_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hasher runs as a child process (no GIL to wait for); where none can start, in a
    thread. Both catch a wrong digest and pass a right one."""
    good, bad = make_tar(("a", "x", "file")), make_tar(("b", "y", "file"))
    (tmp_path / "w").mkdir()
    (tmp_path / "r").mkdir()
    wrong = on_disk(make_image(good, bad, diff_ids=[sha(good), sha(b"other")]), tmp_path / "w")
    right = on_disk(make_image(good, bad), tmp_path / "r")
    for executable in (sys.executable, str(tmp_path / "no-such-python")):
        monkeypatch.setattr(sys, "executable", executable)
        with LayerHashes(right.layers) as hashes:
            assert (hashes._child is None) == ("no-such" in executable)
            hashes.check()
        with LayerHashes(wrong.layers) as hashes, pytest.raises(DigestMismatch, match="layer 2"):
            hashes.check()


def test_stopping_the_hasher_ends_its_child(tmp_path: Path) -> None:
    image = on_disk(make_image(make_tar(("a", "x" * 4000, "file"))), tmp_path)
    hashes = LayerHashes(image.layers)
    child = hashes._child
    assert child is not None
    hashes.stop()
    assert child.returncode is not None  # reaped, not left running
