"""Re-grading from stored answers: the job's results equal single scoring; decided grades are
flagged, never changed."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from inspect_app.core import jobs
from inspect_app.domain.checklist.model import parse_checklist_yaml
from inspect_app.domain.scoring.single import score, to_contract_dict
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


def test_a_failure_half_way_leaves_every_inspection_and_the_audit_as_they_were(make, db, grading, monkeypatch):
    """Two checklists: the first is re-scored and written, the second fails. Nothing of the
    first may have been committed by a progress update; the runner rolls the whole pass back."""
    from inspect_app.core.audit import AuditEvent
    from inspect_app.checklists import catalogue
    bureau = make.user("bureau_admin")
    made = grading.inspection(make.institution())
    db.session.execute(Inspection.__table__.update().where(Inspection.id == made.id)
                       .values(total=1, level=None))
    star = catalogue.all_checklists()["star-grading"]
    monkeypatch.setattr(regrade, "_grading_checklists", lambda: [star, star])
    calls = []
    real_score = regrade._score

    def score_then_fail(checklist, frame):
        calls.append(checklist.id)
        if len(calls) == 2:
            raise RuntimeError("the second checklist breaks")
        return real_score(checklist, frame)
    monkeypatch.setattr(regrade, "_score", score_then_fail)
    job = regrade.start(bureau)
    db.session.commit()
    assert jobs.run_job(job.id, HANDLERS) == jobs.PENDING          # failed once, to be retried
    db.session.expire_all()
    assert len(calls) == 2
    assert db.session.scalar(select(Inspection.total).where(Inspection.id == made.id)) == 1
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.entity == "regrade",
                                                         AuditEvent.action == "regrade")) is None


def test_the_audit_row_keeps_the_old_and_new_figures_of_changed_inspections(make, db, grading):
    from inspect_app.core.audit import AuditEvent
    bureau = make.user("bureau_admin")
    made = grading.inspection(make.institution())
    untouched = grading.inspection(make.institution())
    db.session.execute(Inspection.__table__.update().where(Inspection.id == made.id)
                       .values(total=1, level=None))
    job = run_regrade(db, bureau)
    assert job.result["changed"] == 1
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "regrade", AuditEvent.action == "regrade",
                                                     AuditEvent.entity_id == str(job.id)))
    new = db.session.get(Inspection, made.id)
    db.session.refresh(new)
    [(ident, (old_total, old_level))] = row.before["inspections"].items()
    [(same, (new_total, new_level))] = row.after["inspections"].items()
    assert ident == same == str(made.id)
    assert (Decimal(old_total), old_level) == (1, None)
    assert (Decimal(new_total), new_level) == (Decimal(new.total), new.level)
    assert str(untouched.id) not in row.after["inspections"]


def test_the_pass_goes_in_chunks_and_every_chunk_is_scored_written_and_flagged(
        make, db, grading, corrected, monkeypatch):
    """Chunks of two inspections: every inspection of every page is re-scored, a broken one is
    skipped in its own page only, and a decided grade in a later page is still flagged."""
    from inspect_app.checklists import catalogue
    bureau = make.user("bureau_admin")
    original = parse_checklist_yaml(STAR.read_text(encoding="utf-8"), "star-grading.yaml")
    catalogue.all_checklists()["star-grading"] = original
    made = [grading.inspection(make.institution(), star_answers(original, fail=fail))
            for fail in ([], ["ENV-01"], ["ENV-02"], [], ["ENV-03"])]
    broken = grading.inspection(make.institution())
    db.session.delete(broken.answers[0])
    record = grading.confirmed(make.institution())
    db.session.flush()
    catalogue.all_checklists()["star-grading"] = corrected
    monkeypatch.setattr(regrade, "CHUNK", 2)
    job = run_regrade(db, bureau)
    assert job.progress == 100
    assert job.result["scored"] == 6 and job.result["skipped_count"] == 1
    assert str(broken.id) in job.result["skipped"] and job.result["flagged"] == 1
    for inspection in made + [record.inspection]:
        row = db.session.get(Inspection, inspection.id)
        db.session.refresh(row)
        assert row.result == to_contract_dict(score(corrected, responses_of(row)), corrected)
