"""A tiny real image for container tests: one static binary that waits, also installed as sshd."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from tests.support import images

PAUSE_C = r"""
#include <signal.h>
#include <unistd.h>
static void stop(int sig) { (void)sig; _exit(0); }
int main(void) { signal(SIGTERM, stop); signal(SIGINT, stop); for (;;) pause(); }
"""


def missing() -> list[str]:
    return [t for t in ("gcc",) if shutil.which(t) is None] + images.missing_tools()


def _populate(dest: Path) -> None:
    (dest / "usr/sbin").mkdir(parents=True)
    source = dest / "pause.c"
    source.write_text(PAUSE_C)
    subprocess.run(["gcc", "-static", "-Os", "-o", str(dest / "pause"), str(source)], check=True)
    source.unlink()
    shutil.copy2(dest / "pause", dest / "usr/sbin/sshd")


def pause_image() -> images.BuiltImage:
    recipe = images.Recipe(
        name="host-pause",
        layers=(
            images.Layer(
                created_by="gcc -static pause.c",
                populate=_populate,
                key=hashlib.sha256(PAUSE_C.encode()).hexdigest(),
            ),
        ),
        config=("--config.cmd", "/pause"),
    )
    return images.build(recipe)
