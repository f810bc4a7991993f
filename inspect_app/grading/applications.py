"""Grading applications (等级评定申请) and the credit records that bar them.

Institution staff apply for a level with their self-assessment; the eligibility rules of
:mod:`inspect_app.domain.grading.eligibility` are checked with the facts gathered here and explained
rule by rule. The bureau accepts (the rules are checked again) or declines; the application
is *evaluated* when an evaluation is recorded (:func:`.records.record_evaluation`).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from ..auth import policy
from ..auth.roles import Role
from ..core import audit, machine
from ..core.errors import Conflict, Forbidden, Invalid
from ..core.paging import Page, paginate
from ..core.types import local_today, utcnow
from ..domain.grading import eligibility as rules
from ..domain.grading import lifecycle as life
from ..domain.grading import schemes
from ..core.whole_numbers import whole_number
from ..extensions import db
from ..inspections.models import CANCELLED, COMPLETED, SUBMITTED, Inspection, Visit
from ..inspections.services import cancel_visit
from ..registry.models import Institution
from . import labels
from . import policy as policies
from .models import GradeApplication, GradeRecord, GradeSanction
from .current import current_records, lock_institution
from ..domain.translatable import N_
from ..rectification.accidents import serious_of
from ..rectification.models import BLACKLIST_PROPOSAL, CreditRecord
from ..rectification.supervision import major_hazards

MAX_ASSESSMENT = 5000


# Facts ---------------------------------------------------------------------------------------

def _credit_records(institution_id: int) -> list[rules.Sanction]:
    """Credit records written by rectification's escalation ladder, read as sanctions: a
    blacklist proposal counts once the bureau confirmed it (a blacklist entry from the
    decision's day), never while pending or when dismissed."""
    rows = db.session.execute(select(CreditRecord.id, CreditRecord.kind, CreditRecord.created_at,
                                     CreditRecord.decision, CreditRecord.decided_at)
                              .where(CreditRecord.institution_id == institution_id)).all()
    out = []
    for row in rows:
        # A credit record for an overdue rectification is a record, not a bar: no rule found
        # says it bars grading (docs/regulations.md, "Star grading eligibility").
        if row.kind == BLACKLIST_PROPOSAL and row.decision == "confirmed":
            out.append(rules.Sanction(rules.BLACKLIST, local_today(row.decided_at), reference=f"#{row.id} {row.kind}"))
    return out


def _accidents(institution_id: int) -> list[rules.Sanction]:
    """The institution's serious accidents (records of their own, rectification.accidents), as
    the grading rule reads them: dated on the day they occurred."""
    return [rules.Sanction(rules.ACCIDENT, a.occurred_on, reference=f"{a.source_reference} ({a.source_issuer})")
            for a in serious_of(institution_id)]


def sanctions_of(institution_id: int) -> list[rules.Sanction]:
    rows = db.session.scalars(select(GradeSanction).where(GradeSanction.institution_id == institution_id))
    return [rules.Sanction(s.kind, s.decided_on, s.until, s.reference) for s in rows] + \
        _credit_records(institution_id) + _accidents(institution_id)


def facts_for(institution: Institution, level: int, today: date, now: datetime,
              exclude_application: int | None = None) -> rules.Facts:
    current = current_records([institution.id], today).get(institution.id)
    ever = db.session.scalar(select(func.count()).select_from(GradeRecord).where(
        GradeRecord.institution_id == institution.id, GradeRecord.state.in_(life.HELD_STATES)))
    open_stmt = select(func.count()).select_from(GradeApplication).where(
        GradeApplication.institution_id == institution.id,
        GradeApplication.state.in_(life.APPLICATION_OPEN))
    if exclude_application is not None:
        open_stmt = open_stmt.where(GradeApplication.id != exclude_application)
    in_progress = select(func.count()).select_from(GradeRecord).where(
        GradeRecord.institution_id == institution.id, GradeRecord.state.in_(life.OPEN_STATES))
    return rules.Facts(
        requested_level=level, filed_on=institution.filed_on, ever_graded=bool(ever),
        current=rules.CurrentGrade(current.level, current.effective_on, current.expires_on)
        if current is not None and current.level else None,
        sanctions=tuple(sanctions_of(institution.id)),
        hazards=tuple(major_hazards([institution.id]).get(institution.id, [])),
        open_applications=db.session.scalar(open_stmt) or 0,
        institution_type=institution.type, beds=institution.beds,
        records_in_progress=db.session.scalar(in_progress) or 0)


def _rules_json(result: rules.Eligibility) -> list[dict]:
    return [{"code": r.code, "passed": r.passed, "message": r.message, "params": r.params}
            for r in result.rules]


def _own_institution(user) -> Institution:
    if user.role != Role.INSTITUTION_STAFF or user.institution_id is None:
        raise Forbidden("Only an institution's staff may apply for its grading.")
    return db.session.get(Institution, user.institution_id)


def offered_schemes(user, today: date) -> tuple[str, ...]:
    """The ratings the user's institution may apply under today (by its type and beds)."""
    policy.require(user, "grading.apply")
    return policies.offered(_own_institution(user), today)


def _scheme_for(institution: Institution, scheme: str | None, today: date) -> str:
    """The scheme asked for; when none is named, the one the institution is offered (the stars
    when it is offered none, so that the scope rule explains why)."""
    if scheme:
        if scheme not in policies.schemes():
            raise Invalid("The application could not be saved.", problems=[("scheme", N_("choose a rating"))])
        return scheme
    offered = policies.offered(institution, today)
    return offered[0] if offered else schemes.DEFAULT


def eligibility(user, level: int | None, today: date, now: datetime,
                scheme: str | None = None) -> tuple[rules.Eligibility, int]:
    """The rules for the user's institution asking for ``level`` (``None``: the highest level
    the caps allow, the form's default) under ``scheme`` (``None``: the one it is offered);
    and that highest level. The facts are read once."""
    policy.require(user, "grading.apply")
    institution = _own_institution(user)
    rules_now = policies.in_force(today, _scheme_for(institution, scheme, today))
    facts = facts_for(institution, level or 1, today, now)
    cap = rules.highest_allowed(facts, rules_now)
    if level is None:
        facts = replace(facts, requested_level=cap)
    return rules.check(facts, rules_now, today), cap


# Applying ------------------------------------------------------------------------------------

def _parse(level_text: str, score_text: str, assessment: str) -> tuple[int, Decimal | None, str]:
    problems = []
    level = whole_number(level_text) or 0
    if not 1 <= level <= 5:
        problems.append(("level", N_("choose a level from 1 to 5")))
    self_score = None
    if str(score_text or "").strip():
        try:
            self_score = Decimal(str(score_text).strip())
            if not self_score.is_finite() or not 0 <= self_score <= 100000:
                raise InvalidOperation
        except InvalidOperation:
            problems.append(("self_score", N_("expected a number of points")))
            self_score = None
    text = (assessment or "").strip()
    if not text:
        problems.append(("self_assessment", N_("required")))
    elif len(text) > MAX_ASSESSMENT:
        problems.append(("self_assessment", f"at most {MAX_ASSESSMENT} characters"))
    if problems:
        raise Invalid("The application could not be saved.", problems=problems)
    return level, self_score, text


def apply(user, level_text: str, score_text: str, assessment: str, today: date,
          now: datetime, scheme: str | None = None) -> GradeApplication:
    """Apply for a level under ``scheme`` (``None``: the rating the institution is offered);
    refused with every failed rule explained when not eligible (an institution outside the
    scheme's scope fails its scope rule), and with a Conflict when another application or
    evaluation of the institution is in progress."""
    policy.require(user, "grading.apply")
    institution = _own_institution(user)
    level, self_score, text = _parse(level_text, score_text, assessment)
    scheme = _scheme_for(institution, scheme, today)
    lock_institution(institution.id)
    result = rules.check(facts_for(institution, level, today, now), policies.in_force(today, scheme), today)
    if not result.eligible:
        raise Invalid("Not eligible for this level:", problems=list(result.failures))
    application = GradeApplication(
        institution_id=institution.id, requested_level=level, scheme=scheme, self_score=self_score,
        self_assessment=text, state=life.SUBMITTED, eligibility=_rules_json(result),
        checked_on=today, applied_by_id=user.id, applied_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(application)
            db.session.flush()
    except IntegrityError:      # one open application per institution (a concurrent one won)
        raise Conflict("Another grading application or evaluation of this institution is in progress; "
                       "wait until it is decided.") from None
    audit.record(user, "apply", "grade_application", application.id, after=audit.snapshot(application))
    return application


def _flush() -> None:
    """Flush; an application changed by someone else meanwhile (its version moved) is a Conflict."""
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(life.APPLICATION.changed) from None


def transition(application: GradeApplication, action: str, actor, note: str | None = None,
               values: dict | None = None) -> GradeApplication:
    """The one way an application changes state: its machine (``grade_lifecycle.APPLICATION``)
    applied under the application's version; audited."""
    machine.check(life.APPLICATION, application.state, action, labels.state)
    before = audit.snapshot(application)
    values = dict(values or {})
    if action in ("accept", "decline"):
        values.update(decided_by_id=getattr(actor, "id", None), decided_at=utcnow(), decision_note=note)
    machine.apply(life.APPLICATION, application, action, guard=machine.VERSION, values=values,
                  label=labels.state)
    audit.record(actor, action, "grade_application", application.id, before=before,
                 after=audit.snapshot(application), reason=note)
    return application


def get(user, application_id: int) -> GradeApplication:
    policy.require(user, "grading.view")
    return policy.get_visible(GradeApplication, application_id, user)


def withdraw(user, application_id: int) -> GradeApplication:
    policy.require(user, "grading.apply")
    application = policy.get_visible(GradeApplication, application_id, user)
    transition(application, "withdraw", user)
    _call_off_evaluations(application, "application withdrawn")
    return application


def accept(user, application_id: int, today: date, now: datetime) -> GradeApplication:
    """Accept for evaluation; the rules are checked again as they stand today."""
    policy.require(user, "grading.manage")
    application = policy.get_visible(GradeApplication, application_id, user)
    machine.check(life.APPLICATION, application.state, "accept", labels.state)   # before the checks
    facts = facts_for(application.institution, application.requested_level, today, now,
                      exclude_application=application.id)
    result = rules.check(facts, policies.in_force(today, application.scheme), today)
    application.eligibility, application.checked_on = _rules_json(result), today
    if not result.eligible:
        _flush()
        raise Invalid("Not eligible for this level:", problems=list(result.failures))
    return transition(application, "accept", user)


def decline(user, application_id: int, note: str) -> GradeApplication:
    policy.require(user, "grading.manage")
    application = policy.get_visible(GradeApplication, application_id, user)
    if not (note or "").strip():
        raise Invalid("Give the reason.", problems=[("note", "required")])
    transition(application, "decline", user, note=note.strip())
    _call_off_evaluations(application, "application declined")
    return application


def _call_off_evaluations(application: GradeApplication, reason: str) -> None:
    """An application that ends before its evaluation takes its planned evaluation visits with
    it (a visit that already produced a record stays)."""
    open_visits = db.session.scalars(select(Visit).where(
        Visit.source == f"application:{application.id}", Visit.status.not_in([CANCELLED, COMPLETED]),
        ~Visit.id.in_(select(Inspection.visit_id).where(Inspection.status == SUBMITTED)))).all()
    for visit in open_visits:
        cancel_visit(None, visit.id, reason)


def search(user, state: str = "", page: int = 1, per_page: int = 25) -> Page:
    policy.require(user, "grading.view")
    stmt = policy.visible(GradeApplication, user).options(selectinload(GradeApplication.institution))
    if state in life.APPLICATION_STATES:
        stmt = stmt.where(GradeApplication.state == state)
    return paginate(stmt.order_by(GradeApplication.id.desc()), page, per_page)


# Credit records entered by the bureau --------------------------------------------------------

def add_sanction(user, institution_id_text: str, kind: str, decided_on: date | None,
                 until: date | None, reference: str, note: str) -> GradeSanction:
    policy.require(user, "grading.manage")
    problems = []
    institution = None
    ident = whole_number(institution_id_text)
    if ident is not None:
        institution = db.session.get(Institution, ident)
    if institution is None:
        problems.append(("institution_id", N_("choose an institution")))
    if kind not in rules.SANCTION_KINDS:
        problems.append(("kind", N_("choose penalty or blacklist")))
    if decided_on is None:
        problems.append(("decided_on", N_("required")))
    if until is not None and decided_on is not None and until <= decided_on:
        problems.append(("until", N_("must be after the decision date")))
    reference = (reference or "").strip()
    if not reference or len(reference) > 120:
        problems.append(("reference", N_("required, at most 120 characters")))
    if problems:
        raise Invalid("The credit record could not be saved.", problems=problems)
    sanction = GradeSanction(institution_id=institution.id, kind=kind, decided_on=decided_on,
                             until=until, reference=reference, note=(note or "").strip() or None,
                             source="bureau", created_by_id=user.id, created_at=utcnow())
    db.session.add(sanction)
    db.session.flush()
    audit.record(user, "create", "grade_sanction", sanction.id, after=audit.snapshot(sanction))
    return sanction


def sanctions(user) -> list[GradeSanction]:
    policy.require(user, "grading.manage")
    return list(db.session.scalars(policy.visible(GradeSanction, user)
                                   .options(selectinload(GradeSanction.institution))
                                   .order_by(GradeSanction.decided_on.desc()).limit(500)))


def institutions_for_choice(user) -> list[tuple[int, str]]:
    policy.require(user, "grading.manage")
    return [(i, name) for i, name in db.session.execute(
        select(Institution.id, Institution.name).order_by(Institution.name))]
