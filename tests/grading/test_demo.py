"""The grading demo loads through the services on top of the core demo district."""
from __future__ import annotations

import random
from datetime import date

from sqlalchemy import select


def test_demo_gives_confirmed_grades_a_notice_and_an_application(db):
    from inspect_app.demo import seed_demo as core_seed
    from inspect_app.demo.grading import seed_demo
    from inspect_app.grading.models import GradeApplication, GradeRecord
    report = core_seed()                      # runs each feature's demo, grading's among them
    assert "\ngrading: " in report
    states = [r.state for r in db.session.scalars(select(GradeRecord))]
    assert states.count("confirmed") >= 4 and states.count("publicised") == 1
    assert db.session.scalar(select(GradeApplication).where(GradeApplication.state == "submitted"))
    centre = [(r.institution.type, r.level, float(r.total)) for r in db.session.scalars(
        select(GradeRecord).where(GradeRecord.scheme == "a_level", GradeRecord.state == "confirmed"))]
    assert centre == [("community_center", 4, 900.0)]                 # one centre rated 4A
    again = seed_demo(random.Random(1), date.today())     # a second run loads nothing more
    assert "already present" in again
    assert [r.state for r in db.session.scalars(select(GradeRecord))] == states
