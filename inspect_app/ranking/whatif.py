"""What-if (docs/supervision-index.md, "What-if"): the bureau tries other index weights or
level thresholds on the current data and sees who would move up or down. Nothing is written:
each institution's findings are scored in the database under the policy in force and under
the proposal, summed per institution and cycle (:func:`.standing.indexes`), so the page reads
a few rows per institution however many findings there are.

The level thresholds are the grading checklist's minimum totals per level; a what-if level is
the highest level whose minimum the institution's current grading total reaches, compared
with the same rule under the thresholds in force (section minima and vetoes are not re-run,
so the comparison shows what the totals alone would do)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..auth import policy
from ..checklists import catalogue
from ..core.types import local_today
from ..domain import ranking as rules
from ..extensions import db
from ..grading import policy as grading_policy
from ..registry.models import Institution
from . import policy as policies
from . import standing

MAX_SHOWN = 200
GRID_FIELDS = [(f"g_{sev}_{scope}", sev, scope) for sev in rules.SEVERITIES for scope in rules.SCOPES]
REPEAT_FIELDS = ["repeat_1", "repeat_2", "repeat_3"]
WEIGHT_FIELDS = ["weight_1", "weight_2", "weight_3"]


def current_thresholds(today) -> dict[int, Fraction]:
    checklist = catalogue.get(grading_policy.in_force(today).checklist)
    return {lv.level: Fraction(lv.min_total) for lv in (checklist.levels if checklist else ())}


def defaults(today) -> dict[str, str]:
    """The form's values under the policy and thresholds in force."""
    p = policies.current()
    out = {name: _text(p.grid[sev][scope]) for name, sev, scope in GRID_FIELDS}
    out.update({name: _text(v) for name, v in zip(REPEAT_FIELDS, p.repeat_extra)})
    out.update({name: _text(v) for name, v in zip(WEIGHT_FIELDS, p.cycle_weights)})
    out["overdue"] = _text(p.overdue_extra)
    out.update({f"level_{level}": _text(v) for level, v in current_thresholds(today).items()})
    return out


def _text(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    decimal = value.numerator / value.denominator
    return f"{value.numerator}/{value.denominator}" if round(decimal, 6) != decimal else repr(decimal)


@dataclass
class Proposal:
    policy: rules.IndexPolicy
    thresholds: dict[int, Fraction]
    values: dict[str, str]
    problems: list[tuple[str, str]] = field(default_factory=list)


def read(args: Mapping[str, str], today) -> Proposal:
    """The proposal from the form (absent fields keep the values in force); problems located
    by field. A proposal with problems is not computed."""
    base = policies.current()
    values = defaults(today)
    problems: list[tuple[str, str]] = []
    for name in values:
        raw = args.get(name)
        if raw is not None:
            values[name] = raw.strip()[:30]
    parsed = {}
    for name, text in values.items():
        number = rules.number(text)
        if number is None:
            problems.append((name, _l("must be a number, 0 or more (such as 0.5 or 1/3)")))
        parsed[name] = number
    thresholds = {int(n.split("_")[1]): parsed[n] for n in values if n.startswith("level_") and parsed[n] is not None}
    weights = [parsed[n] for n in WEIGHT_FIELDS if parsed[n] is not None]
    if not problems:
        if sum(weights) != 1 or any(w == 0 for w in weights):
            problems.append(("weight_1", _l("the cycle weights must be positive and add up to 1")))
        problems += [(p.where, _l("must be above the minimum of the level below"))
                     for p in rules.check_thresholds(thresholds)]
    proposed = base
    if not problems:
        grid = {sev: {scope: parsed[name] for name, s, scope in GRID_FIELDS if s == sev} for sev in rules.SEVERITIES}
        proposed = base.with_changes(grid=grid, repeat_extra=tuple(parsed[n] for n in REPEAT_FIELDS),
                                     overdue_extra=parsed["overdue"], cycle_weights=tuple(weights),
                                     version=f"{base.version}+what-if")
    return Proposal(proposed, thresholds, values, problems)


@dataclass
class Outcome:
    index_moves: list          # (Move, Figures before, Figures after), the largest moves first
    index_up: int
    index_down: int
    band_changes: int
    level_moves: list          # (Move, Figures)
    level_up: int
    level_down: int
    ranked: int


def run(user, proposal: Proposal, now: datetime) -> Outcome:
    """Who would move, ranked city-wide by index and by level-by-total. Reads only."""
    policy.require(user, "ranking.whatif")
    in_force = policies.current()
    before, after = standing.indexes(now, [in_force, proposal.policy])
    keys = list(before)
    rank_before = dict(zip(keys, rules.competition_ranks(rules.comparable(before[k].index.value for k in keys), False)))
    rank_after = dict(zip(keys, rules.competition_ranks(rules.comparable(after[k].index.value for k in keys), False)))
    index_moves = rules.moves(rank_before, rank_after, smaller_is_better=True)
    index_moves.sort(key=lambda m: (-abs((m.before or 0) - (m.after or 0)), m.key))
    band_changes = sum(1 for k in keys if before[k].band != after[k].band)
    thresholds_now = current_thresholds(local_today(now))
    level_before = {k: rules.level_by_total(_fraction(f.grade_total), thresholds_now) for k, f in before.items()
                    if f.grade_total is not None}
    level_after = {k: rules.level_by_total(_fraction(before[k].grade_total), proposal.thresholds)
                   for k in level_before}
    level_moves = rules.moves(level_before, level_after, smaller_is_better=False)
    level_moves.sort(key=lambda m: (-m.direction, m.key))
    return Outcome(
        index_moves=[(m, before[m.key], after[m.key]) for m in index_moves[:MAX_SHOWN]],
        index_up=sum(1 for m in index_moves if m.direction > 0),
        index_down=sum(1 for m in index_moves if m.direction < 0),
        band_changes=band_changes,
        level_moves=[(m, before[m.key]) for m in level_moves[:MAX_SHOWN]],
        level_up=sum(1 for m in level_moves if m.direction > 0),
        level_down=sum(1 for m in level_moves if m.direction < 0),
        ranked=sum(1 for k in keys if before[k].index.value is not None))


def _fraction(value) -> Fraction | None:
    return None if value is None else Fraction(str(value))


def names(ids) -> dict[int, tuple[str, str]]:
    ids = list(ids)
    if not ids:
        return {}
    return {i: (n, d) for i, n, d in db.session.execute(
        select(Institution.id, Institution.name, Institution.district).where(Institution.id.in_(ids)))}
