"""/metrics in Prometheus text, read from the database at scrape time so every worker's scans count."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hullguard.server.schema import SEVERITY_COLUMNS, Delivery, Image, Scan

BUCKETS = (1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)


class StoreCollector(Collector):
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily | HistogramMetricFamily]:
        with self._sessions() as session:
            by_status = dict(session.execute(select(Scan.status, func.count()).group_by(Scan.status)).all())
            scans = CounterMetricFamily("hullguard_scans", "Scans finished, by result", labels=["result"])
            for result in ("done", "failed"):
                scans.add_metric([result], float(by_status.get(result, 0)))
            yield scans
            depth = GaugeMetricFamily("hullguard_queue_depth", "Scans waiting for a worker")
            depth.add_metric([], float(by_status.get("queued", 0)))
            yield depth
            running = GaugeMetricFamily("hullguard_scans_running", "Scans a worker is on")
            running.add_metric([], float(by_status.get("running", 0)))
            yield running
            yield self._durations(session)
            sums = session.execute(select(*(func.coalesce(func.sum(getattr(Image, c)), 0) for c in SEVERITY_COLUMNS))).one()
            findings = GaugeMetricFamily("hullguard_findings", "Findings in images' latest reports, by severity",
                                         labels=["severity"])
            for name, value in zip(SEVERITY_COLUMNS, sums, strict=True):
                findings.add_metric([name.upper()], float(value))
            yield findings
            pending = GaugeMetricFamily("hullguard_alert_deliveries", "Alert deliveries by status", labels=["status"])
            for status, count in session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all():
                pending.add_metric([status], float(count))
            yield pending

    def _durations(self, session: Session) -> HistogramMetricFamily:
        rows = session.execute(
            select(Scan.started_at, Scan.finished_at).where(Scan.status == "done", Scan.started_at.is_not(None))
        ).all()
        seconds = [(f - s).total_seconds() for s, f in rows if f is not None and s is not None]
        buckets = [(str(b), float(sum(1 for x in seconds if x <= b))) for b in BUCKETS]
        buckets.append(("+Inf", float(len(seconds))))
        histogram = HistogramMetricFamily("hullguard_scan_duration_seconds", "Time from a worker's start to the stored report")
        histogram.add_metric([], buckets, sum_value=sum(seconds))
        return histogram


def render(sessions: sessionmaker[Session]) -> bytes:
    from prometheus_client import CollectorRegistry, generate_latest

    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreCollector(sessions))
    return generate_latest(registry)
