"""Errors of the event rule engine: a condition that does not parse, a rule file that cannot load."""

from __future__ import annotations

from hullguard.errors import Error


class ConditionError(Error):
    """A condition or output template is not valid Falco syntax, or names what cannot be supplied."""

    def __init__(self, message: str, *, position: int | None = None) -> None:
        super().__init__(message if position is None else f"{message} (at character {position})")
        self.position = position


class UnknownField(ConditionError):
    """The condition or output names a field no extractor of this event source supplies."""

    def __init__(self, field: str) -> None:
        super().__init__(f"field {field!r} is not supplied by hullguard for this source")
        self.field = field


class RuleFileError(Error):
    """A rules file is unusable as a whole: not YAML, not a list, or needs a newer engine."""
