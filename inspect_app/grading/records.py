"""Grade records: from an evaluation to a grade, through 公示 and the bureau's decision.

Every state change goes through :func:`_apply`, which applies the record's machine
(:data:`inspect_app.domain.grading.lifecycle.RECORD`) through ``core.machine``, writes the :class:`GradeRecordEvent` history row
and one audit row. Services flush, never commit.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload
from sqlalchemy.orm.exc import StaleDataError

from ..auth import policy
from ..core import audit, machine, workcalendar
from ..core.errors import Conflict, Invalid, NotFound
from ..core.paging import Page, paginate
from ..core.types import local_today, utcnow
from ..domain.grading import lifecycle as life
from ..domain.grading import schemes
from ..core.whole_numbers import whole_number
from ..domain.translatable import N_
from ..domain.scoring.single import Score, score
from ..domain.scoring.explain import Explanation, award, explain
from ..extensions import db
from ..inspections.models import SUBMITTED, Inspection
from ..registry.models import Institution
from . import labels
from . import policy as policies
from .applications import transition as application_transition
from .current import current_clause, current_records, lock_institution, suspension_reasons
from .models import GradeApplication, GradeObjection, GradeRecord, GradeRecordEvent
from ..checklists.services import version_checklist

OPEN, UPHELD, DISMISSED = "open", "upheld", "dismissed"


# History ------------------------------------------------------------------------------------

def _snapshot(record: GradeRecord) -> dict:
    return audit.snapshot(record, exclude=("explanation",))


def _event(record: GradeRecord, actor, action: str, from_state: str, note: str | None = None,
           data: dict | None = None) -> GradeRecordEvent:
    event = GradeRecordEvent(record=record, at=utcnow(), actor_id=getattr(actor, "id", None),
                             action=action, from_state=from_state, to_state=record.state,
                             note=note, data=data)
    db.session.add(event)
    return event


def _apply(record: GradeRecord, action: str, actor, *, note: str | None = None,
           values: dict | None = None, data: dict | None = None) -> GradeRecord:
    """The one way a record changes state: its machine (``grade_lifecycle.RECORD``) applied
    under the record's version, the history row, then the audit row."""
    machine.check(life.RECORD, record.state, action, labels.state)
    before = _snapshot(record)
    machine.apply(life.RECORD, record, action, guard=machine.VERSION, values=values, label=labels.state,
                  history=lambda move: _event(record, actor, action, move.from_state, note, data))
    audit.record(actor, action, "grade_record", record.id, before=before, after=_snapshot(record),
                 reason=note)
    return record


def _flush() -> None:
    """Flush; a record changed by someone else meanwhile (its version moved) is a Conflict."""
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(life.RECORD.changed) from None


def _note_event(record: GradeRecord, actor, action: str, note: str | None, data: dict | None,
                before: dict) -> None:
    """A history row that changes no state (objection decided, re-grade flagged…)."""
    _event(record, actor, action, record.state, note, data)
    _flush()
    audit.record(actor, action, "grade_record", record.id, before=before, after=_snapshot(record),
                 reason=note)


# Evaluation → record ------------------------------------------------------------------------

def responses_of(inspection: Inspection) -> dict:
    """The stored answers as the engine reads them (number text as exact numbers)."""
    out: dict = {}
    for answer in inspection.answers:
        value = answer.value
        if value not in ("pass", "fail", "na"):
            try:
                value = Fraction(value)
            except (ValueError, ZeroDivisionError):
                pass
        out[answer.item_id] = value
    return out


def _number(value: Fraction | None) -> float | None:
    return None if value is None else float(round(value, 4))


def explanation_dict(checklist, result: Score, expl: Explanation, requested_level: int | None = None) -> dict:
    """What the bureau and the institution are shown: the decision and the points lost.

    ``level`` is the level the scores reach; ``awarded_level`` the level given, and
    ``reason`` the rule that decided it — ``capped`` when the scores reach a level above the
    one applied for (``requested_level``), which is then awarded."""
    decided = award(expl, requested_level)
    texts = {item.id: item.text for item in checklist.items}
    titles = {s.id: s.title for s in checklist.sections}

    def threshold(t):
        return {"level": t.level, "section": t.section_id,
                "section_title": titles.get(t.section_id) if t.section_id else None,
                "required": _number(t.required), "actual": _number(t.actual), "met": t.met,
                "shortfall": _number(t.shortfall)}
    return {
        "checklist": checklist.id, "version": checklist.version,
        "reason": decided.reason, "level": expl.level, "awarded_level": decided.level,
        "requested_level": requested_level,
        "level_without_vetoes": expl.level_without_vetoes,
        "total": _number(expl.total), "max": _number(expl.max), "percent": _number(expl.percent),
        "vetoes": [{"id": i, "text": texts.get(i, "")} for i in expl.vetoes],
        "decided_by": [threshold(t) for t in expl.decided_by],
        "next_level": expl.next_level.level if expl.next_level else None,
        "shortfalls": [threshold(t) for t in expl.shortfalls],
        "sections": [{"id": s.id, "title": titles.get(s.id, s.id), "score": _number(s.score),
                      "max": _number(s.max), "applicable_max": _number(s.applicable_max),
                      "earned": _number(s.earned), "lost": _number(s.lost)} for s in expl.sections],
        "lost_items": [{"id": i.id, "text": texts.get(i.id, ""), "section": i.section_id,
                        "points": _number(i.points), "earned": _number(i.earned),
                        "lost": _number(i.lost), "failed": i.failed, "veto": i.veto}
                       for i in expl.items if i.lost or i.failed],
        "failed": list(result.failed),
    }


def application_of(inspection: Inspection) -> GradeApplication | None:
    source = inspection.visit.source or ""
    if not source.startswith("application:"):
        return None
    ident = source.split(":", 1)[1]
    number = whole_number(ident)
    return db.session.get(GradeApplication, number) if number is not None else None


def record_evaluation(inspection: Inspection, actor=None, today: date | None = None) -> GradeRecord:
    """Attach a submitted grading inspection's result to its application as an evaluated
    record. Idempotent: the same inspection gives the same record."""
    existing = db.session.scalar(select(GradeRecord).where(GradeRecord.inspection_id == inspection.id))
    if existing is not None:
        return existing
    if inspection.status != SUBMITTED or inspection.visit.kind != "grading":
        raise Conflict("Only a submitted grading evaluation can be recorded.")
    checklist = version_checklist(inspection.checklist_version)
    result = score(checklist, responses_of(inspection))
    application = application_of(inspection)
    today = today or local_today()
    requested = application.requested_level if application else None
    expl = explain(checklist, result)
    level = award(expl, requested).level                    # a grade never exceeds the request
    scheme = application.scheme if application else policies.scheme_of_checklist(checklist.id, today)
    record = GradeRecord(
        scheme=scheme,
        institution_id=inspection.visit.institution_id,
        application_id=application.id if application else None,
        inspection_id=inspection.id, state=life.EVALUATED,
        requested_level=application.requested_level if application else None,
        level=level, total=_number(result.total), percent=_number(result.percent),
        explanation=explanation_dict(checklist, result, expl, requested),
        evaluated_at=utcnow(), policy_version=policies.in_force(today, scheme).version)
    lock_institution(record.institution_id)
    try:
        with db.session.begin_nested():
            db.session.add(record)
            _event(record, actor, "evaluate", "")
            db.session.flush()
    except IntegrityError:
        again = db.session.scalar(select(GradeRecord).where(GradeRecord.inspection_id == inspection.id))
        if again is not None:   # the same inspection recorded concurrently: that record
            return again
        # one record in progress per institution (partial unique index)
        raise Conflict("Another evaluation of this institution is still being decided; confirm or "
                       "reject it before recording this one.") from None
    audit.record(actor, "evaluate", "grade_record", record.id, after=_snapshot(record))
    if application is not None and application.state in life.APPLICATION_OPEN:
        application_transition(application, "evaluate", actor)
    return record


# The bureau's steps -------------------------------------------------------------------------

def get_record(user, record_id: int) -> GradeRecord:
    policy.require(user, "grading.view")
    return policy.get_visible(GradeRecord, record_id, user)


def _managed(user, record_id: int) -> GradeRecord:
    """The record for a change by the bureau, its row locked (a 公示 objection lodged at the
    same moment waits, then sees the new state) and read afresh."""
    policy.require(user, "grading.manage")
    return lock_record(record_id, user)


def lock_record(record_id: int, user=None) -> GradeRecord:
    """The record by id, row locked and re-read (NotFound when absent or not ``user``'s)."""
    stmt = select(GradeRecord).where(GradeRecord.id == record_id)
    if user is not None:
        stmt = stmt.where(policy.scope_clause(GradeRecord, user))
    record = db.session.scalar(stmt.with_for_update(of=GradeRecord)
                               .execution_options(populate_existing=True))
    if record is None:
        raise NotFound("The record was not found.")
    return record


def publish(user, record_id: int, today: date) -> GradeRecord:
    """Start the 公示: the record is listed publicly and objections may be lodged."""
    record = _managed(user, record_id)
    rules = policies.in_force(today, record.scheme)
    cal = workcalendar.calendar()
    end = life.publicity_end(today, rules.publicity_days, rules.publicity_day_kind, cal)
    if rules.publicity_day_kind == "working":
        workcalendar.noted(cal.last_of(today, rules.publicity_days), "公示 end")
    return _apply(record, "publish", user, values={
        "publicity_start": today, "publicity_end": end, "policy_version": rules.version})


def provisional_years(record: GradeRecord) -> tuple[int, ...]:
    """The years a published 公示 was counted through without a holiday notice (its end date
    may move when the notice is loaded)."""
    if record.publicity_start is None or record.publicity_end is None:
        return ()
    return workcalendar.calendar().uncovered(record.publicity_start, record.publicity_end)


def open_objections(record: GradeRecord) -> int:
    return db.session.scalar(select(func.count()).select_from(GradeObjection).where(
        GradeObjection.record_id == record.id, GradeObjection.state == OPEN)) or 0


def confirm(user, record_id: int, today: date, note: str | None = None) -> GradeRecord:
    """Confirm after the 公示: the grade takes effect today and supersedes the previous one."""
    record = _managed(user, record_id)
    if record.state == life.PUBLICITY_ENDED:
        if record.level is None:
            raise Conflict("The evaluation reached no level; reject the record instead.")
        if open_objections(record):
            raise Conflict("Decide every objection before confirming.")
        upheld = db.session.scalar(select(func.count()).select_from(GradeObjection).where(
            GradeObjection.record_id == record.id, GradeObjection.state == UPHELD))
        if upheld:
            raise Conflict("An objection was upheld; reject the record and evaluate again.")
    rules = policies.in_force(today, record.scheme)
    previous = list(db.session.scalars(select(GradeRecord).where(
        GradeRecord.institution_id == record.institution_id, GradeRecord.state == life.CONFIRMED,
        GradeRecord.id != record.id)))
    _apply(record, "confirm", user, note=note, values={
        "effective_on": today, "expires_on": life.expiry(today, rules.validity_years),
        "decision_note": note, "policy_version": rules.version})
    for old in previous:
        _apply(old, "supersede", user, values={"superseded_by_id": record.id},
               note=f"superseded by grade record #{record.id}")
    return record


def reject(user, record_id: int, note: str) -> GradeRecord:
    record = _managed(user, record_id)
    if not (note or "").strip():
        raise Invalid("Give the reason.", problems=[("note", "required")])
    return _apply(record, "reject", user, note=note.strip(), values={"decision_note": note.strip()})


def revoke(user, record_id: int, note: str) -> GradeRecord:
    """Remove a grade during its validity (dynamic management), with the reason."""
    record = _managed(user, record_id)
    if not (note or "").strip():
        raise Invalid("Give the reason.", problems=[("note", "required")])
    return _apply(record, "revoke", user, note=note.strip(), values={"decision_note": note.strip()})


def decide_objection(user, objection_id: int, outcome: str, note: str) -> GradeObjection:
    policy.require(user, "grading.manage")
    objection = policy.get_visible(GradeObjection, objection_id, user)
    if outcome not in (UPHELD, DISMISSED):
        raise Invalid("Choose uphold or dismiss.", problems=[("outcome", N_("choose upheld or dismissed"))])
    if not (note or "").strip():
        raise Invalid("Give the reason.", problems=[("note", "required")])
    if objection.state != OPEN:
        raise Conflict("This objection has already been decided.")
    record = lock_record(objection.record_id)
    if record.state not in (life.PUBLICISED, life.PUBLICITY_ENDED):
        raise Conflict("This grade record is %(state)s; it cannot be changed that way now.",
                       state=labels.state(record.state))
    before = _snapshot(record)
    objection.state, objection.decision_note = outcome, note.strip()
    objection.decided_by_id, objection.decided_at = user.id, utcnow()
    _note_event(record, user, f"objection_{outcome}", note.strip(), {"objection_id": objection.id},
                before)
    return objection


def acknowledge_regrade(user, record_id: int, note: str | None = None) -> GradeRecord:
    """The bureau has seen that a re-grade gives another score; the flag is cleared."""
    record = _managed(user, record_id)
    if not record.regrade_differs:
        raise Conflict("There is no re-grade difference to acknowledge.")
    before = _snapshot(record)
    record.regrade_differs = False
    _note_event(record, user, "regrade_acknowledged", note, None, before)
    return record


# Sweep --------------------------------------------------------------------------------------

def sweep_grades(today: date) -> dict:
    """Close 公示 periods that ended and lapse expired grades (idempotent; rows locked)."""
    ended = list(db.session.scalars(select(GradeRecord).where(
        GradeRecord.state == life.PUBLICISED, GradeRecord.publicity_end < today)
        .order_by(GradeRecord.id).with_for_update(skip_locked=True)))
    for record in ended:
        _apply(record, "end_publicity", None, note=f"公示 ended {record.publicity_end.isoformat()}")
    expired = list(db.session.scalars(select(GradeRecord).where(
        GradeRecord.state == life.CONFIRMED, GradeRecord.expires_on <= today)
        .order_by(GradeRecord.id).with_for_update(skip_locked=True)))
    for record in expired:
        _apply(record, "lapse", None, note=f"validity ended {record.expires_on.isoformat()}")
    return {"publicity_ended": len(ended), "lapsed": len(expired)}


# Reading ------------------------------------------------------------------------------------

def current_grades(institution_ids, today: date) -> dict[int, int | None]:
    """Every institution asked about → its current star level, or None (for planning's risk
    classes, whose rules speak of GB/T 37276 stars: a community centre's A-level is another
    scale and counts as no star grade)."""
    ids = list(institution_ids)
    found = current_records(ids, today)
    return {i: (found[i].level if i in found and found[i].scheme == schemes.STAR else None) for i in ids}


def grades_expiring(within_days: int, today: date) -> list[GradeRecord]:
    """Confirmed grades whose validity ends within ``within_days`` from ``today``."""
    return list(db.session.scalars(select(GradeRecord).where(
        current_clause(today), GradeRecord.expires_on <= today + timedelta(days=within_days))
        .options(selectinload(GradeRecord.institution))
        .order_by(GradeRecord.expires_on, GradeRecord.id)))


@dataclass(frozen=True)
class DisplayedGrade:
    record: GradeRecord | None
    suspended: list[str]

    @property
    def level(self) -> int | None:
        return self.record.level if self.record else None

    @property
    def scheme(self) -> str:
        return self.record.scheme if self.record else schemes.DEFAULT


def displayed_grades(institution_ids, today: date, now: datetime) -> dict[int, DisplayedGrade]:
    """The grade as shown: the current record and, when suspended, the reasons."""
    ids = list(institution_ids)
    records = current_records(ids, today)
    reasons = suspension_reasons([i for i in ids if i in records], now) if records else {}
    return {i: DisplayedGrade(records.get(i), reasons.get(i, []) if i in records else [])
            for i in ids}


def search_records(user, state: str = "", differs: bool = False, page: int = 1,
                   per_page: int = 25) -> Page:
    policy.require(user, "grading.view")
    stmt = (policy.visible(GradeRecord, user).join(Institution)
            .options(contains_eager(GradeRecord.institution)))
    if state in life.RECORD_STATES:
        stmt = stmt.where(GradeRecord.state == state)
    if differs:
        stmt = stmt.where(GradeRecord.regrade_differs.is_(True))
    return paginate(stmt.order_by(GradeRecord.id.desc()), page, per_page)


def history_of(institution_id: int) -> list[GradeRecord]:
    return list(db.session.scalars(select(GradeRecord).where(
        GradeRecord.institution_id == institution_id).order_by(GradeRecord.id.desc())))


def state_counts(user) -> dict[str, int]:
    policy.require(user, "grading.view")
    rows = db.session.execute(select(GradeRecord.state, func.count()).where(
        policy.scope_clause(GradeRecord, user)).group_by(GradeRecord.state)).all()
    return {state: count for state, count in rows}


def objections(user, state: str = OPEN) -> list[GradeObjection]:
    policy.require(user, "grading.manage")
    stmt = (policy.visible(GradeObjection, user).order_by(GradeObjection.id.desc())
            .options(selectinload(GradeObjection.record).selectinload(GradeRecord.institution)))
    if state in (OPEN, UPHELD, DISMISSED):
        stmt = stmt.where(GradeObjection.state == state)
    return list(db.session.scalars(stmt.limit(500)))
