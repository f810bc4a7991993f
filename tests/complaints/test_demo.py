"""The complaints demo loads through the services: four cases in four states, the late one
marked once by the sweep, the closed one with its visit, and the printed lookup code works."""
from __future__ import annotations

import re

from sqlalchemy import select


def test_demo_cases_are_made_through_the_services(app, db, client):
    from inspect_app.complaints.models import ComplaintCase, ComplaintEvent
    from inspect_app.demo import seed_demo
    report = seed_demo()
    line = next(x for x in report.splitlines() if x.startswith("complaints:"))
    cases = list(db.session.scalars(select(ComplaintCase).order_by(ComplaintCase.id)))
    assert [c.state for c in cases] == ["received", "accepted", "closed", "declined"]
    late, done = cases[1], cases[2]
    assert late.anonymous and late.complainant_name is None and late.acceptance_overdue_at is not None
    assert [e.event for e in db.session.scalars(select(ComplaintEvent).where(ComplaintEvent.case_id == late.id)
                                                .order_by(ComplaintEvent.id))] == ["intake", "acceptance_overdue", "accept"]
    assert done.visit_id and done.visit.purpose == "complaint" and done.substantiated is True
    number, code = re.search(r"follow (\S+) on the public lookup with the code (\S+)", line).groups()
    page = client.post("/public/complaints/lookup", {"number": number, "token": code},
                       token_from="/public/complaints/lookup")
    assert page.status_code == 200 and 'data-state="received"' in page.get_data(as_text=True)
