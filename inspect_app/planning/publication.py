"""Publication of random joint draws (双随机、一公开): what anyone may see of each run.

What is public depends on the run's state (docs/draw-verification.md):

============  ==================================================================================
frozen        lists (the draw input without seed) and their digest, commitment, beacon source
              and date
seeded        the same (the seed exists but stays private until publication)
drawn         the same plus the SHA-256 of the output file (the result is fixed, not yet shown)
published     everything: secret, beacon value, seed, input, output
infeasible    everything, with the reason (no visits were created)
============  ==================================================================================
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.errors import NotFound
from ..core.paging import Page, paginate
from ..extensions import db
from .models import DRAWN, INFEASIBLE, PUBLISHED, RANDOM_JOINT, Plan, PlanRun

REVEALED = (PUBLISHED, INFEASIBLE)
FILES = {"lists": "lists_json", "input": "input_json", "output": "output_json"}


@dataclass(frozen=True)
class PublicDraw:
    """The public view of one run: only what its state allows."""

    id: int
    plan_name: str
    period_key: str
    state: str
    frozen_at: object
    list_digest: str | None
    commitment: str | None
    beacon_source: str | None
    beacon_date: object
    output_digest: str | None
    secret: str | None
    beacon_value: str | None
    seed: str | None
    input_digest: str | None
    drawn_at: object
    published_at: object
    message: str | None
    selected: int | None
    files: tuple[str, ...]


def _public(run: PlanRun) -> PublicDraw:
    revealed = run.state in REVEALED
    files = ("lists",) + (("input",) if revealed else ()) + (("output",) if run.state == PUBLISHED else ())
    return PublicDraw(
        id=run.id, plan_name=run.plan.name, period_key=run.period_key, state=run.state,
        frozen_at=run.created_at, list_digest=run.list_digest, commitment=run.commitment,
        beacon_source=run.beacon_source, beacon_date=run.beacon_date,
        output_digest=run.output_digest if run.state in (DRAWN, PUBLISHED) else None,
        secret=run.secret if revealed else None,
        beacon_value=run.beacon_value if revealed else None,
        seed=run.seed if revealed else None,
        input_digest=run.input_digest if revealed else None,
        drawn_at=run.drawn_at, published_at=run.published_at,
        message=run.message if run.state == INFEASIBLE else None,
        selected=run.visit_count if run.state == PUBLISHED else None,
        files=files)


def _draws():
    return (select(PlanRun).join(Plan).where(PlanRun.kind == RANDOM_JOINT)
            .options(selectinload(PlanRun.plan)).order_by(PlanRun.id.desc()))


def list_draws(page: int = 1, per_page: int = 25) -> Page:
    found = paginate(_draws(), page, per_page)
    return Page(items=[_public(r) for r in found.items], page=found.page, per_page=found.per_page,
                total=found.total)


def get_draw(run_id: int) -> PublicDraw:
    run = db.session.scalar(_draws().where(PlanRun.id == run_id))
    if run is None:
        raise NotFound("The draw was not found.")
    return _public(run)


def draw_file(run_id: int, name: str) -> tuple[str, str]:
    """(file name, exact published text) of ``lists``, ``input`` or ``output``."""
    draw = get_draw(run_id)
    if name not in draw.files:
        raise NotFound("This file is not published (yet).")
    run = db.session.get(PlanRun, run_id)
    text = getattr(run, FILES[name])
    if text is None:
        raise NotFound("This file is not published (yet).")
    return f"draw-{run_id}-{run.period_key}-{name}.json", text


def published_selection(run_id: int) -> list[dict]:
    """The drawn institutions with their teams' departments, once the draw is published."""
    run = db.session.get(PlanRun, run_id)
    if run is None or run.kind != RANDOM_JOINT or run.state != PUBLISHED or not run.output_json:
        return []
    import json
    institutions = (run.frozen or {}).get("institutions", {})
    rows = []
    for item in json.loads(run.output_json)["selected"]:
        facts = institutions.get(item["institution"], {})
        rows.append({"code": item["institution"], "name": facts.get("name", ""),
                     "risk": facts.get("risk", ""),
                     "departments": sorted({m["department"] for m in item["team"]}),
                     "team": [m["inspector"] for m in item["team"]]})
    return rows
