"""Every configured policy run over one request, exemptions first; a policy's failure fails closed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from hullguard.admission.decision import Action, Decision, Outcome, Violation, decide
from hullguard.admission.policy import Namespaces, Policy
from hullguard.admission.review import Request
from hullguard.errors import Error


@dataclass(frozen=True, slots=True, kw_only=True)
class Reviewer:
    validators: tuple[Policy, ...] = ()
    mutators: tuple[Policy, ...] = ()
    """Policies whose outcomes carry JSONPatch operations; they may deny as well."""
    namespaces: Namespaces = field(default_factory=Namespaces)
    exempt_namespaces: frozenset[str] = frozenset()
    blocking: bool = False
    """A policy does network I/O (registry look-ups): run reviews off the event loop."""

    def review(self, request: Request, mutating: bool = False) -> Decision:
        if request.namespace in self.exempt_namespaces:
            return decide(request.display, ())
        policies = self.mutators if mutating else self.validators
        return decide(request.display, self._outcomes(policies, request))

    def _outcomes(self, policies: tuple[Policy, ...], request: Request) -> Iterator[Outcome]:
        for policy in policies:
            try:
                yield policy.review(request, self.namespaces)
            except Error as e:
                yield _failed(policy.name, e.diagnostics())
            except Exception as e:  # a bug in a policy must not let the object through, nor crash the server
                yield _failed(policy.name, f"internal error: {e!r}")


def _failed(policy: str, message: str) -> Outcome:
    return Outcome(
        violations=(
            Violation(policy=policy, check="error", message=message, actions=(Action.DENY,), code=500),
        )
    )
