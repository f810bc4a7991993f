"""Rectification notices (整改通知书): numbered per department and year, listed, printed."""
from __future__ import annotations

from datetime import datetime


from ..auth import policy
from ..core.errors import NotFound
from ..domain.rectification import ladder as dl
from ..extensions import db
from . import policy as policies
from .models import NoticeCounter, RectificationNotice
from ..core.pdf import render_pdf


def next_number(department: str, year: int) -> int:
    """The next number of (department, year), by one atomic upsert on the counter row: two
    notices issued at once get two numbers (and the unique constraint guards the rest)."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(NoticeCounter).values(department=department, year=year, last=1)
    stmt = stmt.on_conflict_do_update(index_elements=["department", "year"],
                                      set_={"last": NoticeCounter.last + 1}).returning(NoticeCounter.last)
    return int(db.session.execute(stmt).scalar_one())


def issue_notice(inspection, rule: dl.Policy, issued: datetime, now: datetime) -> RectificationNotice:
    tz = policies.tz(rule)
    local = issued.astimezone(tz)
    number = next_number(inspection.department, local.year)
    notice = RectificationNotice(
        inspection_id=inspection.id, visit_id=inspection.visit_id,
        institution_id=inspection.visit.institution_id, department=inspection.department,
        year=local.year, number=number, issued_on=local.date(), issued_at=issued,
        reply_until=dl.reply_until(issued, rule, tz), policy_version=rule.version)
    db.session.add(notice)
    db.session.flush()
    return notice


def get(user, notice_id: int) -> RectificationNotice:
    policy.require(user, "rectification.view")
    notice = db.session.scalar(policy.visible(RectificationNotice, user).where(RectificationNotice.id == notice_id))
    if notice is None:
        raise NotFound("The notice was not found.")
    return notice


def pdf(user, notice_id: int) -> tuple[bytes, str]:
    """The notice as a PDF in Chinese (the page language is the reader's; a notice is an
    official document and always prints in Chinese) and its file name."""
    from flask_babel import force_locale
    notice = get(user, notice_id)
    tz = policies.tz()
    with force_locale("zh"):
        data = render_pdf("rectification/notice_pdf.html", notice=notice, findings=notice.findings,
                          local_day=lambda instant: dl.local_day(instant, tz))
    return data, f"整改通知书-{notice.code}.pdf"
