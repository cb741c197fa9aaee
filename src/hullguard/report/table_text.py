"""Short texts for the table: counted nouns, paths shortened in the middle, layer labels."""

from __future__ import annotations

from hullguard.model import Finding

PATH_LIMIT = 56
STEP_LIMIT = 60
_SHELL = "/bin/sh -c "
_NOP = "/bin/sh -c #(nop)"


def plural(count: int, noun: str) -> str:
    """`1 issue`, `2 issues`, `0 packages`."""
    return f"{count} {noun if count == 1 else noun + 's'}"


def short_path(path: str, limit: int = PATH_LIMIT) -> str:
    """The path within `limit` characters by dropping folders from its middle. The first folder,
    the package folder and the file name stay whole, even if that is over the limit: they say
    which package it is."""
    if len(path) <= limit:
        return path
    parts = path.split("/")
    if len(parts) <= 3:
        return path
    keep = 2  # the package folder and the file
    while keep + 1 < len(parts) - 1 and len(_joined(parts, keep + 1)) <= limit:
        keep += 1
    return _joined(parts, keep)


def _joined(parts: list[str], keep: int) -> str:
    return "/".join((parts[0], "…", *parts[-keep:]))


def where(f: Finding) -> str:
    loc = f.location
    if loc.path:
        return short_path(loc.path) + (f":{loc.start_line}" if loc.start_line else "")
    if f.kind == "vulnerability" and f.package.path:
        return short_path(f.package.path)
    if loc.object:
        return loc.object.label()
    if loc.subject:
        return f"{loc.subject.kind} {loc.subject.name}"
    if loc.container:
        return loc.container.name or loc.container.id[:12]
    return ""


def step_text(created_by: str) -> str:
    """A history step as the Dockerfile said it: no `/bin/sh -c`, `#(nop)` or buildkit ARG
    prefix (`|1 V=2`), on one line."""
    text = " ".join(created_by.split()).removesuffix("# buildkit").rstrip()
    if text.startswith(_NOP):
        text = text[len(_NOP) :].strip()
    else:
        body = text.removeprefix("RUN ")
        if body.startswith("|") and _SHELL in body:
            body = body.split(_SHELL, 1)[1]
        body = body.removeprefix(_SHELL)
        if body != text or not text.split(" ", 1)[0].isupper():
            text = f"RUN {body}"
    return text if len(text) <= STEP_LIMIT else text[: STEP_LIMIT - 1] + "…"


def layer_label(digest: str, created_by: str | None, order: dict[str, int] | None) -> str:
    """`12ab34cd56ef RUN apt-get install …`, with the layer's number when `order` is given."""
    short = digest.split(":", 1)[-1][:12]
    number = f"Layer {order[digest] + 1} " if order is not None and digest in order else ""
    step = f" {step_text(created_by)}" if created_by else ""
    return f"{number}{short}{step}"
