"""Recall and precision of hullguard and Trivy 0.59 on gitleaks' and trufflehog's own samples.

    PYTHONPATH=. .venv/bin/python bench/measure_peer_samples.py \
        [--gitleaks /work/.mirror/gitleaks+gitleaks/repo] \
        [--trufflehog /work/.mirror/trufflesecurity+trufflehog/repo] \
        [--no-trivy] [--misses 40] [--table docs/notes/secrets-peer-samples.md]

The samples come from the fetched repositories (bench/peer_samples.py). Each sample becomes one
file (`<n>/<its path, or sample.txt>`) in a temporary tree; both tools scan the tree as a
filesystem, secrets only. A positive counts as found when the tool reports any secret in its
file; a negative (a peer's false-positive sample that is not also one of its true positives)
counts as a false alarm when the tool reports anything there. Per rule and overall:
recall = found / positives, precision = found / (found + false alarms); and, since the suites
hold far more positives than negatives, the false-alarm rate on negatives too.

`--misses N` prints up to N missed positives and N false alarms per suite (to the terminal
only: trufflehog's samples are AGPL and never written into the repository). `--table` writes
the per-rule numbers (no samples) as Markdown.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peer_samples import Sample, load
from secrets_support import hullguard_fs, trivy

MIRRORS = Path("/work/.mirror")


@dataclass
class Tally:
    pos: int = 0
    found: int = 0
    neg: int = 0
    alarms: int = 0
    missed: list[int] = field(default_factory=list)
    alarmed: list[int] = field(default_factory=list)

    def recall(self) -> float:
        return self.found / self.pos if self.pos else 1.0

    def precision(self) -> float:
        return (
            self.found / (self.found + self.alarms)
            if self.found + self.alarms
            else (1.0 if not self.alarms else 0.0)
        )

    def alarm_rate(self) -> float:
        return self.alarms / self.neg if self.neg else 0.0


def write_tree(root: Path, samples: list[Sample]) -> None:
    for n, s in enumerate(samples):
        name = s.path.lstrip("/") if s.path else "sample.txt"
        target = root / f"{n:05d}" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(s.text.encode("utf-8", errors="replace"))


def flagged(hits: list[object]) -> set[int]:
    out = set()
    for h in hits:
        head = getattr(h, "path", "").lstrip("/").split("/", 1)[0]
        if head.isdigit():
            out.add(int(head))
    return out


def tally(samples: list[Sample], hit: set[int]) -> tuple[Tally, dict[str, Tally]]:
    total, per_rule = Tally(), defaultdict[str, Tally](Tally)
    for n, s in enumerate(samples):
        for t in (total, per_rule[s.rule]):
            if s.positive:
                t.pos += 1
                t.found += n in hit
                if n not in hit:
                    t.missed.append(n)
            else:
                t.neg += 1
                t.alarms += n in hit
                if n in hit:
                    t.alarmed.append(n)
    return total, per_rule


def suite_samples(name: str, gitdir: Path) -> list[Sample]:
    samples, _stats = load(name, gitdir)
    positives = {s.text for s in samples if s.positive}
    # A peer's false positive for one rule may be another rule's true positive (Cloudflare's
    # three key kinds): such a sample is no negative for a scanner as a whole.
    return [s for s in samples if s.positive or s.text not in positives]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gitleaks", type=Path, default=MIRRORS / "gitleaks+gitleaks/repo")
    parser.add_argument("--trufflehog", type=Path, default=MIRRORS / "trufflesecurity+trufflehog/repo")
    parser.add_argument("--no-trivy", action="store_true")
    parser.add_argument("--misses", type=int, default=0)
    parser.add_argument("--only", choices=("gitleaks", "trufflehog"))
    parser.add_argument("--table", type=Path)
    args = parser.parse_args()
    rows: list[str] = []
    for name, gitdir in (("gitleaks", args.gitleaks), ("trufflehog", args.trufflehog)):
        if args.only and name != args.only:
            continue
        samples = suite_samples(name, gitdir)
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            write_tree(root, samples)
            ours, seconds = hullguard_fs(root)
            results = {"hullguard": tally(samples, flagged(ours))}
            if not args.no_trivy:
                theirs, _ = trivy("fs", str(root))
                results["trivy"] = tally(samples, flagged(theirs))
        print(
            f"## {name}: {len(samples)} samples ({results['hullguard'][0].pos} positive, "
            f"{results['hullguard'][0].neg} negative), hullguard {seconds:.1f} s"
        )
        for tool, (total, _) in results.items():
            print(
                f"  {tool:9s} recall {total.recall():.3f} ({total.found}/{total.pos})  precision "
                f"{total.precision():.3f}  false alarms {total.alarms}/{total.neg} ({total.alarm_rate():.3f})"
            )
        total = results["hullguard"][0]
        if args.misses:
            for n in total.missed[: args.misses]:
                print(f"  MISS  {samples[n].rule}: {samples[n].text[:160]!r} {samples[n].path}")
            for n in total.alarmed[: args.misses]:
                print(f"  ALARM {samples[n].rule}: {samples[n].text[:160]!r} {samples[n].path}")
        rows += _table(name, results)
    if args.table:
        head = [
            "# Secret detection on gitleaks' and trufflehog's own samples, per rule",
            "",
            "Written by `PYTHONPATH=. .venv/bin/python bench/measure_peer_samples.py --table "
            f"{args.table}` (see its docstring and docs/notes/secrets.md). Numbers only: no sample is",
            "copied here. A rule whose positives are all found and whose negatives raise nothing reads 1.00 | 1.00.",
        ]
        args.table.write_text("\n".join(head + rows) + "\n")


def _table(name: str, results: dict[str, tuple[Tally, dict[str, Tally]]]) -> list[str]:
    tools = list(results)
    head = " | ".join(f"{t} recall | {t} precision" for t in tools)
    rows = [
        f"\n## {name}\n",
        f"| rule | positives | negatives | {head} |",
        "|---|---|---|" + "---|---|" * len(tools),
    ]
    for tool_total in (results[t][0] for t in tools[:1]):
        cells = " | ".join(f"{results[t][0].recall():.3f} | {results[t][0].precision():.3f}" for t in tools)
        rows.append(f"| **overall** | {tool_total.pos} | {tool_total.neg} | {cells} |")
    for rule in sorted(results[tools[0]][1]):
        first = results[tools[0]][1][rule]
        cells = " | ".join(
            f"{results[t][1][rule].recall():.2f} | {results[t][1][rule].precision():.2f}" for t in tools
        )
        rows.append(f"| {rule} | {first.pos} | {first.neg} | {cells} |")
    return rows


if __name__ == "__main__":
    main()
