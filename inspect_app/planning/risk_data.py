"""The facts behind risk classes, gathered for many institutions at once (read-only).

Grades come from grading (``records.current_grades``), finding figures from rectification
(``finding_counts``), complaints from inspections (visits of purpose ``complaint``). The rule
that turns them into a class is pure: :mod:`inspect_app.domain.planning.risk`.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from ..domain.planning.risk import Assessment, RiskInputs, RiskPolicy, classify
from ..extensions import db
from ..grading.records import current_grades
from ..inspections.models import CANCELLED, Visit
from ..rectification.supervision import finding_counts

LOOKBACK = timedelta(days=365)   # "in the last year" of the rule (domain/planning/risk.py)


def complaint_counts(institution_ids: list[int], since: datetime) -> dict[int, int]:
    """Complaint visits (not cancelled) created at or after ``since``, per institution."""
    if not institution_ids:
        return {}
    rows = db.session.execute(
        select(Visit.institution_id, func.count())
        .where(Visit.institution_id.in_(institution_ids), Visit.purpose == "complaint",
               Visit.status != CANCELLED, Visit.created_at >= since)
        .group_by(Visit.institution_id)
    ).all()
    return {institution_id: int(n) for institution_id, n in rows}


def risk_facts(institution_ids: list[int], now: datetime, today: date) -> dict[int, RiskInputs]:
    since = now - LOOKBACK
    grades = current_grades(institution_ids, today)      # {id: level or None}
    findings = finding_counts(institution_ids, now, since)
    complaints = complaint_counts(institution_ids, since)
    out: dict[int, RiskInputs] = {}
    for i in institution_ids:
        f = findings.get(i) or {}
        out[i] = RiskInputs(grade=grades.get(i), open_findings=int(f.get("open", 0)),
                            overdue_findings=int(f.get("overdue", 0)),
                            veto_findings=int(f.get("veto_since", 0)),
                            complaints=complaints.get(i, 0))
    return out


def assess(institution_ids: list[int], now: datetime, today: date,
           policy: RiskPolicy) -> dict[int, tuple[RiskInputs, Assessment]]:
    facts = risk_facts(institution_ids, now, today)
    return {i: (facts[i], classify(facts[i], policy)) for i in institution_ids}
