"""The true- and false-positive samples in gitleaks' rule definitions and trufflehog's pattern
tests, read from fetched copies of their repositories (git directories, read with `git show`).

    PYTHONPATH=. .venv/bin/python bench/peer_samples.py gitleaks /work/.mirror/gitleaks+gitleaks/repo
    PYTHONPATH=. .venv/bin/python bench/peer_samples.py trufflehog /work/.mirror/trufflesecurity+trufflehog/repo

gitleaks (MIT): cmd/generate/config/rules/*.go build each rule's `tps` and `fps` lists, from
literals and from `utils.GenerateSampleSecrets(identifier, secret)`, which puts a secret into
assignments in many syntaxes; `secrets.NewSecret(regex)` draws a random string from a regex.
Here the secret is drawn from the same regex (seeded, so the suite is stable) and placed in
our own set of assignment syntaxes (below). trufflehog (AGPL): pkg/detectors/**/*_test.go
`Test*_Pattern` tables of `input` and `want`; a non-empty `want` is a positive. Its samples
are only ever read from the fetched copy, never written into this repository.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from go_literals import Reader, Unsupported, assignments, functions, tokens
from regex_sample import sample

# Assignment syntaxes a secret is placed in (`{i}` identifier, `{I}` upper-case, `{s}` secret).
CONTEXTS = (
    '{i}_token = "{s}"',
    "{i}Token={s}",
    '{{\n  "{i}_token": "{s}"\n}}',
    "{i}_token: {s}",
    "{i}_token: '{s}'",
    'const {i}Token = "{s}";',
    "{i}Token := `{s}`",
    "export {I}_TOKEN={s}",
    '{I}_TOKEN ?= "{s}"',
    '  "{i}Token" => "{s}"',
    "<{i}Token>\n  {s}\n</{i}Token>",
    'setenv("{I}_TOKEN", "{s}")',
)
PATTERNS = {
    "utils.Numeric": "[0-9]{%s}",
    "utils.Hex": "[a-f0-9]{%s}",
    "utils.AlphaNumeric": "[a-z0-9]{%s}",
    "utils.AlphaNumericExtendedShort": "[a-z0-9_-]{%s}",
    "utils.AlphaNumericExtended": "[a-z0-9=_\\-]{%s}",
    "utils.AlphaNumericExtendedLong": "[a-z0-9\\/=_\\+\\-]{%s}",
}


@dataclass(frozen=True, slots=True)
class Sample:
    suite: str
    rule: str
    positive: bool
    text: str
    path: str = ""


def git_files(gitdir: Path, prefix: str, suffix: str) -> list[str]:
    out = subprocess.run(
        ["git", "--git-dir", str(gitdir), "ls-tree", "-r", "--name-only", "HEAD", prefix],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [p for p in out.splitlines() if p.endswith(suffix)]


def git_show(gitdir: Path, path: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", str(gitdir), "show", f"HEAD:{path}"], capture_output=True, text=True, check=True
    ).stdout


def gitleaks(gitdir: Path, stats: Counter[str]) -> list[Sample]:
    found: list[Sample] = []
    for path in git_files(gitdir, "cmd/generate/config/rules", ".go"):
        if path.endswith("_test.go"):
            continue
        toks = tokens(git_show(gitdir, path))
        env: dict[str, Any] = {}
        package = Reader(toks, env, _gitleaks_calls(random.Random(path)))
        bodies = list(functions(toks))
        outside = 0
        for _name, start, end in bodies:  # package-level variables: text between the functions
            assignments(package, outside, start)
            outside = end
        assignments(package, outside, len(toks))
        for name, start, end in bodies:
            rule_ids = [
                toks[k + 2].value
                for k in range(start, end - 2)
                if toks[k].text == "RuleID" and toks[k + 2].kind == "str"
            ]
            if not rule_ids:
                continue
            rule = rule_ids[0]
            reader = Reader(toks, dict(env), _gitleaks_calls(random.Random(rule)))
            assignments(reader, start, end)
            for k in range(start, end):
                if toks[k].text in ("utils.Validate", "Validate", "ValidateWithPaths") or (
                    toks[k].text == "utils" and toks[k + 2].text in ("Validate", "ValidateWithPaths")
                ):
                    j = k + 3 if toks[k].text == "utils" else k + 1
                    found += _validate_args(reader, j, rule, stats)
                    break
            else:
                stats[f"gitleaks: no Validate call in {name}"] += 1
    return found


def _validate_args(reader: Reader, j: int, rule: str, stats: Counter[str]) -> list[Sample]:
    toks = reader.toks
    # skip `(` and the rule argument up to the first top-level comma
    depth, j = 0, j + 1
    while not (toks[j].text == "," and depth == 0):
        depth += (toks[j].text in "({[") - (toks[j].text in ")}]")
        j += 1
    out: list[Sample] = []
    for positive in (True, False):
        reader.i = j + 1
        try:
            value = reader.expr()
        except (Unsupported, StopIteration, ValueError, IndexError, TypeError) as e:
            stats[f"gitleaks: unsupported {'tps' if positive else 'fps'}: {e}"] += 1
            value = []
        j = reader.i
        items = value.items() if isinstance(value, dict) else ((None, v) for v in value or ())
        for path, text in items:
            if isinstance(text, str):
                out.append(Sample("gitleaks", rule, positive, text, path or ""))
    return out


def _gitleaks_calls(rng: random.Random) -> dict[str, Any]:
    calls: dict[str, Any] = {name: (lambda n, f=fmt: f % n) for name, fmt in PATTERNS.items()}
    calls["utils.Hex8_4_4_4_12"] = lambda: "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    calls["secrets.NewSecret"] = lambda regex: sample(regex, rng)
    calls["utils.GenerateSampleSecret"] = lambda i, s: f'{i}_api_token = "{s}"'
    calls["utils.GenerateSampleSecrets"] = lambda i, s: [
        c.replace("{i}", i).replace("{I}", i.upper()).replace("{s}", s).replace("{{", "{").replace("}}", "}")
        for c in CONTEXTS
    ]
    calls["strings.ToUpper"] = str.upper
    calls["strings.ToLower"] = str.lower
    return calls


def trufflehog(gitdir: Path, stats: Counter[str]) -> list[Sample]:
    found: list[Sample] = []
    for path in git_files(gitdir, "pkg/detectors", "_test.go"):
        if path.endswith("_integration_test.go"):
            continue
        detector = path.removeprefix("pkg/detectors/").rpartition("/")[0]
        toks = tokens(git_show(gitdir, path))
        reader = Reader(toks, {}, {"strings.ToUpper": str.upper, "strings.ToLower": str.lower})
        assignments(reader, 0, len(toks))
        for name, start, end in functions(toks):
            if not (name.startswith("Test") and name.endswith("_Pattern")):
                continue
            found += _tables(reader, start, end, detector, stats)
    return found


def _tables(reader: Reader, start: int, end: int, detector: str, stats: Counter[str]) -> list[Sample]:
    toks = reader.toks
    out: list[Sample] = []
    k = start
    while k < end:
        if toks[k].text == "input" and toks[k + 1].text == ":":
            reader.i = k + 2
            try:
                text = reader.expr()
            except (Unsupported, StopIteration, ValueError, IndexError, TypeError) as e:
                stats[f"trufflehog: unsupported input: {e}"] += 1
                k += 1
                continue
            want: Any = None
            m = reader.i
            while m < end and toks[m].text != "input":
                if toks[m].text == "want" and toks[m + 1].text == ":":
                    reader.i = m + 2
                    try:
                        want = reader.expr()
                    except (Unsupported, StopIteration, ValueError, IndexError, TypeError):
                        want = ["?"]  # a want we cannot read is still a want: a positive
                    break
                m += 1
            if isinstance(text, str):
                out.append(Sample("trufflehog", detector, bool(want), text))
            k = m
        else:
            k += 1
    return out


def load(suite: str, gitdir: Path) -> tuple[list[Sample], Counter[str]]:
    stats: Counter[str] = Counter()
    samples = gitleaks(gitdir, stats) if suite == "gitleaks" else trufflehog(gitdir, stats)
    return samples, stats


def main() -> None:
    suite, gitdir = sys.argv[1], Path(sys.argv[2])
    samples, stats = load(suite, gitdir)
    pos = sum(s.positive for s in samples)
    print(
        f"{suite}: {len(samples)} samples, {pos} positive, {len(samples) - pos} negative, "
        f"{len({s.rule for s in samples})} rules",
        file=sys.stderr,
    )
    for why, n in stats.most_common(15):
        print(f"  {n:4d} {why}", file=sys.stderr)
    if len(sys.argv) > 3:
        Path(sys.argv[3]).write_text(json.dumps([asdict(s) for s in samples], indent=1))


if __name__ == "__main__":
    main()
