"""The facts behind risk classes, gathered for many institutions at once (read-only).

Grades come from grading (``records.current_grades``), finding figures from rectification
(``finding_counts``), complaints from the complaint cases (those replied to as substantiated)
and the complaint visits made without a case, penalties
and blacklist entries from the credit records (the bureau's, and blacklist proposals it
confirmed), accidents from the accident records. The look-back is the policy's
``lookback_days``. The rule that turns them into a class is pure: :mod:`inspect_app.domain.planning.risk`.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select

from ..complaints.services import substantiated_counts
from ..core.types import local_today
from ..domain.grading.eligibility import BLACKLIST, PENALTY, Sanction, blacklist_end
from ..domain.planning.risk import Assessment, RiskInputs, RiskPolicy, classify
from ..extensions import db
from ..grading.models import GradeSanction
from ..grading.policy import in_force
from ..grading.records import current_grades
from ..inspections.models import CANCELLED, Visit
from ..rectification.accidents import counts_since as accident_counts
from ..rectification.models import BLACKLIST_PROPOSAL, CreditRecord
from ..rectification.supervision import finding_counts



def complaint_counts(institution_ids: list[int], since: datetime) -> dict[int, int]:
    """Complaints in the look-back, per institution: the cases replied to as substantiated at or
    after ``since``, plus the complaint visits (not cancelled) created at or after ``since``
    that were not made from a case (a visit made from a case counts through its case, and only
    when the case was substantiated)."""
    if not institution_ids:
        return {}
    rows = db.session.execute(
        select(Visit.institution_id, func.count())
        .where(Visit.institution_id.in_(institution_ids), Visit.purpose == "complaint",
               Visit.status != CANCELLED, Visit.created_at >= since,
               or_(Visit.source.is_(None), Visit.source.not_like("complaint:%")))
        .group_by(Visit.institution_id)
    ).all()
    out = {institution_id: int(n) for institution_id, n in rows}
    for institution_id, n in substantiated_counts(institution_ids, since).items():
        out[institution_id] = out.get(institution_id, 0) + n
    return out


def penalty_counts(institution_ids: list[int], since: date, today: date) -> dict[int, int]:
    """Administrative penalties (the bureau's credit records) decided from ``since`` to today."""
    if not institution_ids:
        return {}
    rows = db.session.execute(
        select(GradeSanction.institution_id, func.count())
        .where(GradeSanction.institution_id.in_(institution_ids), GradeSanction.kind == PENALTY,
               GradeSanction.decided_on >= since, GradeSanction.decided_on <= today)
        .group_by(GradeSanction.institution_id)).all()
    return {iid: int(n) for iid, n in rows}


def blacklist_counts(institution_ids: list[int], today: date) -> dict[int, int]:
    """Blacklist entries in force today: the bureau's entries (until their end, or the grading
    policy's ``blacklist_years``) and blacklist proposals the bureau confirmed."""
    if not institution_ids:
        return {}
    grading_rules = in_force(today)
    out: dict[int, int] = {}
    for iid, decided, until in db.session.execute(
            select(GradeSanction.institution_id, GradeSanction.decided_on, GradeSanction.until)
            .where(GradeSanction.institution_id.in_(institution_ids), GradeSanction.kind == BLACKLIST)):
        if decided <= today < blacklist_end(Sanction(BLACKLIST, decided, until), grading_rules):
            out[iid] = out.get(iid, 0) + 1
    for iid, decided_at in db.session.execute(
            select(CreditRecord.institution_id, CreditRecord.decided_at)
            .where(CreditRecord.institution_id.in_(institution_ids), CreditRecord.kind == BLACKLIST_PROPOSAL,
                   CreditRecord.decision == "confirmed")):
        decided = local_today(decided_at)
        if decided <= today < blacklist_end(Sanction(BLACKLIST, decided), grading_rules):
            out[iid] = out.get(iid, 0) + 1
    return out


def risk_facts(institution_ids: list[int], now: datetime, today: date,
               lookback_days: int = 365) -> dict[int, RiskInputs]:
    since = now - timedelta(days=lookback_days)
    grades = current_grades(institution_ids, today)      # {id: level or None}
    findings = finding_counts(institution_ids, now, since)
    complaints = complaint_counts(institution_ids, since)
    penalties = penalty_counts(institution_ids, today - timedelta(days=lookback_days), today)
    blacklisted = blacklist_counts(institution_ids, today)
    accidents = accident_counts(institution_ids, today - timedelta(days=lookback_days))
    out: dict[int, RiskInputs] = {}
    for i in institution_ids:
        f = findings.get(i) or {}
        out[i] = RiskInputs(grade=grades.get(i), open_findings=int(f.get("open", 0)),
                            overdue_findings=int(f.get("overdue", 0)),
                            veto_findings=int(f.get("veto_since", 0)),
                            complaints=complaints.get(i, 0), penalties=penalties.get(i, 0),
                            blacklisted=blacklisted.get(i, 0), accidents=accidents.get(i, 0))
    return out


def assess(institution_ids: list[int], now: datetime, today: date,
           policy: RiskPolicy) -> dict[int, tuple[RiskInputs, Assessment]]:
    facts = risk_facts(institution_ids, now, today, policy.lookback_days)
    return {i: (facts[i], classify(facts[i], policy)) for i in institution_ids}
