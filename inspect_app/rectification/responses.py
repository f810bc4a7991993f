"""What people do to a finding: the institution answers, asks for more time or replies (陈述申辩);
the department decides, verifies (复查) and may send inspectors back on site."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from .translate import t as _
from sqlalchemy import func, select

from ..auth import policy
from ..auth.roles import Role
from ..core import audit
from ..core.errors import Conflict, Forbidden, Invalid, NotFound
from ..core.types import utcnow
from ..domain.rectification import ladder as dl
from ..core.whole_numbers import whole_number
from ..domain.rectification.states import ACTIVE, CONTESTED, RESPONDED
from ..extensions import db
from . import findings as fs
from . import hazards
from . import policy as policies
from .messages import notify
from .hazard_models import open_listing_of
from .models import (ACCEPTED, EXTENSION, PENDING, REJECTED, REPLY, RESPONSE, Finding,
                     FindingResponse, ResponsePhoto)
from ..core.files import prepare_upload, record
from ..inspections.services.visits import create_visit
from ..auth.models import User

MAX_PHOTOS = 6


def _text(value: str | None, label: str, problems: list, required: bool = True, limit: int = 4000) -> str:
    """The text of a field; a problem names the field by its label (the form's, in the
    reader's language), as the page shows it."""
    value = (value or "").strip()
    if required and not value:
        problems.append(f"{_(label)}: " + _("is required"))
    elif len(value) > limit:
        problems.append(f"{_(label)}: " + _("is too long (at most %(n)s characters)", n=limit))
    return value


def _prepare_photos(photos, problems_where: str = "photos") -> list:
    """The photos checked, re-encoded and written: done before the finding is locked (on
    SQLite, before the write lock is taken); :func:`_store_photos` adds their rows."""
    photos = [p for p in (photos or []) if p is not None and getattr(p, "filename", "")]
    if len(photos) > MAX_PHOTOS:
        raise Invalid("Too many photos.", problems=[f"{problems_where}: " + _("at most %(n)s", n=MAX_PHOTOS)])
    return [prepare_upload(p, kind="photo", where=f"{problems_where}[{n + 1}]")
            for n, p in enumerate(photos)]


def _store_photos(user, prepared: list) -> list:
    return [record(p, user) for p in prepared]


def _snapshot(finding: Finding) -> dict:
    return {k: v for k, v in audit.snapshot(finding).items()
            if k in ("state", "deadline_at", "step", "escalation_level", "next_due_at", "version")}


def _params(finding: Finding, **extra) -> dict:
    return {"finding": finding.id, "item": finding.item_id, **extra}


# A finding listed as a major hazard (hazards.py) has a plan instead of an extension and is
# closed only by an on-site re-inspection, never by an answer verified at the desk.
LISTED_HAZARD = ("This finding is a listed major hazard: it is remedied by an approved plan and "
                 "closed only by an on-site re-inspection.")


def _not_listed(finding: Finding) -> None:
    if open_listing_of(finding.id) is not None:
        raise Conflict(LISTED_HAZARD)


# ----------------------------------------------------------------------------- institution

def respond(user, finding_id: int, text: str, photos=(), now: datetime | None = None) -> FindingResponse:
    """The institution reports the finding rectified, with a description and photos."""
    policy.require(user, "rectification.respond")
    now = now or utcnow()
    finding = fs.get(user, finding_id)
    problems: list[str] = []
    body = _text(text, "What was done", problems)
    if problems:
        raise Invalid("The response could not be saved.", problems=problems)
    fs.check(finding, "respond")
    _not_listed(finding)
    prepared = _prepare_photos(photos)
    finding = fs.get(user, finding_id, lock=True)
    fs.check(finding, "respond")
    before = _snapshot(finding)
    files = _store_photos(user, prepared)
    response = FindingResponse(finding=finding, kind=RESPONSE, text=body, status=PENDING,
                               created_by_id=user.id, created_at=now)
    response.photos = [ResponsePhoto(file_id=f.id) for f in files]
    db.session.add(response)
    fs.apply(finding, "respond", user, now, reason=body[:200], data={"photos": len(files)})
    notify("response", finding.institution_id, finding.department, ("department",),
           finding_id=finding.id, params=_params(finding), now=now)
    audit.record(user, "respond", "finding", finding.id, before=before,
                 after={**_snapshot(finding), "response_id": response.id, "photos": [f.id for f in files]})
    return response


def extension_refusal(finding: Finding, now: datetime, rule=None) -> Conflict | None:
    """Why an extension of ``finding`` cannot be asked at ``now`` (the refusal
    :func:`request_extension` would raise, whatever is typed), or None. The finding page
    offers the form only when this is None."""
    rule = rule or policies.current()
    if finding.state not in ACTIVE:
        return fs.not_now(finding)
    if open_listing_of(finding.id) is not None:
        return Conflict(LISTED_HAZARD)
    if finding.deadline_at <= now:
        return Conflict("The deadline has passed; an extension must be asked before it.")
    if dl.max_extension_days(rule, finding.deadline_days) < 1:
        return Conflict("This finding's deadline is too short to be extended.")
    asked = db.session.scalar(select(func.count()).select_from(FindingResponse).where(
        FindingResponse.finding_id == finding.id, FindingResponse.kind == EXTENSION)) or 0
    if asked >= rule.extension_max_count:
        return Conflict("An extension was already requested for this finding.")
    return None


def reply_refusal(finding: Finding, now: datetime) -> Conflict | None:
    """Why no reply (陈述申辩) can be made on ``finding`` at ``now``, or None (see :func:`reply`)."""
    if finding.notice is not None and now >= finding.notice.reply_until:
        return Conflict("The time to reply to this notice has ended.")
    if finding.contested:
        return Conflict("A reply was already made on this finding.")
    try:
        fs.check(finding, "reply")
    except Conflict as exc:
        return exc
    return None


def request_extension(user, finding_id: int, text: str, days, now: datetime | None = None) -> FindingResponse:
    """One extension per finding, with a reason, at most the original length, asked before
    the deadline."""
    policy.require(user, "rectification.respond")
    now = now or utcnow()
    rule = policies.current()
    finding = fs.get(user, finding_id, lock=True)
    problems: list[str] = []
    reason = _text(text, "Reason", problems)
    days = whole_number(days if isinstance(days, int) else str(days or "").strip()) or 0
    limit = dl.max_extension_days(rule, finding.deadline_days)
    if not 1 <= days <= limit:
        problems.append(f"{_('Extra days')}: " + _("between 1 and %(n)s days", n=limit))
    if problems:
        raise Invalid("The request could not be saved.", problems=problems)
    refusal = extension_refusal(finding, now, rule)
    if refusal is not None:
        raise refusal
    response = FindingResponse(finding=finding, kind=EXTENSION, text=reason, days=days, status=PENDING,
                               created_by_id=user.id, created_at=now)
    db.session.add(response)
    fs.apply(finding, "request_extension", user, now, reason=reason, data={"days": days})
    notify("extension_request", finding.institution_id, finding.department, ("department",),
           finding_id=finding.id, params=_params(finding, days=days), now=now)
    audit.record(user, "request_extension", "finding", finding.id,
                 after={"response_id": response.id, "days": days})
    return response


def reply(user, finding_id: int, text: str, photos=(), now: datetime | None = None) -> FindingResponse:
    """陈述申辩: a reply that contests the finding with reasons (and evidence) within the reply window.
    The deadline's clock stops until a department officer decides."""
    policy.require(user, "rectification.respond")
    now = now or utcnow()
    finding = fs.get(user, finding_id)
    problems: list[str] = []
    reason = _text(text, "Why the finding is wrong", problems)
    if problems:
        raise Invalid("The reply could not be saved.", problems=problems)
    _may_reply(finding, now)
    prepared = _prepare_photos(photos)
    finding = fs.get(user, finding_id, lock=True)
    _may_reply(finding, now)
    before = _snapshot(finding)
    files = _store_photos(user, prepared)
    response = FindingResponse(finding=finding, kind=REPLY, text=reason, status=PENDING,
                               created_by_id=user.id, created_at=now)
    response.photos = [ResponsePhoto(file_id=f.id) for f in files]
    db.session.add(response)
    fs.apply(finding, "reply", user, now, reason=reason, values={"contested": True, "paused_at": now})
    notify("reply", finding.institution_id, finding.department, ("department",),
           finding_id=finding.id, params=_params(finding), now=now)
    audit.record(user, "reply", "finding", finding.id, before=before,
                 after={**_snapshot(finding), "response_id": response.id})
    return response


def _may_reply(finding: Finding, now: datetime) -> None:
    refusal = reply_refusal(finding, now)
    if refusal is not None:
        raise refusal


# ----------------------------------------------------------------------------- department

def _pending(finding: Finding, response_id: int, kind: str) -> FindingResponse:
    response = db.session.scalar(select(FindingResponse).where(
        FindingResponse.id == response_id, FindingResponse.finding_id == finding.id,
        FindingResponse.kind == kind))
    if response is None:
        raise NotFound("The request was not found.")
    if response.status != PENDING:
        raise Conflict("This request was already decided.")
    return response


def decider_refusal(user, finding: Finding, kind: str) -> Forbidden | None:
    """Why ``user`` may not decide a request of ``kind`` (extension or reply) on ``finding``,
    or None. Requests are decided by an officer of the finding's department
    (:func:`.findings.is_officer`); a reply (陈述申辩) contests the visit's finding, so an
    officer who was on that visit's team does not decide it. docs/security.md."""
    if not fs.is_officer(user, finding):
        return Forbidden("Only an officer of the department (its admin or head) decides requests.")
    if kind == REPLY and fs.was_on_visit(user, finding):
        return Forbidden("An officer who was on the visit may not decide the reply.")
    return None


def _require_decider(user, finding: Finding, kind: str, decision: bool | None) -> None:
    """Refuse a user who may not decide (403), then a decision that is neither yes nor no (422)."""
    refusal = decider_refusal(user, finding, kind)
    if refusal is not None:
        raise refusal
    if decision not in (True, False):
        raise Invalid("The decision could not be saved.",
                      problems=["decision: " + _("choose grant/uphold or refuse/dismiss")])


def decide_extension(user, finding_id: int, response_id: int, grant: bool | None, note: str = "",
                     now: datetime | None = None) -> FindingResponse:
    policy.require(user, "rectification.view")
    now = now or utcnow()
    finding = fs.get(user, finding_id, lock=True)
    _require_decider(user, finding, EXTENSION, grant)
    response = _pending(finding, response_id, EXTENSION)
    before = _snapshot(finding)
    response.status = ACCEPTED if grant else REJECTED
    response.decided_by_id, response.decided_at = user.id, now
    response.decision_note = (note or "").strip()[:4000] or None
    if grant:
        new_deadline = finding.deadline_at + timedelta(days=response.days or 0)
        fs.apply(finding, "grant_extension", user, now, reason=note, values={"deadline_at": new_deadline},
                 data={"days": response.days, "deadline": new_deadline.isoformat()}, reschedule_ladder=True)
    else:
        fs.apply(finding, "refuse_extension", user, now, reason=note)
    notify("extension_granted" if grant else "extension_refused", finding.institution_id,
           finding.department, ("institution",), finding_id=finding.id, params=_params(finding), now=now)
    audit.record(user, "decide_extension", "finding", finding.id, before=before,
                 after={**_snapshot(finding), "response_id": response.id, "granted": grant}, reason=note or None)
    return response


def decide_reply(user, finding_id: int, response_id: int, uphold: bool | None, note: str = "",
                 now: datetime | None = None) -> FindingResponse:
    """A department officer who was not on the visit decides the reply: upheld → the finding
    is withdrawn; dismissed → it stands, its deadline moved by the time spent deciding."""
    policy.require(user, "rectification.view")
    now = now or utcnow()
    finding = fs.get(user, finding_id, lock=True)
    _require_decider(user, finding, REPLY, uphold)
    response = _pending(finding, response_id, REPLY)
    problems: list[str] = []
    note = _text(note, "Note", problems)
    if problems:
        raise Invalid("The decision could not be saved.", problems=problems)
    if finding.state != CONTESTED:
        raise fs.not_now(finding)
    before = _snapshot(finding)
    response.status = ACCEPTED if uphold else REJECTED
    response.decided_by_id, response.decided_at, response.decision_note = user.id, now, note
    if uphold:
        fs.apply(finding, "uphold_reply", user, now, reason=note, values={"closed_at": now, "paused_at": None})
        hazards.withdraw_with_finding(finding, user, now, reason=note)   # a listed hazard ends with it
    else:
        paused = now - (finding.paused_at or now)
        new_deadline = finding.deadline_at + paused
        fs.apply(finding, "dismiss_reply", user, now, reason=note,
                 values={"deadline_at": new_deadline, "paused_at": None},
                 data={"deadline": new_deadline.isoformat()})
    notify("reply_upheld" if uphold else "reply_dismissed", finding.institution_id, finding.department,
           ("institution",), finding_id=finding.id, params=_params(finding), now=now)
    audit.record(user, "decide_reply", "finding", finding.id, before=before,
                 after={**_snapshot(finding), "response_id": response.id, "upheld": uphold}, reason=note)
    return response


def verify(user, finding_id: int, accept: bool, note: str = "", now: datetime | None = None) -> Finding:
    """复查 by the department's inspector (or admin): accept → closed (销号); reject →
    reopened with a new deadline of the finding's original length."""
    policy.require(user, "rectification.verify")
    now = now or utcnow()
    rule = policies.current()
    finding = fs.get(user, finding_id, lock=True)
    if finding.state != RESPONDED:
        raise fs.not_now(finding)
    note = (note or "").strip()[:4000]
    if not accept and not note:
        raise Invalid("Say why the rectification is not accepted.", problems=["note: " + _("is required")])
    if accept:
        _not_listed(finding)
    before = _snapshot(finding)
    pending = db.session.scalars(select(FindingResponse).where(
        FindingResponse.finding_id == finding.id, FindingResponse.kind == RESPONSE,
        FindingResponse.status == PENDING)).all()
    for response in pending:
        response.status = ACCEPTED if accept else REJECTED
        response.decided_by_id, response.decided_at, response.decision_note = user.id, now, note or None
    if accept:
        fs.apply(finding, "accept", user, now, reason=note, values={"closed_at": now})
    else:
        new_deadline = dl.deadline_at(now, finding.deadline_days, policies.tz(rule))
        fs.apply(finding, "reject", user, now, reason=note, values={"deadline_at": new_deadline},
                 data={"deadline": new_deadline.isoformat()})
    notify("closed" if accept else "reopened", finding.institution_id, finding.department,
           ("institution",), finding_id=finding.id, params=_params(finding), now=now)
    audit.record(user, "verify", "finding", finding.id, before=before,
                 after={**_snapshot(finding), "accepted": accept}, reason=note or None)
    return finding


def schedule_reinspection(user, finding_id: int, on: date | None, inspector_ids: list[int],
                          now: datetime | None = None):
    """An on-site re-inspection (复查) of a critical finding: a follow-up visit of the
    finding's department, created by the inspections feature."""
    policy.require(user, "rectification.decide")
    now = now or utcnow()
    rule = policies.current()
    finding = fs.get(user, finding_id, lock=True)
    if finding.severity not in rule.reinspection_severities:
        raise Conflict("An on-site re-inspection is for critical findings.")
    problems = []
    if not isinstance(on, date):
        problems.append(f"{_('Re-inspection date')}: " + _("a date is required"))
    elif on < now.astimezone(policies.tz(rule)).date():
        problems.append(f"{_('Re-inspection date')}: " + _("cannot be in the past"))
    if not inspector_ids:
        problems.append(f"{_('Inspectors')}: " + _("choose at least one inspector"))
    if problems:
        raise Invalid("The re-inspection could not be scheduled.", problems=problems)
    visit = create_visit(user, finding.institution_id, on, {finding.department: inspector_ids},
                         purpose="follow_up", source=f"finding:{finding.id}",
                         note=f"复查 #{finding.id} {finding.item_id}")
    fs.apply(finding, "schedule_reinspection", user, now, data={"visit_id": visit.id, "on": on.isoformat()})
    notify("reinspection", finding.institution_id, finding.department, ("institution",),
           finding_id=finding.id, params=_params(finding), now=now)
    audit.record(user, "schedule_reinspection", "finding", finding.id, after={"visit_id": visit.id})
    return visit


def inspector_choices(user, finding: Finding) -> list[tuple[int, str]]:
    rows = db.session.execute(select(User.id, User.name).where(
        User.role == Role.INSPECTOR.value, User.department == finding.department,
        User.is_active_account.is_(True)).order_by(User.name)).all()
    return [(r.id, r.name) for r in rows]


def photo(user, finding_id: int, photo_id: int):
    """A response photo, once the finding is authorized for the user."""
    finding = fs.get(user, finding_id)
    row = db.session.scalar(select(ResponsePhoto).join(FindingResponse).where(
        ResponsePhoto.id == photo_id, FindingResponse.finding_id == finding.id))
    if row is None:
        raise NotFound("The file was not found.")
    return row.file
