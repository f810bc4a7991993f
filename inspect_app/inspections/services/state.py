"""How a visit or an inspection changes status: its machine (``domain.visits``) applied by
``core.machine`` with a conditional UPDATE (``… WHERE status = <from>``): of two concurrent
requests exactly one wins, the other sees ``False`` and re-reads. The winner's move is
recorded by one audit row (the history of the record).
"""
from __future__ import annotations

from ...core import audit, machine
from ...domain.visits import INSPECTION, VISIT
from ..models import Inspection, Visit

MACHINES = {Visit: VISIT, Inspection: INSPECTION}


def apply(actor, obj, event: str, *, values: dict | None = None, after: dict | None = None,
          expect: dict | None = None, where: tuple = ()) -> bool:
    """Move ``obj`` by ``event`` if it is still in the state it was read in (and its columns
    still equal ``expect``, and the further conditions ``where`` hold); set ``values`` with it;
    write the history row. Returns whether this call made the move (False: another request
    moved it first, or a condition does not hold; re-read it)."""
    model, obj_id = type(obj), obj.id

    def history(move) -> None:
        audit.record(actor, move.event, model.__tablename__, obj_id, before={"status": move.from_state},
                     after={"status": move.to_state,
                            **audit.jsonable(after if after is not None else values or {})})

    return machine.apply(MACHINES[model], obj, event, guard=machine.STATE, column="status",
                         values=values, expect=expect, where=where, history=history,
                         lost_ok=True) is not None
