"""A trend of critical + high findings over an image's reports, as a small inline SVG (no scripts)."""

from __future__ import annotations

from collections.abc import Sequence

from hullguard.server.schema import Report


def sparkline(history: Sequence[Report], width: int = 120, height: int = 24) -> str:
    """`history` newest first, as queries.history returns it."""
    points = [r.critical + r.high for r in reversed(history)]
    if len(points) < 2:
        return f'<svg width="{width}" height="{height}" role="img" aria-label="no trend yet"></svg>'
    top = max(max(points), 1)
    step = (width - 4) / (len(points) - 1)
    coords = " ".join(f"{2 + i * step:.1f},{height - 2 - (p / top) * (height - 4):.1f}" for i, p in enumerate(points))
    colour = "#b71c1c" if points[-1] > points[0] else "#2e7d32" if points[-1] < points[0] else "#5b6673"
    label = f"critical and high findings: {points[0]} to {points[-1]} over {len(points)} reports"
    return (f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{label}">'
            f'<title>{label}</title><polyline fill="none" stroke="{colour}" stroke-width="2" points="{coords}"/></svg>')
