"""The finding state machine (整改): one table of allowed transitions, one function applying it.

States
  open        issued; the institution must rectify by the deadline (the ladder runs)
  responded   the institution says it is fixed; awaiting verification (复查) — ladder paused
  contested   the institution replied (陈述申辩); awaiting a decision — ladder paused
  reopened    verification rejected the fix; a new deadline runs (the ladder resumes)
  closed      verified and closed (销号) — final
  withdrawn   the reply was upheld: the finding is annulled — final

Actions that keep the state (extension, escalation, reminder, re-inspection) are listed too,
so every history line names a transition of this table.
"""
from __future__ import annotations

from dataclasses import dataclass

OPEN, RESPONDED, CONTESTED, REOPENED, CLOSED, WITHDRAWN = (
    "open", "responded", "contested", "reopened", "closed", "withdrawn")
STATES = (OPEN, RESPONDED, CONTESTED, REOPENED, CLOSED, WITHDRAWN)
ACTIVE = (OPEN, REOPENED)                         # a deadline runs; the ladder may act
UNRESOLVED = (OPEN, RESPONDED, CONTESTED, REOPENED)  # not yet closed or withdrawn
FINAL = (CLOSED, WITHDRAWN)

# action → {from state: to state}
TRANSITIONS: dict[str, dict[str, str]] = {
    "issue": {"": OPEN},
    "respond": {OPEN: RESPONDED, REOPENED: RESPONDED},
    "request_extension": {OPEN: OPEN, REOPENED: REOPENED},
    "grant_extension": {OPEN: OPEN, REOPENED: REOPENED, RESPONDED: RESPONDED},
    "refuse_extension": {OPEN: OPEN, REOPENED: REOPENED, RESPONDED: RESPONDED},
    "contest": {OPEN: CONTESTED, REOPENED: CONTESTED},
    "uphold_reply": {CONTESTED: WITHDRAWN},       # the institution was right
    "dismiss_reply": {CONTESTED: OPEN},           # the finding stands
    "accept": {RESPONDED: CLOSED},                # verification: fixed → 销号
    "reject": {RESPONDED: REOPENED},              # verification: not fixed → new deadline
    "remind": {OPEN: OPEN, REOPENED: REOPENED},
    "escalate": {OPEN: OPEN, REOPENED: REOPENED},
    "schedule_reinspection": {OPEN: OPEN, REOPENED: REOPENED, RESPONDED: RESPONDED,
                              CONTESTED: CONTESTED},
    # Minutes of the interview (约谈) the ladder asked for, recorded while the finding is open.
    "record_interview": {OPEN: OPEN, REOPENED: REOPENED, RESPONDED: RESPONDED, CONTESTED: CONTESTED},
    # The bureau decides a blacklist proposal made by the ladder (the finding may be closed by then).
    "decide_blacklist": {s: s for s in STATES},
}

# The bureau's decision on a blacklist proposal (a credit record): None is pending.
CONFIRMED, DISMISSED = "confirmed", "dismissed"
CREDIT_DECISIONS: dict[str, dict[str | None, str]] = {
    "confirm": {None: CONFIRMED},
    "dismiss": {None: DISMISSED},
}


class TransitionError(ValueError):
    def __init__(self, action: str, state: str):
        super().__init__(f"{action!r} is not allowed when a finding is {state!r}")
        self.action = action
        self.state = state


@dataclass(frozen=True)
class Transition:
    action: str
    from_state: str
    to_state: str


def allowed_actions(state: str) -> tuple[str, ...]:
    return tuple(a for a, moves in TRANSITIONS.items() if state in moves)


def transition(state: str, action: str) -> Transition:
    """The transition ``action`` makes from ``state``; TransitionError when not allowed."""
    moves = TRANSITIONS.get(action)
    if moves is None or state not in moves:
        raise TransitionError(action, state)
    return Transition(action, state, moves[state])


def credit_decision(decision: str | None, action: str) -> str:
    """The decision ``action`` records on a proposal in ``decision``; TransitionError when
    the proposal was already decided (or the action is unknown)."""
    moves = CREDIT_DECISIONS.get(action)
    if moves is None or decision not in moves:
        raise TransitionError(action, decision or "pending")
    return moves[decision]


def is_overdue(state: str, deadline, now) -> bool:
    """Past its deadline while the institution still has to act."""
    return state in ACTIVE and deadline <= now
