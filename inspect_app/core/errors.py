"""Domain exceptions raised by services; answered in one place (``core.web``: the error page,
or ``core.web.refusals`` where a page shows the problem on its form).

A refusal travels untranslated: ``message`` is an English msgid with its ``params``, ``where``
says what it is about (a field, a machine, a file), and an :class:`Invalid`'s ``problems`` are
located problems, each read by :func:`problem` as a :class:`Problem` (where, msgid, params).
The edge translates them in the reader's language.
"""
from __future__ import annotations

from typing import Any, NamedTuple


class Problem(NamedTuple):
    """One located problem: ``where`` (a field or column name, "" for the whole input), the
    English ``msgid`` and its ``params``."""

    where: str
    msgid: Any
    params: dict = {}

    def __str__(self) -> str:
        """In English, as logs, the command line and the JSON API keep it: "where: message"."""
        text = str(self.msgid) % self.params if self.params else str(self.msgid)
        return f"{self.where}: {text}" if self.where else text


def problem(value) -> Problem:
    """Any of the shapes services give a problem in, as a :class:`Problem`: a Problem, a
    ``(where, message)`` pair, a ``(where, msgid, params)`` triple, a ``"where: message"`` text, or an object with ``where`` (or
    ``column``) and ``message``."""
    if isinstance(value, Problem):
        return value
    if isinstance(value, tuple) and len(value) == 2:
        return Problem(str(value[0] or ""), value[1])
    if isinstance(value, tuple) and len(value) == 3:
        return Problem(str(value[0] or ""), value[1], dict(value[2] or {}))
    if isinstance(value, str) and hasattr(value, "msgid"):     # a domain Message: kept whole
        return Problem("", value)
    if isinstance(value, str):
        where, sep, message = value.partition(": ")
        return Problem(where, message) if sep and where and " " not in where.strip() else Problem("", value)
    where = getattr(value, "where", None) or getattr(value, "column", None) or ""
    return Problem(str(where), getattr(value, "message", value), dict(getattr(value, "params", None) or {}))


class DomainError(Exception):
    """Base class. ``message`` is shown to the user (translated at the edge); ``where``
    locates it (a field, a machine) when it is about one thing."""

    status = 400

    def __init__(self, message: str = "", *, where: str | None = None, **params):
        super().__init__(message)
        self.message = message
        self.where = where
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

    def __init__(self, message: str = "", problems: list | None = None, *, where: str | None = None,
                 **params):
        super().__init__(message, where=where, **params)
        self.problems = list(problems or [])


class Refused(Invalid):
    """Input the system cannot hold (a control character, a number beyond its column, JSON
    nested too deep), refused at the edge; ``problems`` say where."""

    status = 400
