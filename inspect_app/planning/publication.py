"""Publication of random joint draws (双随机、一公开): what anyone may see of each run.

What is public depends on the run's state (docs/draw-verification.md); the rule of when the
targets may be shown is :mod:`inspect_app.domain.draw.publication`:

============  ==================================================================================
frozen        lists (the draw input without seed) and their digest, commitment, beacon source
              and date
seeded        the same (the seed exists but stays private until publication)
drawn         the same plus the SHA-256 of the output file (the result is fixed, not yet shown),
              and each drawn institution whose visit has a submitted record (or all of them
              once the period is over)
published     everything: secret, beacon value, seed, input, output; the run moves here once
              every visit has a record or the period is over (plus the plan's delay)
infeasible    everything, with the reason (no visits were created)
============  ==================================================================================
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..core.errors import NotFound
from ..core.paging import Page, paginate
from ..core.types import utcnow
from ..domain.draw.publication import publication_due, target_public
from ..extensions import db
from .models import DRAWN, INFEASIBLE, PUBLISHED, RANDOM_JOINT, Plan, PlanRun
from ..inspections.models import SUBMITTED, Inspection, Visit

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
    frozen_on: date
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
    product_version: str | None
    period_end: date

    @property
    def file_names(self) -> dict[str, str]:
        """The name each published file is saved under (``draw-<id>-<period>-<name>.json``)."""
        return {name: file_name(self.id, self.period_key, name) for name in self.files}

    @property
    def verify_command(self) -> str | None:
        """Once published: the one command that checks the three files against this page
        (``flask --app wsgi draw verify``), quoted for any shell (cmd, PowerShell, sh)."""
        if self.state != PUBLISHED:
            return None
        names = self.file_names
        words = ["flask", "--app", "wsgi", "draw", "verify", names["lists"], names["input"], names["output"],
                 "--list-digest", self.list_digest, "--commitment", self.commitment, "--secret", self.secret,
                 "--third-party-value", self.beacon_value, "--output-sha256", self.output_digest]
        return " ".join(_quoted(str(word)) for word in words)


def _quoted(word: str) -> str:
    """``word`` as one shell word: bare when plain, else in double quotes, which cmd, PowerShell
    and POSIX shells all read alike for the values a draw has (digits, letters, spaces, CJK)."""
    if re.fullmatch(r"[A-Za-z0-9._=:+/-]+", word):
        return word
    return '"' + word.replace('"', '\\"') + '"'


def _public(run: PlanRun) -> PublicDraw:
    revealed = run.state in REVEALED
    files = ("lists",) + (("input",) if revealed else ()) + (("output",) if run.state == PUBLISHED else ())
    return PublicDraw(
        id=run.id, plan_name=run.plan.name, period_key=run.period_key, state=run.state,
        frozen_at=run.created_at, frozen_on=run.frozen_on, list_digest=run.list_digest,
        commitment=run.commitment,
        beacon_source=run.beacon_source, beacon_date=run.beacon_date,
        output_digest=run.output_digest if run.state in (DRAWN, PUBLISHED) else None,
        secret=run.secret if revealed else None,
        beacon_value=run.beacon_value if revealed else None,
        seed=run.seed if revealed else None,
        input_digest=run.input_digest if revealed else None,
        drawn_at=run.drawn_at, published_at=run.published_at,
        message=run.message if run.state == INFEASIBLE else None,
        selected=run.visit_count if run.state == PUBLISHED else None,
        files=files, product_version=run.product_version, period_end=run.period_end)


def file_name(run_id: int, period_key: str, name: str) -> str:
    return f"draw-{run_id}-{period_key}-{name}.json"


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
    return file_name(run_id, run.period_key, name), text


def recorded_at(run: PlanRun) -> dict[int, datetime]:
    """Institution id → when its visit of this run got its first submitted record (only the
    institutions whose visit has one)."""
    rows = db.session.execute(
        select(Visit.institution_id, func.min(Inspection.submitted_at))
        .join(Inspection, Inspection.visit_id == Visit.id)
        .where(Visit.source == run.source_key, Inspection.status == SUBMITTED)
        .group_by(Visit.institution_id)).all()
    return {institution_id: at or run.drawn_at for institution_id, at in rows}


def _drawn_ids(run: PlanRun) -> list[int]:
    """Registry ids of the drawn institutions (from the run's frozen facts)."""
    institutions = (run.frozen or {}).get("institutions", {})
    return [institutions[item["institution"]]["id"] for item in json.loads(run.output_json)["selected"]]


def publication_is_due(run: PlanRun, now: datetime) -> bool:
    """May the drawn run ``run`` be published (everything) at ``now``?"""
    recorded = recorded_at(run)
    return publication_due(now, run.drawn_at, run.period_end,
                           [recorded.get(i) for i in _drawn_ids(run)], run.plan.publish_delay_days)


def published_selection(run_id: int, now: datetime | None = None) -> list[dict]:
    """The drawn institutions that may be shown (all once the draw is published; while it is
    drawn, those whose visit has a record, or all once the period is over), with their teams."""
    run = db.session.get(PlanRun, run_id)
    if run is None or run.kind != RANDOM_JOINT or run.state not in (DRAWN, PUBLISHED) or not run.output_json:
        return []
    now = now or utcnow()
    recorded = recorded_at(run) if run.state == DRAWN else {}
    institutions = (run.frozen or {}).get("institutions", {})
    rows = []
    for item in json.loads(run.output_json)["selected"]:
        facts = institutions.get(item["institution"], {})
        if run.state == DRAWN and not target_public(facts.get("id") in recorded, run.period_end, now):
            continue
        rows.append({"code": item["institution"], "name": facts.get("name", ""),
                     "risk": facts.get("risk", ""),
                     "departments": sorted({m["department"] for m in item["team"]}),
                     "team": [m["inspector"] for m in item["team"]]})
    return rows
