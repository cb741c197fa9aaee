"""`hullguard image --scanners config` on the real demo image: image-config rules run end to end."""

from __future__ import annotations

import json

import pytest

from hullguard.cli.main import main
from tests.support.images import BuiltImage

pytestmark = pytest.mark.integration


def test_image_config_rules_on_the_demo_image(
    demo_image: BuiltImage, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["image", str(demo_image.archive), "--scanners", "config", "--format", "json", "--quiet"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    by_id = {f["id"]: f for f in report["findings"]}
    assert "HG-IMG-002" in by_id  # the demo image has no healthcheck
    setid = by_id["HG-IMG-005"]["message"]
    assert "/usr/bin/passwd (4755)" in setid or "/usr/bin/passwd" in setid  # debootstrap's shadow utils
    assert "HG-IMG-007" not in by_id  # bookworm is supported
    assert all(f["kind"] == "misconfiguration" for f in report["findings"])
