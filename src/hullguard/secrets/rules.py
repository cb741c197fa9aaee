"""Secret rules as data: parsed from `data/secret-rules.yaml` (or a user's file) into typed `Rule`s."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hullguard import datafiles
from hullguard.errors import Error
from hullguard.model import Severity

VALIDATORS = frozenset({"jwt", "base64-credentials"})
FILE_KINDS = frozenset({"pkcs12"})
"""Rules with `file:` find a whole file by its path and content (a PKCS#12 keystore), not text."""


class RuleError(Error):
    """A secret rule file is malformed: names the file, the rule and what was expected."""


class Pattern:
    """A regular expression (str) compiled on its first search: the built-in rules hold 150
    allow-list and path patterns, and a scan answered from the cache consults none of them.
    A user's rules are compiled when loaded, so a bad one is an error at once."""

    __slots__ = ("_compiled", "pattern")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._compiled: re.Pattern[str] | None = None

    def search(self, text: str) -> re.Match[str] | None:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern)
        return self._compiled.search(text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pattern) and other.pattern == self.pattern

    def __hash__(self) -> int:
        return hash(self.pattern)

    def __repr__(self) -> str:
        return f"Pattern({self.pattern!r})"


@dataclass(frozen=True, slots=True, kw_only=True)
class Allowlist:
    """Matches that are not secrets: by the secret itself, the key it is assigned to, or the path."""

    secrets: tuple[Pattern, ...] = ()
    keys: tuple[Pattern, ...] = ()
    paths: tuple[Pattern, ...] = ()

    def allows_secret(self, secret: str, key: str | None) -> bool:
        if any(p.search(secret) for p in self.secrets):
            return True
        return key is not None and any(p.search(key) for p in self.keys)

    def allows_path(self, path: str) -> bool:
        return any(p.search(path) for p in self.paths)

    def merged(self, other: Allowlist) -> Allowlist:
        return Allowlist(
            secrets=self.secrets + other.secrets,
            keys=self.keys + other.keys,
            paths=self.paths + other.paths,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    id: str
    family: str
    title: str
    severity: Severity
    keywords: tuple[bytes, ...]
    """Lower-case; the regex runs only on text containing one of them (none: always runs)."""
    pattern: bytes
    """The regex. Group `secret` is the credential (else the whole match); optional group `key` its name."""
    entropy: float | None = None
    paths: tuple[Pattern, ...] = ()
    """When set, the rule applies only to files whose path matches one of these."""
    validate: str | None = None
    file: str | None = None
    """One of FILE_KINDS: the finding is the file itself (its `paths` say which files to check)."""
    allow: Allowlist = field(default_factory=Allowlist)
    defer: bool = False
    """A generic rule: leaves alone values a provider rule knows by prefix or name (`known`)."""
    owns_names: tuple[str, ...] = ()
    """Lower-case provider names this rule knows every token format of: a value assigned to a
    name holding one (`LOKALISE_TOKEN`) that the rule did not take is no token, and the generic
    rules leave it alone (passwords excepted: `JIRA_PASSWORD` holds a password, not a token)."""
    matches: tuple[str, ...] = ()
    near_misses: tuple[str, ...] = ()
    example_path: str = "example.txt"

    @property
    def regex(self) -> re.Pattern[bytes]:
        """Compiled on first use: most scans need a fraction of the rules (a warm one, none)."""
        return _compiled(self.pattern)

    @property
    def reach(self) -> int:
        """The longest text a match spans (every quantifier is bounded, see `bounds`)."""
        return _reach(self.pattern)


@functools.cache
def _compiled(pattern: bytes) -> re.Pattern[bytes]:
    return re.compile(pattern)


@functools.cache
def _reach(pattern: bytes) -> int:
    from hullguard.secrets.bounds import bounds

    return bounds(pattern).reach


NOTHING_ALLOWED = Allowlist()

Documents = Callable[[], list[tuple[str, Any]]]
"""Rule documents, each with the name errors give it."""


class RuleSet:
    """The rules in force, in precedence order, and the allow-list that applies to every rule.

    Made from parsed rules, or (`deferred`) from rule documents read on first use: the
    built-in set is 564 rules in six files, and a rescan answered by the layer cache needs
    only their `origin` (a digest of those files, for the cache key) and the few rules its
    cached findings name (`rule`)."""

    __slots__ = ("_allow", "_documents", "_index", "_parsed", "_raw", "_rules", "origin")

    def __init__(self, rules: tuple[Rule, ...] = (), allow: Allowlist = NOTHING_ALLOWED) -> None:
        self._rules: tuple[Rule, ...] | None = tuple(rules)
        self._allow: Allowlist | None = allow
        self._documents: Documents | None = None
        self._index: dict[str, Rule] | None = None
        self._raw: dict[str, tuple[Any, str]] | None = None
        self._parsed: dict[str, Rule | None] = {}
        self.origin: str | None = None
        """A digest of the documents a deferred set is read from; None for any other set."""

    @classmethod
    def deferred(cls, origin: str, documents: Documents) -> RuleSet:
        ruleset = cls()
        ruleset._rules = ruleset._allow = None
        ruleset._documents = functools.cache(documents)
        ruleset.origin = origin
        return ruleset

    @property
    def rules(self) -> tuple[Rule, ...]:
        if self._rules is None:
            self._read_all()
        assert self._rules is not None
        return self._rules

    @property
    def allow(self) -> Allowlist:
        """Applies to every rule."""
        if self._allow is None:
            self._read_all()
        assert self._allow is not None
        return self._allow

    def ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.rules)

    def rule(self, rule_id: str) -> Rule | None:
        """The rule with this id; of a deferred set never read in full, only that rule is parsed."""
        if self._rules is not None:
            if self._index is None:
                self._index = {r.id: r for r in self._rules}
            return self._index.get(rule_id)
        if rule_id not in self._parsed:
            found = self._raw_rules().get(rule_id)
            self._parsed[rule_id] = None if found is None else parse_rule(*found, checked=False)
        return self._parsed[rule_id]

    def _raw_rules(self) -> dict[str, tuple[Any, str]]:
        if self._raw is None:
            assert self._documents is not None
            self._raw = {}
            for name, doc in reversed(self._documents()):  # the earlier file wins, as in `rules`
                for i, raw in reversed(list(enumerate(doc.get("rules") or ()))):
                    self._raw[raw["id"]] = (raw, f"{name}: rules[{i}]")
        return self._raw

    def _read_all(self) -> None:
        assert self._documents is not None
        parts = [rules_from(doc, name, checked=False) for name, doc in self._documents()]
        rules = tuple(r for part in parts for r in part.rules)
        seen: set[str] = set()
        for rule in rules:
            if rule.id in seen:
                raise RuleError(f"builtin secret rules: duplicate rule id {rule.id!r}")
            seen.add(rule.id)
        allow = parts[0].allow if parts else NOTHING_ALLOWED
        for part in parts[1:]:
            allow = allow.merged(part.allow)
        self._rules, self._allow = rules, allow

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RuleSet) and (self.rules, self.allow) == (other.rules, other.allow)

    def __hash__(self) -> int:
        return hash((self.rules, self.allow))

    def __repr__(self) -> str:
        if self._rules is None:
            return f"RuleSet(deferred, origin={self.origin})"
        return f"RuleSet({len(self._rules)} rules)"


BUILTIN_FILES = datafiles.SECRET_RULES
"""In precedence order (the earlier rule wins an overlap): core formats, providers, generic."""


def load_builtin() -> RuleSet:
    """Read on first use (see `RuleSet`), and unchecked: each regex compiles on first use, and
    tests/secrets/test_bounds.py holds the built-in rules to what `checked` enforces on a
    user's rules (compiling and bounding them all here cost a second of every secret scan)."""
    return RuleSet.deferred(
        datafiles.digest(BUILTIN_FILES), lambda: [(name, datafiles.load(name)) for name in BUILTIN_FILES]
    )


def parse_rules(text: str, where: str, checked: bool = True) -> RuleSet:
    import yaml

    try:
        # libyaml's safe loader where built: the builtin rules load in a tenth of the time.
        doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 (safe loaders only)
    except yaml.YAMLError as e:
        raise RuleError(f"{where}: not valid YAML: {e}") from e
    return rules_from(doc, where, checked)


def rules_from(doc: Any, where: str, checked: bool = True) -> RuleSet:
    """The rules of a parsed rules document (`rules:` list, optional `allow:`)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("rules", []), list):
        raise RuleError(f"{where}: expected a mapping with a `rules:` list")
    rules = tuple(parse_rule(raw, f"{where}: rules[{i}]", checked) for i, raw in enumerate(doc.get("rules") or ()))
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise RuleError(f"{where}: duplicate rule id {rule.id!r}")
        seen.add(rule.id)
    return RuleSet(rules=rules, allow=parse_allowlist(doc.get("allow"), f"{where}: allow", checked))


def parse_rule(raw: Any, where: str, checked: bool = True) -> Rule:
    if not isinstance(raw, dict):
        raise RuleError(f"{where}: expected a mapping")
    file_kind = raw.get("file")
    if file_kind is not None:
        if file_kind not in FILE_KINDS or not raw.get("paths") or "regex" in raw:
            raise RuleError(
                f"{where}: a `file:` rule names one of {', '.join(sorted(FILE_KINDS))} and `paths`, no regex"
            )
        raw = {**raw, "regex": "(?!)", "keywords": ["\0"]}  # never runs on text
    for key in ("id", "title", "regex"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise RuleError(f"{where}: `{key}` must be a non-empty string")
    where = f"{where} ({raw['id']})"
    try:
        severity = Severity.parse(str(raw.get("severity", "HIGH")))
    except ValueError as e:
        raise RuleError(f"{where}: {e}") from e
    validate = raw.get("validate")
    if validate is not None and validate not in VALIDATORS:
        raise RuleError(f"{where}: validate must be one of {', '.join(sorted(VALIDATORS))}")
    entropy = raw.get("entropy")
    if entropy is not None and not isinstance(entropy, int | float):
        raise RuleError(f"{where}: entropy must be a number")
    examples = raw.get("examples") or {}
    pattern = raw["regex"].encode()
    if checked:
        from hullguard.secrets.bounds import UnboundedPattern, bounds

        _compile_bytes(raw["regex"], where)
        try:
            bounds(pattern)
        except UnboundedPattern as e:
            raise RuleError(f"{where}: regex may take super-linear time: {e}") from e
    if not raw.get("keywords"):
        raise RuleError(f"{where}: `keywords` must name at least one word every match contains")
    return Rule(
        id=raw["id"],
        family=str(raw.get("family") or raw["id"].split("-")[0]),
        title=raw["title"],
        severity=severity,
        keywords=tuple(str(k).lower().encode() for k in _strings(raw.get("keywords"), f"{where}: keywords")),
        pattern=pattern,
        entropy=float(entropy) if entropy is not None else None,
        paths=tuple(_pattern(p, f"{where}: paths", checked) for p in _strings(raw.get("paths"), f"{where}: paths")),
        validate=validate,
        file=file_kind,
        allow=parse_allowlist(raw.get("allow"), f"{where}: allow", checked),
        defer=_flag(raw.get("defer"), f"{where}: defer"),
        owns_names=tuple(str(w).lower() for w in _strings(raw.get("owns_names"), f"{where}: owns_names")),
        matches=_strings(examples.get("match"), f"{where}: examples.match"),
        near_misses=_strings(examples.get("no_match"), f"{where}: examples.no_match"),
        example_path=str(examples.get("path") or "example.txt"),
    )


def parse_allowlist(raw: Any, where: str, checked: bool = True) -> Allowlist:
    if raw is None:
        return NOTHING_ALLOWED
    if not isinstance(raw, dict):
        raise RuleError(f"{where}: expected a mapping of secrets/keys/paths")
    return Allowlist(
        secrets=tuple(_pattern(p, where, checked) for p in _strings(raw.get("secrets"), f"{where}.secrets")),
        keys=tuple(_pattern(p, where, checked) for p in _strings(raw.get("keys"), f"{where}.keys")),
        paths=tuple(_pattern(p, where, checked) for p in _strings(raw.get("paths"), f"{where}.paths")),
    )


def with_overrides(base: RuleSet, extra: RuleSet, disabled: frozenset[str]) -> RuleSet:
    """`base` without `disabled`, plus `extra`'s rules (replacing same ids) and allowlist."""
    unknown = disabled - set(base.ids()) - set(extra.ids())
    if unknown:
        raise RuleError(f"cannot disable unknown secret rule(s): {', '.join(sorted(unknown))}")
    replaced = {r.id: r for r in extra.rules}
    kept = [replaced.pop(r.id, r) for r in base.rules if r.id not in disabled]
    kept.extend(r for r in extra.rules if r.id in replaced and r.id not in disabled)
    return RuleSet(rules=tuple(kept), allow=base.allow.merged(extra.allow))


def _pattern(pattern: str, where: str, checked: bool = True) -> Pattern:
    if checked:
        try:
            re.compile(pattern)
        except re.error as e:
            raise RuleError(f"{where}: bad regular expression {pattern!r}: {e}") from e
    return Pattern(pattern)


def _compile_bytes(pattern: str, where: str) -> re.Pattern[bytes]:
    try:
        return re.compile(pattern.encode())
    except re.error as e:
        raise RuleError(f"{where}: bad regular expression {pattern!r}: {e}") from e


def _flag(value: Any, where: str) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    raise RuleError(f"{where}: expected true or false")


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise RuleError(f"{where}: expected a string or a list of strings")
