"""Shared fixtures: real test images, ../shared data, and the strict-skip rule of CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support import images

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
STRICT = os.environ.get("HULLGUARD_STRICT") == "1"


def require(condition: bool, reason: str) -> None:
    """Skip with a visible reason, except under HULLGUARD_STRICT=1 (CI), where it fails."""
    if condition:
        return
    if STRICT:
        pytest.fail(f"HULLGUARD_STRICT=1 and {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    require(SHARED.is_dir(), f"{SHARED} is absent: conformance and corpus tests skipped")
    return SHARED


@pytest.fixture(scope="session")
def demo_image() -> images.BuiltImage:
    """The bookworm demo image (real debootstrap root, pip and npm layers, a whiteout layer)."""
    missing = images.missing_tools()
    require(not missing, f"image build tools missing: {', '.join(missing)} (run scripts/setup)")
    return images.build(images.demo_recipe())


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", help="rewrite golden files from current output")
