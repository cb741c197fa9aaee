"""The JSON API under /api/v1: scans, registry events, images and their reports, alerts."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from hullguard.errors import Error
from hullguard.server import queries
from hullguard.server.auth import reader, writer
from hullguard.server.events import parse_envelope
from hullguard.server.intake import admission_decision, runtime_alert
from hullguard.server.schema import Image, Report, Scan
from hullguard.server.store import ScanStatus, fail_scan, new_scan
from hullguard.server.tasks import QueueError
from hullguard.server.timeline import timeline, to_markdown

router = APIRouter(prefix="/api/v1")
MAX_BODY = 4 * 1024 * 1024
_LOCAL_SCHEMES = ("oci:", "oci-archive:", "docker-archive:", "docker-daemon:", "/", ".", "~")


class ScanRequest(BaseModel):
    target: str = Field(min_length=1, max_length=500, description="an image reference in a registry")


class Accepted(BaseModel):
    id: str
    status: str


async def _json_body(request: Request) -> Any:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise HTTPException(413, f"body over {MAX_BODY} bytes")
    try:
        return json.loads(body)
    except ValueError as e:
        raise HTTPException(400, f"body is not JSON: {e}") from e


def _check_target(target: str) -> str:
    from hullguard.registry.reference import parse_reference

    target = target.strip()
    if target.startswith(_LOCAL_SCHEMES):
        raise HTTPException(400, "target must be an image in a registry, not a path on the server")
    try:
        parse_reference(target)
    except (Error, ValueError) as e:
        raise HTTPException(400, f"target {target!r} is not an image reference: {e}") from e
    return target


@router.post("/scans", status_code=202, response_model=Accepted, dependencies=[Depends(writer)])
def post_scan(body: ScanRequest, request: Request) -> Accepted:
    target = _check_target(body.target)
    with request.app.state.sessions() as session:
        scan = new_scan(session, target, target, "api")
    _enqueue(request, scan.id)
    return Accepted(id=scan.id, status=scan.status)


def _enqueue(request: Request, scan_id: str) -> None:
    """Hand a stored scan to the queue; if the broker is away the scan is failed, not left queued."""
    try:
        request.app.state.queue.enqueue(scan_id)
    except QueueError as e:
        with request.app.state.sessions() as session:
            fail_scan(session, scan_id, e.diagnostics())
        raise HTTPException(503, f"{e.diagnostics()}; retry shortly", headers={"Retry-After": "5"}) from e


@router.get("/scans/{scan_id}", dependencies=[Depends(reader)])
def get_scan(scan_id: str, request: Request) -> dict[str, Any]:
    with request.app.state.sessions() as session:
        scan = session.get(Scan, scan_id)
        if scan is None:
            raise HTTPException(404, f"no scan {scan_id}")
        return queries.scan_dict(session, scan)


@router.post("/registry-events", status_code=202, dependencies=[Depends(writer)])
async def post_registry_events(request: Request) -> dict[str, Any]:
    try:
        pushes, ignored = parse_envelope(await _json_body(request))
    except Error as e:
        raise HTTPException(400, e.diagnostics()) from e
    ids = []
    with request.app.state.sessions() as session:
        for push in pushes:
            # Registries resend notifications they think failed: one scan per pushed digest.
            known = session.scalar(
                select(Scan.id).where(Scan.target == push.target, Scan.ref == push.ref,
                                      Scan.status != ScanStatus.FAILED.value)
            )
            ids.append(known or new_scan(session, push.target, push.ref, "registry-event").id)
            if known is None:
                _enqueue(request, ids[-1])  # a 503 makes the registry resend the envelope
    return {"scans": ids, "ignored": ignored}


@router.get("/images", dependencies=[Depends(reader)])
def get_images(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
    q: Annotated[str | None, Query(max_length=200)] = None,
    ref: Annotated[str | None, Query(max_length=500)] = None,
) -> JSONResponse:
    with request.app.state.sessions() as session:
        images, total = queries.image_page(session, limit, offset, q, ref)
        return JSONResponse({"images": images, "total": total})


def _image(session: Any, image_id: int) -> Image:
    image = session.get(Image, image_id)
    if image is None:
        raise HTTPException(404, f"no image {image_id}")
    return image  # type: ignore[no-any-return]


@router.get("/images/{image_id}/report", dependencies=[Depends(reader)])
def get_image_report(image_id: int, request: Request) -> Any:
    with request.app.state.sessions() as session:
        image = _image(session, image_id)
        report = session.get(Report, image.report_id) if image.report_id else None
        if report is None:
            raise HTTPException(404, f"image {image_id} has no report yet")
        return json.loads(report.document)


@router.get("/images/{image_id}/reports", dependencies=[Depends(reader)])
def get_image_history(image_id: int, request: Request) -> dict[str, Any]:
    with request.app.state.sessions() as session:
        _image(session, image_id)
        return {"reports": [queries.report_summary(r) for r in queries.history(session, image_id)]}


@router.get("/images/{image_id}/reports/{report_id}", dependencies=[Depends(reader)])
def get_image_old_report(image_id: int, report_id: int, request: Request) -> Any:
    with request.app.state.sessions() as session:
        report = session.get(Report, report_id)
        if report is None or report.image_id != image_id:
            raise HTTPException(404, f"image {image_id} has no report {report_id}")
        return json.loads(report.document)


@router.get("/images/{image_id}/timeline", dependencies=[Depends(reader)], response_model=None)
def get_image_timeline(
    image_id: int, request: Request, format: Annotated[str, Query(pattern="^(json|markdown)$")] = "json"
) -> Any:
    with request.app.state.sessions() as session:
        image = _image(session, image_id)
        entries = timeline(session, image_ref=image.ref)
    if format == "markdown":
        return PlainTextResponse(to_markdown(f"Incident timeline: {image.ref}", entries), media_type="text/markdown")
    return {"image": image.ref, "entries": [e.as_dict() for e in entries]}


@router.get("/alerts", dependencies=[Depends(reader)])
def get_alerts(request: Request, limit: Annotated[int, Query(ge=1, le=500)] = 50) -> dict[str, Any]:
    with request.app.state.sessions() as session:
        return {"alerts": [queries.alert_dict(a) for a in queries.recent_alerts(session, limit)]}


@router.post("/runtime-alerts", status_code=201, dependencies=[Depends(writer)])
async def post_runtime_alert(request: Request) -> dict[str, Any]:
    return await _intake(request, runtime_alert)


@router.post("/admission-decisions", status_code=201, dependencies=[Depends(writer)])
async def post_admission_decision(request: Request) -> dict[str, Any]:
    return await _intake(request, admission_decision)


async def _intake(request: Request, record: Any) -> dict[str, Any]:
    doc = await _json_body(request)
    with request.app.state.sessions() as session:
        try:
            alert = record(session, request.app.state.config, doc)
        except Error as e:
            raise HTTPException(400, e.diagnostics()) from e
        session.commit()
        return {"id": alert.id if alert else None, "duplicate": alert is None}
