"""The finding state machine (整改): one table of transitions (:mod:`.machine`'s shape).

States
  open        issued; the institution must rectify by the deadline (the ladder runs)
  responded   the institution says it is fixed; awaiting verification (复查) — ladder paused
  contested   the institution made a reply (陈述申辩) that contests it; awaiting a decision —
              ladder paused (the state's stored name; the act is a reply)
  reopened    verification rejected the fix; a new deadline runs (the ladder resumes)
  closed      verified and closed (销号), or rectified on the spot during the visit (当场整改:
              created closed, no deadline issued; domain/rectification/on_spot.py) — final
  withdrawn   the reply was upheld: the finding is annulled — final

Actions that keep the state (extension, escalation, reminder, re-inspection) are listed too,
so every history line names a transition of this table.
"""
from __future__ import annotations

from ..machine import Machine
from ..translatable import N_

OPEN, RESPONDED, CONTESTED, REOPENED, CLOSED, WITHDRAWN = (
    "open", "responded", "contested", "reopened", "closed", "withdrawn")
STATES = (OPEN, RESPONDED, CONTESTED, REOPENED, CLOSED, WITHDRAWN)
ACTIVE = (OPEN, REOPENED)                         # a deadline runs; the ladder may act
UNRESOLVED = (OPEN, RESPONDED, CONTESTED, REOPENED)  # not yet closed or withdrawn
FINAL = (CLOSED, WITHDRAWN)

_KEEP_ACTIVE = (OPEN, REOPENED)
_KEEP_PENDING = (OPEN, REOPENED, RESPONDED)
_KEEP_UNRESOLVED = (OPEN, REOPENED, RESPONDED, CONTESTED)

NEW = ""   # a finding being created (its first history row reads "" → open)

#: The finding's machine: (from state, event, to state); "issue" creates a finding.
FINDING = Machine.of("finding", [
    (NEW, "issue", OPEN),
    (NEW, "rectify_on_spot", CLOSED),                            # 当场整改: put right during the visit
    (OPEN, "respond", RESPONDED), (REOPENED, "respond", RESPONDED),
    *((s, "request_extension", s) for s in _KEEP_ACTIVE),
    *((s, "grant_extension", s) for s in _KEEP_PENDING),
    *((s, "refuse_extension", s) for s in _KEEP_PENDING),
    (OPEN, "reply", CONTESTED), (REOPENED, "reply", CONTESTED),       # 陈述申辩
    (CONTESTED, "uphold_reply", WITHDRAWN),                      # the institution was right
    (CONTESTED, "dismiss_reply", OPEN),                          # the finding stands
    (RESPONDED, "accept", CLOSED),                               # verification: fixed → 销号
    (RESPONDED, "reject", REOPENED),                             # verification: not fixed → new deadline
    *((s, "remind", s) for s in _KEEP_ACTIVE),
    *((s, "escalate", s) for s in _KEEP_ACTIVE),
    *((s, "schedule_reinspection", s) for s in _KEEP_UNRESOLVED),
    # Minutes of the interview (约谈) the ladder asked for, recorded while the finding is open.
    *((s, "record_interview", s) for s in _KEEP_UNRESOLVED),
    # A major hazard under listed supervision (domain/rectification/hazard.py): listing sets the
    # plan's submission deadline, an approved plan its end date; an on-site re-inspection that
    # finds the hazard removed closes the finding (销号) — never a desk verification.
    *((s, "list_hazard", s) for s in _KEEP_ACTIVE),
    *((s, "approve_hazard_plan", s) for s in _KEEP_ACTIVE),
    (OPEN, "remove_hazard", CLOSED), (REOPENED, "remove_hazard", CLOSED),
    # The bureau decides a blacklist proposal made by the ladder (the finding may be closed by then).
    *((s, "decide_blacklist", s) for s in STATES),
], refusal=N_("This finding is %(state)s; that action is not possible now."),
   changed=N_("The finding changed meanwhile; reload and try again."))

# The bureau's decision on a blacklist proposal (a credit record): None is pending.
CONFIRMED, DISMISSED = "confirmed", "dismissed"
CREDIT_DECISION = Machine.of("credit_record", [
    (None, "confirm", CONFIRMED),
    (None, "dismiss", DISMISSED),
], refusal=N_("This proposal was already decided."))


def is_overdue(state: str, deadline, now) -> bool:
    """Past its deadline while the institution still has to act."""
    return state in ACTIVE and deadline <= now
