"""The five state machines, each as its full table: every (state, event) either moves as the
table below says or is refused, located at its machine."""
from __future__ import annotations

import pytest

from inspect_app.domain.grading import lifecycle as life
from inspect_app.domain import visits
from inspect_app.domain.planning import plans
from inspect_app.domain.rectification import hazard
from inspect_app.domain.rectification import states as rectification
from inspect_app.domain.machine import Machine, NotAllowed, Transition

A, R, RE, C, CL, W = "open", "responded", "reopened", "contested", "closed", "withdrawn"

EXPECTED = {
    visits.VISIT: {
        ("planned", "start"): "in_progress", ("in_progress", "complete"): "completed",
        ("planned", "cancel"): "cancelled", ("in_progress", "cancel"): "cancelled",
    },
    visits.INSPECTION: {("assigned", "start"): "draft", ("draft", "submit"): "submitted"},
    plans.RANDOM_JOINT_RUN: {
        (None, "freeze"): "frozen", ("frozen", "seed"): "seeded", ("seeded", "draw"): "drawn",
        ("seeded", "declare_infeasible"): "infeasible", ("drawn", "publish"): "published",
    },
    plans.ROUTINE_RUN: {(None, "freeze"): "frozen", ("frozen", "draw"): "drawn"},
    rectification.FINDING: {
        ("", "issue"): A,
        ("", "rectify_on_spot"): CL,                    # 当场整改: created closed
        (A, "respond"): R, (RE, "respond"): R,
        (A, "request_extension"): A, (RE, "request_extension"): RE,
        **{(s, e): s for s in (A, RE, R) for e in ("grant_extension", "refuse_extension")},
        (A, "reply"): C, (RE, "reply"): C,
        (C, "uphold_reply"): W, (C, "dismiss_reply"): A,
        (R, "accept"): CL, (R, "reject"): RE,
        **{(s, e): s for s in (A, RE) for e in ("remind", "escalate")},
        **{(s, e): s for s in (A, RE, R, C) for e in ("schedule_reinspection", "record_interview")},
        **{(s, "decide_blacklist"): s for s in (A, R, C, RE, CL, W)},
        **{(s, e): s for s in (A, RE) for e in ("list_hazard", "approve_hazard_plan")},
        (A, "remove_hazard"): CL, (RE, "remove_hazard"): CL,
    },
    hazard.LISTING: {
        (None, "list"): "listed",
        **{(s, "assign"): s for s in ("listed", "plan_submitted", "remediating")},
        ("listed", "submit_plan"): "plan_submitted",
        ("plan_submitted", "approve_plan"): "remediating", ("plan_submitted", "return_plan"): "listed",
        **{("remediating", e): "remediating" for e in ("report_milestone", "remind", "escalate")},
        **{(s, "reinspect_fail"): s for s in ("listed", "plan_submitted", "remediating")},
        **{(s, "reinspect_pass"): "delisted" for s in ("listed", "plan_submitted", "remediating")},
        **{(s, "withdraw"): "withdrawn" for s in ("listed", "plan_submitted", "remediating")},
    },
    hazard.PLAN: {(None, "submit"): "submitted", ("submitted", "approve"): "approved",
                  ("submitted", "return"): "returned"},
    hazard.MILESTONE: {(None, "plan"): "pending", ("pending", "report"): "reported",
                       ("pending", "remind"): "pending", ("pending", "escalate"): "pending"},
    rectification.CREDIT_DECISION: {(None, "confirm"): "confirmed", (None, "dismiss"): "dismissed"},
    life.RECORD: {
        ("evaluated", "publish"): "publicised", ("evaluated", "reject"): "rejected",
        ("publicised", "end_publicity"): "publicity_ended", ("publicised", "reject"): "rejected",
        ("publicity_ended", "confirm"): "confirmed", ("publicity_ended", "reject"): "rejected",
        ("confirmed", "supersede"): "superseded", ("confirmed", "lapse"): "lapsed",
        ("confirmed", "revoke"): "revoked",
    },
    life.APPLICATION: {
        ("submitted", "accept"): "accepted", ("submitted", "decline"): "declined",
        ("submitted", "withdraw"): "withdrawn", ("accepted", "withdraw"): "withdrawn",
        ("accepted", "decline"): "declined", ("submitted", "evaluate"): "evaluated",
        ("accepted", "evaluate"): "evaluated",
    },
}
MACHINES = list(EXPECTED)


def _cases(machine: Machine):
    states = (None, "", *machine.states, "nonsense")
    return [(machine, state, event) for state in states for event in (*machine.events, "nonsense")]


@pytest.mark.parametrize("machine, state, event",
                         [case for m in MACHINES for case in _cases(m)],
                         ids=lambda v: v.name if isinstance(v, Machine) else repr(v))
def test_every_state_and_event_moves_as_the_table_says_or_is_refused(machine, state, event):
    expected = EXPECTED[machine].get((state, event))
    if expected is None:
        assert not machine.allows(state, event)
        with pytest.raises(NotAllowed) as refused:
            machine.next(state, event)
        assert refused.value.where == machine.name and refused.value.msgid == machine.refusal
        assert refused.value.params == {"state": state, "event": event}
        assert "%(state)s" in machine.refusal or machine in (
            rectification.CREDIT_DECISION, hazard.PLAN, hazard.MILESTONE)
    else:
        assert machine.next(state, event) == Transition(state, event, expected)
        assert event in machine.events_from(state)


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.name)
def test_the_table_has_exactly_the_rows_expected(machine):
    assert {(t.from_state, t.event): t.to_state for t in machine.transitions} == EXPECTED[machine]


def test_final_states():
    assert {s for s in rectification.FINDING.states if rectification.FINDING.is_final(s)} == {CL, W}
    assert {s for s in hazard.LISTING.states if hazard.LISTING.is_final(s)} == {"delisted", "withdrawn"}
    assert {s for s in life.RECORD.states if life.RECORD.is_final(s)} == {
        "rejected", "superseded", "lapsed", "revoked"}
    assert {s for s in plans.RANDOM_JOINT_RUN.states if plans.RANDOM_JOINT_RUN.is_final(s)} == {
        "published", "infeasible"}
    assert plans.ROUTINE_RUN.is_final("drawn") and not plans.ROUTINE_RUN.is_final("frozen")
    assert set(visits.VISIT.targets("planned")) == {"in_progress", "cancelled"}


def test_a_table_with_two_rows_for_one_state_and_event_is_refused_when_written():
    with pytest.raises(ValueError, match="two rows"):
        Machine.of("twice", [("a", "go", "b"), ("a", "go", "c")])


def test_a_new_machine_is_a_table_and_a_line():
    complaint = Machine.of("complaint", [(None, "lodge", "lodged"), ("lodged", "close", "closed")])
    assert complaint.next("lodged", "close").to_state == "closed"
    assert complaint.states == ("lodged", "closed") and complaint.is_final("closed")
