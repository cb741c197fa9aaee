"""Layer application: whiteouts, opaque dirs, unsafe paths, links, truncation, digests."""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile

import pytest

from hullguard.errors import DigestMismatch
from hullguard.model import Digest
from hullguard.sources.image import Image, ImageConfig, LayerRef
from hullguard.sources.layers import build_tree
from hullguard.sources.tree import EntryType, resolve


def make_tar(*members: tuple[str, bytes | str | None, str]) -> bytes:
    """(name, content or link target, kind) with kind in file/dir/symlink/hardlink/fifo."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, content, kind in members:
            info = tarfile.TarInfo(name)
            if kind == "file":
                data = content if isinstance(content, bytes) else (content or "").encode()
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
                continue
            info.type = {"dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE,
                         "fifo": tarfile.FIFOTYPE}[kind]
            if kind in ("symlink", "hardlink"):
                info.linkname = str(content)
            tar.addfile(info)
    return buf.getvalue()


def sha(data: bytes) -> Digest:
    return Digest("sha256:" + hashlib.sha256(data).hexdigest())


def make_image(*layers: bytes, compress: bool = False, diff_ids: list[Digest] | None = None) -> Image:
    refs = []
    for i, plain in enumerate(layers):
        blob = gzip.compress(plain) if compress else plain
        refs.append(
            LayerRef(index=i, diff_id=(diff_ids or [sha(x) for x in layers])[i], digest=sha(blob),
                     media_type="", size=len(blob), created_by=f"step {i}",
                     open_blob=lambda blob=blob: io.BytesIO(blob))
        )
    return Image(name="test", manifest_digest=None, config_digest=sha(b"{}"), config=ImageConfig(),
                 raw_config=b"{}", layers=tuple(refs))


def everything(entry: object) -> bool:
    return True


def test_later_layer_overrides_and_records_layer() -> None:
    l1 = make_tar(("etc", None, "dir"), ("etc/a", "one", "file"), ("etc/b", "keep", "file"))
    l2 = make_tar(("etc/a", "two", "file"))
    image = make_image(l1, l2, compress=True)
    with build_tree(image, everything) as tree:
        a = tree.lookup("etc/a")
        assert a is not None and tree.read_bytes(a) == b"two"
        assert a.layer == sha(l2)
        b = tree.lookup("etc/b")
        assert b is not None and b.layer == sha(l1)


def test_whiteout_removes_file_and_subtree_and_records_removal() -> None:
    l1 = make_tar(("secret.key", "k", "file"), ("d/x", "1", "file"), ("d/sub/y", "2", "file"))
    l2 = make_tar((".wh.secret.key", "", "file"), (".wh.d", "", "file"))
    with build_tree(make_image(l1, l2), everything) as tree:
        assert tree.lookup("secret.key") is None
        assert tree.lookup("d/sub/y") is None and tree.lookup("d/x") is None
        removed = {r.entry.path: r.by_layer for r in tree.removals}
        assert removed["secret.key"] == sha(l2)
        assert set(removed) == {"secret.key", "d/x", "d/sub/y"}


def test_opaque_dir_hides_lower_but_keeps_same_layer_entries() -> None:
    l1 = make_tar(("opt/old", "o", "file"))
    l2 = make_tar(("opt/new", "n", "file"), ("opt/.wh..wh..opq", "", "file"))
    with build_tree(make_image(l1, l2), everything) as tree:
        assert tree.lookup("opt/old") is None
        assert tree.lookup("opt/new") is not None


def test_redeclared_dir_keeps_lower_children() -> None:
    l1 = make_tar(("usr", None, "dir"), ("usr/a", "1", "file"))
    l2 = make_tar(("usr", None, "dir"), ("usr/b", "2", "file"))
    with build_tree(make_image(l1, l2), everything) as tree:
        assert tree.lookup("usr/a") is not None and tree.lookup("usr/b") is not None


def test_unsafe_paths_are_refused_and_recorded() -> None:
    layer = make_tar(("../../etc/passwd", "x", "file"), ("/abs", "y", "file"), ("ok", "z", "file"))
    with build_tree(make_image(layer), everything) as tree:
        paths = {e.path for e in tree.entries()}
        assert paths == {"ok"}
        assert sum("unsafe tar path" in i.message for i in tree.issues) == 2


def test_symlinks_resolve_inside_the_root_only() -> None:
    layer = make_tar(
        ("usr/lib/os-release", "ID=debian", "file"),
        ("etc/os-release", "../usr/lib/os-release", "symlink"),
        ("escape", "../../../../usr/lib/os-release", "symlink"),
        ("loop", "loop", "symlink"),
    )
    with build_tree(make_image(layer), everything) as tree:
        target = resolve(tree, "etc/os-release")
        assert target is not None and target.path == "usr/lib/os-release"
        clamped = resolve(tree, "escape")
        assert clamped is not None and clamped.path == "usr/lib/os-release"
        assert resolve(tree, "loop") is None


def test_hardlink_shares_content_and_fifo_is_skipped() -> None:
    layer = make_tar(("a", "data", "file"), ("b", "a", "hardlink"), ("p", None, "fifo"))
    with build_tree(make_image(layer), everything) as tree:
        b = tree.lookup("b")
        assert b is not None and b.type is EntryType.FILE and tree.read_bytes(b) == b"data"
        assert tree.lookup("p") is None


def test_diff_id_mismatch_is_fatal() -> None:
    layer = make_tar(("a", "x", "file"))
    with pytest.raises(DigestMismatch):
        build_tree(make_image(layer, diff_ids=[sha(b"other")]), everything)


def test_truncated_layer_becomes_issue_and_scan_goes_on() -> None:
    good = make_tar(("keep", "1", "file"))
    broken = make_tar(("big", "x" * 5000, "file"))[:700]
    image = make_image(good, broken, diff_ids=[sha(good), sha(broken)])
    with build_tree(image, everything) as tree:
        assert tree.lookup("keep") is not None
        assert any("truncated" in i.message for i in tree.issues)


def test_only_wanted_content_is_kept() -> None:
    layer = make_tar(("wanted", "1", "file"), ("other", "2", "file"))
    with build_tree(make_image(layer), lambda e: e.path == "wanted") as tree:
        assert tree.read_bytes(tree.lookup("wanted")) == b"1"  # type: ignore[arg-type]
        with pytest.raises(Exception, match="not kept"):
            tree.read_bytes(tree.lookup("other"))  # type: ignore[arg-type]


def test_clean_path_shortcut_agrees_with_the_full_rule() -> None:
    """Every name up to six characters over `a`, `b`, `.` and `/`: the shortcut for names
    that are clean already gives what splitting and rejoining gives."""
    import itertools

    from hullguard.sources.tree import clean_path

    def full(name: str) -> str | None:
        if name.startswith("/"):
            return None
        parts = [p for p in name.split("/") if p and p != "."]
        return None if ".." in parts else "/".join(parts)

    names = ["".join(c) for k in range(1, 7) for c in itertools.product("ab./", repeat=k)]
    assert [n for n in names if clean_path(n) != full(n)] == []
