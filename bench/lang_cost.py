"""CPU the language analyzers add to an image scan: the same image scanned in-process with and
without them, 3 scans each, twice in alternation.

    .venv/bin/python bench/lang_cost.py IMAGE.tar
"""

from __future__ import annotations

import sys
import time

from hullguard.analyzers import ANALYZERS
from hullguard.analyzers.base import AnalyzerKind
from hullguard.pipeline import ImageTarget, ScanOptions, scan


def main(image: str) -> None:
    without = tuple(a for a in ANALYZERS if a.spec.kind is not AnalyzerKind.LANGUAGE)
    for label, analyzers in (("without", without), ("with", ANALYZERS)) * 2:
        start = time.process_time()
        for _ in range(3):
            scan(ImageTarget(ref=image), ScanOptions(scanners=frozenset(), analyzers=analyzers))
        print(f"{label} language analyzers: {(time.process_time() - start) / 3:.3f} s CPU per scan")


if __name__ == "__main__":
    main(sys.argv[1])
