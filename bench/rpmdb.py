"""Read rpm databases with hullguard's pure-Python readers and with rpm itself; print the ratio.

    .venv/bin/python -m bench.rpmdb [COPIES]

Databases: the conformance SQLite (CBL-Mariner, 129 packages) and BDB (libuuid) files from
../shared/conformance/pkgdb, plus a large Berkeley DB hash file written by libdb's db_load
holding the Mariner headers COPIES times (default 40: 5160 packages). NDB is timed for
hullguard only (Debian's rpm has no NDB backend). Each timing is the best of 5 runs.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tests.support import rpm

from hullguard.analyzers.rpmdb import iter_blobs, parse_header

PKGDB = Path(__file__).resolve().parent.parent.parent / "shared" / "conformance" / "pkgdb"


def best(run: Callable[[], object], times: int = 5) -> tuple[float, object]:
    result, elapsed = None, float("inf")
    for _ in range(times):
        start = time.perf_counter()
        result = run()
        elapsed = min(elapsed, time.perf_counter() - start)
    return elapsed, result


def ours(path: Path) -> int:
    return sum(1 for blob in iter_blobs(path.read_bytes()) if parse_header(blob).string(1000) != "gpg-pubkey")


def theirs(folder: Path, backend: str) -> int:
    out = subprocess.run(
        ["rpm", "--dbpath", str(folder), "--define", f"_db_backend {backend}", "-qa", "--qf", "%{NAME}\\n"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return sum(1 for line in out.splitlines() if line and line != "gpg-pubkey")


def main(argv: list[str]) -> int:
    copies = int(argv[0]) if argv else 40
    with tempfile.TemporaryDirectory(prefix="hg-bench-") as tmp:
        work = Path(tmp)
        cases: list[tuple[str, Path, str | None]] = []
        for name, rel, backend in (
            ("sqlite mariner", "go-rpmdb/cbl-mariner-2.0/rpmdb.sqlite", "sqlite"),
            ("bdb libuuid", "go-rpmdb/libuuid/Packages", "bdb_ro"),
            ("ndb sle15", "go-rpmdb/sle15-bci/Packages.db", None),
        ):
            folder = work / name.replace(" ", "-")
            folder.mkdir()
            shutil.copyfile(PKGDB / rel, folder / Path(rel).name)
            cases.append((name, folder / Path(rel).name, backend))
        blobs = list(iter_blobs((PKGDB / "go-rpmdb/cbl-mariner-2.0/rpmdb.sqlite").read_bytes()))
        big = work / "bdb-big"
        big.mkdir()
        rpm.db_load_hash(big / "Packages", list(enumerate(blobs * copies, start=1)))
        cases.append((f"bdb x{copies}", big / "Packages", "bdb_ro"))
        print(f"{'database':<16}{'packages':>9}{'hullguard s':>13}{'rpm -qa s':>11}{'ratio':>8}")
        for name, path, backend in cases:
            ours_s, count = best(lambda p=path: ours(p))
            if backend is None:
                print(f"{name:<16}{count:>9}{ours_s:>13.4f}{'-':>11}{'-':>8}")
                continue
            rpm_s, rpm_count = best(lambda p=path, b=backend: theirs(p.parent, b))
            assert rpm_count == count, (name, rpm_count, count)
            print(f"{name:<16}{count:>9}{ours_s:>13.4f}{rpm_s:>11.4f}{rpm_s / ours_s:>7.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
