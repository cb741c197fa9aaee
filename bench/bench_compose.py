"""Time `hullguard config` on a generated Compose project: N services extending one base, each
with interpolated values from a .env. Usage: python bench/bench_compose.py [--services N] [--runs R]"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def generate(folder: Path, services: int) -> None:
    lines = ["services:", "  base:", "    image: b:${TAG:-1}", "    privileged: ${PRIV:-false}"]
    for i in range(services):
        lines += [
            f"  s{i}:",
            "    extends: base",
            f"    image: r.example/s{i}:${{TAG:-1.0}}",
            "    environment:",
            "    - DB_PASSWORD=${DB_PASSWORD}",
            f"    - PORT=${{PORT_{i}:-80}}",
            "    volumes:",
            "    - ${DATA:-./data}:/data",
        ]
    (folder / "compose.yaml").write_text("\n".join(lines) + "\n")
    (folder / ".env").write_text("TAG=2.1\nDB_PASSWORD=x\nPRIV=true\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    hullguard = Path(sys.executable).with_name("hullguard")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate(folder, args.services)
        for _ in range(args.runs):
            started = time.monotonic()
            subprocess.run(
                [str(hullguard), "config", str(folder), "--format", "json", "-o", str(folder / "out.json")],
                check=True,
            )
            print(f"{args.services} extending services: {time.monotonic() - started:.2f} s")


if __name__ == "__main__":
    main()
