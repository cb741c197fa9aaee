"""Whether a variable name and value look like a credential set in plain text."""

from __future__ import annotations

import re

SECRET_NAME = re.compile(
    r"(?i)(^|[_.-])(pass(word|wd)?|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|"
    r"client[_-]?secret|auth|credentials?|jwt|session[_-]?key|signing[_-]?key|encryption[_-]?key)($|[_.-])"
)
NOT_SECRET_NAME = re.compile(
    r"(?i)(_file|_path|_dir|_url|_host|_port|_user(name)?|_length|_enabled|_id|_type|_method)$"
)
PLACEHOLDER = re.compile(
    r"^(\$.*|<.*>|\{\{.*\}\}|changeme|change[_-]?me|xxx+|\*+|none|null|true|false|yes|no|)$", re.I
)
KNOWN_TOKEN = re.compile(
    r"(AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36}|xox[baprs]-[A-Za-z0-9-]{10,}|-----BEGIN [A-Z ]*PRIVATE KEY-----|"
    r"glpat-[A-Za-z0-9_-]{20}|sk_live_[A-Za-z0-9]{20,})"
)


def looks_secret(name: str, value: str | None) -> bool:
    """A credential-like name with a literal, non-placeholder value; or a value that is a known token."""
    if value and KNOWN_TOKEN.search(value):
        return True
    if not SECRET_NAME.search(name) or NOT_SECRET_NAME.search(name):
        return False
    return value is not None and not PLACEHOLDER.match(value.strip())


def redact(value: str) -> str:
    return value[:4] + "****" if len(value) > 8 else "****"
