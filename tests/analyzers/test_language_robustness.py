"""Truncated and corrupted copies of every language fixture: an analyzer returns or raises AnalyzerError, nothing else."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
import yaml

from hullguard.analyzers import ANALYZERS
from hullguard.analyzers.base import AnalysisContext, Analyzer, AnalyzerKind, FileInput
from hullguard.errors import AnalyzerError
from hullguard.model import Inventory
from hullguard.sources.rootfs import DirTree
from hullguard.sources.tree import EntryType, FileEntry
from tests.analyzers.lang import FIXTURES, scan

LANGUAGE = [a for a in ANALYZERS if a.spec.kind is AnalyzerKind.LANGUAGE]
TREE = DirTree(FIXTURES)
CASES = [
    (analyzer, entry)
    for analyzer in LANGUAGE
    for entry in sorted(TREE.entries(), key=lambda e: e.path)
    if entry.type is EntryType.FILE and analyzer.spec.matches(entry)
]


def variants(data: bytes) -> list[bytes]:
    rng = random.Random(len(data))
    cuts = [data[: len(data) * k // 7] for k in range(1, 7)]
    flipped = []
    for _ in range(6):
        mutable = bytearray(data)
        for _ in range(max(1, len(data) // 50)):
            mutable[rng.randrange(len(data))] = rng.choice(b'{}[]":,\n =@#\x00\xff')
        flipped.append(bytes(mutable))
    return [b"", b"\xff\xfe\x00garbage", *cuts, *flipped, *retyped(data, rng)]


def retyped(data: bytes, rng: random.Random) -> list[bytes]:
    """Valid syntax, wrong shapes: values swapped for numbers, lists, objects, nulls and booleans."""
    text = data.decode("utf-8", "replace")
    swaps = ["1", "[]", "{}", "true", "null", '[1, {"a": 2}]', '{"name": 3}']
    out = []
    for _ in range(12):
        doc: object
        try:
            doc = json.loads(text)
        except ValueError:
            if text.lstrip().startswith(("lockfileVersion", "#", "__metadata")) and "\n  " in text:
                try:  # pnpm and yarn berry locks are YAML
                    doc = yaml.safe_load(text)
                except yaml.YAMLError:
                    doc = None
                if isinstance(doc, dict):
                    out.append(yaml.safe_dump(_swap(doc, rng, swaps)).encode())
                    continue
            toml_value = re.compile(r'(=\s*)("[^"\n]*"|\[[^\]\n]*\]|\{[^}\n]*\})')
            out.append(
                toml_value.sub(
                    lambda m: (
                        m.group(1) + rng.choice([*swaps[:3], "{ a = 1 }", "[{ b = 2 }]"])
                        if rng.random() < 0.3
                        else m.group(0)
                    ),
                    text,
                ).encode()
            )
            continue
        out.append(json.dumps(_swap(doc, rng, swaps)).encode())
    return out


def _swap(value: object, rng: random.Random, swaps: list[str]) -> object:
    if rng.random() < 0.08:
        return json.loads(rng.choice(swaps))
    if isinstance(value, dict):
        return {k: _swap(v, rng, swaps) for k, v in value.items()}
    if isinstance(value, list):
        return [_swap(v, rng, swaps) for v in value]
    return value


def test_every_analyzer_has_fixtures() -> None:
    # Binary analyzers (Go, cargo-auditable) are tested on binaries built by their own fixtures.
    expected = {a.spec.id for a in LANGUAGE if not a.spec.executables} - {"java-archive"}
    assert {a.spec.id for a, _ in CASES} >= expected


@pytest.mark.parametrize(("analyzer", "entry"), CASES, ids=[f"{a.spec.id}:{e.path}" for a, e in CASES])
def test_damaged_input_never_escapes_as_another_exception(analyzer: Analyzer, entry: FileEntry) -> None:
    original = TREE.read_bytes(entry)
    for data in variants(original):
        file = FileInput(path=entry.path, layer=None, size=len(data), read_bytes=lambda d=data: d)
        try:
            result = analyzer.analyze(file, AnalysisContext(tree=TREE))
        except AnalyzerError:
            continue
        assert isinstance(result, Inventory)


ONE_BAD_ENTRY = [
    (
        "package-lock.json",
        '{"lockfileVersion": 3, "packages": {"node_modules/a": {"version": "1.0.0"}, "node_modules/b": [1],'
        ' "node_modules/c": {"version": "2.0.0", "dependencies": "oops"}, "node_modules/d": {"version": "3.0.0"}}}',
    ),
    (
        "pnpm-lock.yaml",
        "lockfileVersion: '6.0'\npackages:\n  /a@1.0.0:\n    dev: false\n  /b@1.0.0: [1]\n  /d@3.0.0:\n    dev: false\n",
    ),
    (
        "poetry.lock",
        '[[package]]\nname = "a"\nversion = "1.0.0"\n\n[[package]]\nname = "b"\nversion = "1.0.0"\ndependencies = [1]\n\n'
        '[[package]]\nname = "d"\nversion = "3.0.0"\n',
    ),
    (
        "Cargo.lock",
        '[[package]]\nname = "a"\nversion = "1.0.0"\nsource = "registry+x"\n\n[[package]]\nname = "b"\nversion = "1.0.0"\n'
        'source = "registry+x"\ndependencies = "oops"\n\n[[package]]\nname = "d"\nversion = "3.0.0"\nsource = "registry+x"\n',
    ),
]


@pytest.mark.parametrize(("name", "content"), ONE_BAD_ENTRY, ids=[n for n, _ in ONE_BAD_ENTRY])
def test_one_entry_of_the_wrong_shape_costs_only_that_entry(name: str, content: str, tmp_path: Path) -> None:
    (tmp_path / name).write_text(content)
    [analyzer] = [a for a in LANGUAGE if name in a.spec.basenames]
    packages, issues = scan(analyzer, tmp_path)
    assert {p.name for p in packages} == {"a", "d"}
    assert len(issues) == (2 if name == "package-lock.json" else 1)
    assert all("skipped" in i.message for i in issues)
