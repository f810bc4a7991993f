"""The feature's two state machines, as tables, and the one function that moves a record.

Visit:       planned → in_progress (its first part is started) → completed (every part
             submitted); planned / in_progress → cancelled.
Inspection:  assigned → draft (the tablet starts it, minting the submission id)
             → submitted (read-only from then on).

:func:`apply` moves a record with a conditional UPDATE (``… WHERE status = <from>``): of two
concurrent requests exactly one wins, the other sees ``False`` and re-reads. The winner's
move is recorded by one audit row (the history of the record).
"""
from __future__ import annotations

from sqlalchemy import update

from ...core import audit
from ...core.errors import Conflict
from ...extensions import db
from ..models import (ASSIGNED, CANCELLED, COMPLETED, DRAFT, IN_PROGRESS, PLANNED, SUBMITTED,
                      Inspection, Visit)

VISIT_TRANSITIONS: dict[tuple[str, str], str] = {
    (PLANNED, IN_PROGRESS): "start",
    (IN_PROGRESS, COMPLETED): "complete",
    (PLANNED, CANCELLED): "cancel",
    (IN_PROGRESS, CANCELLED): "cancel",
}
INSPECTION_TRANSITIONS: dict[tuple[str, str], str] = {
    (ASSIGNED, DRAFT): "start",
    (DRAFT, SUBMITTED): "submit",
}
_TABLES = {Visit: VISIT_TRANSITIONS, Inspection: INSPECTION_TRANSITIONS}


def allowed(obj, to: str) -> bool:
    return (obj.status, to) in _TABLES[type(obj)]


def apply(actor, obj, to: str, *, values: dict | None = None, after: dict | None = None,
          expect: dict | None = None, where: tuple = ()) -> bool:
    """Move ``obj`` to ``to`` if it is still in the state it was read in (and its columns
    still equal ``expect``, and the further conditions ``where`` hold); set ``values`` with
    it; write the history row. Returns whether this call made the move (False: another
    request moved it first, or a condition does not hold; re-read it)."""
    model = type(obj)
    current, obj_id = obj.status, obj.id
    action = _TABLES[model].get((current, to))
    if action is None:
        raise Conflict("This cannot be done in the record's present state (%(state)s).", state=current)
    values = dict(values or {})
    table = model.__table__          # a Core UPDATE: no ORM bookkeeping (the object is expired below)
    conditions = [table.c.id == obj_id, table.c.status == current]
    conditions += [table.c[k].is_(None) if v is None else table.c[k] == v for k, v in (expect or {}).items()]
    conditions += list(where)
    moved = db.session.execute(
        update(table).where(*conditions).values(status=to, version=table.c.version + 1, **values)).rowcount
    db.session.expire(obj)
    if moved != 1:
        return False
    audit.record(actor, action, model.__tablename__, obj_id, before={"status": current},
                 after={"status": to, **audit.jsonable(after if after is not None else values)})
    return True
