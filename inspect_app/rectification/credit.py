"""Credit records (信用记录): those written by the escalation ladder and the blacklist proposals
made from the records that show a trigger (:mod:`.blacklist`), and the bureau's decision on the
proposals (confirm or dismiss, with the reason; audited, and kept in the finding's history when
the source is a finding). A confirmed proposal is read by grading and the risk classes as a
blacklist entry."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth import policy
from ..core import audit, machine
from ..core.errors import Conflict, Invalid
from ..core.paging import Page, paginate
from ..core.types import utcnow
from ..domain.rectification.states import CREDIT_DECISION
from ..domain.rectification import blacklist as rules
from ..extensions import db
from ..inspections.models import VisitObstruction
from . import findings as fs
from .accidents import Accident
from .models import BLACKLIST_PROPOSAL, OVERDUE_RECTIFICATION, CreditRecord, Finding, FindingEvent
from .translate import t as _

KINDS = (OVERDUE_RECTIFICATION, BLACKLIST_PROPOSAL)
PENDING = "pending"


@dataclass(frozen=True)
class CreditFilter:
    kind: str = ""            # a kind or "" for all
    pending: bool = False     # blacklist proposals still awaiting the bureau


def search(user, f: CreditFilter, page: int = 1, per_page: int = 25) -> Page:
    """Credit records the user may see (the bureau all, a department its findings', staff
    their institution's), newest first, with their finding and institution."""
    policy.require(user, "rectification.view")
    stmt = policy.visible(CreditRecord, user).options(
        selectinload(CreditRecord.finding), selectinload(CreditRecord.institution),
        selectinload(CreditRecord.decided_by))
    if f.kind in KINDS:
        stmt = stmt.where(CreditRecord.kind == f.kind)
    if f.pending:
        stmt = stmt.where(CreditRecord.kind == BLACKLIST_PROPOSAL, CreditRecord.decision.is_(None))
    return paginate(stmt.order_by(CreditRecord.created_at.desc(), CreditRecord.id.desc()), page, per_page)


def steps_of(records) -> dict[int, str]:
    """The ladder rung that wrote each credit record (its escalation line in the history)."""
    records = [r for r in records if r.finding_id is not None]
    if not records:
        return {}
    rows = db.session.execute(select(FindingEvent.finding_id, FindingEvent.at, FindingEvent.step).where(
        FindingEvent.finding_id.in_({r.finding_id for r in records}), FindingEvent.action == "escalate",
        FindingEvent.step.is_not(None)))
    by_time = {(row.finding_id, row.at): row.step for row in rows}
    return {r.id: by_time[(r.finding_id, r.created_at)] for r in records if (r.finding_id, r.created_at) in by_time}


def of_finding(user, finding: Finding) -> list[CreditRecord]:
    """The credit records of one finding the user may see (the finding page's section)."""
    policy.require(user, "rectification.view")
    return list(db.session.scalars(policy.visible(CreditRecord, user)
                                   .where(CreditRecord.finding_id == finding.id).order_by(CreditRecord.id)))


def sources_of(records) -> dict[int, object]:
    """The accident or refused-visit row each record rests on (records from a finding carry it
    already), keyed by the credit record's id."""
    records = list(records)
    wanted = {kind: {r.source_id for r in records if r.source_kind == kind}
              for kind in (rules.ACCIDENT, rules.VISIT_OBSTRUCTION)}
    rows = {}
    if wanted[rules.ACCIDENT]:
        rows[rules.ACCIDENT] = {a.id: a for a in db.session.scalars(
            select(Accident).where(Accident.id.in_(wanted[rules.ACCIDENT])))}
    if wanted[rules.VISIT_OBSTRUCTION]:
        rows[rules.VISIT_OBSTRUCTION] = {o.id: o for o in db.session.scalars(
            select(VisitObstruction).where(VisitObstruction.id.in_(wanted[rules.VISIT_OBSTRUCTION])))}
    return {r.id: rows[r.source_kind][r.source_id] for r in records
            if r.source_id in rows.get(r.source_kind, {})}


def of_institution(user, institution_id: int) -> list[CreditRecord]:
    """The credit records of one institution the user may see (the institution file's section;
    institution staff: its records, of its blacklist proposals only the confirmed ones)."""
    policy.require(user, "rectification.view")
    return list(db.session.scalars(policy.visible(CreditRecord, user).where(CreditRecord.institution_id == institution_id)
                                   .options(selectinload(CreditRecord.finding))
                                   .order_by(CreditRecord.created_at.desc(), CreditRecord.id.desc())))


def decide(user, record_id: int, action: str, note: str, now: datetime | None = None) -> CreditRecord:
    """The bureau confirms or dismisses a blacklist proposal, with the reason."""
    policy.require(user, "rectification.blacklist")
    now = now or utcnow()
    record = policy.get_visible(CreditRecord, record_id, user)
    problems = []
    if action not in CREDIT_DECISION.events:
        problems.append("decision: " + _("choose confirm or dismiss"))
    note = (note or "").strip()
    if not note:
        problems.append("note: " + _("is required"))
    elif len(note) > 4000:
        problems.append("note: " + _("is too long (at most %(n)s characters)", n=4000))
    if problems:
        raise Invalid("The decision could not be saved.", problems=problems)
    if record.kind != BLACKLIST_PROPOSAL:
        raise Conflict("Only a blacklist proposal is decided by the bureau.")
    locked = db.session.scalar(select(CreditRecord).where(CreditRecord.id == record.id)
                               .with_for_update().execution_options(populate_existing=True))   # the row, now held
    decision = machine.check(CREDIT_DECISION, locked.decision, action).to_state   # Conflict: decided
    before = audit.snapshot(locked)
    locked.decision, locked.decided_by_id, locked.decided_at, locked.decision_note = decision, user.id, now, note
    if locked.finding_id is not None:        # a proposal from a finding: kept in its history too
        finding = db.session.get(Finding, locked.finding_id)
        fs.apply(finding, "decide_blacklist", user, now, reason=note,
                 data={"credit_record_id": locked.id, "decision": decision})
    audit.record(user, "decide_blacklist", "credit_record", locked.id, before=before,
                 after=audit.snapshot(locked), reason=note)
    return locked
