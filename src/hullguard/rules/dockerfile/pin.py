"""`config --fix` for Dockerfiles: pin each FROM to the digest its tag points at today.

The digest comes from the registry (the caller passes a resolver, so this module never opens a
connection itself); the tag stays in the line for people to read (`FROM debian:12@sha256:…`),
as Docker accepts. Stage references, `scratch`, build variables and images already pinned are
left alone. The original is kept as `<name>.orig`, like the Kubernetes fixes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from hullguard.errors import Error
from hullguard.rules.dockerfile.parse import parse_dockerfile
from hullguard.rules.imageref import parse_ref

Resolver = Callable[[str], str]
"""Image reference -> `sha256:<hex>` of the manifest (or index) it names now; raises Error."""
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


def pin_dockerfile(path: Path, resolve: Resolver) -> list[str]:
    """Rewrite one Dockerfile; returns one line per FROM changed or refused."""
    text = path.read_text(encoding="utf-8")
    df = parse_dockerfile(text, str(path))
    lines = text.splitlines(keepends=True)
    notes: list[str] = []
    earlier: set[str] = set()
    changed = False
    for stage in df.stages:
        image, inst = stage.image, stage.instruction
        ref = parse_ref(image) if image else None
        if stage.alias:
            earlier.add(stage.alias.lower())
        if ref is None or image == "scratch" or image.lower() in earlier or ref.unresolved or ref.digest:
            continue
        try:
            digest = resolve(image)
        except Error as e:
            notes.append(f"{path}:{inst.start_line}: FROM {image} not pinned: {e}")
            continue
        if not DIGEST.fullmatch(digest):
            notes.append(f"{path}:{inst.start_line}: FROM {image} not pinned: the registry gave {digest!r}")
            continue
        index = inst.start_line - 1
        line = lines[index]
        # Pin the image word as written on the FROM line (ARG-substituted images are skipped above).
        pattern = re.compile(r"(?<=\s)" + re.escape(image) + r"(?=\s|$)")
        if not pattern.search(line):
            notes.append(f"{path}:{inst.start_line}: FROM {image} not pinned: the line is not in a form to rewrite")
            continue
        lines[index] = pattern.sub(f"{image}@{digest}", line, count=1)
        notes.append(f"{path}:{inst.start_line}: FROM {image} pinned to {digest}")
        changed = True
    if changed:
        backup = path.with_name(path.name + ".orig")
        if not backup.exists():
            backup.write_text(text, encoding="utf-8")
        path.write_text("".join(lines), encoding="utf-8")
    return notes
