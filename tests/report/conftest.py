"""Golden files for writers: compare masked output, or rewrite it with --update-goldens."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from hullguard import __version__

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
_MASKS = (
    (re.compile(r"urn:uuid:[0-9a-f-]{36}"), "urn:uuid:MASKED"),
    (re.compile(r"(hullguard\.dev/spdx/\S*?)-[0-9a-f]{8}-[0-9a-f-]{27}"), r"\1-MASKED"),
    (re.compile(r'"(timestamp|created|annotationDate)": "[^"]+"'), r'"\1": "MASKED"'),
    (re.compile(re.escape(f"hullguard-{__version__}")), "hullguard-VERSION"),
    (re.compile(r'("name": "hullguard",\s+"type": "application",\s+"version": )"[^"]+"'), r'\1"VERSION"'),
)


def mask(text: str) -> str:
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    return text


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    update = bool(request.config.getoption("--update-goldens"))

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        masked = mask(text)
        if update or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(masked)
            if not update:
                pytest.fail(f"golden {path} was missing and has been written; review it and rerun")
        assert masked == path.read_text(), (
            f"output differs from {path} (rerun with --update-goldens to accept)"
        )

    return check
