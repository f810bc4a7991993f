"""The one applier (core.machine): a refused event, the conditional UPDATE that loses a race,
the version guard, and history written only by the move that was made."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from inspect_app.core import machine
from inspect_app.core.errors import Conflict
from inspect_app.core.types import utcnow
from inspect_app.domain.machine import Machine
from inspect_app.inspections.models import Visit

VISITING = Machine.of("test_visit", [("planned", "start", "in_progress"), ("in_progress", "complete", "completed")],
                      refusal="Not now (%(state)s).", changed="Changed meanwhile.")


@pytest.fixture
def visit(db, make):
    row = Visit(institution_id=make.institution().id, scheduled_for=date(2026, 6, 1), created_at=utcnow())
    db.session.add(row)
    db.session.flush()
    return row


def _elsewhere(db, visit, **values):
    """Another request changes the row behind the session's back."""
    db.session.execute(update(Visit).where(Visit.id == visit.id).values(**values)
                       .execution_options(synchronize_session=False))


@pytest.mark.parametrize("guard", [machine.STATE, machine.VERSION])
def test_a_move_sets_the_state_and_values_and_writes_its_history(db, visit, guard):
    written = []
    move = machine.apply(VISITING, visit, "start", guard=guard, column="status", values={"note": "go"},
                         history=written.append)
    db.session.refresh(visit)
    assert (visit.status, visit.note, visit.version) == ("in_progress", "go", 2)
    assert written == [move] and (move.from_state, move.to_state) == ("planned", "in_progress")


@pytest.mark.parametrize("guard", [machine.STATE, machine.VERSION])
def test_an_event_the_table_omits_is_a_located_conflict_before_any_effect(db, visit, guard):
    written = []
    with pytest.raises(Conflict) as refused:
        machine.apply(VISITING, visit, "complete", guard=guard, column="status", history=written.append,
                      label=str.upper)
    assert refused.value.where == "test_visit" and refused.value.message == "Not now (%(state)s)."
    assert refused.value.params == {"state": "PLANNED"}
    assert written == [] and visit.status == "planned" and visit.version == 1


def test_the_conditional_update_that_loses_the_race_is_a_conflict_and_writes_nothing(db, visit):
    _elsewhere(db, visit, status="in_progress", note="theirs")       # read as planned; moved meanwhile
    written = []
    with pytest.raises(Conflict) as lost:
        machine.apply(VISITING, visit, "start", guard=machine.STATE, column="status",
                      values={"note": "mine"}, history=written.append)
    assert lost.value.message == "Changed meanwhile." and lost.value.where == "test_visit"
    assert written == []
    db.session.refresh(visit)
    assert (visit.status, visit.note) == ("in_progress", "theirs")


def test_a_lost_race_may_be_taken_quietly_by_a_caller_that_re_reads(db, visit):
    _elsewhere(db, visit, status="in_progress")
    assert machine.apply(VISITING, visit, "start", guard=machine.STATE, column="status", lost_ok=True) is None


def test_expect_adds_columns_that_must_still_hold(db, visit):
    _elsewhere(db, visit, note="someone's")
    assert machine.apply(VISITING, visit, "start", guard=machine.STATE, column="status",
                         expect={"note": None}, lost_ok=True) is None
    assert machine.apply(VISITING, visit, "start", guard=machine.STATE, column="status",
                         expect={"note": "someone's"}) is not None


def test_the_version_guard_refuses_a_row_changed_since_it_was_read(db, visit):
    _elsewhere(db, visit, note="theirs", version=Visit.version + 1)   # same state, newer version
    written = []
    with pytest.raises(Conflict) as stale:
        machine.apply(VISITING, visit, "start", guard=machine.VERSION, column="status",
                      history=written.append)
    assert stale.value.message == "Changed meanwhile."
    db.session.rollback()
    assert db.session.get(Visit, visit.id) is None or db.session.get(Visit, visit.id).status == "planned"


def test_an_unknown_guard_is_a_programming_error(db, visit):
    with pytest.raises(ValueError):
        machine.apply(VISITING, visit, "start", guard="hope", column="status")
