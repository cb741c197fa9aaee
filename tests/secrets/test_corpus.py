"""The labelled corpus: at least 300 positives and 300 negatives; precision and recall >= 0.95 per family."""

from __future__ import annotations

from tests.secrets.corpus import evaluate, load_samples


def test_corpus_precision_and_recall_per_family() -> None:
    samples = load_samples()
    positives = [s for s in samples if s.family]
    assert len(positives) >= 300
    assert len(samples) - len(positives) >= 300
    assert len({s.family for s in positives}) >= 20
    scores, mistakes = evaluate(samples)
    weak = {
        f: (round(s.precision, 3), round(s.recall, 3))
        for f, s in scores.items()
        if s.precision < 0.95 or s.recall < 0.95
    }
    assert weak == {}, "\n".join(mistakes)


def test_corpus_negatives_are_realistic_not_empty() -> None:
    negatives = [s.text for s in load_samples() if s.family is None]
    assert len(set(negatives)) == len(negatives)
    assert all(len(t) >= 10 for t in negatives)
