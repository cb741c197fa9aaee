"""Re-matching stored packages gives exactly the scan's vulnerability findings when nothing changed."""

from __future__ import annotations

from pathlib import Path

from hullguard.matchers.match import Matcher
from hullguard.server.config import ServerConfig
from hullguard.server.rejudge import FleetMatcher, _layers, rejudged
from hullguard.server.scanning import scan_reference
from hullguard.vulndb import store
from tests.support import images


def test_rejudging_an_unchanged_database_reproduces_the_scan(tmp_path: Path, demo_image: images.BuiltImage) -> None:
    config = ServerConfig(data_dir=tmp_path, database_url="sqlite://", cache_dir=tmp_path / "cache")
    document = scan_reference(f"docker-archive:{demo_image.archive}", config)
    vulns = [f for f in document["findings"] if f["kind"] == "vulnerability"]
    assert len(vulns) > 10
    with store.opened(store.db_path(config.cache_dir)) as conn:
        matcher = FleetMatcher(Matcher(conn), config)
        assert rejudged(document, matcher) is None
        again = matcher.findings(document, _layers(document["findings"]))
    key = lambda f: (f["id"], f["package"]["name"], f["location"].get("layer"))  # noqa: E731
    assert sorted(again, key=key) == sorted(vulns, key=key)
