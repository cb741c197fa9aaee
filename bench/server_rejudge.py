"""Re-judging stored inventories after an advisory update (issue 15: 1,000 inventories, ~100,000
packages, under 10 s). The inventories are the demo image's real packages (94) plus generated
language packages (real names, versions spread over real releases) so that each image differs.

    .venv/bin/python bench/server_rejudge.py [--images 1000] [--database postgresql://...]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.support import images  # noqa: E402

from hullguard.server.config import ServerConfig  # noqa: E402
from hullguard.server.database import database_url, migrate, open_engine, sessions  # noqa: E402
from hullguard.server.rejudge import rejudge_all  # noqa: E402
from hullguard.server.store import add_report, image_for  # noqa: E402
from hullguard.vulndb import store  # noqa: E402
from hullguard.vulndb.bundled import ensure_database  # noqa: E402
from hullguard.vulndb.importer import import_locations  # noqa: E402

EXTRA = {  # PyPI / npm names with public advisories, and versions that exist
    "pypi": {"django": ["3.2.1", "3.2.10", "4.0.1", "4.1.3"], "flask": ["1.1.2", "2.0.1", "2.2.2"],
             "pyyaml": ["5.3", "5.4.1", "6.0"], "pillow": ["8.1.0", "9.0.0", "9.4.0"],
             "cryptography": ["3.3.1", "38.0.1", "41.0.1"]},
    "npm": {"express": ["4.17.1", "4.18.1"], "axios": ["0.21.0", "1.5.0"], "moment": ["2.29.1", "2.29.4"],
            "qs": ["6.5.2", "6.10.3"], "semver": ["5.7.1", "7.5.1"]},
}


def demo_report(cache: Path) -> dict[str, object]:
    built = images.build(images.demo_recipe())
    out = subprocess.run([sys.executable, "-m", "hullguard.cli.main", "image", str(built.archive), "--format", "json",
                          "--quiet", "--cache-dir", str(cache)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def variant(doc: dict[str, object], n: int, rng: random.Random) -> dict[str, object]:
    packages = list(doc["packages"])  # type: ignore[call-overload]
    layer = packages[-1].get("layer")
    for kind, names in EXTRA.items():
        for name, versions in names.items():
            for _ in range(rng.randint(0, 1)):
                packages.append({"name": name, "version": rng.choice(versions),
                                 "type": kind, "purl": f"pkg:{kind}/{name}", "layer": layer})
    return {**doc, "artifact": {**doc["artifact"], "name": f"registry.example/app{n}:1"}, "packages": packages}  # type: ignore[dict-item]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--database", help="a PostgreSQL URL (default: SQLite in a temp dir)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hg-bench-rejudge-"))
    cache = work / "cache"
    doc = demo_report(cache)
    ensure_database(store.db_path(cache))
    config = ServerConfig(data_dir=work, database_url=database_url(work, args.database), cache_dir=cache)
    engine = open_engine(config.database_url)
    migrate(engine)
    maker = sessions(engine)
    rng = random.Random(15)
    with maker() as session:
        for n in range(args.images):
            document = variant(doc, n, rng)
            add_report(session, image_for(session, f"registry.example/app{n}:1"), document, "scan", None)
            if n % 200 == 199:
                session.commit()
        session.commit()
    advisory = work / "osv"
    advisory.mkdir()
    (advisory / "HGBENCH-1.json").write_text(json.dumps({
        "id": "HGBENCH-1", "modified": "2026-12-01T00:00:00Z", "summary": "bench advisory",
        "affected": [{"package": {"ecosystem": "PyPI", "name": "requests"},
                      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "99"}]}]}],
        "database_specific": {"severity": "CRITICAL"}}))
    import_locations(store.db_path(cache), [advisory])
    start = time.perf_counter()
    outcome = rejudge_all(maker, config)
    elapsed = time.perf_counter() - start
    print(f"re-judged {outcome.images} inventories, {outcome.packages} packages in {elapsed:.2f} s "
          f"({outcome.changed} changed, {outcome.alerts} alerts) on {engine.dialect.name}; target < 10 s")
    start = time.perf_counter()
    again = rejudge_all(maker, config)
    print(f"again with nothing new: {time.perf_counter() - start:.2f} s ({again.changed} changed)")


if __name__ == "__main__":
    main()
