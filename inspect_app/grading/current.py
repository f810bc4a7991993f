"""The grade an institution holds now: its current record (latest confirmed, unexpired), why
its displayed grade is suspended, and the lock on its row that puts its applications and
evaluations one after the other. Read by the records, the applications and the public list."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from ..domain.grading import lifecycle as life
from ..extensions import db
from ..rectification import supervision
from ..registry.models import Institution
from .models import GradeRecord


def suspension_reasons(institution_ids, now: datetime) -> dict[int, list[str]]:
    """Why an institution's displayed grade is suspended (open major hazards), per institution."""
    return supervision.suspension_reasons(list(institution_ids), now)


def lock_institution(institution_id: int) -> None:
    """Take the institution's row for the rest of the transaction: its applications and its
    evaluations are recorded one after the other, so the check "nothing else in progress"
    cannot be passed by two at once (SQLite's writers queue anyway). The partial unique
    indexes of migration 6d1f0b8e4a27 hold one open application and one record in progress
    per institution even without it."""
    db.session.execute(select(Institution.id).where(Institution.id == institution_id)
                       .with_for_update(of=Institution))


def current_clause(today: date):
    return ((GradeRecord.state == life.CONFIRMED) & (GradeRecord.effective_on <= today)
            & (GradeRecord.expires_on > today))


def current_records(institution_ids, today: date) -> dict[int, GradeRecord]:
    """The record giving each institution its grade today (latest confirmed, unexpired)."""
    ids = list(institution_ids)
    out: dict[int, GradeRecord] = {}
    if not ids:
        return out
    rows = db.session.scalars(select(GradeRecord).where(
        GradeRecord.institution_id.in_(ids), current_clause(today))
        .order_by(GradeRecord.effective_on, GradeRecord.id))
    for record in rows:
        out[record.institution_id] = record
    return out
