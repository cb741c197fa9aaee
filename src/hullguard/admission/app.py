"""The webhook as an ASGI app (Starlette): /validate, /mutate, /healthz, /metrics.

Whatever arrives, the answer is an AdmissionReview or a 4xx naming the problem; a failure
inside a policy denies the request (fail closed) and the server keeps serving.
"""

from __future__ import annotations

import json
import time
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from hullguard.admission.decision import Decision, answer, refusal
from hullguard.admission.live import LiveReviewer
from hullguard.admission.log import DecisionLog
from hullguard.admission.metrics import Metrics
from hullguard.admission.review import MAX_BODY, ReviewError, parse_review
from hullguard.admission.review import Request as Review
from hullguard.admission.reviewer import Reviewer

JSON = "application/json"


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(body, separators=(",", ":")), status_code=status, media_type=JSON)


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        raise ReviewError(f"request body of {declared} bytes exceeds the {MAX_BODY}-byte limit")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise ReviewError(f"request body exceeds the {MAX_BODY}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


def _log_entry(endpoint: str, review: Review, decision: Decision) -> dict[str, Any]:
    return {
        "endpoint": endpoint,
        "uid": review.uid,
        "operation": review.operation,
        "subject": review.display,
        "user": str(review.user.get("username", "")),
        "dry_run": review.dry_run,
        "allowed": decision.allowed,
        "verdict": decision.verdict,
        "violations": [
            {
                "policy": v.policy,
                "check": v.check,
                "message": v.message,
                "actions": [a.value for a in v.actions],
            }
            for v in decision.violations
        ],
        "patched": len(decision.patch),
    }


def create_app(
    source: Reviewer | LiveReviewer, log: DecisionLog | None = None, metrics: Metrics | None = None
) -> Starlette:
    """`source`: fixed policies, or policies reloaded when their files change."""
    metrics = metrics or Metrics.create()

    async def handle(request: Request, mutating: bool) -> Response:
        endpoint = "mutate" if mutating else "validate"
        started = time.perf_counter()
        media = request.headers.get("content-type", "").partition(";")[0].strip()
        if media != JSON:
            metrics.invalid(endpoint, time.perf_counter() - started)
            return _json({"error": f"content type must be {JSON}, got {media or 'none'}"}, 415)
        try:
            review = parse_review(await _body(request))
        except ClientDisconnect:
            return Response(status_code=400)
        except ReviewError as e:
            metrics.invalid(endpoint, time.perf_counter() - started)
            if log is not None:
                log.append({"endpoint": endpoint, "uid": e.uid or "", "allowed": False, "verdict": "invalid",
                            "error": str(e)})  # fmt: skip
            if e.uid is None:
                return _json({"error": str(e)}, 400)
            return _json(refusal(e.uid, 400, f"hullguard cannot review this request: {e}"))
        reviewer = source.current if isinstance(source, LiveReviewer) else source
        try:
            if reviewer.needs_io(review):
                decision = await run_in_threadpool(reviewer.review, review, mutating)
            else:
                decision = reviewer.review(review, mutating)
        except Exception as e:  # a bug: refuse this request (fail closed), keep serving the next
            metrics.invalid(endpoint, time.perf_counter() - started)
            return _json(refusal(review.uid, 500, f"hullguard could not review this request: {e!r}"))
        if log is not None:
            log.append(_log_entry(endpoint, review, decision))
        metrics.record(endpoint, decision, time.perf_counter() - started)
        return _json(answer(review.uid, decision, mutating))

    async def validate(request: Request) -> Response:
        return await handle(request, mutating=False)

    async def mutate(request: Request) -> Response:
        return await handle(request, mutating=True)

    async def healthz(request: Request) -> Response:
        return Response("ok\n", media_type="text/plain")

    async def metrics_page(request: Request) -> Response:
        return Response(metrics.text(), media_type="text/plain; version=0.0.4")

    return Starlette(
        routes=[
            Route("/validate", validate, methods=["POST"]),
            Route("/mutate", mutate, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics_page, methods=["GET"]),
        ]
    )
