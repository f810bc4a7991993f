"""Plan runs: the state machine, the beat sweeper and the steps of a random joint draw.

States of a random joint run (one per plan and period)::

    frozen ──(officer enters the beacon value)──▶ seeded ──(draw + visits)──▶ drawn ──▶ published
                                                     └──(rules cannot be met)──▶ infeasible

- **frozen**: the lists, risk classes and limits are fixed into the draw input without seed;
  its digest, the commitment to the secret and the beacon (which third-party value, of a day
  after the freeze, will enter the seed) are public (:mod:`.lists`,
  :mod:`inspect_app.domain.draw.seed_commit`).
- **seeded**: the beacon value is in; seed and full input are fixed (not yet public).
- **drawn**: ``domain.draw.run`` ran; the output is stored (its SHA-256 public) and the visits exist;
  a drawn institution is shown once its visit has a record (:mod:`.publication`).
- **published**: input, output, secret, beacon value and seed are public; reached once every
  visit has a record or the period is over (:mod:`inspect_app.domain.draw.publication`).
- **infeasible**: the rules could not all be met; the input and the reason are public.

Routine runs (no draw) go ``frozen → drawn`` in one sweep and stop there.

Exactly once. A run is unique per (plan, period); a new run is inserted in a savepoint and a
concurrent duplicate falls back to the row that won. Every move is :func:`transition`: its
machine (``domain.planning.plans.RUN_MACHINES``) applied by ``core.machine`` as a conditional
``UPDATE … WHERE state = <from>`` taken *before* the move's effects, in the same
transaction as the effects (the visits), with the history row. Of two sweepers only one
moves a run; the other sees that it lost and does nothing. A worker dying mid-step loses the
whole transaction, and the next sweep redoes the step from the state that was committed.
"""
from __future__ import annotations

import hashlib
import json
import logging
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .. import __version__
from ..auth import policy
from ..core import audit, jobs, machine, workcalendar
from ..core.errors import Conflict, DomainError, Invalid, Problem, problem
from ..core.types import utcnow
from ..domain.draw import seed_commit
from ..domain.draw.run import InfeasibleDraw, load_draw_input, run_draw
from ..domain.draw.publication import latest_publication
from ..domain.planning.plans import (RUN_MACHINES, Period, Schedule, due_period, local_date, spread_dates,
                            working_days)
from ..domain.translatable import N_
from ..extensions import db
from . import labels, publication, routine
from .lists import dumps, freeze_lists, list_digest
from .models import (DRAWN, FROZEN, RANDOM_JOINT, ROUTINE, SEEDED, Plan,
                     PlanRun, PlanRunEvent)
from ..inspections.services.visits import create_visit

log = logging.getLogger(__name__)

ADVANCE_JOB = "planning.advance_run"


def is_final(run: PlanRun) -> bool:
    return not RUN_MACHINES[run.kind].events_from(run.state)


def transition(run: PlanRun, event: str, *, actor=None, note: str | None = None,
               values: dict | None = None) -> bool:
    """Move ``run`` by ``event`` (its machine in domain.planning.plans) if it is still in the state it
    was read in; set ``values`` with it; write the history row and the audit row. False:
    another sweep moved it first."""
    values = dict(values or {})
    run_id = run.id

    def history(move) -> None:
        _history(run_id, move.from_state, move.to_state, actor, note)
        public = {k: v for k, v in values.items() if k not in ("secret", "output_json", "input_json")}
        audit.record(actor, move.to_state, "plan_run", run_id, before={"state": move.from_state},
                     after={"state": move.to_state, **audit.jsonable(public)}, reason=note)

    return machine.apply(RUN_MACHINES[run.kind], run, event, guard=machine.STATE, values=values,
                         history=history, label=labels.run_state, lost_ok=True) is not None


def _history(run_id: int, from_state: str | None, to_state: str, actor, note: str | None) -> None:
    db.session.add(PlanRunEvent(run_id=run_id, at=utcnow(), actor_id=getattr(actor, "id", None),
                                from_state=from_state, to_state=to_state, note=note))
    db.session.flush()


# ----------------------------------------------------------------------------- the sweeper

def run_due_plans(now: datetime | None = None) -> dict[str, int]:
    """The beat sweeper's service: start the due period's run of every plan, then move every
    unfinished run as far as it can go. Each plan and run in its own savepoint, so one failure
    neither stops the others nor leaves half a step. Flushes; the task commits."""
    now = now or utcnow()
    summary = {"started": 0, "advanced": 0, "failed": 0}
    for plan in db.session.scalars(select(Plan).where(Plan.enabled.is_(True)).order_by(Plan.id)).all():
        period = due_period(_schedule(plan), now)
        if period is None:
            continue
        try:
            with db.session.begin_nested():
                if start_run(plan, period, now):
                    summary["started"] += 1
        except Exception:   # noqa: BLE001 - logged; the next sweep tries again
            summary["failed"] += 1
            db.session.expire_all()    # rows re-read inside the savepoint may be stale now
            log.exception("plan %s: could not start the run of %s", plan.id, period.key)
    open_runs = db.session.scalars(
        select(PlanRun.id).where(PlanRun.state.in_((FROZEN, SEEDED, DRAWN))).order_by(PlanRun.id)).all()
    for run_id in open_runs:
        steps, ok = advance_or_record(run_id, now)
        summary["advanced"] += steps
        summary["failed"] += not ok
    return summary


def advance_or_record(run_id: int, now: datetime | None = None) -> tuple[int, bool]:
    """:func:`advance_run` in a savepoint. When a step fails (e.g. the visits cannot be
    created), nothing of it stays, and why is written on the run (``last_error``, shown on the
    run page) so the bureau sees why it is stuck; the next sweep tries again. A step taken
    clears the error. Returns (steps taken, no failure)."""
    now = now or utcnow()
    try:
        with db.session.begin_nested():
            steps = advance_run(run_id, now)
    except Exception as exc:   # noqa: BLE001 - recorded and logged; the next sweep resumes it
        db.session.expire_all()    # rows re-read inside the savepoint may be stale now
        log.exception("plan run %s: step failed; the next sweep resumes it", run_id)
        db.session.execute(update(PlanRun).where(PlanRun.id == run_id).values(
            last_error=error_of(exc), last_error_at=now, failures=PlanRun.failures + 1)
            .execution_options(synchronize_session=False))
        return 0, False
    if steps:
        db.session.execute(update(PlanRun).where(PlanRun.id == run_id, PlanRun.last_error.is_not(None))
                           .values(last_error=None, failures=0).execution_options(synchronize_session=False))
    return steps, True


def error_of(exc: Exception) -> dict:
    """What is kept of a failed step: a service's message (an English msgid with its
    parameters, translated when shown) and located problems, or the exception's text."""
    if isinstance(exc, DomainError):
        problems = [p if isinstance(p, str) else str(problem(p)) for p in getattr(exc, "problems", [])]
        return {"message": exc.message, "params": {k: str(v) for k, v in exc.params.items()},
                "problems": [p[:500] for p in problems[:50]]}
    return {"detail": f"{type(exc).__name__}: {exc}"[:2000]}


def _schedule(plan: Plan) -> Schedule:
    return Schedule(period=plan.period, enabled=plan.enabled, start=plan.start, expires=plan.expires,
                    one_off=plan.one_off, last_period_key=plan.last_period_key)


def start_run(plan: Plan, period: Period, now: datetime) -> PlanRun | None:
    """Freeze the plan's run for ``period`` unless it exists; the new run, or None."""
    if _find_run(plan.id, period.key) is not None:
        return None
    today = local_date(now)
    run = PlanRun(plan_id=plan.id, period_key=period.key, period_start=period.first_day,
                  period_end=period.last_day, kind=ROUTINE if plan.kind == ROUTINE else RANDOM_JOINT,
                  state=FROZEN, created_at=now, visit_count=0)
    if run.kind == RANDOM_JOINT:
        document, frozen = freeze_lists(plan, now, today, period.first_day)
        secret = seed_commit.new_secret()
        digest = list_digest(document)
        run.lists_json, run.list_digest, run.frozen = dumps(document), digest, frozen
        run.secret, run.commitment = secret, seed_commit.commitment(digest, secret)
        run.beacon_source = plan.beacon_source
        run.beacon_date = seed_commit.beacon_day(today, plan.beacon_delay_days)
    else:
        run.frozen = routine.freeze_targets(plan, now, today)
    try:
        with db.session.begin_nested():
            db.session.add(run)
            db.session.flush()
    except IntegrityError:      # a concurrent sweep inserted the same (plan, period) first
        return None
    _history(run.id, None, FROZEN, None, f"period {period.key}")
    audit.record(None, FROZEN, "plan_run", run.id, after={
        "plan_id": plan.id, "period_key": period.key, "list_digest": run.list_digest,
        "commitment": run.commitment, "beacon_source": run.beacon_source,
        "beacon_date": run.beacon_date})
    db.session.execute(update(Plan).where(Plan.id == plan.id)
                       .values(last_run_at=now, last_period_key=period.key)
                       .execution_options(synchronize_session=False))
    db.session.expire(plan)
    return run


def _find_run(plan_id: int, period_key: str) -> PlanRun | None:
    return db.session.scalar(select(PlanRun).where(PlanRun.plan_id == plan_id,
                                                   PlanRun.period_key == period_key))


def advance_run(run_id: int, now: datetime | None = None) -> int:
    """Take every step that is due for this run; how many were taken (idempotent)."""
    now = now or utcnow()
    steps = 0
    while True:
        run = db.session.get(PlanRun, run_id, populate_existing=True)
        if run is None or is_final(run):
            return steps
        if run.kind == ROUTINE and run.state == FROZEN:
            moved = _schedule_routine(run, now)
        elif run.state == SEEDED:
            moved = draw(run, now)
        elif run.state == DRAWN and publication.publication_is_due(run, now):
            moved = transition(run, "publish", values={"published_at": now})
        else:
            return steps
        if not moved:
            return steps
        steps += 1


# ----------------------------------------------------------------------------- steps

def _schedule_routine(run: PlanRun, now: datetime) -> bool:
    """frozen → drawn for a routine run: claim the run, then create one visit per target
    still without one (:mod:`.routine`)."""
    scheduling = routine.plan_visits(run, now)
    if not transition(run, "draw", note=f"{len(scheduling.planned)} visits scheduled",
                      values={"drawn_at": now, "visit_count": len(scheduling.planned),
                              "message": "; ".join(scheduling.skipped) or None}):
        return False
    routine.create_visits(run, scheduling)
    return True


def enter_beacon(user, run_id: int, value: str, now: datetime | None = None, *,
                 dated: date | None = None) -> PlanRun:
    """An officer enters the third party's value and the day it is of (``dated``; None: the day
    named at the freeze): the seed is fixed (frozen → seeded). A value of a day not after the
    freeze, or of another day than the one named, is refused."""
    policy.require(user, "planning.manage")
    now = now or utcnow()
    run = policy.get_visible(PlanRun, run_id, user)
    machine.check(RUN_MACHINES[run.kind], run.state, "seed", labels.run_state)   # before the work
    beacon = seed_commit.normalise_beacon(value or "")
    if not beacon or len(beacon) > 200:
        raise Invalid("The value could not be accepted.",
                      problems=[("beacon_value", N_("enter the value exactly as the third party published it"))])
    problem = seed_commit.beacon_date_problem(run.frozen_on, run.beacon_date, dated)
    if problem:
        raise Invalid(problem, problems=[("beacon_date", N_("must be after the day the lists were frozen")
                                          if problem != seed_commit.VALUE_OF_ANOTHER_DAY
                                          else N_("must be the day named at the freeze"))],
                      dated=(dated or run.beacon_date).isoformat(), frozen=run.frozen_on.isoformat(),
                      expected=run.beacon_date.isoformat())
    if local_date(now) < run.beacon_date:
        raise Invalid("The value could not be accepted.", problems=[Problem(
            "beacon_value", N_("the value is published on %(day)s; enter it from that day"),
            {"day": run.beacon_date.isoformat()})])
    seed = seed_commit.seed(run.list_digest, run.secret, beacon)
    document = json.loads(run.lists_json)
    document["seed"] = seed
    input_json = dumps(document)
    parsed = load_draw_input(input_json)      # the very parser of `flask draw`
    if not transition(run, "seed", actor=user, note="beacon value entered",
                      values={"beacon_value": beacon, "seed": seed, "input_json": input_json,
                              "input_digest": parsed.digest}):
        raise Conflict("Someone else changed this run meanwhile; reload the page.")
    jobs.enqueue(ADVANCE_JOB, {"run_id": run.id}, key=f"{ADVANCE_JOB}:{run.id}:seeded")
    return run


def draw(run: PlanRun, now: datetime) -> bool:
    """seeded → drawn (with its visits) or → infeasible. False when another sweep won."""
    plan = db.session.get(Plan, run.plan_id)
    try:
        result = run_draw(load_draw_input(run.input_json))
    except InfeasibleDraw as error:
        return transition(run, "declare_infeasible", note="the rules cannot all be met",
                          values={"message": error.message, "published_at": now,
                                  "product_version": __version__})
    output_json = result.to_json()
    claimed = transition(run, "draw", values={
        "output_json": output_json,
        "output_digest": hashlib.sha256(output_json.encode("utf-8")).hexdigest(),
        "drawn_at": now,
        "product_version": __version__,
        "publish_after": latest_publication(run.period_end, plan.publish_delay_days),
        "visit_count": len(result.selected),
    })
    if not claimed:
        return False
    _create_draw_visits(run, result, now)
    return True


def _create_draw_visits(run: PlanRun, result, now: datetime) -> None:
    frozen = run.frozen or {}
    institution_ids = {code: row["id"] for code, row in frozen.get("institutions", {}).items()}
    user_ids = frozen.get("inspectors", {})
    period = Period(run.period_key, run.period_start, run.period_end)
    days = working_days(period, from_day=local_date(now) + timedelta(days=1),
                        calendar=workcalendar.calendar()) or [run.period_end]
    teams = [[m.inspector for m in s.team] for s in result.selected]
    for selection, day in zip(result.selected, spread_dates(teams, days)):
        departments: dict[str, list[int]] = {}
        for member in selection.team:
            departments.setdefault(member.department, []).append(user_ids[member.inspector])
        create_visit(None, institution_ids[selection.institution], day, departments,
                     purpose="random", kind="inspection", source=run.source_key,
                     due_by=max(day, run.period_end))
