"""Every configured policy run over one request, exemptions first; a policy's failure fails closed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from hullguard.admission.decision import Action, Decision, Outcome, Violation, decide
from hullguard.admission.fields import unknown_fields
from hullguard.admission.policy import Namespaces, Policy
from hullguard.admission.review import Request
from hullguard.errors import Error


class IoPolicy(Protocol):
    def needs_io(self, request: Request) -> bool: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Reviewer:
    validators: tuple[Policy, ...] = ()
    mutators: tuple[Policy, ...] = ()
    """Policies whose outcomes carry JSONPatch operations; they may deny as well."""
    namespaces: Namespaces = field(default_factory=Namespaces)
    exempt_namespaces: frozenset[str] = frozenset()
    blocking: tuple[IoPolicy, ...] = ()
    """Policies that may do network I/O (registry look-ups) for some requests."""
    warnings: tuple[str, ...] = ()
    """What the policies could not be given (RBAC data for `authorizer`), said once at start."""

    def needs_io(self, request: Request) -> bool:
        """Run this review off the event loop: an answer is not cached yet."""
        return any(p.needs_io(request) for p in self.blocking)

    def review(self, request: Request, mutating: bool = False) -> Decision:
        if request.namespace in self.exempt_namespaces:
            return decide(request.display, ())
        policies = self.mutators if mutating else self.validators
        unknown = unknown_fields(request.object, request.kind.kind) if request.object and policies else []
        if unknown:
            return decide(request.display, (_unknown(unknown),))
        return decide(request.display, self._outcomes(policies, request))

    def _outcomes(self, policies: tuple[Policy, ...], request: Request) -> Iterator[Outcome]:
        for policy in policies:
            try:
                yield policy.review(request, self.namespaces)
            except Error as e:
                yield _failed(policy.name, e.diagnostics())
            except Exception as e:  # a bug in a policy must not let the object through, nor crash the server
                yield _failed(policy.name, f"internal error: {e!r}")


def _unknown(fields: list[str]) -> Outcome:
    message = f"unknown field(s) {', '.join(fields)}: a misspelt field is ignored by Kubernetes, so it is refused here"
    return Outcome(
        violations=(
            Violation(
                policy="schema", check="unknown-field", message=message, actions=(Action.DENY,), code=400
            ),
        )
    )


def _failed(policy: str, message: str) -> Outcome:
    return Outcome(
        violations=(
            Violation(policy=policy, check="error", message=message, actions=(Action.DENY,), code=500),
        )
    )
