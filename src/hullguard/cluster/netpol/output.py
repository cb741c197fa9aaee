"""The connectivity list in np-guard netpol-analyzer's formats: txt, json, csv, md, dot."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from hullguard.cluster.netpol.analyze import Analysis
from hullguard.cluster.netpol.dot import render_dot
from hullguard.cluster.netpol.peers import IpRange


def _rows(result: Analysis) -> list[tuple[str, str, str]]:
    return sorted((str(c.src), str(c.dst), str(c.conns)) for c in result.connections)


def _table(rows: Sequence[tuple[str, str, str]], focus: bool) -> list[tuple[str, ...]]:
    """Rows as written: (a, b, conns), or (a, b) when every row is the focus connection."""
    return [r[:2] if focus else r for r in rows]


def _dicts(rows: Sequence[tuple[str, ...]], src_first: bool = True) -> list[dict[str, str]]:
    """Ingress exposure rows are (workload, source, conns): the workload is the destination."""
    out = []
    for r in rows:
        src, dst = (r[0], r[1]) if src_first else (r[1], r[0])
        out.append({"src": src, "dst": dst, **({"conn": r[2]} if len(r) > 2 else {})})
    return out


def _csv(rows: Sequence[Sequence[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _md_table(first: str, second: str, rows: Sequence[tuple[str, ...]], focus: bool) -> list[str]:
    if focus:
        return [f"| {first} | {second} |", "|-----|-----|", *(f"| {r[0]} | {r[1]} |" for r in rows)]
    return [
        f"| {first} | {second} | conn |",
        "|-----|-----|------|",
        *(f"| {a} | {b} | {c} |" for a, b, c in rows),
    ]


def render(result: Analysis, fmt: str) -> str:
    if fmt == "dot":
        return render_dot(result)
    if result.networks is not None and fmt in ("json", "csv", "md"):
        from hullguard.cluster.netpol.sections import render_networks_table

        return render_networks_table(result, fmt)
    focus = result.focus.conn is not None
    on = f" On {result.focus.conn}" if focus else ""
    rows = _table(_rows(result), focus)
    exposure = exposure_lines(result) if result.exposure is not None else None
    egress, ingress = (_table(exposure[0], focus), _table(exposure[1], focus)) if exposure else ([], [])
    if fmt == "json":
        if exposure is None:
            return json.dumps(_dicts(rows), indent=2)
        prefix = "_conn_focus" if focus else ""
        doc = {
            f"connlist{prefix}_results": _dicts(rows),
            f"exposure{prefix}_results": {
                # Go writes an empty list as null here, except in the copies made for --focus-conn
                "egress_exposure": _dicts(egress) or ([] if focus else None),
                "ingress_exposure": _dicts(ingress, src_first=False) or ([] if focus else None),
            },
        }
        return json.dumps(doc, indent=2)
    cols = ("conn",) if not focus else ()
    if fmt == "csv":
        text = _csv([("src", "dst", *cols), *rows])
        if exposure is not None:
            text += _csv([[f"Exposure Analysis Result{on}:", "", ""]])
            if egress:
                text += _csv([["Egress Exposure:", "", ""], ["src", "dst", *cols], *egress])
            if ingress:
                text += _csv([["Ingress Exposure:", "", ""], ["dst", "src", *cols], *ingress])
        return text
    if fmt == "md":
        lines = _md_table("src", "dst", rows, focus)
        if exposure is None:
            return "\n".join(lines) + "\n"
        sections = [
            "### Egress Exposure:\n" + "\n".join(_md_table("src", "dst", egress, focus)) + "\n"
            if egress
            else "",
            "### Ingress Exposure:\n" + "\n".join(_md_table("dst", "src", ingress, focus)) + "\n"
            if ingress
            else "",
        ]
        return "\n".join([*lines, f"## Exposure Analysis Result{on}:", *sections])
    if result.networks is not None:
        from hullguard.cluster.netpol.sections import render_networks_txt

        return render_networks_txt(result)
    text = f"Permitted connections on {result.focus.conn}:\n" if focus else ""
    text += "".join(f"{r[0]} => {r[1]}" + ("" if focus else f" : {r[2]}") + "\n" for r in rows)
    if result.exposure is not None:
        text += ("\n" if text else "") + render_exposure_txt(result)
    return text


def exposure_lines(
    result: Analysis,
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]], list[str], int]:
    """(egress rows, ingress rows, unprotected lines, width) where a row is (workload, other end, conns)."""
    exp = result.exposure
    assert exp is not None
    exposed = {str(w) for w in (*exp.egress, *exp.ingress)}
    egress: list[tuple[str, str, str]] = []
    ingress: list[tuple[str, str, str]] = []
    unprotected = []
    for table, rows, word in ((exp.egress, egress, "Egress"), (exp.ingress, ingress, "Ingress")):
        for w, entries in table.items():
            if entries is None:
                rows.append((str(w), "entire-cluster", "All Connections"))
                unprotected.append(f"{w} is not protected on {word}")
            else:
                rows.extend((str(w), str(t) if t else "entire-cluster", str(c)) for t, c in entries)
    for c in result.connections:
        if isinstance(c.src, IpRange) and str(c.dst) in exposed:
            ingress.append((str(c.dst), str(c.src), str(c.conns)))
        if isinstance(c.dst, IpRange) and str(c.src) in exposed:
            egress.append((str(c.src), str(c.dst), str(c.conns)))
    width = max((len(p) for p in exposed), default=0)
    return sorted(egress), sorted(ingress), sorted(unprotected), width


def render_exposure_txt(result: Analysis) -> str:
    egress, ingress, unprotected, width = exposure_lines(result)
    focus = result.focus.conn is not None
    out = f"Exposure Analysis Result{f' On {result.focus.conn}' if focus else ''}:\n"
    for rows, arrow, header in ((egress, "=>", "Egress Exposure:\n"), (ingress, "<=", "Ingress Exposure:\n")):
        if rows:
            out += ("\n" if rows is ingress and egress else "") + header
            out += "".join(
                f"{w:<{width}} \t{arrow} \t{o}" + ("" if focus else f" : {c}") + "\n" for w, o, c in rows
            )
    if unprotected and not focus:
        out += "\nWorkloads not protected by network policies:\n" + "".join(f"{u}\n" for u in unprotected)
    return out
