"""The one applier of state machines: moves a model row by its table (``domain.machine``).

:func:`apply` asks the machine for the row of ``(state, event)`` — a refusal is a
:class:`~.errors.Conflict` located at the machine, its state shown by the feature's ``label``
— then makes the move under the guard given:

- ``guard=STATE``: a conditional ``UPDATE … SET state = :to, version = version + 1
  WHERE id = :id AND state = :from`` (and ``expect``'s columns), taken before the move's
  effects. Of two concurrent requests exactly one wins; the loser's move raises ``Conflict``
  (the machine's ``changed`` message), or returns None with ``lost_ok=True`` for callers that
  re-read and carry on (sweepers, a tablet's repeated start).
- ``guard=VERSION``: the row's attributes are set and flushed; the mapper's version column
  makes the UPDATE conditional on the version read, and a row changed meanwhile raises
  ``Conflict``. For rows changed together with other columns of the same request.

``history(transition)`` writes the history of the move (a history model row, an audit row, and
any effect that belongs to the move) in the same transaction, only when the move is made:
after the UPDATE for ``STATE``, before the flush for ``VERSION`` (so the flush that checks the
version carries the history too). Services flush, the edge commits.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import update
from sqlalchemy.orm.exc import StaleDataError

from ..domain.machine import Machine, NotAllowed, Transition
from ..extensions import db
from .errors import Conflict

STATE, VERSION = "state", "version"


def refusal(machine: Machine, state: str | None, label: Callable = str) -> Conflict:
    """The Conflict a refused event answers with (the state shown through ``label``)."""
    return Conflict(machine.refusal, where=machine.name, state=label(state) if state is not None else "")


def check(machine: Machine, state: str | None, event: str, label: Callable = str) -> Transition:
    """The transition ``event`` takes from ``state``, or the located Conflict (before any effect)."""
    try:
        return machine.next(state, event)
    except NotAllowed:
        raise refusal(machine, state, label) from None


def apply(machine: Machine, row, event: str, *, guard: str, column: str = "state",
          values: dict | None = None, expect: dict | None = None,
          history: Callable[[Transition], None] | None = None, label: Callable = str,
          lost_ok: bool = False, where: tuple = ()) -> Transition | None:
    """Move ``row`` by ``event`` under ``guard`` and write its history; the transition made.

    ``values`` are set with the move; ``expect`` (STATE guard only) adds columns that must
    still hold their value (None: IS NULL), and ``where`` further conditions of the UPDATE
    (the move is lost when one does not hold). See the module's docstring for the guards."""
    model = type(row)
    move = check(machine, getattr(row, column), event, label)
    values = dict(values or {})
    if guard == STATE:
        conditions = [model.id == row.id, getattr(model, column) == move.from_state]
        conditions += [getattr(model, k).is_(None) if v is None else getattr(model, k) == v
                       for k, v in (expect or {}).items()]
        conditions += list(where)
        if hasattr(model, "version"):
            values.setdefault("version", model.version + 1)
        moved = db.session.execute(
            update(model).where(*conditions).values({column: move.to_state, **values})
            .execution_options(synchronize_session=False)).rowcount
        db.session.expire(row)
        if moved != 1:
            if lost_ok:
                return None
            raise Conflict(machine.changed, where=machine.name)
        if history is not None:
            history(move)
        return move
    if guard == VERSION:
        if expect or where:
            raise ValueError("expect is a condition of the STATE guard")
        for key, value in values.items():
            setattr(row, key, value)
        setattr(row, column, move.to_state)
        if history is not None:
            history(move)
        try:
            db.session.flush()
        except StaleDataError:
            raise Conflict(machine.changed, where=machine.name) from None
        return move
    raise ValueError(f"unknown guard {guard!r}")
