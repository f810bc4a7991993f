"""Major hazards under listed supervision (重大事故隐患 挂牌督办): listing, plans, milestones,
on-site re-inspection and the milestone sweep (docs/regulations.md, "Major accident hazards:
listed supervision").

Every move of a listing goes through :func:`_move` (its machine ``domain.rectification.hazard.
LISTING`` applied by ``core.machine`` under the listing's version, with a history row); the
finding moves with it through :func:`.findings.apply` (its deadline becomes the plan's
submission date on listing and the approved plan's end date on approval; it is closed only by
a passed re-inspection). Services flush, the edge commits.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select, update

from ..auth import policy
from ..auth.models import User
from ..auth.roles import Role
from ..checklists.catalogue import hazard as catalogue_hazard
from ..config import PROJECT_ROOT
from ..core import audit, machine
from ..core.errors import Conflict, Forbidden, Invalid, NotFound
from ..core.files import prepare_upload, record
from ..core.policyfiles import PolicyFile
from ..core.types import utcnow
from ..domain.rectification import hazard as hz
from ..domain.rectification import ladder as dl
from ..domain.rectification.states import ACTIVE
from ..extensions import db
from ..inspections.models import Inspection
from ..inspections.services.common import checklist_of
from . import findings as fs
from . import hazard_labels
from . import policy as policies
from .hazard_models import (HazardEvent, HazardEvidence, HazardListing, HazardMilestone, HazardPlan,
                            HazardReinspection)
from .escalation import SweepResult
from .messages import notify
from .models import Finding, RectificationNotice

MAX_PHOTOS = 6

FILE = PolicyFile.of_yaml("SUPERVISION_POLICY", PROJECT_ROOT / "policies" / "supervision.yaml",
                          hz.parse_hazard_policy, lambda name, where, message: ValueError(f"{name}: {where}: {message}"))


def rule() -> hz.HazardPolicy:
    """The ``major_hazard`` section in force (cached; re-read when the file changes)."""
    return FILE.get()


def _move(listing: HazardListing, event: str, actor, now: datetime, *, reason: str | None = None,
          data: dict | None = None, values: dict | None = None, step: str | None = None) -> None:
    def history(move) -> None:
        db.session.add(HazardEvent(listing=listing, at=now, actor_id=getattr(actor, "id", None),
                                   action=event, from_state=move.from_state, to_state=move.to_state,
                                   step=step, reason=(reason or "").strip()[:4000] or None, data=data))
    machine.apply(hz.LISTING, listing, event, guard=machine.VERSION, values=values, history=history,
                  label=hazard_labels.state)


def _params(listing: HazardListing, **extra) -> dict:
    return {"finding": listing.finding_id, "item": listing.finding.item_id, "listing": listing.id, **extra}


# ----------------------------------------------------------------------------- listing

def is_major_hazard(item) -> bool:
    """A veto item that records a confirmed situation of the major-hazard catalogue (13号). A veto
    on another basis (a blacklist trigger: abuse, subsidy fraud) is not a major hazard, nor is a
    situation whose text was not confirmed (docs/regulations.md, "Veto decisions")."""
    if item is None or not item.veto or not item.hazard:
        return False
    found = catalogue_hazard(item.hazard)
    return found is not None and found[1].confirmed


def list_major_hazards(notice: RectificationNotice | None, now: datetime | None = None) -> list[HazardListing]:
    """List every major-hazard finding of ``notice`` (:func:`is_major_hazard`) for supervision: the
    listing day is the issue day, the supervising department the finding's, the department's
    head its responsible staff until an officer names another; the finding's deadline becomes
    the plan's submission date. Idempotent (a finding is listed once)."""
    if notice is None:
        return []
    now = now or utcnow()
    policy_rule = rule()
    tz = policies.tz()
    inspection = db.session.get(Inspection, notice.inspection_id)
    items = {item.id: item for item in checklist_of(inspection).items} if inspection else {}
    made = []
    for finding in notice.findings:
        if not finding.veto or finding.state not in ACTIVE or not is_major_hazard(items.get(finding.item_id)):
            continue
        if db.session.scalar(select(HazardListing.id).where(HazardListing.finding_id == finding.id)):
            continue
        head = db.session.scalar(select(User.id).where(
            User.role == Role.INSPECTOR.value, User.department == finding.department,
            User.is_department_head.is_(True), User.is_active_account.is_(True)).order_by(User.id).limit(1))
        plan_due = dl.deadline_at(now, policy_rule.plan_due_days, tz)
        item = items.get(finding.item_id)
        listing = HazardListing(finding=finding, institution_id=finding.institution_id,
                                department=finding.department, hazard=getattr(item, "hazard", None),
                                listed_on=now.astimezone(tz).date(), listed_at=now, department_staff_id=head,
                                state=None, plan_due_at=plan_due)
        db.session.add(listing)
        _move(listing, "list", None, now, data={"plan_due": plan_due.isoformat(), "hazard": listing.hazard})
        fs.apply(finding, "list_hazard", None, now, values={"deadline_at": plan_due},
                 data={"listing": listing.id, "deadline": plan_due.isoformat()}, reschedule_ladder=True)
        notify("hazard_listed", finding.institution_id, finding.department, ("institution", "bureau"),
               finding_id=finding.id, params=_params(listing, day=dl.local_day(plan_due, tz).isoformat()), now=now)
        audit.record(None, "list", "hazard_listing", listing.id, after={
            "finding": finding.id, "department": listing.department, "plan_due": plan_due.isoformat()})
        made.append(listing)
    return made


def get(user, listing_id: int, *, lock: bool = False) -> HazardListing:
    policy.require(user, "hazards.view")
    stmt = policy.visible(HazardListing, user).where(HazardListing.id == listing_id)
    if lock:
        stmt = stmt.with_for_update(of=HazardListing)
    listing = db.session.scalar(stmt.execution_options(populate_existing=True))
    if listing is None:
        raise NotFound("The listed hazard was not found.")
    return listing


def listing_of_finding(user, finding: Finding) -> HazardListing | None:
    """The finding's listing, if any and visible to ``user`` (for the finding page)."""
    if not policy.can(user, "hazards.view"):
        return None
    return db.session.scalar(policy.visible(HazardListing, user).where(HazardListing.finding_id == finding.id))


def search(user, *, open_only: bool = False, institution_id: int | None = None,
           limit: int | None = None) -> list[HazardListing]:
    """The listings the user may see, newest first (open ones only, one institution's)."""
    policy.require(user, "hazards.view")
    stmt = policy.visible(HazardListing, user)
    if open_only:
        stmt = stmt.where(HazardListing.state.in_(hz.OPEN_LISTING))
    if institution_id is not None:
        stmt = stmt.where(HazardListing.institution_id == institution_id)
    stmt = stmt.order_by(HazardListing.listed_at.desc(), HazardListing.id.desc())
    return list(db.session.scalars(stmt.limit(limit) if limit else stmt))


def counts(user) -> dict[str, int]:
    """Open listings the user may see, by state, and ``total`` (the dashboard's figures)."""
    if not policy.can(user, "hazards.view"):
        return {}
    rows = db.session.execute(
        select(HazardListing.state, func.count()).where(policy.scope_clause(HazardListing, user),
                                                        HazardListing.state.in_(hz.OPEN_LISTING))
        .group_by(HazardListing.state)).all()
    out = {state: 0 for state in hz.OPEN_LISTING}
    out.update({state: int(n) for state, n in rows})
    out["total"] = sum(out[s] for s in hz.OPEN_LISTING)
    return out


def _officer(user, listing: HazardListing) -> bool:
    return fs.is_officer(user, listing.finding)


def may_assign(user, listing: HazardListing) -> bool:
    """An officer of the supervising department, or the bureau, names the responsible staff."""
    return policy.can(user, "hazards.assign") and (
        _officer(user, listing) or user.role == Role.BUREAU_ADMIN.value)


def may_reinspect(user, listing: HazardListing) -> bool:
    """Only an inspector of the supervising department records a re-inspection on site."""
    return policy.can(user, "hazards.reinspect") and user.role == Role.INSPECTOR.value \
        and user.department == listing.department


def assign(user, listing_id: int, bureau_staff_id: int | None, department_staff_id: int | None,
           now: datetime | None = None) -> HazardListing:
    """Name the responsible staff: a bureau admin and a department admin or inspector of the
    supervising department. An officer of the department, or the bureau, may do it."""
    policy.require(user, "hazards.assign")
    now = now or utcnow()
    listing = get(user, listing_id, lock=True)
    if not may_assign(user, listing):
        raise Forbidden("Only an officer of the supervising department or the bureau names the responsible staff.")
    problems = []
    if bureau_staff_id is not None and not db.session.scalar(select(User.id).where(
            User.id == bureau_staff_id, User.role == Role.BUREAU_ADMIN.value, User.is_active_account.is_(True))):
        problems.append(("bureau_staff_id", "not a valid choice", {}))
    if department_staff_id is not None and not db.session.scalar(select(User.id).where(
            User.id == department_staff_id, User.department == listing.department,
            User.role.in_((Role.DEPARTMENT_ADMIN.value, Role.INSPECTOR.value)), User.is_active_account.is_(True))):
        problems.append(("department_staff_id", "not a valid choice", {}))
    if problems:
        raise Invalid("The responsible staff could not be saved.", problems=problems)
    _move(listing, "assign", user, now, values={"bureau_staff_id": bureau_staff_id,
                                                "department_staff_id": department_staff_id},
          data={"bureau_staff": bureau_staff_id, "department_staff": department_staff_id})
    audit.record(user, "assign", "hazard_listing", listing.id,
                 after={"bureau_staff": bureau_staff_id, "department_staff": department_staff_id})
    return listing


# ----------------------------------------------------------------------------- the plan

def submit_plan(user, listing_id: int, draft: hz.PlanDraft, now: datetime | None = None) -> HazardPlan:
    """The institution submits its remediation plan (治理方案) with dated milestones."""
    policy.require(user, "hazards.plan")
    now = now or utcnow()
    tz = policies.tz()
    listing = get(user, listing_id, lock=True)
    machine.check(hz.LISTING, listing.state, "submit_plan", hazard_labels.state)
    problems = hz.plan_problems(draft, listing.listed_on, now.astimezone(tz).date(), rule())
    if problems:
        raise Invalid("The plan could not be submitted.", problems=problems)
    number = (db.session.scalar(select(func.max(HazardPlan.number)).where(HazardPlan.listing_id == listing.id)) or 0) + 1
    plan = HazardPlan(listing_id=listing.id, number=number, measures=draft.measures.strip(),
                      responsible_person=draft.responsible_person.strip()[:120], funds_yuan=draft.funds_yuan,
                      interim_measures=draft.interim_measures.strip(), stop_use=draft.stop_use,
                      stop_use_area=draft.stop_use_area.strip() or None if draft.stop_use else None,
                      end_on=draft.end_on, status=None, submitted_by_id=user.id, submitted_at=now)
    machine.check(hz.PLAN, None, "submit")
    plan.status = hz.SUBMITTED
    db.session.add(plan)
    db.session.flush()
    for seq, step in enumerate(draft.milestones, start=1):
        db.session.add(HazardMilestone(plan_id=plan.id, listing_id=listing.id, seq=seq, text=step.text.strip(),
                                       due_on=step.due_on, due_at=dl.end_of_day(step.due_on, tz),
                                       state=hz.MILESTONE.next(None, "plan").to_state, step=0,
                                       escalation_level=0, next_due_at=None))
    _move(listing, "submit_plan", user, now, data={"plan": plan.id, "number": number,
                                                   "end_on": draft.end_on.isoformat()})
    notify("hazard_plan", listing.institution_id, listing.department, ("department",),
           finding_id=listing.finding_id, params=_params(listing), now=now)
    audit.record(user, "submit_plan", "hazard_listing", listing.id, after={"plan": plan.id, "number": number})
    return plan


def decide_plan(user, listing_id: int, plan_id: int, approve: bool | None, note: str = "",
                now: datetime | None = None) -> HazardPlan:
    """An officer of the supervising department approves the plan — the finding's deadline
    becomes the plan's end date and each milestone's ladder starts — or sends it back with
    reasons (the institution submits a new one)."""
    policy.require(user, "hazards.decide")
    now = now or utcnow()
    tz = policies.tz()
    listing = get(user, listing_id, lock=True)
    if not _officer(user, listing):
        raise Forbidden("Only an officer of the supervising department decides the plan.")
    plan = db.session.scalar(select(HazardPlan).where(HazardPlan.id == plan_id, HazardPlan.listing_id == listing.id))
    if plan is None:
        raise NotFound("The plan was not found.")
    machine.check(hz.PLAN, plan.status, "approve")
    note = (note or "").strip()[:4000]
    if approve not in (True, False):
        raise Invalid("The decision could not be saved.", problems=[("decision", "choose approve or send back", {})])
    if not approve and not note:
        raise Invalid("Say why the plan is sent back.", problems=[("note", "is required", {})])
    plan.status = hz.PLAN.next(plan.status, "approve" if approve else "return").to_state
    plan.decided_by_id, plan.decided_at, plan.decision_note = user.id, now, note or None
    if approve:
        end = dl.end_of_day(plan.end_on, tz)
        _move(listing, "approve_plan", user, now, reason=note,
              values={"end_on": plan.end_on, "stop_use": plan.stop_use, "stop_use_area": plan.stop_use_area},
              data={"plan": plan.id, "end": end.isoformat()})
        sup = policies.current()
        for milestone in plan.milestones:
            milestone.step = dl.rewind(sup, 0, milestone.due_at, now)
            milestone.next_due_at = dl.rung_due(sup, milestone.step, milestone.due_at)
        fs.apply(listing.finding, "approve_hazard_plan", user, now, reason=note, values={"deadline_at": end},
                 data={"listing": listing.id, "plan": plan.id, "deadline": end.isoformat()}, reschedule_ladder=True)
    else:
        _move(listing, "return_plan", user, now, reason=note, data={"plan": plan.id})
    db.session.flush()
    notify("hazard_plan_approved" if approve else "hazard_plan_returned", listing.institution_id,
           listing.department, ("institution",), finding_id=listing.finding_id, params=_params(listing), now=now)
    audit.record(user, "decide_plan", "hazard_listing", listing.id,
                 after={"plan": plan.id, "approved": approve}, reason=note or None)
    return plan


def report_milestone(user, listing_id: int, milestone_id: int, text: str, photos=(),
                     now: datetime | None = None) -> HazardMilestone:
    """The institution reports a milestone done, with evidence; its ladder stops."""
    policy.require(user, "hazards.plan")
    now = now or utcnow()
    body = (text or "").strip()
    photos = [p for p in (photos or []) if p is not None and getattr(p, "filename", "")]
    problems = []
    if not body:
        problems.append(("text", "is required", {}))
    elif len(body) > 4000:
        problems.append(("text", "is too long (at most %(n)s characters)", {"n": 4000}))
    if rule().milestone_evidence and not photos:
        problems.append(("photos", "at least one photo of the work done", {}))
    if len(photos) > MAX_PHOTOS:
        problems.append(("photos", "at most %(n)s", {"n": MAX_PHOTOS}))
    if problems:
        raise Invalid("The milestone could not be reported.", problems=problems)
    listing = get(user, listing_id)
    milestone = _milestone(listing, milestone_id)
    machine.check(hz.LISTING, listing.state, "report_milestone", hazard_labels.state)
    machine.check(hz.MILESTONE, milestone.state, "report")
    prepared = [prepare_upload(p, kind="photo", where=f"photos[{n + 1}]") for n, p in enumerate(photos)]
    listing = get(user, listing_id, lock=True)
    moved = db.session.execute(
        update(HazardMilestone).where(HazardMilestone.id == milestone.id, HazardMilestone.state == hz.PENDING)
        .values(state=hz.REPORTED, reported_at=now, reported_by_id=user.id, report_text=body, next_due_at=None)
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise Conflict(hz.MILESTONE.refusal)
    db.session.expire(milestone)
    for p in prepared:
        db.session.add(HazardEvidence(milestone_id=milestone.id, file_id=record(p, user).id))
    _move(listing, "report_milestone", user, now, reason=body[:200],
          data={"milestone": milestone.id, "seq": milestone.seq, "photos": len(prepared)})
    notify("hazard_milestone", listing.institution_id, listing.department, ("department",),
           finding_id=listing.finding_id, params=_params(listing, seq=milestone.seq), now=now)
    audit.record(user, "report_milestone", "hazard_listing", listing.id, after={"milestone": milestone.id})
    return milestone


def _milestone(listing: HazardListing, milestone_id: int) -> HazardMilestone:
    milestone = db.session.scalar(select(HazardMilestone).join(HazardPlan).where(
        HazardMilestone.id == milestone_id, HazardMilestone.listing_id == listing.id,
        HazardPlan.status == hz.APPROVED))
    if milestone is None:
        raise NotFound("The milestone was not found.")
    return milestone


def evidence(user, listing_id: int, photo_id: int):
    """A milestone's photo, once the listing is authorized for the user."""
    listing = get(user, listing_id)
    row = db.session.scalar(select(HazardEvidence).join(HazardMilestone).where(
        HazardEvidence.id == photo_id, HazardMilestone.listing_id == listing.id))
    if row is None:
        raise NotFound("The file was not found.")
    return row.file


# ----------------------------------------------------------------------------- re-inspection

def reinspect(user, listing_id: int, held_on: date | None, removed: bool | None, note: str,
              now: datetime | None = None) -> HazardReinspection:
    """An inspector of the supervising department records an on-site re-inspection: the hazard
    removed → the listing is closed (摘牌/销号) and its finding closed; still there → both stay
    open (the finding's deadline and ladder go on)."""
    policy.require(user, "hazards.reinspect")
    now = now or utcnow()
    tz = policies.tz()
    listing = get(user, listing_id, lock=True)
    if not may_reinspect(user, listing):
        raise Forbidden("Only an inspector of the supervising department records the re-inspection.")
    note = (note or "").strip()
    problems = []
    today = now.astimezone(tz).date()
    if not isinstance(held_on, date):
        problems.append(("held_on", "a date is required", {}))
    elif held_on > today:
        problems.append(("held_on", "cannot be in the future", {}))
    elif held_on < listing.listed_on:
        problems.append(("held_on", "cannot be before the listing", {}))
    if removed not in (True, False):
        problems.append(("removed", "choose whether the hazard was removed", {}))
    if not note:
        problems.append(("note", "is required", {}))
    if problems:
        raise Invalid("The re-inspection could not be recorded.", problems=problems)
    event = "reinspect_pass" if removed else "reinspect_fail"
    machine.check(hz.LISTING, listing.state, event, hazard_labels.state)
    if removed:
        fs.check(listing.finding, "remove_hazard")
    row = HazardReinspection(listing_id=listing.id, inspector_id=user.id, held_on=held_on, removed=removed,
                             note=note[:4000], created_at=now)
    db.session.add(row)
    db.session.flush()
    values = {"delisted_at": now} if removed else None
    _move(listing, event, user, now, reason=note, values=values,
          data={"reinspection": row.id, "held_on": held_on.isoformat()})
    if removed:
        db.session.execute(update(HazardMilestone).where(HazardMilestone.listing_id == listing.id)
                           .values(next_due_at=None).execution_options(synchronize_session=False))
        fs.apply(listing.finding, "remove_hazard", user, now, reason=note, values={"closed_at": now},
                 data={"listing": listing.id, "reinspection": row.id})
    notify("hazard_delisted" if removed else "hazard_still_there", listing.institution_id, listing.department,
           ("institution", "bureau") if removed else ("institution",), finding_id=listing.finding_id,
           params=_params(listing), now=now)
    audit.record(user, "reinspect", "hazard_listing", listing.id,
                 after={"reinspection": row.id, "removed": removed, "state": listing.state})
    return row


def withdraw_with_finding(finding: Finding, actor, now: datetime, reason: str | None = None) -> HazardListing | None:
    """The finding was annulled (the institution's reply 陈述申辩 was upheld): its open listing
    ends with it, and the milestones' ladder stops. None when the finding was not listed."""
    listing = db.session.scalar(select(HazardListing).where(
        HazardListing.finding_id == finding.id, HazardListing.state.in_(hz.OPEN_LISTING)).with_for_update())
    if listing is None:
        return None
    _move(listing, "withdraw", actor, now, reason=reason, data={"finding": finding.id})
    db.session.execute(update(HazardMilestone).where(HazardMilestone.listing_id == listing.id)
                       .values(next_due_at=None).execution_options(synchronize_session=False))
    audit.record(actor, "withdraw", "hazard_listing", listing.id, after={"state": listing.state}, reason=reason)
    return listing


# ----------------------------------------------------------------------------- the sweep

def sweep_milestones(now: datetime | None = None, limit: int = 500) -> SweepResult:
    """Reminders and escalations of the approved plans' milestones, by the supervision ladder
    (policies/supervision.yaml ``ladder``) against each milestone's date. Each rung is claimed by
    a conditional UPDATE (same step, same level, still due, still pending, listing open), so it
    happens exactly once per milestone however many sweepers run; a reminder already past is
    skipped, not sent late. Credit records and blacklist proposals come from the finding's own
    deadline (the plan's end date), not from milestones. The caller commits (and calls again while
    ``more``)."""
    now = now or utcnow()
    sup = policies.current()
    rows = db.session.execute(
        select(HazardMilestone.id, HazardMilestone.step, HazardMilestone.escalation_level)
        .where(HazardMilestone.next_due_at <= now).order_by(HazardMilestone.next_due_at).limit(limit)).all()
    claimed_n = done = 0
    for row in rows:
        if row.step >= len(sup.ladder):
            db.session.execute(update(HazardMilestone).where(HazardMilestone.id == row.id,
                                                             HazardMilestone.step == row.step)
                               .values(next_due_at=None).execution_options(synchronize_session=False))
            continue
        rung = sup.ladder[row.step]
        new_step, new_level = dl.advance(sup, row.step, row.escalation_level)
        claimed = db.session.execute(
            update(HazardMilestone)
            .where(HazardMilestone.id == row.id, HazardMilestone.step == row.step,
                   HazardMilestone.escalation_level == row.escalation_level,
                   HazardMilestone.next_due_at <= now, HazardMilestone.state == hz.PENDING,
                   HazardMilestone.listing_id.in_(select(HazardListing.id).where(
                       HazardListing.state == hz.REMEDIATING)))
            .values(step=new_step, escalation_level=new_level, next_due_at=None)
            .execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            continue
        claimed_n += 1
        milestone = db.session.get(HazardMilestone, row.id, populate_existing=True)
        if new_step < len(sup.ladder):
            milestone.next_due_at = dl.rung_due(sup, new_step, milestone.due_at)
        if rung.kind == dl.REMINDER and milestone.due_at <= now:
            continue                                   # a late reminder is skipped
        listing = db.session.get(HazardListing, milestone.listing_id)
        action = "remind" if rung.kind == dl.REMINDER else "escalate"
        _move(listing, action, None, now, step=rung.code, data={"milestone": milestone.id, "seq": milestone.seq})
        notify("milestone_reminder" if action == "remind" else "milestone_overdue", listing.institution_id,
               listing.department, rung.notify, finding_id=listing.finding_id,
               params=_params(listing, seq=milestone.seq, day=milestone.due_on.isoformat(), step=rung.code), now=now)
        audit.record(None, action, "hazard_milestone", milestone.id, after={"rung": rung.code, "at": now.isoformat()})
        done += 1
    db.session.flush()
    return SweepResult(len(rows), claimed_n, done)


def staff_choices(listing: HazardListing) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(bureau admins, the department's admins and inspectors) to name as responsible staff."""
    active = User.is_active_account.is_(True)
    bureau = db.session.execute(select(User.id, User.name).where(
        User.role == Role.BUREAU_ADMIN.value, active).order_by(User.name)).all()
    dept = db.session.execute(select(User.id, User.name).where(
        User.department == listing.department, active,
        User.role.in_((Role.DEPARTMENT_ADMIN.value, Role.INSPECTOR.value))).order_by(User.name)).all()
    return [(r.id, r.name) for r in bureau], [(r.id, r.name) for r in dept]
