"""`admission test`: one object judged offline by the policies a webhook would run, as its answer."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from hullguard.admission.config import Settings, build_reviewer
from hullguard.admission.decision import answer
from hullguard.admission.files import ConfigError, read_text
from hullguard.admission.review import make_review, parse_review
from hullguard.rules.kubernetes.yamldoc import load_documents

MAX_OBJECT = 3 << 20


def read_object(path: Path) -> dict[str, Any]:
    docs = [d.data for d in load_documents(read_text(path, MAX_OBJECT), str(path)) if d.data is not None]
    if len(docs) != 1 or not isinstance(docs[0], dict) or "kind" not in docs[0]:
        raise ConfigError(f"{path}: expected exactly one Kubernetes object (with kind)")
    return docs[0]


def judge(
    settings: Settings,
    policy: Path,
    obj: dict[str, Any] | None,
    *,
    old_object: dict[str, Any] | None = None,
    operation: str | None = None,
    namespace: str | None = None,
    username: str = "admin",
    groups: tuple[str, ...] = (),
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The AdmissionReview answer, with the request's verdict in a few words beside it, and what
    the policies could not be given (warnings)."""
    chosen = dataclasses.replace(settings, vap_files=(*settings.vap_files, policy))
    reviewer = build_reviewer(chosen)
    op = operation or ("UPDATE" if old_object is not None else "CREATE")
    review = make_review(
        None if op == "DELETE" else obj,
        operation=op,
        namespace=namespace,
        old_object=obj if op == "DELETE" else old_object,
        username=username,
        groups=groups,
    )
    request = parse_review(json.dumps(review).encode())
    decision = reviewer.review(request)
    result = answer(request.uid, decision)
    result["verdict"] = decision.verdict
    return result, reviewer.warnings
