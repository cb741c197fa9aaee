"""The connectivity list in np-guard netpol-analyzer's formats: txt, json, csv, md, dot."""

from __future__ import annotations

import csv
import io
import json

from hullguard.cluster.netpol.analyze import Analysis


def _rows(result: Analysis) -> list[tuple[str, str, str]]:
    return sorted((str(c.src), str(c.dst), str(c.conns)) for c in result.connections)


def render(result: Analysis, fmt: str) -> str:
    rows = _rows(result)
    if fmt == "json":
        return json.dumps([{"src": s, "dst": d, "conn": c} for s, d, c in rows], indent=2)
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows([("src", "dst", "conn"), *rows])
        return buffer.getvalue()
    if fmt == "md":
        return "| src | dst | conn |\n|-----|-----|------|\n" + "".join(
            f"| {s} | {d} | {c} |\n" for s, d, c in rows
        )
    return "".join(f"{s} => {d} : {c}\n" for s, d, c in rows)
