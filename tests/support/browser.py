"""Debian's chromium, headless, for screenshots and the DOM of pages (a fresh profile each run)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars")


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _run(url: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    exe = chromium()
    assert exe is not None
    profile = tempfile.mkdtemp(prefix="hg-chromium-")
    try:
        return subprocess.run([exe, *FLAGS, f"--user-data-dir={profile}", *args, url],
                              capture_output=True, text=True, timeout=timeout)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def screenshot(url: str, out: Path, width: int, height: int = 1600) -> Path:
    result = _run(url, f"--screenshot={out}", f"--window-size={width},{height}")
    if not out.is_file():
        raise RuntimeError(f"chromium made no screenshot of {url}: {result.stderr[-2000:]}")
    return out


def dom(url: str) -> str:
    """The page's DOM after load, as chromium serialises it."""
    return _run(url, "--dump-dom").stdout
