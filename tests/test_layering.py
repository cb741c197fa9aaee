"""The package layering of DESIGN.md §2, computed from the source: every import counts, at
module level, inside functions and under TYPE_CHECKING. New top-level packages are covered as
soon as they exist."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import hullguard

SRC = Path(hullguard.__file__).parent
PIPELINE_CALLERS = frozenset({"cli", "server", "admission"})
"""The doors onto the pipeline: every other package is a stage below it."""


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def _imported(module: str, path: Path) -> Iterator[tuple[str, int]]:
    """Every module name `path` imports (relative imports resolved), with its line."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], *([node.module] if node.module else [])])
            yield base, node.lineno
            for alias in node.names:  # `from hullguard import cli` imports the package cli
                yield f"{base}.{alias.name}", node.lineno


def _top(module: str) -> str | None:
    """The top-level package (or module) of ours that `module` belongs to."""
    parts = module.split(".")
    if parts[0] != "hullguard" or len(parts) < 2:
        return None
    name = parts[1]
    return name if (SRC / name).is_dir() or (SRC / f"{name}.py").is_file() else None


def import_graph() -> dict[str, dict[str, list[str]]]:
    """{package: {imported package: [where, ...]}} between top-level packages."""
    graph: dict[str, dict[str, list[str]]] = {}
    for module, path in _modules():
        source = _top(module)
        if source is None:
            continue
        graph.setdefault(source, {})
        for target, line in _imported(module, path):
            top = _top(target)
            if top is not None and top != source:
                graph[source].setdefault(top, []).append(f"{path.relative_to(SRC)}:{line}")
    return graph


def cycles(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """The strongly connected components with more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _explain(graph: dict[str, dict[str, list[str]]], members: list[str]) -> str:
    return "; ".join(f"{a} -> {b} ({', '.join(graph[a][b][:3])})" for a in members for b in members if b in graph[a])


def test_the_graph_sees_every_kind_of_import() -> None:
    graph = import_graph()
    assert "pipeline" in graph["cli"], "module-level imports"
    assert "analyzers" in graph["pipeline"], "function-level imports (pipeline/local.py)"
    assert "rules" in graph["pipeline"], "TYPE_CHECKING imports (pipeline/options.py)"


def test_no_import_cycle_between_packages() -> None:
    graph = import_graph()
    assert cycles(graph) == [], "\n".join(_explain(graph, c) for c in cycles(graph))


def test_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b": ["a.py:1"]}, "b": {"c": ["b.py:1"]}, "c": {"a": ["c.py:1"]}, "d": {"a": ["d.py:1"]}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_model_imports_nothing_of_ours() -> None:
    assert import_graph()["model"] == {}


def test_report_imports_only_model() -> None:
    """And `datafiles`, the reader of the shipped data files, which imports nothing of ours."""
    assert set(import_graph()["report"]) <= {"model", "datafiles"}


def test_datafiles_imports_nothing_of_ours() -> None:
    assert import_graph()["datafiles"] == {}


def test_nothing_imports_cli() -> None:
    importers = {source: where["cli"] for source, where in import_graph().items() if "cli" in where}
    assert importers == {}


def test_stages_never_import_the_pipeline() -> None:
    importers = {
        source: where["pipeline"]
        for source, where in import_graph().items()
        if "pipeline" in where and source not in PIPELINE_CALLERS
    }
    assert importers == {}


def test_no_cli_module_constructs_a_report() -> None:
    """cli/ parses, calls the pipeline, prints and exits: reports are assembled in the pipeline."""
    offenders = []
    for path in sorted((SRC / "cli").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if name in {"Report", "Artifact"}:
                    offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert offenders == []
