from __future__ import annotations

import os

import pytest

from tests.conftest import require


@pytest.fixture
def as_root() -> None:
    """Trees with real owners need chown."""
    require(os.geteuid() == 0, "host tree tests chown files: run as root")
