"""Prometheus metrics of the webhook: reviews by endpoint and verdict, violations by policy, latency."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from hullguard.admission.decision import Decision

BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


@dataclass(frozen=True, slots=True)
class Metrics:
    registry: CollectorRegistry
    reviews: Counter
    violations: Counter
    latency: Histogram

    @classmethod
    def create(cls) -> Metrics:
        registry = CollectorRegistry()
        return cls(
            registry=registry,
            reviews=Counter(
                "hullguard_admission_reviews",
                "Admission reviews answered, by endpoint and verdict (allow, warn, deny, invalid).",
                ("endpoint", "verdict"),
                registry=registry,
            ),
            violations=Counter(
                "hullguard_admission_violations",
                "Violations found, by policy and action (Deny, Warn, Audit).",
                ("policy", "action"),
                registry=registry,
            ),
            latency=Histogram(
                "hullguard_admission_review_seconds",
                "Time to answer one review, by endpoint.",
                ("endpoint",),
                buckets=BUCKETS,
                registry=registry,
            ),
        )

    def record(self, endpoint: str, decision: Decision, seconds: float) -> None:
        self.reviews.labels(endpoint, decision.verdict).inc()
        for v in decision.violations:
            for action in v.actions:
                self.violations.labels(v.policy, action.value).inc()
        self.latency.labels(endpoint).observe(seconds)

    def invalid(self, endpoint: str, seconds: float) -> None:
        self.reviews.labels(endpoint, "invalid").inc()
        self.latency.labels(endpoint).observe(seconds)

    def text(self) -> bytes:
        return generate_latest(self.registry)
