"""Real rpm databases for tests: rpmbuild packages, rpm installs them, libdb's db_load stores BDB.

rpm 4.18 as Debian ships it writes only the SQLite backend; it still reads Berkeley DB
(`bdb_ro`), so `query` is an independent oracle for both. `db_load_hash` writes a genuine
Berkeley DB hash file with libdb itself, keyed by header instance as rpm keys it.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

QUERY_FORMAT = "%{NAME}\\t%{EPOCHNUM}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\t%{LICENSE}\\t%{MODULARITYLABEL}\\n"
DB_LOAD = "db5.3_load"


def missing_tools() -> list[str]:
    return [t for t in ("rpm", "rpmbuild", DB_LOAD) if shutil.which(t) is None]


def build_rpm(topdir: Path, spec: str, *defines: str) -> Path:
    """rpmbuild -bb on `spec`; returns the one binary rpm it wrote."""
    for sub in ("SPECS", "BUILD", "RPMS", "SRPMS", "SOURCES", "BUILDROOT"):
        (topdir / sub).mkdir(parents=True, exist_ok=True)
    name = next(line.split(":", 1)[1].strip() for line in spec.splitlines() if line.startswith("Name:"))
    spec_path = topdir / "SPECS" / f"{name}.spec"
    spec_path.write_text(spec)
    args = ["rpmbuild", "--define", f"_topdir {topdir}", "-bb", str(spec_path)]
    for define in defines:
        args[1:1] = ["--define", define]
    subprocess.run(args, check=True, capture_output=True)
    return next((topdir / "RPMS").glob(f"*/{name}-*.rpm"))


def install(root: Path, dbpath: str, *rpms: Path) -> None:
    """rpm -i into `root`, database at `root/dbpath` (SQLite, as rpm 4.18 writes it)."""
    base = ["rpm", "--root", str(root), "--dbpath", f"/{dbpath}"]
    subprocess.run([*base, "--initdb"], check=True, capture_output=True)
    subprocess.run([*base, "-i", "--nodeps", "--noscripts", *map(str, rpms)], check=True, capture_output=True)


def query(dbpath: Path, backend: str = "sqlite") -> set[tuple[str, ...]]:
    """What rpm itself lists: (name, [epoch:]version-release, arch, sourcerpm, licence, label)."""
    out = subprocess.run(
        ["rpm", "--dbpath", str(dbpath), "--define", f"_db_backend {backend}", "-qa", "--qf", QUERY_FORMAT],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rows = set()
    for line in out.splitlines():
        name, epoch, version, release, arch, source, licence, label = line.split("\t")
        if name == "gpg-pubkey":
            continue
        full = f"{epoch}:{version}-{release}" if epoch != "0" else f"{version}-{release}"
        rows.add((name, full, arch, source, licence, "" if label == "(none)" else label))
    return rows


MANIFEST_FORMAT = (
    "%{NAME}\\t%{VERSION}-%{RELEASE}\\t%{INSTALLTIME}\\t%{BUILDTIME}\\t%{VENDOR}\\t%{EPOCH}\\t%{SIZE}"
    "\\t%{ARCH}\\t%{EPOCHNUM}\\t%{SOURCERPM}\\n"
)
"""The query Azure Linux / CBL-Mariner distroless builds write container-manifest-2 with."""


def manifest(dbpath: Path) -> str:
    return subprocess.run(
        ["rpm", "--dbpath", str(dbpath), "-qa", "--qf", MANIFEST_FORMAT],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def db_load_hash(path: Path, records: list[tuple[int, bytes]], *config: str) -> None:
    """A Berkeley DB hash file written by libdb's db_load, one record per (instance, blob)."""
    lines = []
    for key, value in records:
        lines.append(_escape(struct.pack("<I", key)))
        lines.append(_escape(value))
    args = [DB_LOAD, "-T", "-t", "hash"]
    for item in config:
        args += ["-c", item]
    subprocess.run([*args, str(path)], input="\n".join(lines) + "\n", text=True, check=True)


def _escape(data: bytes) -> str:
    return "".join(f"\\{b:02x}" for b in data)


def make_header(tags: dict[int, str | int | list[str]]) -> bytes:
    """A header blob in rpm's format: STRING, INT32 or STRING_ARRAY entries, data in tag order."""
    entries, store = [], b""
    for tag, value in sorted(tags.items()):
        if isinstance(value, int):
            store += b"\0" * (-len(store) % 4)
            entries.append(struct.pack(">IIiI", tag, 4, len(store), 1))
            store += struct.pack(">I", value)
        elif isinstance(value, list):
            entries.append(struct.pack(">IIiI", tag, 8, len(store), len(value)))
            store += b"".join(v.encode() + b"\0" for v in value)
        else:
            entries.append(struct.pack(">IIiI", tag, 6, len(store), 1))
            store += value.encode() + b"\0"
    return struct.pack(">II", len(entries), len(store)) + b"".join(entries) + store
