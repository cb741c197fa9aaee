"""YAML/JSON documents with the line range of every node (libyaml when available)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from hullguard.errors import Error
from hullguard.rules.base import NodePath

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Loader(_Base):  # type: ignore[misc]
    """The safe loader, plus YAML 1.1's `=` (value) tag read as the plain string it is in JSON."""


Loader.add_constructor("tag:yaml.org,2002:value", _Base.construct_yaml_str)
MAX_SIZE = 8 << 20


class YamlError(Error):
    """A YAML or JSON file that cannot be parsed."""


@dataclass(frozen=True, slots=True)
class YamlDoc:
    data: Any
    spans: dict[NodePath, tuple[int, int]]
    index: int

    def lines(self, node: NodePath) -> tuple[int, int]:
        """The line range of `node`, or of its nearest ancestor that exists."""
        while node not in self.spans and node:
            node = node[:-1]
        return self.spans.get(node, (1, 1))

    def key_line(self, node: NodePath) -> tuple[int, int]:
        return self.lines(node)


def _span(node: yaml.Node) -> tuple[int, int]:
    start = node.start_mark.line + 1
    end = node.end_mark.line + (1 if node.end_mark.column > 0 else 0)
    return (start, max(start, end))


def _record(node: yaml.Node, data: Any, path: NodePath, spans: dict[NodePath, tuple[int, int]]) -> int:
    """Record spans under `node`; return its last line (a block collection ends with its last child)."""
    start, end = _span(node)
    if isinstance(node, yaml.CollectionNode) and not node.flow_style and node.value:
        end = start
    if isinstance(node, yaml.MappingNode) and isinstance(data, dict):
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key: Any = key_node.value
            if key not in data:
                continue
            key_start = key_node.start_mark.line + 1
            child_end = _record(value_node, data[key], (*path, key), spans)
            spans[(*path, key)] = (key_start, max(key_start, child_end))
            end = max(end, child_end)
    elif isinstance(node, yaml.SequenceNode) and isinstance(data, list):
        for n, (child, value) in enumerate(zip(node.value, data, strict=False)):
            end = max(end, _record(child, value, (*path, n), spans))
    if isinstance(node, yaml.CollectionNode) and not node.flow_style and node.value and end == start:
        end = max(start, _span(node)[1])
    spans[path] = (start, end)
    return end


def load_documents(text: str, path: str) -> list[YamlDoc]:
    """Every document of a multi-document stream; raises YamlError with file:line on bad input."""
    if len(text) > MAX_SIZE:
        raise YamlError(f"{path}: larger than {MAX_SIZE} bytes; not parsed")
    loader = Loader(text)
    docs: list[YamlDoc] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            data = loader.construct_document(node)
            spans: dict[NodePath, tuple[int, int]] = {}
            if node is not None:
                _record(node, data, (), spans)
            docs.append(YamlDoc(data=data, spans=spans, index=len(docs)))
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"{path}:{mark.line + 1}" if mark else path
        raise YamlError(f"{where}: not valid YAML: {e.problem or e.context}") from e
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as e:
        raise YamlError(f"{path}: not valid YAML: {e}") from e
    finally:
        loader.dispose()
    return docs
