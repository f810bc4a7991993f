"""A run that cannot take its next step says why on its page, and the sweep keeps trying."""
from __future__ import annotations

from sqlalchemy import select, update

from inspect_app.auth.models import User
from inspect_app.planning import runs
from inspect_app.planning.models import DRAWN, SEEDED, PlanRun
from tests.planning.conftest import make_plan
from tests.planning.test_runs import LATER, _seeded, _visits


def _set_inspectors_active(db, run, active: bool):
    ids = [int(i) for i in (run.frozen or {}).get("inspectors", {}).values()]
    db.session.execute(update(User).where(User.id.in_(ids)).values(is_active_account=active)
                       .execution_options(synchronize_session=False))
    db.session.expire_all()


def test_refused_visits_are_recorded_on_the_run_and_shown_until_a_sweep_succeeds(db, make, district, login):
    bureau_user = make.user("bureau_admin")
    plan = make_plan(db, bureau_user, districts=["测试区"])
    run = _seeded(db, plan, make)
    _set_inspectors_active(db, run, False)        # left the service between freezing and drawing

    assert runs.run_due_plans(LATER)["failed"] == 1
    run = db.session.get(PlanRun, run.id, populate_existing=True)
    assert run.state == SEEDED and _visits(db, run) == []
    assert run.last_error["message"] == "The visit could not be created."
    assert any("not an active inspector" in p for p in run.last_error["problems"])
    assert run.failures == 1 and run.last_error_at == LATER
    runs.run_due_plans(LATER)                      # still retried by the sweep
    assert db.session.get(PlanRun, run.id, populate_existing=True).failures == 2

    bureau = login(bureau_user)
    page = bureau.get(f"/planning/runs/{run.id}").get_data(as_text=True)
    assert 'id="run-error"' in page and "not an active inspector" in page
    assert f"/planning/runs/{run.id}#run-error" in bureau.get("/planning/").get_data(as_text=True)

    _set_inspectors_active(db, run, True)
    runs.run_due_plans(LATER)
    run = db.session.get(PlanRun, run.id, populate_existing=True)
    assert run.state == DRAWN and run.last_error is None and run.failures == 0
    assert len(_visits(db, run)) == run.visit_count > 0
    page = bureau.get(f"/planning/runs/{run.id}").get_data(as_text=True)
    assert 'id="run-error"' not in page and all(f'data-visit-id="{v.id}"' in page for v in _visits(db, run))


def test_the_advance_job_records_a_failure_instead_of_raising(db, make, district):
    from inspect_app.planning.jobs import HANDLERS
    plan = make_plan(db, make.user("bureau_admin"), districts=["测试区"])
    run = _seeded(db, plan, make)
    _set_inspectors_active(db, run, False)
    job = type("Job", (), {"payload": {"run_id": run.id}})()
    assert HANDLERS["planning.advance_run"](job)["steps"] == 0
    run = db.session.get(PlanRun, run.id, populate_existing=True)
    assert run.state == SEEDED and run.failures == 1 and run.last_error["problems"]


def test_an_unexpected_error_is_kept_as_text(db, make, district, monkeypatch):
    plan = make_plan(db, make.user("bureau_admin"), districts=["测试区"])
    run = _seeded(db, plan, make)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")
    monkeypatch.setattr(runs, "create_visit", broken)
    runs.run_due_plans(LATER)
    run = db.session.get(PlanRun, run.id, populate_existing=True)
    assert run.last_error == {"detail": "RuntimeError: database went away"}
    assert db.session.scalar(select(PlanRun.state).where(PlanRun.id == run.id)) == SEEDED
