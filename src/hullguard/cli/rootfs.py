"""`hullguard rootfs DIR`: Trivy's name for scanning an unpacked root filesystem; the same as `fs`."""

from __future__ import annotations

from hullguard.cli.fs import add_arguments, run

NAME = "rootfs"
HELP = "scan an unpacked root filesystem (the same as `fs`, by Trivy's name)"

__all__ = ["HELP", "NAME", "add_arguments", "run"]
