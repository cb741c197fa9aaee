"""The dashboard: server-rendered pages (Jinja2), no build step."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
