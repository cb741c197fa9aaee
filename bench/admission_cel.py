"""CEL engines for admission, on the expressions a ValidatingAdmissionPolicy runs per request.

Run: .venv/bin/python bench/admission_cel.py
Compares cel-python (pure Python, used by `config --policy`) with cel-expr-python (Google's C++
CEL, used by the admission webhook) on a 3-container Deployment; prints µs per evaluation.
"""

from __future__ import annotations

import time
from typing import Any

import celpy

from hullguard.admission.vap.cel import bind, compile_expression, evaluate

DEPLOYMENT: dict[str, Any] = {
    "metadata": {"name": "web", "labels": {"app": "web"}},
    "spec": {"replicas": 3, "template": {"spec": {"containers": [
        {"name": f"c{i}", "image": f"registry.example.com/app{i}:1.{i}",
         "securityContext": {"runAsNonRoot": True}, "resources": {"limits": {"memory": f"{i + 1}Gi"}}}
        for i in range(3)]}}},
}  # fmt: skip
EXPRESSIONS = {
    "all() over containers": "object.spec.template.spec.containers.all(c, c.image.startsWith('registry.example.com/'))",
    "has() and in": "has(object.metadata.labels) && 'app' in object.metadata.labels",
    "matches()": "object.metadata.name.matches('^[a-z]+$')",
}
QUANTITY = "object.spec.template.spec.containers.all(c, quantity(c.resources.limits.memory).isLessThan(quantity('4Gi')))"


def per_eval(fn: Any, n: int) -> float:
    fn()
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1e6


def main() -> None:
    env = celpy.Environment()
    bound = bind({"object": DEPLOYMENT})
    print(
        f"{'expression':<28} {'cel-python':>11} {'cel-expr-python':>16} {'(bound once)':>13} {'ratio':>7}   (µs)"
    )
    for name, text in EXPRESSIONS.items():
        program = env.program(env.compile(text))
        slow = per_eval(lambda p=program: p.evaluate({"object": celpy.json_to_cel(DEPLOYMENT)}), 300)
        compiled = compile_expression(text, name)
        fast = per_eval(lambda c=compiled: evaluate(c, {"object": DEPLOYMENT}), 5000)
        reused = per_eval(lambda c=compiled: evaluate(c, bound), 5000)
        print(f"{name:<28} {slow:>11.1f} {fast:>16.1f} {reused:>13.1f} {slow / reused:>6.0f}x")
    compiled = compile_expression(QUANTITY, "quantity")
    fast = per_eval(lambda: evaluate(compiled, {"object": DEPLOYMENT}), 5000)
    reused = per_eval(lambda: evaluate(compiled, bound), 5000)
    print(f"{'quantity() (k8s library)':<28} {'n/a':>11} {fast:>16.1f} {reused:>13.1f}")


if __name__ == "__main__":
    main()
