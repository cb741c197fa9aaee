"""Find secrets in one file's bytes: keyword prefilter, regex, entropy floor, validators, allowlists."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

from hullguard.secrets.facts import RuleFacts
from hullguard.secrets.known import Known, known
from hullguard.secrets.rules import Rule, RuleSet

BINARY_SNIFF = 8192
MAX_KEY_PREFIX = 64
BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")
NAME_BYTES = frozenset(
    bytes([c]) for c in b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-."
)
MAX_STARS = 32
LOOK_MARGIN = 256
"""Bytes a lookaround may read beyond a match (`bounds.MAX_LOOKAROUND`)."""


@dataclass(frozen=True, slots=True)
class Hit:
    """One secret in one text. `secret` stays inside this package: only `redacted` and `digest` leave."""

    rule: Rule
    line: int
    start: int
    end: int
    secret: str

    @property
    def redacted(self) -> str:
        return redact(self.secret)

    @property
    def digest(self) -> str:
        return fingerprint(self.rule.id, self.secret)


def redact(secret: str) -> str:
    """At most the first and last four characters; short secrets show less, or nothing."""
    n = len(secret)
    keep = 4 if n >= 16 else 2 if n >= 10 else 0
    stars = "*" * min(max(n - 2 * keep, 1), MAX_STARS)
    return f"{secret[:keep]}{stars}{secret[n - keep :] if keep else ''}"


def fingerprint(rule_id: str, secret: str) -> str:
    """What a baseline stores: the rule and a hash of the secret, never the secret."""
    return hashlib.sha256(f"{rule_id}\0{secret}".encode()).hexdigest()


def is_binary(data: bytes) -> bool:
    """Text files have no NUL bytes near the start (the rule git and grep use)."""
    return b"\0" in data[:BINARY_SNIFF]


def shannon_entropy(text: str) -> float:
    if not text:
        return 0.0
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values())


class Keywords:
    """Where the rules' keywords occur in a text, in one pass over it (Aho-Corasick): the
    keyword prefilter runs on every text file of every layer, and a substring search per
    keyword read each file some 160 times (1.0 s against 0.16 s for the demo image's 12 MB of
    text). Bytes map one to one onto latin-1 characters, so matching stays bytewise."""

    def __init__(self, keywords: Iterable[bytes]) -> None:
        self._automaton = ahocorasick.Automaton()
        for keyword in set(keywords):
            self._automaton.add_word(keyword.decode("latin-1"), keyword)
        self._empty = not len(self._automaton)
        if not self._empty:
            self._automaton.make_automaton()

    def present(self, lowered: bytes) -> set[bytes]:
        return set(self.positions(lowered))

    def positions(self, lowered: bytes) -> dict[bytes, list[int]]:
        """Each keyword found, with the offsets where it starts, in order."""
        found: dict[bytes, list[int]] = {}
        if self._empty:
            return found
        for end, keyword in self._automaton.iter(lowered.decode("latin-1")):
            found.setdefault(keyword, []).append(end + 1 - len(keyword))
        return found


def windows(starts: Iterable[int], width: int, reach: int, size: int) -> list[tuple[int, int]]:
    """The spans a rule's regex must read, merged: `reach` (its longest match) on both sides
    of each keyword, and on the right a margin for lookaheads. A match contains its keyword,
    so it lies inside one span; the regex never reads further, whatever the line length.
    (The search starts at a span's start but sees the text before it, as lookbehinds, `\b`
    and `^` need: only its end cuts the text short.)"""
    spans: list[tuple[int, int]] = []
    for start in sorted(starts):
        lo, hi = max(0, start - reach), min(size, start + width + reach + LOOK_MARGIN)
        if spans and lo <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], hi))
        else:
            spans.append((lo, hi))
    return spans


class Detector:
    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self._keywords = Keywords(k for rule in ruleset.rules for k in rule.keywords)
        self._rules_of: dict[bytes, list[int]] = {}
        """Each keyword's rules, by their place in the rule set: a text's few keywords name the
        few rules to run (a loop over all 564 per file cost a tree of small files a third of
        its scan)."""
        for index, rule in enumerate(ruleset.rules):
            for keyword in set(rule.keywords):
                self._rules_of.setdefault(keyword, []).append(index)
        self._widths = [max(len(k) for k in rule.keywords) for rule in ruleset.rules]
        """Each rule's longest keyword, by place."""
        self._facts = RuleFacts.builtin()
        self._known_rules: Known | None = None
        self.work = 0
        """Bytes handed to regexes so far: at most (number of rules) x (bytes scanned)."""

    def scan(self, data: bytes, path: str) -> list[Hit]:
        """Every secret in `data` (text) found at `path`; overlapping matches keep the earlier rule."""
        if self.ruleset.allow.allows_path(path):
            return []
        found = self._keywords.positions(data.lower())
        claimed = bytearray(len(data)) if found else bytearray()
        spans: list[tuple[Rule, int, int, str]] = []
        rules = self.ruleset.rules
        for index in sorted({i for k in found for i in self._rules_of[k]}):
            rule = rules[index]
            if rule.paths and not any(p.search(path) for p in rule.paths):
                continue
            if rule.allow.paths and rule.allow.allows_path(path):
                continue
            starts = [p for k in rule.keywords for p in found.get(k, ())]  # never empty: found names it
            width = self._widths[index]
            group = "secret" if "secret" in rule.regex.groupindex else 0
            for lo, hi in windows(starts, width, self._facts.reach(rule), len(data)):
                self.work += hi - lo
                for m in rule.regex.finditer(data, lo, hi):
                    start, end = m.span(group)
                    if start < 0 or claimed.find(1, start, end) >= 0:
                        continue
                    secret = _trim(m.group(group).decode("utf-8", errors="replace"))
                    key = _key_of(data, m) if "key" in rule.regex.groupindex else None
                    if rule.defer and (self._known.claims(secret) or self._owned(m, key)):
                        continue
                    if self._accepts(rule, secret, key):
                        claimed[start:end] = b"\x01" * (end - start)
                        spans.append((rule, start, end, secret))
        return _with_lines(data, spans)

    @property
    def _known(self) -> Known:
        """Made when a deferring rule first matches, from the provider rules' marks (compiled
        with the data for the built-in rules, see `facts`)."""
        if self._known_rules is None:
            self._known_rules = known(self.ruleset.rules, self._facts.marks)
        return self._known_rules

    def _owned(self, m: re.Match[bytes], key: str | None) -> bool:
        """The value's name holds a provider's name whose rule did not take it; a password is
        not a provider token, so a name with `pass` in it (group `pw`) keeps its value."""
        if key is None or not self._known.names:
            return False
        return m.groupdict().get("pw") is None and self._known.owns(key)

    def _accepts(self, rule: Rule, secret: str, key: str | None) -> bool:
        if rule.entropy is not None and shannon_entropy(secret) < rule.entropy:
            return False
        if rule.allow.allows_secret(secret, key) or self.ruleset.allow.allows_secret(secret, key):
            return False
        # A placeholder is still a placeholder in base64 (`bm90IG15IHJlYWwgcGFzc3dvcmQ=`).
        plain = _printable_base64(secret)
        if plain is not None and self.ruleset.allow.allows_secret(plain, None):
            return False
        # ... and so is `user:pass` (its password part alone is the placeholder).
        password = plain.partition(":")[2] if plain is not None else ""
        if password and self.ruleset.allow.allows_secret(password, None):
            return False
        return rule.validate is None or VALIDATE[rule.validate](secret)


def _with_lines(data: bytes, spans: list[tuple[Rule, int, int, str]]) -> list[Hit]:
    """Hits in text order with their line numbers, counting line breaks once over the text."""
    hits: list[Hit] = []
    line, counted = 1, 0
    for rule, start, end, secret in sorted(spans, key=lambda s: s[1]):
        line += data.count(b"\n", counted, start)
        counted = start
        hits.append(Hit(rule, line, start, end, secret))
    return hits


def _key_of(data: bytes, m: re.Match[bytes]) -> str | None:
    """The name a secret is assigned to, widened to the left over name characters, since
    patterns start at the keyword (`ClientRequestToken`, not `Token`) to stay fast."""
    start, end = m.span("key")
    if start < 0:
        return None
    floor = max(0, start - MAX_KEY_PREFIX)
    while start > floor and data[start - 1 : start] in NAME_BYTES:
        start -= 1
    return data[start:end].decode("utf-8", errors="replace")


def _trim(secret: str) -> str:
    """Key bodies start and end with line breaks, real or JSON-escaped: not part of the secret."""
    secret = secret.strip()
    while secret.startswith("\\n"):
        secret = secret[2:].lstrip()
    while secret.endswith("\\n"):
        secret = secret[:-2].rstrip()
    return secret


def _b64decode(text: str) -> bytes | None:
    padded = text + "=" * (-len(text) % 4)
    try:
        return base64.b64decode(padded, altchars=b"-_" if "-" in text or "_" in text else None, validate=True)
    except (binascii.Error, ValueError):
        return None


def _printable_base64(text: str) -> str | None:
    """The text `text` encodes, when it is padded base64 of printable ASCII; else None."""
    if len(text) < 8 or len(text) % 4 or not BASE64.fullmatch(text):
        return None
    raw = _b64decode(text)
    if raw is None or not raw.isascii():
        return None
    plain = raw.decode("ascii")
    return plain if plain.isprintable() else None


JWT_HMAC = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
JWT_DEMO_SECRETS = (
    b"a-string-secret-at-least-256-bits-long",
    b"your-256-bit-secret",
    b"your-384-bit-secret",
    b"your-512-bit-secret",
)
"""The keys jwt.io signs its example tokens with: a token they verify is a documentation example."""


def _json_object(part: str) -> dict[str, object] | None:
    raw = _b64decode(part)
    try:
        value = json.loads(raw) if raw else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _valid_jwt(token: str) -> bool:
    """A JWT's header and claims are base64url JSON objects, the header naming its algorithm; an
    HMAC token that verifies with one of jwt.io's published example keys is an example, and so
    is any token with the jwt.io debugger's example claims (subject 1234567890, John Doe)."""
    header_part, _, rest = token.partition(".")
    claims_part, _, signature = rest.partition(".")
    header, claims = _json_object(header_part), _json_object(claims_part)
    if header is None or "alg" not in header or claims is None:
        return False
    if claims.get("sub") == "1234567890" and claims.get("name") == "John Doe":
        return False
    digest = JWT_HMAC.get(str(header["alg"]))
    if digest is None:
        return True
    signed = f"{header_part}.{claims_part}".encode()
    for key in JWT_DEMO_SECRETS:
        mac = base64.urlsafe_b64encode(hmac.new(key, signed, digest).digest()).rstrip(b"=").decode()
        if hmac.compare_digest(mac, signature):
            return False
    return True


def _valid_credentials(text: str) -> bool:
    """Base64 of `user:password` with a password that is not a placeholder."""
    raw = _b64decode(text)
    if raw is None:
        return False
    try:
        _user, sep, password = raw.decode("utf-8").partition(":")
    except UnicodeDecodeError:
        return False
    return bool(sep and password and not password.startswith("$"))


VALIDATE = {"jwt": _valid_jwt, "base64-credentials": _valid_credentials}

PKCS7_DATA_OID = bytes.fromhex("06092a864886f70d010701")


def is_pkcs12(data: bytes) -> bool:
    """DER PFX: a SEQUENCE holding version 3, then content of type pkcs7-data (RFC 7292)."""
    head = data[:64]
    return head[:1] == b"\x30" and b"\x02\x01\x03" in head[:12] and PKCS7_DATA_OID in head


FILE_KINDS = {"pkcs12": is_pkcs12}
