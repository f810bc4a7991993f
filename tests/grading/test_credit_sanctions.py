"""Credit records from rectification read by the eligibility rules: a blacklist proposal bars
grading only once the bureau confirmed it."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from inspect_app.rectification import escalation
from inspect_app.rectification.models import CreditRecord
from tests.rectification.conftest import T0, RectMake


def _proposal(db, rect):
    _, found = rect.findings(now=T0, failed=("FIRE-01",))
    finding = found["FIRE-01"]                 # a critical veto fire finding, left 31 days overdue
    while escalation.sweep_deadlines(finding.deadline_at + timedelta(days=31)).more:
        db.session.flush()
    records = {r.kind: r for r in db.session.scalars(select(CreditRecord).where(CreditRecord.finding_id == finding.id))}
    return finding, records


def test_dismissed_proposal_does_not_bar_grading_and_confirmed_one_blacklists(db, make):
    from inspect_app.domain.grading.eligibility import BLACKLIST
    from inspect_app.grading.applications import sanctions_of
    from inspect_app.rectification import credit
    rect = RectMake(make, db)
    bureau = make.user("bureau_admin")
    confirmed_finding, confirmed = _proposal(db, rect)
    dismissed_finding, dismissed = _proposal(db, rect)
    # the overdue rectification's credit record is kept, but does not bar grading
    assert "overdue_rectification" in confirmed and sanctions_of(confirmed_finding.institution_id) == []
    credit.decide(bureau, confirmed["blacklist_proposal"].id, "confirm", "理由")
    credit.decide(bureau, dismissed["blacklist_proposal"].id, "dismiss", "已有正当理由")
    assert sorted(s.kind for s in sanctions_of(confirmed_finding.institution_id)) == [BLACKLIST]
    assert sanctions_of(dismissed_finding.institution_id) == []




def test_an_overdue_critical_finding_that_is_not_a_veto_is_no_major_hazard_for_grading(db, make):
    from inspect_app.rectification.supervision import major_hazards, suspension_reasons
    rect = RectMake(make, db)
    _, found = rect.findings(now=T0, failed=("FIRE-01", "FIRE-25"))
    veto, critical = found["FIRE-01"], found["FIRE-25"]
    assert veto.veto and not critical.veto
    later = critical.deadline_at + timedelta(days=2)
    assert len(suspension_reasons([veto.institution_id], later)[veto.institution_id]) == 2   # both suspend the grade
    [hazard] = major_hazards([veto.institution_id])[veto.institution_id]
    assert f"#{veto.id}" in hazard and f"#{critical.id}" not in hazard
