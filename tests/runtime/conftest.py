"""The runtime tests' hand-written events run in a container whose own files are here."""

from __future__ import annotations

from pathlib import Path

import pytest

from hullguard.runtime import accounts


@pytest.fixture(autouse=True)
def container_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The container's own /etc/passwd and /etc/group, where /proc/42/root would show them."""
    etc = tmp_path / "42" / "root" / "etc"
    etc.mkdir(parents=True)
    (etc / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\nweb:x:1000:1000::/srv:/bin/sh\n")
    (etc / "group").write_text("root:x:0:\nwebgroup:x:1000:\n")
    monkeypatch.setattr(accounts, "PROC", str(tmp_path))
    monkeypatch.setattr(accounts, "_tables", {})
