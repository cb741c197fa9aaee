"""The labelled corpus (tests/fixtures/secrets/corpus.yaml): render it, scan it, score it per family.

python -m tests.secrets.corpus     # prints precision and recall per family
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from hullguard.secrets.detect import Detector
from hullguard.secrets.rules import RuleSet, load_builtin
from tests.support.fake_secrets import expand

CORPUS = Path(__file__).resolve().parent.parent / "fixtures/secrets/corpus.yaml"


@dataclass(frozen=True)
class Sample:
    text: str
    family: str | None
    """The rule family that must find it; None for a negative."""
    origin: str


def _camel(key: str) -> str:
    head, *rest = key.lower().split("_")
    return head + "".join(w.title() for w in rest)


def load_samples(path: Path = CORPUS) -> list[Sample]:
    doc = yaml.safe_load(path.read_text())
    contexts: dict[str, str] = doc["contexts"]
    samples: list[Sample] = []
    for label, entries in (("positives", doc["positives"]), ("negatives", doc["negatives"])):
        for i, entry in enumerate(entries):
            family = entry.get("family") if label == "positives" else None
            if "raw" in entry:
                for n in range(entry.get("repeat", 1)):
                    rng = random.Random(f"{label}{i}/{n}")
                    samples.append(Sample(expand(entry["raw"], rng), family, f"{label}[{i}]#{n}"))
                continue
            key = entry["key"]
            for name, template in contexts.items():
                rng = random.Random(f"{label}{i}/{name}")
                value = expand(entry["value"], rng)
                text = template.format(KEY=key, key=key.lower(), camel=_camel(key), value=value)
                samples.append(Sample(text, family, f"{label}[{i}]/{name}"))
    return samples


@dataclass
class Score:
    tp: int = 0
    fn: int = 0
    fp: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def evaluate(samples: list[Sample], rules: RuleSet | None = None) -> tuple[dict[str, Score], list[str]]:
    """Per family: a positive is a true positive when a rule of its family finds it; every other
    finding (on a negative, or of another family on a positive) is a false positive of its family."""
    detector = Detector(rules or load_builtin())
    scores: dict[str, Score] = {}
    mistakes: list[str] = []
    for sample in samples:
        families = Counter(h.rule.family for h in detector.scan(sample.text.encode(), "corpus.txt"))
        if sample.family is not None:
            score = scores.setdefault(sample.family, Score())
            if families.pop(sample.family, 0):
                score.tp += 1
            else:
                score.fn += 1
                mistakes.append(f"missed {sample.family}: {sample.origin}")
        for family, n in families.items():
            scores.setdefault(family, Score()).fp += n
            mistakes.append(f"false {family}: {sample.origin}")
    return scores, mistakes


def main() -> None:
    samples = load_samples()
    scores, mistakes = evaluate(samples)
    pos = sum(1 for s in samples if s.family)
    print(f"{pos} positives, {len(samples) - pos} negatives")
    print(f"{'family':<16} {'TP':>4} {'FN':>4} {'FP':>4} {'precision':>9} {'recall':>7}")
    for family, s in sorted(scores.items()):
        print(f"{family:<16} {s.tp:>4} {s.fn:>4} {s.fp:>4} {s.precision:>9.3f} {s.recall:>7.3f}")
    total = Score(
        sum(s.tp for s in scores.values()),
        sum(s.fn for s in scores.values()),
        sum(s.fp for s in scores.values()),
    )
    print(
        f"{'all':<16} {total.tp:>4} {total.fn:>4} {total.fp:>4} {total.precision:>9.3f} {total.recall:>7.3f}"
    )
    for m in mistakes:
        print(" ", m)


if __name__ == "__main__":
    main()
