"""YAML/JSON documents with the line range of every node.

libyaml parses and composes the node graph; one pass of ours then builds plain Python values
and records each node's lines (YAML 1.1 scalars as PyYAML's safe loader reads them, except
that timestamps stay strings and unknown tags are read as their untagged value).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from hullguard.errors import Error
from hullguard.rules.base import NodePath

Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_SIZE = 8 << 20
TAG = "tag:yaml.org,2002:"
BOOLS = {"yes": True, "true": True, "on": True, "no": False, "false": False, "off": False}
SPECIAL_FLOATS = {".inf": float("inf"), "-.inf": float("-inf"), "+.inf": float("inf"), ".nan": float("nan")}
SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$")


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


def _int(text: str) -> int:
    value = text.replace("_", "")
    sign = -1 if value.startswith("-") else 1
    value = value.lstrip("+-")
    if value == "0":
        return 0
    if value.startswith("0b"):
        return sign * int(value[2:], 2)
    if value.startswith("0x"):
        return sign * int(value[2:], 16)
    if value.startswith("0") and value.isdigit():
        return sign * int(value, 8)
    if ":" in value:
        total = 0
        for part in value.split(":"):
            total = total * 60 + int(part)
        return sign * total
    return sign * int(value)


def _float(text: str) -> float:
    value = text.replace("_", "").lower()
    if value in SPECIAL_FLOATS:
        return SPECIAL_FLOATS[value]
    if SEXAGESIMAL.match(value):
        sign = -1.0 if value.startswith("-") else 1.0
        total = 0.0
        for part in value.lstrip("+-").split(":"):
            total = total * 60 + float(part)
        return sign * total
    return float(value)


def scalar(node: yaml.ScalarNode) -> Any:
    tag, text = node.tag, node.value
    if not tag.startswith(TAG):
        return text
    kind = tag[len(TAG) :]
    try:
        if kind == "null":
            return None
        if kind == "bool":
            return BOOLS.get(text.lower(), text)
        if kind == "int":
            return _int(text)
        if kind == "float":
            return _float(text)
    except ValueError:
        return text
    return text


class _Builder:
    def __init__(self, path: str) -> None:
        self.path = path
        self.spans: dict[NodePath, tuple[int, int]] = {}
        self.done: dict[int, Any] = {}

    def build(self, node: yaml.Node, at: NodePath) -> tuple[Any, int]:
        """The value of `node` and its last line; records spans under `at`."""
        start = node.start_mark.line + 1
        end = node.end_mark.line + (1 if node.end_mark.column > 0 else 0)
        known = id(node) in self.done
        if isinstance(node, yaml.ScalarNode):
            value: Any = scalar(node)
        elif known:
            value = self.done[id(node)]  # an alias: the anchor's value, not walked again
        elif isinstance(node, yaml.SequenceNode):
            value = []
            self.done[id(node)] = value
            last = start
            for n, child in enumerate(node.value):
                item, child_end = self.build(child, (*at, n))
                value.append(item)
                last = max(last, child_end)
            end = end if node.flow_style or not node.value else last
        elif isinstance(node, yaml.MappingNode):
            value = {}
            self.done[id(node)] = value
            last = start
            merges: list[Any] = []
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise YamlError(
                        f"{self.path}:{key_node.start_mark.line + 1}: not valid YAML: found unhashable key"
                    )
                if key_node.tag == TAG + "merge":
                    merged, _ = self.build(value_node, (*at, "<<"))
                    merges.extend(merged if isinstance(merged, list) else [merged])
                    continue
                key = scalar(key_node)
                item, child_end = self.build(value_node, (*at, key))
                key_start = key_node.start_mark.line + 1
                self.spans[(*at, key)] = (key_start, max(key_start, child_end))
                value[key] = item
                last = max(last, child_end)
            for source in merges:
                for k, v in source.items() if isinstance(source, dict) else ():
                    value.setdefault(k, v)
            end = end if node.flow_style or not node.value else last
        else:  # pragma: no cover - the composer makes only these three
            raise YamlError(f"{self.path}:{start}: unexpected YAML node {type(node).__name__}")
        end = max(start, end)
        self.spans.setdefault(at, (start, end))
        return value, end


TOP_KINDS = re.compile(r"^kind:[ \t]*['\"]?([A-Za-z]+)", re.M)
SKIPPED_KINDS = frozenset({"CustomResourceDefinition"})
"""Kinds no rule reads and that are large (CRD schemas are most of the bytes of real repos)."""


def only_skipped_kinds(text: str) -> bool:
    """Every document's top-level kind is one no rule reads (judged from the text, cheaply)."""
    kinds = set(TOP_KINDS.findall(text))
    return (
        bool(kinds)
        and kinds <= SKIPPED_KINDS
        and text.count("\nkind:") + text.startswith("kind:") == len(TOP_KINDS.findall(text))
    )


def check_syntax(text: str, path: str) -> None:
    """Parse without building anything: raises YamlError where the text is not YAML."""
    loader = Loader(text)
    try:
        while loader.check_event():
            loader.get_event()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"{path}:{mark.line + 1}" if mark else path
        raise YamlError(f"{where}: not valid YAML: {e.problem or e.context}") from e
    except yaml.YAMLError as e:
        raise YamlError(f"{path}: not valid YAML: {e}") from e
    finally:
        loader.dispose()


def load_documents(text: str, path: str) -> list[YamlDoc]:
    """Every document of a multi-document stream; raises YamlError with file:line on bad input."""
    if len(text) > MAX_SIZE:
        raise YamlError(f"{path}: larger than {MAX_SIZE} bytes; not parsed")
    loader = Loader(text)
    docs: list[YamlDoc] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            builder = _Builder(path)
            data = builder.build(node, ())[0] if node is not None else None
            docs.append(YamlDoc(data=data, spans=builder.spans, index=len(docs)))
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"{path}:{mark.line + 1}" if mark else path
        raise YamlError(f"{where}: not valid YAML: {e.problem or e.context}") from e
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as e:
        raise YamlError(f"{path}: not valid YAML: {e}") from e
    finally:
        loader.dispose()
    return docs
