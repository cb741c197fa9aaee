"""Who is calling: a Bearer token (the API) or the dashboard's cookie holding one (GET pages only)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import HTTPException, Request

from hullguard.server.tokens import Role, role_of

COOKIE = "hullguard_token"


def caller_role(request: Request, allow_cookie: bool) -> Role:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        token = request.cookies.get(COOKIE, "") if allow_cookie else ""
    if not token:
        raise HTTPException(401, "missing Authorization: Bearer TOKEN", headers={"WWW-Authenticate": "Bearer"})
    with request.app.state.sessions() as session:
        role = role_of(session, token.strip())
    if role is None:
        raise HTTPException(401, "unknown or revoked token", headers={"WWW-Authenticate": "Bearer"})
    return role


def require(role: Role, allow_cookie: bool = False) -> Callable[[Request], Role]:
    """A dependency: 401 without a valid token, 403 when a viewer asks to write."""

    def check(request: Request) -> Role:
        have = caller_role(request, allow_cookie)
        if role is Role.ADMIN and have is not Role.ADMIN:
            raise HTTPException(403, "this token's role is viewer: it cannot write")
        return have

    return check


reader = require(Role.VIEWER)
writer = require(Role.ADMIN)
page_reader = require(Role.VIEWER, allow_cookie=True)
