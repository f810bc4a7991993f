"""The operations on complaint cases: intake, routing, acceptance, the visit made from a case,
the reply, the telephone follow-up, the public lookup, and what the other features read.

Every move goes through the case's machine (``domain.complaints.CASE``) with the one applier
(``core.machine.apply``, a conditional UPDATE on the state), which writes the history row and
one audit row in the same transaction. Services flush; the edge commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..auth import policy
from ..auth.roles import DEPARTMENTS
from ..core import audit, machine, workcalendar
from ..core.errors import Conflict, Invalid
from ..core.types import local_today
from ..domain import complaints as rules
from ..domain.complaints import CASE
from ..extensions import db
from ..inspections.services.visits import create_visit
from ..rectification.models import Finding
from ..registry.models import Institution
from . import labels
from . import policy as policies
from .models import ComplaintCase, ComplaintEvent, handles

# Audit rows keep what changed, never the lookup digests.
_SECRET_COLUMNS = ("lookup_digest", "submission_digest")


def _text(value, limit: int | None = None) -> str:
    text = (value or "").strip()
    return text[:limit] if limit else text


def _calendar():
    return workcalendar.calendar()


def _move(actor, case: ComplaintCase, event: str, now: datetime, values: dict | None = None,
          note: str | None = None, detail: dict | None = None, expect: dict | None = None):
    """Move ``case`` by ``event`` (a conditional UPDATE on its state, and on ``expect``'s
    columns) and write its history line and audit row with the move."""
    before = case.state
    values = dict(values or {})

    def history(move):
        db.session.add(ComplaintEvent(case_id=case.id, at=now, event=event, from_state=move.from_state,
                                      to_state=move.to_state, actor_id=getattr(actor, "id", None),
                                      note=note or None, detail=detail))
        audit.record(actor, event, "complaint_case", case.id, before={"state": before},
                     after={"state": move.to_state, **{k: audit.jsonable(v) for k, v in values.items()}})

    return machine.apply(CASE, case, event, guard=machine.STATE, values=values, expect=expect,
                         history=history, label=labels.state)


# ----------------------------------------------------------------------------- intake

@dataclass(frozen=True)
class Intake:
    case: ComplaintCase
    token: str
    repeated: bool = False      # the same form sent again: the first case, not a new one


def intake(actor, values: dict, now: datetime, *, secret: str, submission_key: str) -> Intake:
    """Take a case in: by an operator (``actor``, one of the operator channels) or through the
    public form (``actor`` None, channel ``online``). Routed to the department of its category;
    the acceptance time limit starts on the day of receipt. ``submission_key`` is the form's
    one-time key: the same form sent twice gives the first case and the same token.
    Raises Invalid with every located problem."""
    if actor is not None:
        policy.require(actor, "complaints.intake")
    key = _text(submission_key, 64)
    if len(key) < 16:
        raise Invalid("The form has expired; open it again.", problems=[("submission_key", "open the form again")])
    rule = policies.current()
    today = local_today(now)
    v = dict(values)
    for name in ("summary", "details", "complainant_name", "complainant_phone"):
        v[name] = _text(v.get(name))
    v["anonymous"] = bool(v.get("anonymous"))
    if actor is None:
        v["channel"], v["received_on"] = "online", today
        channels = ("online",)
    else:
        v["received_on"] = v.get("received_on") or today
        channels = rules.OPERATOR_CHANNELS
    problems = rules.intake_problems(v, rule, channels, today)
    institution = db.session.get(Institution, v["institution_id"]) if isinstance(v.get("institution_id"), int) else None
    if isinstance(v.get("institution_id"), int) and (institution is None or institution.status == "closed"):
        problems.append(("institution_id", "choose an institution"))
    if problems:
        raise Invalid("The case could not be taken in.", problems=problems)
    submission = rules.digest(key)
    token = rules.lookup_token(secret, key)
    earlier = db.session.scalar(select(ComplaintCase).where(ComplaintCase.submission_digest == submission))
    if earlier is not None:
        return Intake(earlier, token, repeated=True)
    received_on = v["received_on"]
    case = ComplaintCase(
        channel=v["channel"], kind=v["kind"], category=v["category"], department=rules.route(rule, v["category"]),
        institution_id=institution.id, summary=v["summary"], details=v["details"] or None,
        anonymous=v["anonymous"], complainant_name=None if v["anonymous"] else v["complainant_name"],
        complainant_phone=None if v["anonymous"] else (v["complainant_phone"] or None),
        state=machine.check(CASE, None, "intake").to_state, received_at=now, received_on=received_on,
        acceptance_due=rules.period_end(received_on, rule.clocks["acceptance"], _calendar()),
        submission_digest=submission, lookup_digest=rules.digest(token), policy_version=rule.version,
        created_by_id=getattr(actor, "id", None))
    try:
        with db.session.begin_nested():          # the same form sent twice at once: one row wins
            db.session.add(case)
            db.session.flush()
    except IntegrityError:
        earlier = db.session.scalar(select(ComplaintCase).where(ComplaintCase.submission_digest == submission))
        if earlier is None:
            raise
        return Intake(earlier, token, repeated=True)
    case.number = rules.case_number(received_on.year, case.id)
    db.session.add(ComplaintEvent(case_id=case.id, at=now, event="intake", from_state=None, to_state=case.state,
                                  actor_id=getattr(actor, "id", None), detail={"channel": case.channel}))
    db.session.flush()
    audit.record(actor, "intake", "complaint_case", case.id, after=audit.snapshot(case, exclude=_SECRET_COLUMNS))
    return Intake(case, token)


# ----------------------------------------------------------------------------- handling

def get_case(actor, case_id: int) -> ComplaintCase:
    policy.require(actor, "complaints.view")
    return policy.get_visible(ComplaintCase, case_id, actor)


def _handled(actor, case_id: int, permission: str = "complaints.handle") -> ComplaintCase:
    policy.require(actor, permission)
    return policy.get_visible(ComplaintCase, case_id, actor)


def reroute(actor, case_id: int, department: str, note: str, now: datetime) -> ComplaintCase:
    """The bureau sends a case not yet accepted to another department (the acceptance time
    limit keeps running from receipt)."""
    case = _handled(actor, case_id, "complaints.route")
    if department not in DEPARTMENTS:
        raise Invalid("The case could not be sent on.", problems=[("department", "choose a department")])
    if department == case.department:
        raise Invalid("The case could not be sent on.", problems=[("department", "the case is already there")])
    _move(actor, case, "reroute", now, values={"department": department}, note=_text(note, 2000),
          detail={"from": case.department, "to": department})
    return case


def accept(actor, case_id: int, note: str, now: datetime) -> ComplaintCase:
    """Accept the case: the handling time limit starts on the day of acceptance."""
    case = _handled(actor, case_id)
    rule = policies.current()
    today = local_today(now)
    _move(actor, case, "accept", now, note=_text(note, 2000), values={
        "accepted_at": now, "closure_due": rules.period_end(today, rule.clocks["closure"], _calendar())})
    return case


def decline(actor, case_id: int, reason: str, now: datetime) -> ComplaintCase:
    """Not accepted (another statutory procedure applies, not this bureau's matter): the
    reason is what the complainant is told."""
    case = _handled(actor, case_id)
    reason = _text(reason, 4000)
    if not reason:
        raise Invalid("The case could not be declined.", problems=[("reason", "say why the case is not accepted")])
    _move(actor, case, "decline", now, values={"decline_reason": reason}, note=reason)
    return case


def extend(actor, case_id: int, reason: str, now: datetime) -> ComplaintCase:
    """Extend the handling time limit once, by the policy's extension clock from the present
    limit; the complainant is to be told why."""
    case = _handled(actor, case_id)
    machine.check(CASE, case.state, "extend", labels.state)
    reason = _text(reason, 4000)
    problems = []
    if case.extended:
        problems.append(("reason", "the time limit has already been extended once"))
    if not reason:
        problems.append(("reason", "say why the time limit is extended"))
    if problems:
        raise Invalid("The time limit could not be extended.", problems=problems)
    rule = policies.current()
    due = rules.period_end(case.closure_due, rule.clocks["extension"], _calendar())
    _move(actor, case, "extend", now, values={"extended": True, "closure_due": due, "closure_overdue_at": None},
          expect={"extended": False}, note=reason, detail={"closure_due": due.isoformat()})
    return case


def make_visit(actor, case_id: int, scheduled_for: date | None, inspectors: list[int], now: datetime):
    """An ad-hoc visit (purpose ``complaint``) to the case's institution by the case's
    department, made through the one visit creation of inspections; its findings are the
    case's findings. One visit per case. The visit's note is the case number only: the visit
    record is shown to the institution once completed, and the case's text stays with its
    handlers."""
    case = _handled(actor, case_id)
    machine.check(CASE, case.state, "make_visit", labels.state)
    if case.visit_id is not None:
        raise Conflict("A visit has already been made from this case.", where="complaint")
    if not isinstance(scheduled_for, date):
        raise Invalid("The visit could not be made.", problems=[("scheduled_for", "a date is required")])
    visit = create_visit(actor, case.institution_id, scheduled_for, {case.department: list(inspectors)},
                         "complaint", source=f"complaint:{case.id}", note=case.number)
    _move(actor, case, "make_visit", now, values={"visit_id": visit.id}, expect={"visit_id": None},
          detail={"visit_id": visit.id})
    return visit


def reply(actor, case_id: int, text: str, substantiated: bool | None, now: datetime) -> ComplaintCase:
    """The written reply to the complainant (信访处理意见书): what was found and done, and
    whether the complaint was substantiated. It ends the handling; the follow-up call is due
    by the policy's follow-up clock."""
    case = _handled(actor, case_id)
    text = _text(text, 4000)
    problems = []
    if not text:
        problems.append(("text", "write the reply"))
    if substantiated not in (True, False):
        problems.append(("substantiated", "say whether the complaint was substantiated"))
    if problems:
        raise Invalid("The reply could not be recorded.", problems=problems)
    rule = policies.current()
    due = rules.period_end(local_today(now), rule.clocks["follow_up"], _calendar())
    _move(actor, case, "reply", now, note=text, detail={"substantiated": substantiated},
          values={"reply_text": text, "replied_at": now, "substantiated": substantiated,
                  "follow_up_due": due, "follow_up_overdue_at": None})
    return case


def follow_up(actor, case_id: int, satisfaction: str, note: str, reopen: bool, now: datetime) -> ComplaintCase:
    """The telephone follow-up (回访) with the complainant's satisfaction. A dissatisfied
    complainant may have the case reopened (while the policy's ``reopen_limit`` allows): it goes
    back to handling with a new handling time limit from today; otherwise the case closes."""
    case = _handled(actor, case_id)
    note = _text(note, 2000)
    if satisfaction not in rules.SATISFACTION:
        raise Invalid("The follow-up could not be recorded.", problems=[("satisfaction", "choose how satisfied")])
    rule = policies.current()
    detail = {"satisfaction": satisfaction}
    if reopen:
        if not rules.reopen_allowed(satisfaction, case.reopen_count, rule):
            raise Invalid("The case could not be reopened.", problems=[(
                "reopen", "only a dissatisfied complainant reopens a case, at most %(n)s time(s)",
                {"n": rule.reopen_limit})])
        due = rules.period_end(local_today(now), rule.clocks["closure"], _calendar())
        _move(actor, case, "reopen", now, note=note, expect={"reopen_count": case.reopen_count},
              detail={**detail, "closure_due": due.isoformat()},
              values={"satisfaction": satisfaction, "followed_up_at": now, "reopen_count": case.reopen_count + 1,
                      "closure_due": due, "closure_overdue_at": None, "extended": False})
        return case
    _move(actor, case, "follow_up", now, note=note, detail=detail,
          values={"satisfaction": satisfaction, "followed_up_at": now})
    return case


# ----------------------------------------------------------------------------- reading

def listing(actor, state: str | None = None, limit: int = 500) -> list[ComplaintCase]:
    policy.require(actor, "complaints.view")
    stmt = policy.visible(ComplaintCase, actor).options(selectinload(ComplaintCase.institution))
    if state in CASE.states:
        stmt = stmt.where(ComplaintCase.state == state)
    return list(db.session.scalars(stmt.order_by(ComplaintCase.received_at.desc(), ComplaintCase.id.desc()).limit(limit)))


def findings_of(case: ComplaintCase) -> list[Finding]:
    """The findings of the visit made from the case."""
    if case.visit_id is None:
        return []
    return list(db.session.scalars(select(Finding).where(Finding.visit_id == case.visit_id).order_by(Finding.id)))


def lookup(number: str, token: str) -> ComplaintCase | None:
    """The case the complainant follows with its number *and* token; None when either is wrong
    (the same answer, so a number alone tells nothing)."""
    number, token = _text(number, 40).upper(), _text(token, 100)
    if not number or not token:
        return None
    case = db.session.scalar(select(ComplaintCase).where(ComplaintCase.number == number))
    digest = case.lookup_digest if case is not None else rules.digest("no such case")
    matches = rules.token_matches(token, digest)
    return case if case is not None and matches else None


@dataclass(frozen=True)
class CaseLine:
    """One case as the institution file shows it: personal data and the text only to those who
    handle it."""

    case: ComplaintCase
    personal: bool


def for_institution(user, institution_id: int) -> list[CaseLine]:
    """The institution's cases for its file (regulators only; the institution's staff see none)."""
    if not policy.can(user, "overview.file") or user.role == "institution_staff":
        return []
    cases = db.session.scalars(select(ComplaintCase).where(ComplaintCase.institution_id == institution_id)
                               .order_by(ComplaintCase.received_at.desc(), ComplaintCase.id.desc()))
    return [CaseLine(c, handles(user, c)) for c in cases]


def substantiated_counts(institution_ids: list[int], since: datetime) -> dict[int, int]:
    """Cases replied to as substantiated at or after ``since``, per institution (risk classes)."""
    if not institution_ids:
        return {}
    rows = db.session.execute(
        select(ComplaintCase.institution_id, func.count())
        .where(ComplaintCase.institution_id.in_(institution_ids), ComplaintCase.substantiated.is_(True),
               ComplaintCase.replied_at >= since)
        .group_by(ComplaintCase.institution_id))
    return {iid: int(n) for iid, n in rows}

