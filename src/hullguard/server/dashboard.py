"""The dashboard: server-rendered pages (Jinja2, no build step, no scripts), signed in by a token cookie."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from sqlalchemy import func, select

from hullguard.report.html import environment, view_of
from hullguard.server import queries
from hullguard.server.auth import COOKIE, caller_role
from hullguard.server.schema import SEVERITY_COLUMNS, Alert, Image, Report, Setting
from hullguard.server.timeline import timeline, to_markdown
from hullguard.server.tokens import role_of
from hullguard.server.trend import sparkline

router = APIRouter(include_in_schema=False)
_env = environment(Path(__file__).with_name("templates"))


def _page(name: str, **context: Any) -> HTMLResponse:
    return HTMLResponse(_env.get_template(name).render(**context))


def _signed_in(request: Request) -> bool:
    try:
        caller_role(request, allow_cookie=True)
    except HTTPException:
        return False
    return True


def _login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


@router.get("/login")
def login_form() -> HTMLResponse:
    return _page("login.html.j2")


@router.post("/login", response_model=None)
async def login(request: Request) -> Response:
    # A urlencoded form of two fields: parsed here rather than through python-multipart.
    body = await request.body()
    if len(body) > 4096:
        raise HTTPException(413, "form too large")
    form = parse_qs(body.decode("utf-8", "replace"))
    token, next = (form.get("token") or [""])[0], (form.get("next") or ["/"])[0]
    with request.app.state.sessions() as session:
        if role_of(session, token.strip()) is None:
            return _page("login.html.j2", error="unknown token")
    # Only a path on this site: never an open redirect to another origin. The cookie is SameSite=Lax:
    # it reads pages; every write takes a Bearer header, so a cross-site form cannot use it.
    target = next if next.startswith("/") and not next.startswith(("//", "/\\")) else "/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, token.strip(), httponly=True, samesite="lax", secure=request.url.scheme == "https")
    return response


@router.get("/", response_model=None)
def index(request: Request, q: Annotated[str | None, Query(max_length=200)] = None,
          offset: Annotated[int, Query(ge=0)] = 0) -> Response:
    if not _signed_in(request):
        return _login()
    limit = 50
    with request.app.state.sessions() as session:
        images, total = queries.list_images(session, limit, offset, q)
        sums = session.execute(select(*(func.coalesce(func.sum(getattr(Image, c)), 0) for c in SEVERITY_COLUMNS))).one()
        rows = [{"image": i, "counts": queries.counts_of(i), "trend": sparkline(queries.history(session, i.id, 20)),
                 "scanned": i.scanned_at.isoformat(timespec="minutes") if i.scanned_at else None} for i in images]
    totals = {name.upper(): int(v) for name, v in zip(SEVERITY_COLUMNS, sums, strict=True)}
    return _page("index.html.j2", rows=rows, totals=totals, total=total, q=q, offset=offset, limit=limit,
                 more=offset + limit < total)


@router.get("/images/{image_id}", response_model=None)
def image_page(image_id: int, request: Request) -> Response:
    if not _signed_in(request):
        return _login()
    with request.app.state.sessions() as session:
        image = session.get(Image, image_id)
        if image is None:
            raise HTTPException(404, f"no image {image_id}")
        report = session.get(Report, image.report_id) if image.report_id else None
        doc = json.loads(report.document) if report else None
        history = queries.history(session, image_id)
        alerts = queries.recent_alerts(session, 50, image_ref=image.ref)
    return _page("image_page.html.j2", image=image, doc=doc, view=view_of(doc) if doc else None,
                 history=[queries.report_summary(r) for r in history], trend=sparkline(history, 320, 48),
                 alerts=alerts, signature=image.signature)


@router.get("/alerts", response_model=None)
def alerts_page(request: Request) -> Response:
    if not _signed_in(request):
        return _login()
    with request.app.state.sessions() as session:
        return _page("alerts.html.j2", alerts=queries.recent_alerts(session, 200))


@router.get("/policies", response_model=None)
def policies_page(request: Request) -> Response:
    if not _signed_in(request):
        return _login()
    config = request.app.state.config
    with request.app.state.sessions() as session:
        seen = [(kind, title.split(":")[0], count) for kind, title, count in session.execute(
            select(Alert.kind, Alert.title, func.count()).where(Alert.kind.in_(("runtime", "admission")))
            .group_by(Alert.kind, Alert.title).limit(100))]
        last = session.get(Setting, "last_rejudge")
    merged: dict[tuple[str, str], int] = {}
    for kind, name, count in seen:
        merged[(kind, name)] = merged.get((kind, name), 0) + count
    return _page("policies.html.j2", config=config, ignores=config.ignore_rules, today=datetime.now(UTC).date(),
                 seen=[(k, n, c) for (k, n), c in sorted(merged.items())], last_rejudge=last.value if last else None)


def _timeline_args(image: str | None, workload: str | None) -> tuple[str | None, dict[str, str]]:
    query = {k: v for k, v in (("image", image), ("workload", workload)) if v}
    return (image or workload), query


@router.get("/timeline", response_model=None)
def timeline_page(request: Request, image: Annotated[str | None, Query(max_length=500)] = None,
                  workload: Annotated[str | None, Query(max_length=300)] = None) -> Response:
    if not _signed_in(request):
        return _login()
    subject, query = _timeline_args(image, workload)
    entries = []
    if subject:
        with request.app.state.sessions() as session:
            entries = timeline(session, image_ref=image, workload=workload)
    return _page("timeline.html.j2", entries=entries, subject=subject, image=image, workload=workload,
                 query=urlencode(query))


@router.get("/timeline.md", response_model=None)
def timeline_markdown(request: Request, image: Annotated[str | None, Query(max_length=500)] = None,
                      workload: Annotated[str | None, Query(max_length=300)] = None) -> Response:
    if not _signed_in(request):
        return _login()
    subject, _ = _timeline_args(image, workload)
    if not subject:
        raise HTTPException(400, "name an image or a workload")
    with request.app.state.sessions() as session:
        entries = timeline(session, image_ref=image, workload=workload)
    return PlainTextResponse(to_markdown(f"Incident timeline: {subject}", entries), media_type="text/markdown",
                             headers={"Content-Disposition": 'attachment; filename="timeline.md"'})
