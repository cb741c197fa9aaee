"""The fast header reader agrees with tarfile, and hands anything unusual back to it."""

from __future__ import annotations

import contextlib
import io
import tarfile
from pathlib import Path

import pytest

from hullguard.sources import SourceOptions, open_image
from hullguard.sources.layers import build_tree
from hullguard.sources.tarheaders import Unsupported, read_members
from tests.sources.test_layers import everything, make_image
from tests.sources.test_layers_paths import on_disk
from tests.support.images import BuiltImage


def _key(m: tarfile.TarInfo) -> tuple[object, ...]:
    return (m.name.rstrip("/"), m.type, m.size, m.mode, m.linkname, m.offset_data)


def _tarfile_members(data: bytes) -> list[tuple[object, ...]]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        return [_key(m) for m in tar]


def reader(data: bytes):  # type: ignore[no-untyped-def]
    return lambda offset, length: data[offset : offset + length]


def _ours(data: bytes) -> list[tuple[object, ...]]:
    return [_key(m) for m in read_members(reader(data), len(data))]


def _tar(fmt: int, extra_pax: dict[str, str] | None = None) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt, pax_headers=extra_pax or {}) as tar:
        deep = "usr/share/" + "/".join(["very-long-folder-name"] * 8)
        for name, kind, content in [
            ("etc", tarfile.DIRTYPE, b""),
            ("etc/os-release", tarfile.REGTYPE, b"ID=debian\n"),
            (deep, tarfile.DIRTYPE, b""),
            (f"{deep}/file-with-a-long-name-" + "x" * 80 + ".txt", tarfile.REGTYPE, b"deep" * 300),
            ("usr/bin/ünïcode", tarfile.REGTYPE, b"\x7fELF"),
            ("usr/bin/link", tarfile.SYMTYPE, b""),
            ("usr/bin/hard", tarfile.LNKTYPE, b""),
            ("dev/fifo", tarfile.FIFOTYPE, b""),
            ("empty", tarfile.REGTYPE, b""),
        ]:
            info = tarfile.TarInfo(name)
            info.type = kind
            info.mode = 0o755
            if kind == tarfile.SYMTYPE:
                info.linkname = "../../" + "t" * 120
            if kind == tarfile.LNKTYPE:
                info.linkname = "etc/os-release"
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content) if content else None)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", [tarfile.GNU_FORMAT, tarfile.PAX_FORMAT], ids=["gnu", "pax"])
def test_same_members_as_tarfile(fmt: int) -> None:
    data = _tar(fmt)
    assert _ours(data) == _tarfile_members(data)


def test_ustar_prefix_field() -> None:
    data = _tar_ustar()
    assert _ours(data) == _tarfile_members(data)
    assert read_members(reader(data), len(data))[0].name.endswith("/copyright")


def _tar_ustar() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        info = tarfile.TarInfo("usr/share/doc/" + "p" * 90 + "/copyright")  # needs the prefix field
        info.size = 3
        tar.addfile(info, io.BytesIO(b"abc"))
    return buf.getvalue()


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: _tar(tarfile.PAX_FORMAT, {"comment": "global header"}),  # a 'g' header
        lambda d: d[:148] + b"0000000\0" + d[156:],  # bad checksum
        lambda d: d[:156] + b"S" + d[157:],  # GNU sparse (checksum now wrong as well)
    ],
    ids=["pax-global", "checksum", "sparse"],
)
def test_unusual_headers_are_left_to_tarfile(damage) -> None:  # type: ignore[no-untyped-def]
    data = damage(_tar(tarfile.GNU_FORMAT))
    with pytest.raises(Unsupported):
        read_members(reader(data), len(data))


def test_layer_with_a_global_pax_header_still_reads_through_tarfile(tmp_path: Path) -> None:
    data = _tar(tarfile.PAX_FORMAT, {"comment": "global header"})
    with build_tree(on_disk(make_image(data), tmp_path), everything) as tree:
        assert tree.read_bytes(tree.lookup("etc/os-release")) == b"ID=debian\n"  # type: ignore[arg-type]
        assert not tree.issues


@pytest.mark.integration
def test_real_layers_agree(demo_image: BuiltImage) -> None:
    with open_image(str(demo_image.archive), SourceOptions()) as image:
        for layer in image.layers:
            data = layer.open_blob().read()
            assert _ours(data) == _tarfile_members_lenient(data)


def _tarfile_members_lenient(data: bytes) -> list[tuple[object, ...]]:
    """tarfile stops with an error at umoci's unpadded ending: keep what it read before."""
    found: list[tuple[object, ...]] = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        try:
            for m in tar:
                found.append(_key(m))
        except tarfile.ReadError:
            pass
    return found


def test_damaged_headers_raise_only_unsupported() -> None:
    """Anything else would escape the layer reader's error handling."""
    import random

    rng = random.Random(3)
    base = _tar(tarfile.PAX_FORMAT)
    for _ in range(1500):
        damaged = bytearray(base)
        for _ in range(rng.randint(1, 8)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        for at in range(0, len(damaged) - 512, 512):  # keep checksums right to reach the fields
            header = damaged[at : at + 512]
            if header[257:262] == b"ustar":
                damaged[at + 148 : at + 156] = b"%06o\0 " % (sum(header[:148]) + 256 + sum(header[156:]))
        with contextlib.suppress(Unsupported):
            read_members(reader(bytes(damaged)), len(damaged))


def test_the_checksum_shortcut_agrees_with_the_byte_sum() -> None:
    import random

    from hullguard.sources.tarheaders import _checksum_ok

    rng = random.Random(5)
    for _ in range(300):
        header = bytes(rng.randrange(256) if rng.random() < 0.3 else 0 for _ in range(512))
        exact = sum(header)
        assert _checksum_ok(header, exact)
        assert not any(_checksum_ok(header, exact + d) for d in (1, -1, 8, 255, -255, 65520, -65520))
