"""Re-grading from stored answers: the job's results equal single scoring; decided grades are
flagged, never changed."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from inspect_app.core import jobs
from inspect_app.domain.checklist import parse_checklist_yaml
from inspect_app.domain.scoring import score, to_contract_dict
from inspect_app.grading import regrade
from inspect_app.grading.jobs import HANDLERS
from inspect_app.grading.records import responses_of
from inspect_app.inspections.models import Inspection
from tests.grading.conftest import star_answers

STAR = Path(__file__).resolve().parents[2] / "checklists" / "star-grading.yaml"


@pytest.fixture
def corrected(app):
    """The catalogue's star-grading replaced by a corrected version (ENV-01 worth 10, not 8)."""
    text = STAR.read_text(encoding="utf-8").replace('version: "2026.1"', 'version: "2026.2"', 1)
    text = re.sub(r"(id: ENV-01\n(?:.*\n)*?\s+points: )8", r"\g<1>10", text, count=1)
    checklist = parse_checklist_yaml(text, "star-grading-corrected.yaml")
    catalogue = app.extensions["checklists"]
    original = catalogue["star-grading"]
    catalogue["star-grading"] = checklist
    yield checklist
    catalogue["star-grading"] = original


def run_regrade(db, user):
    job = regrade.start(user)
    db.session.commit()
    assert jobs.run_job(job.id, HANDLERS) == jobs.DONE
    db.session.refresh(job)
    return job


def test_regrade_equals_single_scoring_and_flags_decided_grades(make, db, grading, corrected):
    bureau = make.user("bureau_admin")
    from inspect_app.checklists import catalogue
    original = parse_checklist_yaml(STAR.read_text(encoding="utf-8"), "star-grading.yaml")
    catalogue.all_checklists()["star-grading"] = original
    made = [grading.inspection(make.institution(), star_answers(original, fail=fail))
            for fail in ([], ["ENV-01", "ENV-03"], ["ENV-02", "PRE-01"])]
    record = grading.confirmed(make.institution())
    decided = (record.state, record.level, float(record.total))
    catalogue.all_checklists()["star-grading"] = corrected

    job = run_regrade(db, bureau)
    assert job.progress == 100
    # ENV-01 failed: 986 of 1000 before, 986 of 1002 scaled to 1002 after — the same total.
    assert job.result["scored"] == 4 and job.result["changed"] == 3 and job.result["flagged"] == 1
    for inspection in made + [record.inspection]:
        row = db.session.get(Inspection, inspection.id)
        db.session.refresh(row)
        expected = to_contract_dict(score(corrected, responses_of(row)), corrected)
        assert row.result == expected
        assert float(row.total) == expected["total"] and row.level == expected["level"]
        assert row.failed_count == len(expected["failed"]) and row.veto_count == len(expected["vetoes"])
    db.session.refresh(record)
    assert (record.state, record.level, float(record.total)) == decided        # never silently changed
    assert record.regrade_differs and float(record.regraded_total) == 1002
    assert record.events[-1].action == "regrade_differs"

    again = run_regrade(db, bureau)                       # nothing new: no second flag, no change
    assert again.result["changed"] == 0 and again.result["flagged"] == 0


def test_status_json_and_one_regrade_at_a_time(make, login, db):
    bureau = make.user("bureau_admin")
    first = regrade.start(bureau)
    assert regrade.start(bureau).id == first.id
    db.session.commit()
    browser = login(bureau)
    body = browser.get(f"/grading/regrade/{first.id}.json").get_json()
    assert body["state"] == "pending" and body["progress"] == 0
    assert "data-regrade-status" in browser.get(f"/grading/regrade?job={first.id}").get_data(as_text=True)


def test_answers_that_no_longer_fit_are_skipped_and_reported(make, db, grading):
    bureau = make.user("bureau_admin")
    good = grading.inspection(make.institution())
    broken = grading.inspection(make.institution())
    db.session.delete(broken.answers[0])
    db.session.flush()
    job = run_regrade(db, bureau)
    assert job.result["scored"] == 1 and job.result["skipped_count"] == 1
    assert str(broken.id) in job.result["skipped"]
    assert db.session.scalar(select(Inspection.total).where(Inspection.id == good.id)) is not None
