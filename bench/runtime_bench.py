"""Runtime monitor under a fixed burst of opens and execs, on the host and in a container.

    sudo .venv/bin/python bench/runtime_bench.py [--rates 2000,5000,10000] [--seconds 10]

For each rate: `hullguard runtime watch` (eBPF, falco_rules.yaml) runs as its own process;
bench/runtime_load.py makes RATE opens/s and RATE/50 execs/s (each exec adds its own opens
of ld.so and libc) on the host, then inside a podman container (the demo image, with the
host's python bind-mounted). Reported: events the monitor handled per second (all of the
host's traced calls, not just the burst), its CPU as a share of one core and per event (and
so the events/s one core could handle), dropped events, and the load average before the run:
on a shared machine the monitor may get much less than the core it needs."""

from __future__ import annotations

import argparse
import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.runtime.support import IMAGE, Store, podman_store  # noqa: E402
from tests.support import images  # noqa: E402

RULES = REPO.parent / "shared" / "conformance" / "falco-rules" / "rules" / "falco_rules.yaml"
LOAD = REPO / "bench" / "runtime_load.py"
PYTHON_MOUNTS = ("/usr/bin/python3.11:/usr/bin/python3", "/usr/lib/python3.11:/usr/lib/python3.11",
                 "/usr/lib/x86_64-linux-gnu/libexpat.so.1:/lib/x86_64-linux-gnu/libexpat.so.1",
                 "/usr/lib/x86_64-linux-gnu/libz.so.1:/lib/x86_64-linux-gnu/libz.so.1")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(store: Store, rate: int, seconds: float, in_container: bool) -> dict[str, float]:
    monitor = subprocess.Popen(
        [sys.executable, "-m", "hullguard.cli.main", "runtime", "watch", "-r", str(RULES), "--no-drift",
         "--output", "/dev/null"], env=store.env, stderr=subprocess.PIPE, text=True)
    assert monitor.stderr is not None
    line = ""
    while "watching" not in line:
        if not select.select([monitor.stderr], [], [], 60)[0]:
            raise RuntimeError("monitor did not attach")
        line = monitor.stderr.readline()
    start, cpu0 = time.monotonic(), cpu_seconds(monitor.pid)
    load = [sys.executable, str(LOAD), str(rate), str(max(rate // 50, 1)), str(seconds)]
    if in_container:
        mounts = [f"-v{os.path.realpath(src.split(':')[0])}:{src.split(':')[1]}:ro" for src in PYTHON_MOUNTS]
        load = ["podman", "run", "--rm", "--user", "0", *mounts, f"-v{LOAD.parent}:/bench:ro", IMAGE,
                "python3", f"/bench/{LOAD.name}", *load[2:]]
    generated = subprocess.run(load, env=store.env, capture_output=True, text=True, check=True).stdout.strip()
    monitor.send_signal(signal.SIGTERM)
    err = monitor.stderr.read()
    # The monitor may still drain its ring buffer after the burst: its CPU and its window run
    # until it has exited, not until the burst ends.
    _, status, usage = os.wait4(monitor.pid, 0)
    monitor.returncode = os.waitstatus_to_exitcode(status)
    end = time.monotonic()
    cpu1 = usage.ru_utime + usage.ru_stime
    m = re.search(r"(\d+) events, (\d+) alerts, (\d+) dropped", err)
    if m is None:
        raise RuntimeError(f"no summary from the monitor: {err}")
    events, dropped = int(m.group(1)), int(m.group(3))
    detail = re.search(r"dropped: .*", err)
    if detail:
        print(f"  ({detail.group(0)})", flush=True)
    window = end - start
    return {"events_per_s": events / window, "cpu_share": (cpu1 - cpu0) / window, "dropped": dropped,
            "us_per_event": (cpu1 - cpu0) / max(events, 1) * 1e6, "window_s": window,
            "generated": generated}  # type: ignore[dict-item]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rates", default="2000,5000,10000")
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("runtime_bench: needs root (eBPF, podman)")
    demo = images.build(images.demo_recipe())
    with podman_store(demo.archive) as store:
        print(f"{'where':<10} {'opens/s':>8} {'events/s':>9} {'cpu (1 core)':>13} {'cpu/event':>10} "
              f"{'capacity/core':>14} {'dropped':>8} {'load avg':>9}  generated")
        for where in ("host", "container"):
            for rate in (int(r) for r in args.rates.split(",")):
                load_avg = os.getloadavg()[0]
                r = measure(store, rate, args.seconds, where == "container")
                print(f"{where:<10} {rate:>8} {r['events_per_s']:>9.0f} {r['cpu_share']:>12.0%} "
                      f"{r['us_per_event']:>8.1f}us {1e6 / r['us_per_event']:>13.0f} {int(r['dropped']):>8} "
                      f"{load_avg:>9.1f}  {r['generated']}", flush=True)


if __name__ == "__main__":
    main()
