"""Domain exceptions raised by services; mapped to responses in one place (``core.web``)."""
from __future__ import annotations


class DomainError(Exception):
    """Base class. ``message`` is shown to the user (translated at the edge)."""

    status = 400

    def __init__(self, message: str = "", **params):
        super().__init__(message)
        self.message = message
        self.params = params


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    """The record changed since it was read (stale version) or the action clashes with its state."""

    status = 409


class Invalid(DomainError):
    """Input that fails validation; ``problems`` are located messages (field/row: message)."""

    status = 422

    def __init__(self, message: str = "", problems: list | None = None, **params):
        super().__init__(message, **params)
        self.problems = list(problems or [])


class Refused(Invalid):
    """Input the system cannot hold (a control character, a number beyond its column, JSON
    nested too deep), refused at the edge; ``problems`` say where."""

    status = 400
