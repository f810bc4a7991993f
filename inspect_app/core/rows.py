"""New rows of one model written by one Core INSERT, the objects then persistent in the session.

The ORM's flush of a few new objects costs more CPU than the statement it sends (unit of work,
state tracking, one pass per mapper); on a hot path that writes two or three rows — a submit's
history rows and signature files — :func:`insert` sends the same INSERT (one statement for all
rows, their ids returned in order) and attaches the objects as if flushed: afterwards they are
ordinary persistent objects with their ids, and the session's own flush finds nothing to do.
"""
from __future__ import annotations

from typing import Sequence

from sqlalchemy import inspect, insert as core_insert
from sqlalchemy.orm import Session, make_transient_to_detached


def insert(session: Session, objects: Sequence) -> None:
    """Write new (transient or pending, not yet flushed) objects of one model with an ``id``
    primary key; they come back persistent with their ids. Column defaults apply as in a flush."""
    if not objects:
        return
    mapper = inspect(objects[0]).mapper
    table = mapper.local_table
    columns = [(attr.key, attr.columns[0]) for attr in mapper.column_attrs if attr.key != "id"]
    rows = []
    for obj in objects:
        state = inspect(obj)
        if state.pending:
            session.expunge(obj)
        values = {}
        for key, column in columns:
            if key in state.dict:
                values[column.key] = state.dict[key]
            elif column.default is None and column.server_default is None:
                values[column.key] = None
        rows.append(values)
    if any(values.keys() != rows[0].keys() for values in rows):
        for obj in objects:            # rows of different shapes: the ordinary flush
            session.add(obj)
        session.flush(objects)
        return
    ids = session.execute(core_insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars().all()
    for obj, new_id in zip(objects, ids):
        obj.id = new_id
        make_transient_to_detached(obj)
        session.add(obj)
