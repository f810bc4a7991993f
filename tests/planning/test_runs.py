"""Plan runs: the beat sweeper, the state machine, exactly-once draws and visits, resumption."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from inspect_app.core.errors import Conflict, Invalid
from inspect_app.domain.draw import seed_commit
from inspect_app.domain.draw.run import input_digest
from inspect_app.inspections.models import Inspection, InspectionInspector, Visit
from inspect_app.planning import runs
from inspect_app.planning.models import (DRAWN, FROZEN, INFEASIBLE, PUBLISHED, SEEDED, Plan, PlanRun,
                                         PlanRunEvent)
from tests.planning.conftest import make_plan

NOW = datetime(2026, 10, 9, 2, 0, tzinfo=timezone.utc)        # a Friday, 10:00 in Shanghai
LATER = NOW + timedelta(days=3)


def _runs(db, plan):
    return list(db.session.scalars(select(PlanRun).where(PlanRun.plan_id == plan.id)))


def _visits(db, run):
    return list(db.session.scalars(select(Visit).where(Visit.source == run.source_key)))


@pytest.fixture
def plan(db, make, district):
    return make_plan(db, make.user("bureau_admin"), districts=["测试区"])


def test_a_due_plan_is_frozen_once_with_its_lists_digest_and_commitment(db, plan):
    first = runs.run_due_plans(NOW)
    second = runs.run_due_plans(NOW)
    assert (first["started"], second["started"]) == (1, 0)
    [run] = _runs(db, plan)
    assert (run.state, run.period_key) == (FROZEN, "2026-Q4")
    lists = json.loads(run.lists_json)
    assert "seed" not in lists and len(lists["institutions"]) == 10 and len(lists["inspectors"]) == 4
    assert run.list_digest == input_digest(lists)
    assert run.commitment == seed_commit.commitment(run.list_digest, run.secret)
    assert run.beacon_date.isoformat() == "2026-10-10"
    assert [(e.from_state, e.to_state) for e in run.events] == [(None, FROZEN)]
    assert plan.last_period_key == "2026-Q4"


def test_a_disabled_or_expired_plan_is_not_run(db, plan):
    plan.enabled = False
    db.session.flush()
    assert runs.run_due_plans(NOW)["started"] == 0
    plan.enabled, plan.expires = True, NOW.date()
    db.session.flush()
    assert runs.run_due_plans(NOW)["started"] == 0 and _runs(db, plan) == []


def test_a_changed_plan_needs_no_restart_the_next_sweep_reads_it(db, plan):
    plan.period = "monthly"
    db.session.flush()
    runs.run_due_plans(NOW)
    assert [r.period_key for r in _runs(db, plan)] == ["2026-10"]


def test_the_beacon_value_is_refused_before_its_day(db, plan, make):
    runs.run_due_plans(NOW)
    [run] = _runs(db, plan)
    with pytest.raises(Invalid):
        runs.enter_beacon(make.user("bureau_admin"), run.id, "3312.58", now=NOW)
    with pytest.raises(Invalid):
        runs.enter_beacon(make.user("bureau_admin"), run.id, "   ", now=LATER)
    assert db.session.get(PlanRun, run.id).state == FROZEN


def _seeded(db, plan, make):
    runs.run_due_plans(NOW)
    [run] = _runs(db, plan)
    runs.enter_beacon(make.user("bureau_admin"), run.id, "3312.58", now=LATER)
    return db.session.get(PlanRun, run.id)


def test_beat_firing_twice_produces_one_draw_and_one_set_of_visits(db, plan, make):
    run = _seeded(db, plan, make)
    assert run.state == SEEDED
    assert seed_commit.verify(run.list_digest, run.commitment, run.secret, "3312.58", run.seed) == []
    runs.run_due_plans(LATER)
    runs.run_due_plans(LATER)
    run = db.session.get(PlanRun, run.id)
    assert run.state == DRAWN                         # published once the visits have taken place
    output = json.loads(run.output_json)
    visits = _visits(db, run)
    assert len(visits) == len(output["selected"]) == run.visit_count == 5    # ceil(0.5 × 10)
    assert [(e.from_state, e.to_state) for e in run.events] == [
        (None, FROZEN), (FROZEN, SEEDED), (SEEDED, DRAWN)]
    # the visits carry exactly the drawn teams
    by_code = {code: row["id"] for code, row in run.frozen["institutions"].items()}
    user_of = run.frozen["inspectors"]            # pseudonym → account (private)
    expected = {(by_code[s["institution"]], m["department"], user_of[m["inspector"]])
                for s in output["selected"] for m in s["team"]}
    actual = set(db.session.execute(
        select(Visit.institution_id, Inspection.department, InspectionInspector.user_id)
        .join(Inspection, Inspection.visit_id == Visit.id)
        .join(InspectionInspector, InspectionInspector.inspection_id == Inspection.id)
        .where(Visit.source == run.source_key)).all())
    assert actual == expected
    assert all(v.purpose == "random" and v.period_ok for v in [_Dated(v, run) for v in visits])


class _Dated:
    def __init__(self, visit, run):
        self.purpose = visit.purpose
        self.period_ok = (run.period_start <= visit.scheduled_for <= run.period_end
                          and visit.scheduled_for.weekday() < 5)


def test_the_advance_job_and_the_sweep_together_still_draw_once(db, plan, make):
    run = _seeded(db, plan, make)
    from inspect_app.planning.jobs import HANDLERS
    job = type("Job", (), {"payload": {"run_id": run.id}})()
    assert HANDLERS["planning.advance_run"](job)["steps"] == 1      # drawn (published after the visits)
    assert runs.run_due_plans(LATER)["advanced"] == 0
    assert len(_visits(db, db.session.get(PlanRun, run.id))) == 5


def test_a_failure_mid_run_leaves_nothing_and_the_next_sweep_finishes_once(db, plan, make, monkeypatch):
    run = _seeded(db, plan, make)
    real = runs.create_visit
    calls = []

    def dying(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("worker lost")
        return real(*args, **kwargs)

    monkeypatch.setattr(runs, "create_visit", dying)
    summary = runs.run_due_plans(LATER)
    assert summary["failed"] == 1
    run = db.session.get(PlanRun, run.id)
    assert run.state == SEEDED and run.output_json is None and _visits(db, run) == []
    monkeypatch.setattr(runs, "create_visit", real)
    runs.run_due_plans(LATER)
    run = db.session.get(PlanRun, run.id)
    assert run.state == DRAWN and len(_visits(db, run)) == 5
    assert db.session.scalar(select(func.count()).select_from(PlanRunEvent)
                             .where(PlanRunEvent.run_id == run.id, PlanRunEvent.to_state == DRAWN)) == 1


def test_publication_waits_for_every_visit_and_then_the_plans_delay(db, plan, make):
    plan.publish_delay_days = 30
    db.session.flush()
    run = _seeded(db, plan, make)
    runs.run_due_plans(LATER)
    run = db.session.get(PlanRun, run.id)
    assert run.state == DRAWN
    assert run.publish_after == datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc) + timedelta(days=30)
    recorded = LATER + timedelta(days=1)
    for visit in _visits(db, run):
        visit.inspections[0].status, visit.inspections[0].submitted_at = "submitted", recorded
    db.session.flush()
    runs.advance_run(run.id, recorded + timedelta(days=29))
    assert db.session.get(PlanRun, run.id).state == DRAWN
    runs.advance_run(run.id, recorded + timedelta(days=30))
    assert db.session.get(PlanRun, run.id).state == PUBLISHED


def test_an_infeasible_draw_is_recorded_and_creates_no_visit(db, plan, make):
    plan.team_per_department = 3          # two inspectors per department only
    db.session.flush()
    run = _seeded(db, plan, make)
    runs.run_due_plans(LATER)
    run = db.session.get(PlanRun, run.id)
    assert run.state == INFEASIBLE and "fire" in run.message and run.published_at is not None
    assert _visits(db, run) == []


def test_the_state_machine_refuses_moves_outside_its_table(db, plan):
    runs.run_due_plans(NOW)
    [run] = _runs(db, plan)
    with pytest.raises(Conflict):
        runs.transition(run, "draw")                  # a random draw needs its seed first
    with pytest.raises(Conflict):
        runs.transition(run, "publish")


def test_a_move_lost_to_another_sweep_does_nothing(db, plan):
    runs.run_due_plans(NOW)
    [run] = _runs(db, plan)
    assert run.state == FROZEN
    db.session.execute(update(PlanRun).where(PlanRun.id == run.id).values(state=SEEDED)
                       .execution_options(synchronize_session=False))
    assert runs.transition(run, "seed") is False      # read as frozen; someone else moved it
    assert [e.to_state for e in db.session.get(PlanRun, run.id).events] == [FROZEN]


def test_entering_the_beacon_twice_is_a_conflict(db, plan, make):
    run = _seeded(db, plan, make)
    with pytest.raises(Conflict):
        runs.enter_beacon(make.user("bureau_admin"), run.id, "9999", now=LATER)
    assert db.session.get(PlanRun, run.id).beacon_value == "3312.58"


def test_a_one_off_plan_runs_for_one_period_only(db, plan):
    plan.one_off = True
    db.session.flush()
    runs.run_due_plans(NOW)
    runs.run_due_plans(NOW + timedelta(days=100))      # next quarter
    assert [r.period_key for r in _runs(db, plan)] == ["2026-Q4"]
    assert db.session.get(Plan, plan.id).last_period_key == "2026-Q4"


# ----------------------------------------------------------------------------- the third-party value's day

def test_the_value_named_at_the_freeze_is_of_a_day_after_it_even_without_a_delay(db, plan):
    plan.beacon_delay_days = 0            # a plan row saved before the rule (the form now refuses 0)
    db.session.flush()
    runs.run_due_plans(NOW)               # frozen on 2026-10-09 in Shanghai
    [run] = _runs(db, plan)
    assert run.beacon_date.isoformat() == "2026-10-10"


def test_a_value_dated_on_or_before_the_freeze_is_refused_naming_the_day_expected(db, plan, make):
    runs.run_due_plans(NOW)
    [run] = _runs(db, plan)
    for dated in (NOW.date(), NOW.date() - timedelta(days=1)):       # the freeze day, the day before
        with pytest.raises(Invalid) as refused:
            runs.enter_beacon(make.user("bureau_admin"), run.id, "3312.58", now=LATER, dated=dated)
        assert [where for where, _ in refused.value.problems] == ["beacon_date"]
        assert refused.value.params == {"dated": dated.isoformat(), "frozen": "2026-10-09",
                                        "expected": "2026-10-10"}
    with pytest.raises(Invalid) as refused:                # after the freeze, but not the day named
        runs.enter_beacon(make.user("bureau_admin"), run.id, "3312.58", now=LATER,
                          dated=NOW.date() + timedelta(days=2))
    assert [where for where, _ in refused.value.problems] == ["beacon_date"]
    assert db.session.get(PlanRun, run.id).state == FROZEN
    runs.enter_beacon(make.user("bureau_admin"), run.id, "3312.58", now=LATER, dated=run.beacon_date)
    assert db.session.get(PlanRun, run.id).state == SEEDED


def test_a_run_that_named_a_value_of_its_freeze_day_cannot_be_seeded(db, plan, make):
    runs.run_due_plans(NOW)
    [run] = _runs(db, plan)
    db.session.execute(update(PlanRun).where(PlanRun.id == run.id).values(beacon_date=NOW.date())
                       .execution_options(synchronize_session=False))     # as frozen before the rule
    db.session.expire_all()
    with pytest.raises(Invalid) as refused:
        runs.enter_beacon(make.user("bureau_admin"), run.id, "3312.58", now=LATER)
    assert [where for where, _ in refused.value.problems] == ["beacon_date"]
    assert refused.value.params["frozen"] == refused.value.params["expected"] == "2026-10-09"
    assert db.session.get(PlanRun, run.id, populate_existing=True).state == FROZEN
