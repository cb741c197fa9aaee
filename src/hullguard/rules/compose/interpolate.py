"""Compose variable interpolation ($VAR, ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:?e}, ${VAR?e}, ${VAR:+a},
${VAR+a}, $$) and the `.env` file it reads, as the Compose specification defines them.

Only values are interpolated, never keys, so every node keeps its path and its lines. Variables
come from the project's `.env` alone: the scanner's own environment is not the deployment's, and
`env_file:` files feed containers, not interpolation. Nothing here fails: a problem (an unset
variable, a missing required one, a malformed `${`) is recorded and the scan goes on, as Compose
does for unset variables (it warns and substitutes an empty string).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hullguard.rules.base import NodePath

NAME = re.compile(r"[_A-Za-z][_A-Za-z0-9]*")
BRACED = re.compile(r"([_A-Za-z][_A-Za-z0-9]*)(?:(:?[-+?])(.*))?", re.S)
TRUE = frozenset({"y", "yes", "true", "on"})
FALSE = frozenset({"n", "no", "false", "off"})
BOOLEAN_KEYS = frozenset({"privileged", "read_only", "init", "tty", "stdin_open", "oom_kill_disable"})
"""Service fields the Compose schema types as booleans: a string there is cast, as Compose does."""
MAX_DEPTH = 32


@dataclass
class Interpolator:
    env: Mapping[str, str]
    problems: list[tuple[NodePath, str]] = field(default_factory=list)
    at: NodePath = ()
    seen: dict[int, tuple[Any, Any]] = field(default_factory=dict)

    def text(self, text: str, depth: int = 0) -> str:
        out: list[str] = []
        i = 0
        while i < len(text):
            dollar = text.find("$", i)
            if dollar < 0:
                out.append(text[i:])
                break
            out.append(text[i:dollar])
            nxt = text[dollar + 1 : dollar + 2]
            if nxt == "$":
                out.append("$")
                i = dollar + 2
            elif nxt == "{":
                end = _closing_brace(text, dollar + 2)
                if end < 0:
                    self._problem(f"invalid interpolation format: unclosed ${{ in {text!r}")
                    out.append(text[dollar:])
                    break
                out.append(self._braced(text[dollar + 2 : end], depth))
                i = end + 1
            elif m := NAME.match(text, dollar + 1):
                out.append(self._lookup(m.group(0)))
                i = m.end()
            else:  # `$` not followed by a name is kept as it is
                out.append("$")
                i = dollar + 1
        return "".join(out)

    def _braced(self, body: str, depth: int) -> str:
        m = BRACED.fullmatch(body)
        if m is None or depth >= MAX_DEPTH:
            self._problem(f"invalid interpolation format: ${{{body}}}")
            return "${" + body + "}"
        name, op, arg = m.group(1), m.group(2), m.group(3) or ""
        value = self.env.get(name)
        present = value is not None if op and not op.startswith(":") else bool(value)
        match op:
            case None:
                return self._lookup(name)
            case ":-" | "-":
                return value if present and value is not None else self.text(arg, depth + 1)
            case ":+" | "+":
                return self.text(arg, depth + 1) if present else ""
            case _:  # ":?" or "?"
                if present and value is not None:
                    return value
                reason = self.text(arg, depth + 1) or "required"
                self._problem(f"required variable {name} is missing a value: {reason}; read as empty")
                return ""

    def _lookup(self, name: str) -> str:
        value = self.env.get(name)
        if value is None:
            self._problem(f"variable {name} is not set; read as an empty string")
            return ""
        return value

    def _problem(self, message: str) -> None:
        self.problems.append((self.at, message))

    def tree(self, data: Any, at: NodePath = ()) -> Any:
        """A copy of `data` with every string value interpolated (keys untouched).

        A collection reached again through a YAML alias is interpolated once and shared, as the
        parser shares it: an alias bomb costs no more than its text.
        """
        if isinstance(data, (dict, list)):
            done = self.seen.get(id(data))
            if done is not None:
                return done[1]
            result: Any
            if isinstance(data, dict):
                result = {k: self._value(k, v, (*at, k)) for k, v in data.items()}
            else:
                result = [self.tree(v, (*at, n)) for n, v in enumerate(data)]
            self.seen[id(data)] = (data, result)  # the source is kept so its id is not reused
            return result
        if isinstance(data, str) and "$" in data:
            self.at = at
            return self.text(data)
        return data

    def _value(self, key: Any, value: Any, at: NodePath) -> Any:
        result = self.tree(value, at)
        if key in BOOLEAN_KEYS and isinstance(result, str) and len(at) == 3 and at[0] == "services":
            lowered = result.strip().lower()
            if lowered in TRUE:
                return True
            if lowered in FALSE:
                return False
        return result


def _closing_brace(text: str, start: int) -> int:
    """Index of the `}` closing a `${` whose body starts at `start` (nested `${...}` counted), or -1."""
    depth = 1
    i = start
    while i < len(text):
        if text.startswith("$$", i):
            i += 2
            continue
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        if text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", '"': '"', "'": "'"}


def parse_dotenv(text: str) -> tuple[dict[str, str], list[tuple[int, str]]]:
    """Variables of a Compose `.env` file and the (line, problem) of each line that is not one.

    `KEY=VALUE`, optional `export `; `#` comments (inline only after whitespace when unquoted);
    single quotes literal; double quotes with escapes, possibly over several lines; unquoted and
    double-quoted values interpolated from the variables above them.
    """
    env: dict[str, str] = {}
    problems: list[tuple[int, str]] = []
    lines = text.splitlines()
    n = 0
    while n < len(lines):
        number, line = n + 1, lines[n].strip()
        n += 1
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        key, eq, rest = line.partition("=")
        key = key.strip()
        if not NAME.fullmatch(key):
            problems.append((number, f"not a variable assignment: {lines[number - 1]!r}"))
            continue
        if not eq:
            continue  # `KEY` alone takes the shell's value, which a scan does not have
        rest = rest.lstrip()
        interp = Interpolator(env)
        if rest.startswith("'"):
            end = _closing_quote(rest, "'")
            if end < 0:
                problems.append((number, f"{key}: unclosed single quote"))
                continue
            env[key] = rest[1:end].replace("\\'", "'")
        elif rest.startswith('"'):
            while _closing_quote(rest, '"') < 0 and n < len(lines):
                rest += "\n" + lines[n]
                n += 1
            end = _closing_quote(rest, '"')
            if end < 0:
                problems.append((number, f"{key}: unclosed double quote"))
                continue
            raw = re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(0)), rest[1:end])
            env[key] = interp.text(raw)
        else:
            value = re.split(r"\s#", rest, maxsplit=1)[0].strip()
            env[key] = interp.text(value)
        problems.extend((number, message) for _, message in interp.problems)
    return env, problems


def _closing_quote(text: str, quote: str) -> int:
    i = 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            return i
        i += 1
    return -1
