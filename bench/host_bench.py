"""How long `hullguard host` and `hullguard audit-log` take (issue 14). No peer runs here:
kube-bench and docker-bench-security are not packaged for PyPI, npm or Debian.

    .venv/bin/python bench/host_bench.py [--runs 7] [--events 200000]

Host: a tree with a Docker host, a kubeadm worker and an API server static pod (as the tests
build them), all benchmarks. Audit log: a JSON-lines file of the test's event mix repeated.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.host import trees
from tests.host.test_audit_log import audit_log

from hullguard.host.auditlog.event import read_log
from hullguard.host.auditlog.rules import evaluate
from hullguard.host.scan import HostOptions, scan_host


def host_tree(root: Path) -> None:
    trees.good_docker_host(root)
    worker = trees.good_kube_worker(root)
    worker.file("/etc/kubernetes/manifests/kube-apiserver.yaml", trees.APISERVER, mode=0o600)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--events", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "host"
        host_tree(root)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            result = scan_host(HostOptions(root=root, benchmark="all"))
            times.append(time.perf_counter() - start)
        print(
            f"host --root (all benchmarks, {len(result.checked)} controls evaluated, {len(result.findings)} findings): "
            f"median {statistics.median(times) * 1000:.1f} ms over {args.runs} runs"
        )

        sample = audit_log(Path(tmp) / "sample.log").read_text().splitlines()
        sample = [line for line in sample if line.startswith("{") and line.endswith("}")]
        log = Path(tmp) / "big.log"
        with log.open("w") as out:
            for i in range(args.events):
                doc = json.loads(sample[i % len(sample)])
                doc["auditID"] = f"{doc['auditID']}-{i}"
                out.write(json.dumps(doc) + "\n")
        size = log.stat().st_size
        start = time.perf_counter()
        events = [e for e in read_log(log) if not hasattr(e, "line")]
        parsed = time.perf_counter() - start
        start = time.perf_counter()
        alerts = sum(1 for _ in evaluate(events))  # type: ignore[arg-type]
        rules = time.perf_counter() - start
        print(
            f"audit-log: {args.events} events ({size / 1e6:.0f} MB): parse {args.events / parsed:,.0f} events/s, "
            f"rules {args.events / rules:,.0f} events/s, {alerts} alerts"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
