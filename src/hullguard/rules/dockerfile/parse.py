"""Dockerfile parser: directives, continuations, heredocs, exec/shell forms, stages, ARG/ENV."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field

from hullguard.errors import Error

DIRECTIVE = re.compile(r"#\s*([A-Za-z]+)\s*=\s*(\S.*?)\s*$")
KNOWN_DIRECTIVES = frozenset({"syntax", "escape", "check"})
HEREDOC = re.compile(r"<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_.-]*)\2")
VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")
FLAGGED = frozenset({"FROM", "RUN", "COPY", "ADD", "HEALTHCHECK"})
EXPANDED = frozenset(
    {"FROM", "ENV", "ARG", "USER", "WORKDIR", "EXPOSE", "COPY", "ADD", "LABEL", "VOLUME", "STOPSIGNAL"}
)
EXEC_FORMS = frozenset({"RUN", "CMD", "ENTRYPOINT", "SHELL", "COPY", "ADD", "VOLUME"})
MAX_SIZE = 4 << 20


class DockerfileError(Error):
    """A Dockerfile that cannot be parsed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Heredoc:
    name: str
    body: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Instruction:
    keyword: str
    """Upper case: `RUN`, `COPY`, ..."""
    raw: str
    """The arguments as written, continuations joined, flags included."""
    value: str
    """The arguments without leading `--flags`, with ARG/ENV substituted where Docker does."""
    flags: tuple[tuple[str, str], ...] = ()
    exec_form: tuple[str, ...] | None = None
    heredocs: tuple[Heredoc, ...] = ()
    start_line: int
    end_line: int
    stage: int
    onbuild: bool = False
    """Written as `ONBUILD <keyword> ...`: runs in builds FROM this image, not in this one."""

    @property
    def lines(self) -> tuple[int, int]:
        return (self.start_line, self.end_line)

    def flag(self, name: str) -> str | None:
        return next((v for k, v in self.flags if k == name), None)

    @property
    def words(self) -> tuple[str, ...]:
        """Shell words of `value` (or the exec form); falls back to whitespace splitting."""
        if self.exec_form is not None:
            return self.exec_form
        try:
            return tuple(shlex.split(self.value, comments=False, posix=True))
        except ValueError:
            return tuple(self.value.split())

    @property
    def script(self) -> str:
        """The shell text a RUN executes: exec form joined, plus heredoc bodies."""
        text = " ".join(self.exec_form) if self.exec_form is not None else self.value
        return "\n".join([text, *(h.body for h in self.heredocs)])


@dataclass(frozen=True, slots=True, kw_only=True)
class Stage:
    index: int
    image: str
    """The base image after ARG substitution (`alpine:3.19`, `scratch`, or an earlier stage)."""
    alias: str | None
    instruction: Instruction
    instructions: tuple[Instruction, ...]
    implicit: bool = False
    """A file with no FROM (a fragment, as linters' samples are): its instructions as one stage."""

    @property
    def lines(self) -> tuple[int, int]:
        end = self.instructions[-1].end_line if self.instructions else self.instruction.end_line
        return (self.instruction.start_line, end)

    def all(self, keyword: str, onbuild: bool = False) -> tuple[Instruction, ...]:
        """`onbuild=True` includes `ONBUILD <keyword>` triggers."""
        return tuple(i for i in self.instructions if i.keyword == keyword and (onbuild or not i.onbuild))

    def last(self, keyword: str) -> Instruction | None:
        found = self.all(keyword)
        return found[-1] if found else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Dockerfile:
    path: str
    instructions: tuple[Instruction, ...]
    stages: tuple[Stage, ...]
    directives: tuple[tuple[str, str], ...] = ()
    dockerignore: bool | None = None
    """Whether a `.dockerignore` sits beside the file (None when unknown)."""
    comments: tuple[tuple[int, str], ...] = field(default=())
    """(line, text) of every comment line, for inline suppressions."""

    @property
    def final_stage(self) -> Stage:
        return self.stages[-1]

    def all(self, keyword: str, onbuild: bool = False) -> tuple[Instruction, ...]:
        """`onbuild=True` includes `ONBUILD <keyword>` triggers."""
        return tuple(i for i in self.instructions if i.keyword == keyword and (onbuild or not i.onbuild))

    def runs(self) -> tuple[Instruction, ...]:
        """Every RUN, `ONBUILD RUN` included: a trigger's script is as much the image's as its own."""
        return self.all("RUN", onbuild=True)

    def inherited(self, stage: Stage, keyword: str) -> Instruction | None:
        """The last `keyword` in effect for a stage: its own, else that of the earlier stage it builds on."""
        seen: set[int] = set()
        while stage.index not in seen:
            seen.add(stage.index)
            found = stage.last(keyword)
            if found is not None:
                return found
            parent = next(
                (s for s in self.stages[: stage.index] if s.alias and s.alias.lower() == stage.image.lower()),
                None,
            )
            if parent is None:
                return None
            stage = parent
        return None

    def stage_names(self) -> frozenset[str]:
        return frozenset(s.alias.lower() for s in self.stages if s.alias)


def expand(text: str, env: dict[str, str]) -> str:
    """Substitute `$VAR`, `${VAR}`, `${VAR:-default}` and `${VAR:+alt}` as the builder does."""

    def one(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(4)
        op, word = m.group(2), m.group(3) or ""
        value = env.get(name)
        if op in (":-", "-"):
            return value if value or (op == "-" and value is not None) else word
        if op in (":+", "+"):
            return word if value or (op == "+" and value is not None) else ""
        return value if value is not None else m.group(0)  # unknown here: left for the build to fill

    return VARIABLE.sub(one, text)


def parse_pairs(keyword: str, text: str) -> list[tuple[str, str | None]]:
    """`ENV a=1 b="x y"`, legacy `ENV a value`, `ARG name[=default]` as (name, value) pairs."""
    try:
        words = shlex.split(text, posix=True)
    except ValueError:
        words = text.split()
    if not words:
        return []
    if keyword == "ENV" and "=" not in words[0]:
        return [(words[0], text.split(None, 1)[1] if len(text.split(None, 1)) > 1 else "")]
    pairs: list[tuple[str, str | None]] = []
    for w in words:
        name, eq, value = w.partition("=")
        pairs.append((name, value if eq else None))
    return pairs


def parse_dockerfile(text: str, path: str, dockerignore: bool | None = None) -> Dockerfile:
    if len(text) > MAX_SIZE:
        raise DockerfileError(f"{path}: larger than {MAX_SIZE} bytes; not parsed")
    lines = text.splitlines()
    directives: list[tuple[str, str]] = []
    comments: list[tuple[int, str]] = []
    i = 0
    while (
        i < len(lines) and (m := DIRECTIVE.match(lines[i].strip())) and m.group(1).lower() in KNOWN_DIRECTIVES
    ):
        directives.append((m.group(1).lower(), m.group(2)))
        i += 1
    escape = dict(directives).get("escape", "\\")
    if escape not in ("\\", "`"):
        raise DockerfileError(f"{path}:{i}: escape directive must be \\ or `, not {escape!r}")
    instructions: list[Instruction] = []
    global_args: dict[str, str] = {}
    env: dict[str, str] = {}
    # A fragment with no FROM at all is linted as one implicit stage (see Stage.implicit).
    stage = -1 if any(re.match(r"\s*FROM\s", line, re.IGNORECASE) for line in lines) else 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            if stripped.startswith("#"):
                comments.append((i + 1, stripped))
            i += 1
            continue
        start = i
        logical = line.rstrip()
        while logical.endswith(escape) and i + 1 < len(lines):
            logical = logical[: -len(escape)]
            i += 1
            while i < len(lines) and (not lines[i].strip() or lines[i].lstrip().startswith("#")):
                if lines[i].lstrip().startswith("#"):
                    comments.append((i + 1, lines[i].strip()))
                i += 1
            if i < len(lines):
                logical += lines[i].rstrip()
        if logical.endswith(escape):
            logical = logical[: -len(escape)]
        keyword, _, raw = logical.strip().partition(" ")
        if not re.fullmatch(r"[A-Za-z]+", keyword):
            raise DockerfileError(f"{path}:{start + 1}: expected an instruction, found {keyword[:40]!r}")
        keyword = keyword.upper()
        raw = raw.strip()
        onbuild = keyword == "ONBUILD" and bool(raw)
        if onbuild:
            keyword, _, raw = raw.partition(" ")
            keyword, raw = keyword.upper(), raw.strip()
        heredocs: list[Heredoc] = []
        if keyword in ("RUN", "COPY", "ADD"):
            for m in HEREDOC.finditer(raw):
                strip_tabs, name = m.group(1) == "-", m.group(3)
                body: list[str] = []
                i += 1
                while i < len(lines) and (lines[i].lstrip("\t") if strip_tabs else lines[i]) != name:
                    body.append(lines[i])
                    i += 1
                if i >= len(lines):
                    raise DockerfileError(f"{path}:{start + 1}: heredoc <<{name} is never terminated")
                heredocs.append(Heredoc(name=name, body="\n".join(body)))
        flags: list[tuple[str, str]] = []
        rest = raw
        if keyword in FLAGGED:
            while rest.startswith("--"):
                word, _, rest = rest.partition(" ")
                rest = rest.lstrip()
                while rest.startswith(escape + " "):  # `\ ` between flags, as continued lines leave it
                    rest = rest[1:].lstrip()
                name, _, value = word[2:].partition("=")
                flags.append((name.lower(), value))
                rest = rest.lstrip()
        if keyword == "FROM" and not onbuild:
            stage += 1
            env = dict(global_args)
        scope = global_args if stage < 0 else env
        value = expand(rest, scope) if keyword in EXPANDED else rest
        exec_form = None
        if keyword in EXEC_FORMS and rest.startswith("["):
            try:
                parsed = json.loads(rest)
            except json.JSONDecodeError:
                parsed = None
            if isinstance(parsed, list) and all(isinstance(w, str) for w in parsed):
                exec_form = tuple(parsed)
        if keyword in ("ARG", "ENV"):
            for name, val in parse_pairs(keyword, value):
                if val is not None:
                    scope[name] = val
                elif keyword == "ARG" and stage >= 0 and name in global_args:
                    scope[name] = global_args[name]
        instructions.append(
            Instruction(
                keyword=keyword,
                raw=raw,
                value=value,
                flags=tuple(flags),
                exec_form=exec_form,
                heredocs=tuple(heredocs),
                start_line=start + 1,
                end_line=i + 1,
                stage=stage,
                onbuild=onbuild,
            )
        )
        i += 1
    return Dockerfile(
        path=path,
        instructions=tuple(instructions),
        stages=_stages(instructions, path),
        directives=tuple(directives),
        dockerignore=dockerignore,
        comments=tuple(comments),
    )


def _stages(instructions: list[Instruction], path: str) -> tuple[Stage, ...]:
    froms = [i for i in instructions if i.keyword == "FROM" and not i.onbuild]
    if not froms:
        if not instructions:
            raise DockerfileError(f"{path}: no instructions; not a Dockerfile")
        first = instructions[0]
        return (Stage(index=0, image="", alias=None, instruction=first, instructions=tuple(instructions), implicit=True),)
    stages = []
    for n, inst in enumerate(froms):
        words = inst.value.split()
        if not words:
            raise DockerfileError(f"{path}:{inst.start_line}: FROM needs an image")
        alias = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
        stages.append(
            Stage(
                index=n,
                image=words[0],
                alias=alias,
                instruction=inst,
                instructions=tuple(i for i in instructions if i.stage == n and i is not inst),
            )
        )
    return tuple(stages)
