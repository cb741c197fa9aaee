"""API tokens: random, shown once, stored as their sha256; a role says what the holder may do."""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from hullguard.server.schema import Token

PREFIX = "hgt_"


class Role(StrEnum):
    ADMIN = "admin"
    """Reads and writes: scans, events, alerts."""
    VIEWER = "viewer"
    """Reads only."""


def _digest(token: str) -> str:
    # The tokens are 256 random bits: a plain hash is enough (no dictionary to guess from).
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, role: Role, name: str) -> str:
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(Token(name=name, role=role.value, digest=_digest(token), created_at=datetime.now(UTC)))
    session.commit()
    return token


CACHE_SECONDS = 5.0
_known: dict[str, tuple[float, Role]] = {}


def role_of(session: Session, token: str) -> Role | None:
    """The token's role; a valid token is remembered for a few seconds so that each request
    does not cost a query (a deleted token stops working within CACHE_SECONDS)."""
    digest = _digest(token)
    hit = _known.get(digest)
    if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    row = session.scalar(select(Token).where(Token.digest == digest))
    if row is None:
        return None
    if len(_known) > 10_000:
        _known.clear()
    _known[digest] = (time.monotonic(), Role(row.role))
    return Role(row.role)
