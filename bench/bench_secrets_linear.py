"""Secret detection time on adversarial single-line files: throughput must not fall with size.

    PYTHONPATH=. .venv/bin/python bench/bench_secrets_linear.py [--sizes 1,10,50] [--runs 1]

Each input is one line (no line break) of 1, 10 and 50 MB: random letters, digits, base64,
and minified JavaScript dense with the rules' keywords (`token=`, `AKIA`, `ghp_`, `eyJ`,
key markers). The detector runs on the bytes directly (the CLI skips files over 10 MiB
unless `--secret-max-file-size` raises the limit). Prints MB/s per input and size, and the
spread: the slowest size's throughput against the fastest, which must stay within 2x.
"""

from __future__ import annotations

import argparse
import random
import string
import time

from hullguard.secrets.detect import Detector
from hullguard.secrets.settings import builtin_rules

JS_UNITS = (
    'var a="eyJhbGciOi",b=function(e){return e.token||"sk_live_"+e.apikey};',
    "if(t.password&&t.secret_key){n.AKIA=ghp_;r=x.xoxb-1-2-}",
    'u="-----BEGIN RSA PRIVATE KEY-----",p="postgres://u:p@h",q="glpat-";',
)


def adversarial(kind: str, size: int) -> bytes:
    rng = random.Random(kind)
    if kind == "minified-js":
        text = "".join(rng.choice(JS_UNITS) for _ in range(size // 50 + 1))
        return text.encode()[:size]
    alphabet = {
        "letters": string.ascii_letters,
        "digits": string.digits,
        "base64": string.ascii_letters + string.digits + "+/",
    }[kind]
    chunk = "".join(rng.choices(alphabet, k=1 << 20)).encode()
    return (chunk * (size // len(chunk) + 1))[:size]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1,10,50", help="megabytes, comma-separated")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    rules = builtin_rules()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{len(rules.rules)} rules")
    print(f"| input | {' | '.join(f'{s} MB' for s in sizes)} | slowest/fastest |")
    print(f"|---|{'---|' * len(sizes)}---|")
    for kind in ("letters", "digits", "base64", "minified-js"):
        rates = []
        for size in sizes:
            data = adversarial(kind, size * 1_000_000)
            best = float("inf")
            for _ in range(args.runs):
                detector = Detector(rules)
                start = time.process_time()
                detector.scan(data, "bundle.min.js")
                best = min(best, time.process_time() - start)
            rates.append(size / best)
        cells = " | ".join(f"{r:.1f} MB/s" for r in rates)
        print(f"| {kind} | {cells} | {max(rates) / min(rates):.2f}x |", flush=True)


if __name__ == "__main__":
    main()
