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


def path_limit(width: int) -> int:
    """How long a shown path may be on a terminal this wide."""
    return 56 if width >= 200 else 40 if width >= 140 else 28


def where(f: Finding, limit: int = PATH_LIMIT) -> str:
    loc = f.location
    if f.kind == "vulnerability":  # an OS package's database path says nothing its name does not
        path = loc.path or f.package.path
        return short_path(path, limit) if path and not f.package.type.is_os else ""
    if loc.path:
        return short_path(loc.path, limit) + (f":{loc.start_line}" if loc.start_line else "")
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


def fit_widths(natural: list[int], least: list[int], room: int, first: int | None = None) -> list[int] | None:
    """Column widths within ROOM: each as wide as its content when all fit; else each at least
    its `least` (a whole column's least is its content), column `first` then widened towards
    its content, and the rest of the room shared in proportion to what each still lacks.
    None when even the least widths do not fit."""
    if sum(natural) <= room:
        return natural
    spare = room - sum(least)
    if spare < 0:
        return None
    widths = list(least)
    if first is not None:
        extra = min(spare, natural[first] - least[first])
        widths[first] += extra
        spare -= extra
    lacking = [n - w for n, w in zip(natural, widths, strict=True)]
    total = sum(lacking)
    return [w + (spare * lack // total if total else 0) for w, lack in zip(widths, lacking, strict=True)]
