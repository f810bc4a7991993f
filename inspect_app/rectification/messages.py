"""In-app messages (站内消息) to an institution's staff, a department's heads or the bureau,
and their e-mail copies (a job, only when ``MAIL_SERVER`` is configured)."""
from __future__ import annotations

import logging
import smtplib
from datetime import datetime
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale, lazy_gettext as _l
from sqlalchemy import and_, exists, func, insert, literal, select

from ..auth import policy
from ..auth.models import User
from ..auth.roles import Role
from ..core import jobs
from ..core.errors import NotFound
from ..core.paging import Page, paginate
from ..core.types import UTCDateTime, utcnow
from ..extensions import db
from .models import (Finding, Message, MessageRead, RectificationNotice, TO_BUREAU, TO_DEPARTMENT,
                     TO_INSTITUTION)
from .labels import rung_days

log = logging.getLogger(__name__)
MAIL_JOB = "rectification.send_mail"

TEXTS = {
    "notice": _l("Rectification notice %(notice)s: %(count)s finding(s) to rectify."),
    "reminder": _l("Finding #%(finding)s (%(item)s) is due in %(days)s day(s)."),
    "overdue": _l("Finding #%(finding)s (%(item)s) is overdue."),
    "interview": _l("Finding #%(finding)s (%(item)s) is %(days)s days overdue: an interview is to be recorded."),
    "bureau": _l("Finding #%(finding)s (%(item)s) is %(days)s days overdue: reported to the bureau with a credit record."),
    "escalation": _l("Finding #%(finding)s (%(item)s) was escalated (%(step)s)."),
    "response": _l("The institution answered finding #%(finding)s (%(item)s); please verify."),
    "extension_request": _l("The institution asks %(days)s more days for finding #%(finding)s (%(item)s)."),
    "extension_granted": _l("Extension granted for finding #%(finding)s (%(item)s)."),
    "extension_refused": _l("Extension refused for finding #%(finding)s (%(item)s)."),
    "reply": _l("The institution made a reply on finding #%(finding)s (%(item)s)."),
    "reply_upheld": _l("Your reply on finding #%(finding)s (%(item)s) was upheld; the finding is withdrawn."),
    "reply_dismissed": _l("Your reply on finding #%(finding)s (%(item)s) was dismissed; the finding stands."),
    "closed": _l("Finding #%(finding)s (%(item)s) was verified and closed."),
    "reopened": _l("Finding #%(finding)s (%(item)s) was not accepted and is reopened with a new deadline."),
    "reinspection": _l("An on-site re-inspection of finding #%(finding)s (%(item)s) is scheduled."),
    # The major-hazard track (hazards.py)
    "hazard_listed": _l("Finding #%(finding)s (%(item)s) is a major hazard listed for supervision: submit a remediation plan by %(day)s."),
    "hazard_plan": _l("A remediation plan was submitted for listed hazard #%(listing)s (%(item)s); please decide."),
    "hazard_plan_approved": _l("The remediation plan for listed hazard #%(listing)s (%(item)s) was approved; its end date is the deadline."),
    "hazard_plan_returned": _l("The remediation plan for listed hazard #%(listing)s (%(item)s) was sent back; submit a new one."),
    "hazard_milestone": _l("Milestone %(seq)s of listed hazard #%(listing)s (%(item)s) was reported."),
    "milestone_reminder": _l("Milestone %(seq)s of listed hazard #%(listing)s (%(item)s) is due on %(day)s."),
    "milestone_overdue": _l("Milestone %(seq)s of listed hazard #%(listing)s (%(item)s), due on %(day)s, is overdue."),
    "hazard_delisted": _l("Listed hazard #%(listing)s (%(item)s) was found removed on site and is delisted."),
    "hazard_still_there": _l("The on-site re-inspection found listed hazard #%(listing)s (%(item)s) still present."),
}


def text_of(message: Message) -> str:
    template = TEXTS.get(message.kind)
    params = {"finding": message.finding_id or "", "item": "", "notice": "", "count": "", "days": "",
              "step": message.kind}
    rung = rung_days(message.kind) if template is None or message.kind in ("interview", "bureau") else None
    if rung is not None:             # a ladder rung: its days come from the policy in force
        kind, params["days"] = rung
        template = template or TEXTS["reminder" if kind == "reminder" else "escalation"]
    template = template or TEXTS["escalation"]
    if message.finding_id and not (message.params or {}).get("item") and message.finding is not None:
        params["item"] = message.finding.item_id
    params.update(message.params or {})
    try:
        return str(template) % params
    except (KeyError, ValueError, TypeError):
        return str(template)


def notify(kind: str, institution_id: int, department: str, audiences, *, finding_id: int | None = None,
           notice_id: int | None = None, params: dict | None = None, now: datetime | None = None) -> list[int]:
    """One message per audience; mailed by a job when SMTP is configured."""
    now = now or utcnow()
    rows = [{"created_at": now, "audience": a, "institution_id": institution_id, "department": department,
             "kind": kind, "finding_id": finding_id, "notice_id": notice_id, "params": params}
            for a in audiences]
    return add_many(rows)


def add_many(rows: list[dict]) -> list[int]:
    """Insert message rows in one statement; enqueue their e-mail when SMTP is set up."""
    if not rows:
        return []
    if current_app.config.get("MAIL_SERVER"):
        ids = list(db.session.scalars(insert(Message).returning(Message.id), rows))
        jobs.enqueue(MAIL_JOB, {"message_ids": ids})
        return ids
    db.session.execute(insert(Message), rows)
    return []


def from_select(stmt):
    """The INSERT of messages from a SELECT of (created_at, audience, institution_id,
    department, kind, finding_id) — the sweep's bulk path (it runs the statement, and hands
    the new ids to :func:`mail_later`)."""
    return insert(Message).from_select(["created_at", "audience", "institution_id", "department", "kind",
                                        "finding_id"], stmt)


def mail_later(ids: list[int]) -> None:
    """Enqueue the mailing of new messages (when mail is configured)."""
    if ids and current_app.config.get("MAIL_SERVER"):
        jobs.enqueue(MAIL_JOB, {"message_ids": ids})


def _unread(user):
    return ~exists().where(and_(MessageRead.message_id == Message.id, MessageRead.user_id == user.id))


def inbox(user, page: int = 1, per_page: int = 25) -> Page:
    policy.require(user, "rectification.view")
    stmt = policy.visible(Message, user).order_by(Message.id.desc())
    return paginate(stmt, page, per_page)


def read_ids(user, messages) -> set[int]:
    ids = [m.id for m in messages]
    if not ids:
        return set()
    return set(db.session.scalars(select(MessageRead.message_id).where(
        MessageRead.user_id == user.id, MessageRead.message_id.in_(ids))))


def unread_count(user) -> int:
    if not policy.can(user, "rectification.view"):
        return 0
    return db.session.scalar(select(func.count()).select_from(Message)
                             .where(policy.scope_clause(Message, user), _unread(user))) or 0


def mark_read(user, message_id: int) -> None:
    """Mark one message read (a per-user mark; no audit row: it changes no record)."""
    policy.require(user, "rectification.view")
    message = db.session.scalar(policy.visible(Message, user).where(Message.id == message_id))
    if message is None:
        raise NotFound("The message was not found.")
    if db.session.get(MessageRead, (message.id, user.id)) is None:
        db.session.add(MessageRead(message_id=message.id, user_id=user.id, read_at=utcnow()))
        db.session.flush()


def open_message(user, message_id: int) -> tuple[str, int] | None:
    """Open a message: mark it read and say where it leads — ``("finding", id)`` or
    ``("notice", id)`` when the user may open that record, None otherwise (the inbox)."""
    mark_read(user, message_id)
    message = db.session.get(Message, message_id)
    if message.finding_id and db.session.scalar(
            select(Finding.id).where(Finding.id == message.finding_id, policy.scope_clause(Finding, user))):
        return "finding", message.finding_id
    if message.notice_id and db.session.scalar(
            select(RectificationNotice.id).where(RectificationNotice.id == message.notice_id,
                                                 policy.scope_clause(RectificationNotice, user))):
        return "notice", message.notice_id
    return None


def mark_all_read(user, now: datetime | None = None) -> int:
    """Mark every message the user sees and has not read as read, in one ``INSERT … SELECT``
    (idempotent: a second call finds nothing unread). Returns how many were marked."""
    policy.require(user, "rectification.view")
    now = now or utcnow()
    unread = (select(Message.id, literal(user.id), literal(now, UTCDateTime))
              .where(policy.scope_clause(Message, user), _unread(user)))
    marked = db.session.scalars(insert(MessageRead).from_select(["message_id", "user_id", "read_at"], unread)
                                .returning(MessageRead.message_id)).all()
    db.session.flush()
    return len(marked)


# ----------------------------------------------------------------------------- e-mail

def recipients(message: Message) -> list[str]:
    stmt = select(User.email).where(User.is_active_account.is_(True), User.email.is_not(None))
    if message.audience == TO_INSTITUTION:
        stmt = stmt.where(User.role == Role.INSTITUTION_STAFF.value, User.institution_id == message.institution_id)
    elif message.audience == TO_DEPARTMENT:
        stmt = stmt.where(User.role == Role.DEPARTMENT_ADMIN.value, User.department == message.department,
                          User.is_department_head.is_(True))
    elif message.audience == TO_BUREAU:
        stmt = stmt.where(User.role == Role.BUREAU_ADMIN.value)
    else:
        return []
    return sorted({e for e in db.session.scalars(stmt) if e})


def send_mail(job) -> dict:
    """Job handler: e-mail the messages named in the payload (plain smtplib, Chinese text)."""
    cfg = current_app.config
    if not cfg.get("MAIL_SERVER"):
        return {"sent": 0, "skipped": "no MAIL_SERVER"}
    ids = [int(i) for i in (job.payload or {}).get("message_ids", [])]
    sent = 0
    messages = list(db.session.scalars(select(Message).where(Message.id.in_(ids)).order_by(Message.id))) if ids else []
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg.get("MAIL_PORT", 25), timeout=30) as smtp:
        for message in messages:
            to = recipients(message)
            if not to:
                continue
            with force_locale("zh"):
                body = text_of(message)
            mail = EmailMessage()
            mail["From"] = cfg.get("MAIL_FROM", "careinspect@localhost")
            mail["To"] = ", ".join(to)
            mail["Subject"] = "【整改】" + body[:60]
            mail.set_content(body)
            smtp.send_message(mail)
            sent += 1
    return {"sent": sent}
