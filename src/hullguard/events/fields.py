"""Typed fields: what a condition can read from an event, supplied by extractors per event source."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

E = TypeVar("E")

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
Scalar = str | int | bool | IP
Value = Scalar | tuple[Scalar, ...] | None
"""What an extractor returns: one value, several (list fields, any-match), or None when unknown."""


class FieldType(StrEnum):
    STRING = "string"
    INT = "int"
    BOOL = "bool"
    IPADDR = "ipaddr"
    IPNET = "ipnet"
    """An address compared against networks: `fd.net = "10.0.0.0/8"`."""


class ArgKind(StrEnum):
    NONE = "none"
    INDEX = "index"
    """`proc.aname[2]`: a number."""
    KEY = "key"
    """`evt.arg.flags`, `evt.arg[flags]`, `container.mount.dest[/etc]`: a name."""


Extractor = Callable[[E, str | None], Value]


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldSpec(Generic[E]):
    name: str
    type: FieldType
    extract: Extractor[E]
    desc: str = ""
    arg: ArgKind = ArgKind.NONE
    arg_required: bool = False
    multi: bool = False
    """The value is a tuple; comparisons hold when any element matches (`intersects` uses all)."""


@dataclass(frozen=True, slots=True)
class FieldTable(Generic[E]):
    """The fields one event source supplies, by name. Duplicate names fail at construction."""

    source: str
    specs: tuple[FieldSpec[E], ...]
    _by_name: Mapping[str, FieldSpec[E]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        by_name: dict[str, FieldSpec[E]] = {}
        for spec in self.specs:
            if spec.name in by_name:
                raise ValueError(f"duplicate field {spec.name} in source {self.source}")
            by_name[spec.name] = spec
        object.__setattr__(self, "_by_name", by_name)

    def resolve(self, name: str, arg: str | None) -> tuple[FieldSpec[E], str | None] | None:
        """The spec and argument for `name` (with `[arg]` already split off), or None.

        Falco also writes a key argument after a dot: `evt.arg.flags` is `evt.arg[flags]`."""
        spec = self._by_name.get(name)
        if spec is not None:
            if arg is None and spec.arg_required:
                return None
            if arg is not None and spec.arg is ArgKind.NONE:
                return None
            if arg is not None and spec.arg is ArgKind.INDEX and not arg.isdigit():
                return None
            return spec, arg
        head, _, key = name.rpartition(".")
        while head and arg is None:
            spec = self._by_name.get(head)
            if spec is not None and spec.arg is ArgKind.KEY:
                return spec, key
            head, _, rest = head.rpartition(".")
            key = f"{rest}.{key}"
        return None

    def names(self) -> Iterable[str]:
        return self._by_name.keys()


def field_spec(name: str, type: FieldType, extract: Extractor[Any], desc: str = "", **kw: Any) -> FieldSpec[Any]:
    return FieldSpec(name=name, type=type, extract=extract, desc=desc, **kw)
