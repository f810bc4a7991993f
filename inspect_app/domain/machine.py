"""The one shape of a state machine: a table of transitions and the refusal of what it omits.

Every record that moves through states (a visit and its inspections, a plan run, a finding,
a grade record, a grading application) has its machine written as a :class:`Machine`: a name
(where a refusal is located), a tuple of :class:`Transition` rows ``(from_state, event,
to_state)`` and the msgid of its refusal. An event the table does not list from a state is
refused with :class:`NotAllowed`, which carries (where, msgid, params) to be translated at
the edge. ``from_state`` ``None`` is the creation of a record.

Events that keep the state (a reminder, an extension granted) are rows too, so every history
line of a record names a row of its table. The table is the only place a machine lives; the
one applier (``core.machine.apply``) moves a row by it. A new machine is a table and a line.
Pure: no Flask, no database.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .translatable import N_


@dataclass(frozen=True)
class Transition:
    """One row of a machine: ``event`` moves a record from ``from_state`` to ``to_state``."""

    from_state: str | None
    event: str
    to_state: str


class NotAllowed(ValueError):
    """The table has no row for ``event`` from ``state``: a located, translatable refusal
    (``where`` the machine, ``msgid`` its refusal, ``params`` the state and the event)."""

    def __init__(self, machine: "Machine", state: str | None, event: str):
        super().__init__(f"{machine.name}: {event!r} is not allowed in state {state!r}")
        self.where = machine.name
        self.msgid = machine.refusal
        self.params = {"state": state, "event": event}
        self.state, self.event = state, event


@dataclass(frozen=True)
class Machine:
    """A named table of transitions. ``refusal`` is the msgid shown when an event is not
    allowed (``%(state)s`` is the record's state, translated by the feature's labels)."""

    name: str
    transitions: tuple[Transition, ...]
    refusal: str = N_("This cannot be done in the record's present state (%(state)s).")
    changed: str = N_("The record changed meanwhile; reload and try again.")
    _index: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        index: dict[tuple[str | None, str], Transition] = {}
        for row in self.transitions:
            key = (row.from_state, row.event)
            if key in index:
                raise ValueError(f"{self.name}: two rows for {key!r}")
            index[key] = row
        object.__setattr__(self, "_index", index)

    @classmethod
    def of(cls, name: str, rows: Iterable[tuple[str | None, str, str]], **texts) -> "Machine":
        """A machine from ``(from_state, event, to_state)`` triples."""
        return cls(name, tuple(Transition(*row) for row in rows), **texts)

    @property
    def states(self) -> tuple[str, ...]:
        """Every state the table names, in the order it first names them."""
        seen: dict[str, None] = {}
        for row in self.transitions:
            for state in (row.from_state, row.to_state):
                if state is not None:
                    seen.setdefault(state, None)
        return tuple(seen)

    @property
    def events(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(row.event for row in self.transitions))

    def next(self, state: str | None, event: str) -> Transition:
        """The row ``event`` takes from ``state``; :class:`NotAllowed` when there is none."""
        row = self._index.get((state, event))
        if row is None:
            raise NotAllowed(self, state, event)
        return row

    def allows(self, state: str | None, event: str) -> bool:
        return (state, event) in self._index

    def events_from(self, state: str | None) -> tuple[str, ...]:
        """The events allowed in ``state``, in table order (for buttons)."""
        return tuple(row.event for row in self.transitions if row.from_state == state)

    def targets(self, state: str | None) -> frozenset[str]:
        """The states reachable from ``state`` in one event."""
        return frozenset(row.to_state for row in self.transitions if row.from_state == state)

    def is_final(self, state: str) -> bool:
        """No event leaves ``state``."""
        return not any(row.from_state == state and row.to_state != state for row in self.transitions)
