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
    from inspect_app.domain.grading.eligibility import BLACKLIST, CREDIT
    from inspect_app.grading.applications import sanctions_of
    from inspect_app.rectification import credit
    rect = RectMake(make, db)
    bureau = make.user("bureau_admin")
    confirmed_finding, confirmed = _proposal(db, rect)
    dismissed_finding, dismissed = _proposal(db, rect)
    assert sorted(s.kind for s in sanctions_of(confirmed_finding.institution_id)) == [CREDIT]
    credit.decide(bureau, confirmed["blacklist_proposal"].id, "confirm", "理由")
    credit.decide(bureau, dismissed["blacklist_proposal"].id, "dismiss", "已有正当理由")
    assert sorted(s.kind for s in sanctions_of(confirmed_finding.institution_id)) == [BLACKLIST, CREDIT]
    assert sorted(s.kind for s in sanctions_of(dismissed_finding.institution_id)) == [CREDIT]


