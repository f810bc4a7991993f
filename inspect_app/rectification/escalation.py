"""The deadline sweep: reminders before a deadline and the escalation ladder after it.

Deadlines are rows (docs/security.md, "Deadlines are rows"). Each finding carries the one
instant the sweep must act (``next_due_at``, indexed, NULL when nothing is due), so a sweep
with nothing due is one index probe. For the due rows, each rung is claimed with a conditional
``UPDATE … WHERE id IN (…) AND step = :old AND escalation_level = :level AND next_due_at <= :now
RETURNING …`` and its effects (history rows, messages, credit records, one audit row) are
written in the same transaction — on PostgreSQL the claim and its history rows, messages and
credit records are one statement (the UPDATE a data-modifying CTE, each effect an
``INSERT … SELECT`` from its RETURNING rows), so a rung of 5,000 findings is one round trip.
A second sweeper running at the same time waits on the row locks and then finds the condition
false (PostgreSQL re-checks it on the new row version), and a sweeper that dies before commit
leaves nothing behind — the next sweep does the rung. So every rung happens exactly once per
finding.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import String, exists, func, insert, literal, null, select, true, type_coerce, union_all, update

from ..core import audit
from ..core.types import UTCDateTime, utcnow
from ..domain.rectification import ladder as dl
from ..domain.rectification.states import ACTIVE
from ..extensions import db
from . import messages
from . import policy as policies
from .models import CreditRecord, Finding, FindingEvent, Message

BATCH = 5000


@dataclass(frozen=True)
class SweepResult:
    due: int       # rows found due in this batch
    claimed: int   # rungs this sweeper claimed (late reminders are claimed and skipped)
    done: int      # rungs done (history written)

    @property
    def more(self) -> bool:
        """Call again: rows may still be due (a row late by several rungs, or a full batch)."""
        return self.claimed > 0


def _plus_days(column, days: int):
    """``column + days`` in SQL, for the dialect at hand (the deadline is per row)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column + literal(timedelta(days=days))
    # SQLite keeps UTC datetimes as text 'YYYY-MM-DD HH:MM:SS.ffffff'.
    return type_coerce(func.strftime("%Y-%m-%d %H:%M:%f", column, f"{days:+d} days"), UTCDateTime)


def due_ids(now: datetime, limit: int = BATCH, skip_locked: bool = True):
    """The due rows (id, step, escalation_level), oldest first, by the next_due_at index."""
    stmt = (select(Finding.id, Finding.step, Finding.escalation_level)
            .where(Finding.next_due_at <= now)
            .order_by(Finding.next_due_at).limit(limit))
    if skip_locked and db.session.get_bind().dialect.name == "postgresql":
        # Concurrent sweepers take different rows; the conditional UPDATE stays the guarantee.
        stmt = stmt.with_for_update(skip_locked=True, of=Finding)
    return db.session.execute(stmt).all()


def sweep_deadlines(now: datetime | None = None, limit: int = BATCH, *, skip_locked: bool = True) -> SweepResult:
    """One batch of due rungs; the caller commits (and calls again while ``more``).
    ``skip_locked=False`` makes sweepers race for the same rows (tests of the guarantee)."""
    now = now or utcnow()
    rule = policies.current()
    rows = due_ids(now, limit, skip_locked)
    if not rows:
        return SweepResult(0, 0, 0)
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for row in rows:
        groups[(row.step, row.escalation_level)].append(row.id)
    claimed = done = 0
    for (step, level), ids in sorted(groups.items()):
        c, d = _do_rung(rule, step, level, ids, now)
        claimed, done = claimed + c, done + d
    return SweepResult(len(rows), claimed, done)


def _ids_match(ids: list[int]):
    """``id IN ids``: one array parameter on PostgreSQL (thousands of ids bind as one value)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy import Integer, any_, bindparam
        from sqlalchemy.dialects.postgresql import ARRAY
        return Finding.id == any_(bindparam("claim_ids", ids, type_=ARRAY(Integer)))
    return Finding.id.in_(ids)


def _do_rung(rule: dl.Policy, step: int, level: int, ids: list[int], now: datetime) -> tuple[int, int]:
    if step >= len(rule.ladder):          # the ladder changed under this row: stop its clock
        db.session.execute(update(Finding).where(_ids_match(ids), Finding.step == step)
                           .values(next_due_at=None).execution_options(synchronize_session=False))
        return 0, 0
    rung = rule.ladder[step]
    new_step, new_level = dl.advance(rule, step, level)
    next_due = (_plus_days(Finding.deadline_at, rule.ladder[new_step].offset_days)
                if new_step < len(rule.ladder) else None)
    claim = (update(Finding)
             .where(_ids_match(ids), Finding.step == step, Finding.escalation_level == level,
                    Finding.next_due_at <= now, Finding.state.in_(ACTIVE))
             .values(step=new_step, escalation_level=new_level, next_due_at=next_due,
                     version=Finding.version + 1)
             .execution_options(synchronize_session=False))
    # A reminder whose deadline has already passed (a late sweep) is skipped, not sent.
    action = "remind" if rung.kind == dl.REMINDER else "escalate"
    if db.session.get_bind().dialect.name == "postgresql":
        claimed, acted = _claim_with_effects(rung, action, claim, now)
    else:
        claimed = db.session.execute(claim.returning(Finding.id, Finding.deadline_at)).all()
        acted = [r.id for r in claimed if action == "escalate" or r.deadline_at > now]
        if acted:
            of_acted = select(Finding).where(_ids_match(acted)).subquery()
            mail = []
            for stmt in _effects(rung, action, of_acted, now):
                mail += _run_effect(stmt)
            _mail(mail)
    if not claimed:
        return 0, 0
    done = set(acted)
    audit.record(None, action, "finding", f"sweep:{rung.code}", after={
        "rung": rung.code, "at": now.isoformat(), "ids": acted,
        "skipped_late_reminders": [r.id for r in claimed if r.id not in done]})
    return len(claimed), len(acted)


def _claim_with_effects(rung: dl.Rung, action: str, claim, now: datetime) -> tuple[list, list[int]]:
    """PostgreSQL: the rung's claim and all its effects in one statement — the conditional
    UPDATE … RETURNING as a data-modifying CTE, each effect an INSERT … SELECT from its rows
    (no second lookup of the findings, nothing sent back but the claimed ids, and the message
    ids when they are mailed). Returns (claimed rows (id, deadline_at), acted ids)."""
    claimed = claim.returning(Finding.id, Finding.deadline_at, Finding.state, Finding.institution_id,
                              Finding.department, Finding.item_id, Finding.veto).cte("claimed")
    source = select(claimed)
    if action == "remind":
        source = source.where(claimed.c.deadline_at > now)
    source = source.subquery("acted")
    mailed = bool(current_app.config.get("MAIL_SERVER"))
    ctes, message_ctes = [], []
    for n, stmt in enumerate(_effects(rung, action, source, now)):
        if mailed and _is_message(stmt):
            cte = stmt.returning(Message.id).cte(f"effect_{n}")
            message_ctes.append(cte)
        else:
            cte = stmt.cte(f"effect_{n}")
        ctes.append(cte)
    rows = select(literal(0).label("message"), claimed.c.id, claimed.c.deadline_at)
    for cte in message_ctes:
        rows = union_all(rows, select(literal(1), cte.c.id, null()))
    result = db.session.execute(select(rows.subquery()).add_cte(*ctes) if message_ctes
                                else rows.add_cte(*ctes)).all()
    out = [r for r in result if r.message == 0]
    _mail([r.id for r in result if r.message == 1])
    acted = [r.id for r in out if action == "escalate" or r.deadline_at > now]
    return out, acted


def _effects(rung: dl.Rung, action: str, f_table, now: datetime) -> list:
    """The INSERT … SELECT statements of a rung's effects (history rows, messages, credit
    records) from ``f_table``: the acted findings' rows (id, state, institution_id,
    department, item_id, veto)."""
    at = literal(now, UTCDateTime)
    f = f_table.c
    out = [insert(FindingEvent).from_select(
        ["finding_id", "at", "action", "from_state", "to_state", "step"],
        select(f.id, at, literal(action), f.state, f.state, literal(rung.code)))]
    if rung.notify:
        audiences = union_all(*(select(literal(a, String).label("audience"))
                                for a in rung.notify)).subquery("audiences")
        out.append(messages.from_select(select(at, audiences.c.audience, f.institution_id, f.department,
                                                literal(rung.code), f.id).select_from(f_table).join(audiences, true())))
    if rung.credit_record:
        out.append(insert(CreditRecord).from_select(
            ["institution_id", "finding_id", "source_kind", "source_id", "department", "kind", "created_at", "note"],
            select(f.institution_id, f.id, literal("finding"), f.id, f.department,
                   literal("overdue_rectification"), at, f.item_id)))
    rule = rung.blacklist_proposal
    if rule:
        stmt = select(f.institution_id, f.id, literal("finding"), f.id, f.department,
                      literal("blacklist_proposal"), literal("fire_major_hazard"), at, f.item_id)
        if "department" in rule:
            stmt = stmt.where(f.department == rule["department"])
        if rule.get("veto"):
            stmt = stmt.where(f.veto.is_(True))
        # A finding already proposed by a trigger of policies/blacklist.yaml is not proposed twice.
        stmt = stmt.where(~exists().where(CreditRecord.finding_id == f.id, CreditRecord.kind == "blacklist_proposal"))
        out.append(insert(CreditRecord).from_select(
            ["institution_id", "finding_id", "source_kind", "source_id", "department", "kind", "trigger",
             "created_at", "note"], stmt))
    return out


def _is_message(stmt) -> bool:
    return stmt.table.name == Message.__tablename__


def _run_effect(stmt) -> list[int]:
    """Run one effect; the new message ids when messages are mailed."""
    if _is_message(stmt) and current_app.config.get("MAIL_SERVER"):
        return list(db.session.scalars(stmt.returning(Message.id)))
    db.session.execute(stmt)
    return []


def _mail(message_ids: list[int]) -> None:
    if message_ids:
        messages.mail_later(message_ids)
