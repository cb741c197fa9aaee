"""Verdict agreement with hadolint itself, rule by rule, for every rule that names a hadolint id.

    .venv/bin/python bench/compare_hadolint.py --hadolint-repo DIR [--hadolint BIN] [--corpus DIR]
        [--show-disagreements] [--json OUT]

Two sets of Dockerfiles, each linted by hadolint and by `hullguard config`:
- hadolint's own rule samples: every `ruleCatches`/`ruleCatchesNot` (and the ONBUILD variants) in
  `test/Hadolint/Rule/DL*Spec.hs` of a hadolint checkout (DIR is a git directory, as the `fetch`
  tool leaves it, or a work tree). The samples are read from there at run time and written to a
  temporary folder: hadolint is GPL-3.0, so none of them is kept in this repository.
- every Dockerfile of the corpus (default ../shared/corpus/dockerfiles).

For a hullguard rule with hadolint id DLxxxx, a file agrees when both tools flag it or neither does.
On the samples, each rule is judged on the samples of its own spec file (the ones written to tell
right from wrong for that rule); the corpus judges every rule on every file.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from hullguard.rules import load_rules

HADOLINT = "/work/peers/bin/hadolint"
CALL = re.compile(r"\b(onBuildRuleCatchesNot|onBuildRuleCatches|ruleCatchesNot|ruleCatches)\s+(?:\"(DL\d{4})\"|(\w+))\s*")
LIST = re.compile(r"\blet\s+(\w+)\s*=\s*\[")
STRING = re.compile(r"\blet\s+(\w+)\s*=\s*\"")
BARE = re.compile(r"(\w+)\b")
UNLINES = re.compile(r"\$\s*(?:Text\.)?unlines\s+(\w+)|\(\s*(?:Text\.)?unlines\s+(\w+)\s*\)")
ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'", "&": "", "r": "\r"}


@dataclass(frozen=True)
class Sample:
    name: str
    rule: str
    """The hadolint rule whose spec holds it."""
    text: str


def haskell_string(src: str, i: int) -> tuple[str, int]:
    """The Haskell string literal starting at src[i] == '"', and the index after it."""
    assert src[i] == '"'
    out: list[str] = []
    i += 1
    while src[i] != '"':
        c = src[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        nxt = src[i + 1]
        if nxt.isspace():  # a string gap: backslash, white space, backslash
            i = src.index("\\", i + 1) + 1
        elif nxt.isdigit():
            digits = re.match(r"\d+", src[i + 1 :])
            assert digits
            out.append(chr(int(digits.group())))
            i += 1 + len(digits.group())
        else:
            out.append(ESCAPES.get(nxt, nxt))
            i += 2
    return "".join(out), i + 1


def haskell_list(src: str, i: int) -> str:
    """`[ "a", "b" ]` from src[i] == '[' as `Text.unlines` would join it."""
    lines: list[str] = []
    i += 1
    while True:
        while src[i] in " \t\r\n,":
            i += 1
        if src[i] == "]":
            return "".join(line + "\n" for line in lines)
        if src[i] != '"':
            raise ValueError(f"not a list of string literals at {src[i:i + 30]!r}")
        text, i = haskell_string(src, i)
        lines.append(text)


def samples_of(spec: str, rule: str) -> list[Sample]:
    lists = [(m.start(), m.group(1), m.end() - 1) for m in LIST.finditer(spec)]
    strings = [(m.start(), m.group(1), m.end() - 1) for m in STRING.finditer(spec)]

    def bound(name: str, before: int, table: list[tuple[int, str, int]]) -> int | None:
        found = max((b for b in table if b[1] == name and b[0] < before), default=None)
        return None if found is None else found[2]

    out: list[Sample] = []
    for n, m in enumerate(CALL.finditer(spec)):
        kind, code = m.group(1), m.group(2)
        rest = m.end()
        try:
            if code is None:  # `ruleCatches rule ...` with `let rule = "DLxxxx"`
                at = bound(m.group(3), m.start(), strings)
                if at is None:
                    continue
                code, _ = haskell_string(spec, at)
            if spec[rest] == '"':
                text, _ = haskell_string(spec, rest)
            elif (ref := UNLINES.match(spec, rest)) is not None:
                at = bound(ref.group(1) or ref.group(2), m.start(), lists)
                if at is None:
                    continue
                text = haskell_list(spec, at)
            elif (ref := BARE.match(spec, rest)) is not None:  # `let line = "..."` or a list
                at = bound(ref.group(1), m.start(), strings)
                if at is not None:
                    text, _ = haskell_string(spec, at)
                elif (at := bound(ref.group(1), m.start(), lists)) is not None:
                    text = haskell_list(spec, at)
                else:
                    continue
            else:
                continue
        except (ValueError, IndexError, AssertionError):
            continue
        if kind.startswith("onBuild"):
            text = re.sub(r"(?m)^RUN\b", "ONBUILD RUN", text)
        out.append(Sample(f"{rule}-{n:03d}{'-onbuild' if kind.startswith('onBuild') else ''}", code, text))
    return out


def read_specs(repo: Path) -> list[Sample]:
    git_dir = repo if (repo / "HEAD").exists() and not (repo / ".git").exists() else None
    if git_dir is not None:
        names = subprocess.run(
            ["git", "--git-dir", str(git_dir), "ls-tree", "-r", "--name-only", "HEAD", "test/Hadolint/Rule/"],
            capture_output=True, text=True, check=True,
        ).stdout.split()
        specs = {
            n: subprocess.run(["git", "--git-dir", str(git_dir), "show", f"HEAD:{n}"],
                              capture_output=True, text=True, check=True).stdout
            for n in names if re.search(r"DL\d{4}Spec\.hs$", n)
        }
    else:
        specs = {str(p): p.read_text() for p in (repo / "test/Hadolint/Rule").glob("DL*Spec.hs")}
    samples: list[Sample] = []
    for name, text in sorted(specs.items()):
        code = re.search(r"(DL\d{4})Spec", name)
        assert code
        samples.extend(samples_of(text, code.group(1)))
    return samples


def hadolint_flags(binary: str, files: list[Path]) -> dict[Path, set[str]]:
    flagged: dict[Path, set[str]] = {f: set() for f in files}
    for chunk in range(0, len(files), 200):
        part = files[chunk : chunk + 200]
        proc = subprocess.run([binary, "--no-fail", "--info", "DL3057", "-f", "json", *map(str, part)], capture_output=True, text=True)
        for item in json.loads(proc.stdout or "[]"):
            flagged.setdefault(Path(item["file"]), set()).add(item["code"])
    return flagged


def hullguard_flags(root: Path) -> dict[Path, set[str]]:
    proc = subprocess.run(
        [sys.executable, "-m", "hullguard.cli.main", "config", str(root), "--format", "json", "--quiet"],
        capture_output=True, text=True,
    )
    report = json.loads(proc.stdout)
    flagged: dict[Path, set[str]] = defaultdict(set)
    for f in report["findings"]:
        path = Path(f["location"]["path"])
        flagged[path if path.is_absolute() else root / path].add(f["id"])
    return flagged


def mapping() -> dict[str, str]:
    """hullguard rule id -> hadolint code, for every Dockerfile rule that names one."""
    return {r.meta.id: r.meta.peers.hadolint for r in load_rules() if r.meta.target == "dockerfile" and r.meta.peers.hadolint}


def compare(
    files: list[Path], own: dict[Path, str] | None, hado: dict[Path, set[str]], ours: dict[Path, set[str]]
) -> dict[str, dict[str, object]]:
    result: dict[str, dict[str, object]] = {}
    for rule, code in sorted(mapping().items(), key=lambda kv: kv[1]):
        judged = [f for f in files if own is None or own[f] == code]
        disagree = [
            (f, code in hado.get(f, set()), rule in ours.get(f, set()))
            for f in judged
            if (code in hado.get(f, set())) != (rule in ours.get(f, set()))
        ]
        result[code] = {"rule": rule, "files": len(judged), "agree": len(judged) - len(disagree),
                        "disagreements": [(str(f), h, o) for f, h, o in disagree]}
    return result


def show(title: str, table: dict[str, dict[str, object]], detail: bool, texts: dict[str, str]) -> None:
    files = sum(int(str(r["files"])) for r in table.values())
    agree = sum(int(str(r["agree"])) for r in table.values())
    print(f"\n## {title}: {agree}/{files} verdicts agree ({agree / max(files, 1):.1%})")
    print(f"{'hadolint':9} {'hullguard':11} {'agree':>11}")
    for code, row in table.items():
        n, a = int(str(row["files"])), int(str(row["agree"]))
        mark = "" if n == a else "  <-"
        print(f"{code:9} {row['rule']!s:11} {a:>5}/{n:<5}{mark}")
        if detail:
            for path, h, o in row["disagreements"]:  # type: ignore[attr-defined]
                print(f"    hadolint={'flag' if h else 'pass'} hullguard={'flag' if o else 'pass'}  {path}")
                if path in texts:
                    print("      " + texts[path].rstrip().replace("\n", "\n      "))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hadolint-repo", type=Path, required=True)
    ap.add_argument("--hadolint", default=HADOLINT)
    ap.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared/corpus/dockerfiles")
    ap.add_argument("--show-disagreements", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    version = subprocess.run([args.hadolint, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"peer: {version}")
    samples = read_specs(args.hadolint_repo)
    out: dict[str, object] = {"hadolint": version}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        own: dict[Path, str] = {}
        texts: dict[str, str] = {}
        for s in samples:
            path = root / s.name / "Dockerfile"
            path.parent.mkdir()
            path.write_text(s.text)
            own[path] = s.rule
            texts[str(path)] = s.text
        files = sorted(own)
        table = compare(files, own, hadolint_flags(args.hadolint, files), hullguard_flags(root))
        show(f"hadolint's rule samples ({len(samples)} from {len({s.rule for s in samples})} specs)",
             table, args.show_disagreements, texts)
        out["samples"] = table
    if args.corpus.is_dir():
        corpus = sorted(p for p in args.corpus.rglob("Dockerfile*") if p.is_file())
        table = compare(corpus, None, hadolint_flags(args.hadolint, corpus), hullguard_flags(args.corpus))
        show(f"corpus ({len(corpus)} Dockerfiles)", table, args.show_disagreements, {})
        out["corpus"] = table
    if args.json:
        args.json.write_text(json.dumps(out, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
