"""Computing the standings (docs/supervision-index.md): one set-based pass over the registry,
the visits, the findings and the grades, grouped in SQL; the pure rules of
:mod:`inspect_app.domain.ranking` turn the groups into each institution's index, its parts,
its on-time rate and its district band. :func:`refresh` stores them as the period's
:class:`~.models.Standing` rows (the ranking pages read those); :func:`compute` alone writes
nothing (the what-if uses it)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from sqlalchemy import and_, case, delete, exists, func, insert, literal, select, text

from ..core.types import LOCAL_ZONE, UTCDateTime, local_today, utcnow
from ..domain import ranking as rules
from ..domain.rectification.on_time import rate
from ..domain.rectification.states import UNRESOLVED, WITHDRAWN
from ..extensions import db
from ..domain.grading import schemes
from ..grading.models import GradeRecord
from ..grading.current import current_clause
from ..inspections.models import SUBMITTED, Inspection, Visit
from ..registry.models import Institution
from ..rectification.on_time import counts_late, counts_on_time
from ..rectification.models import Finding, FindingEvent
from . import league, monthly
from . import policy as policies
from .measures import RANKED_STATUSES
from .models import Standing

# The most points (over a policy's common denominator) one finding may get for the sums in
# SQL: with fewer than 9 × 10⁹ findings no sum leaves a 64-bit integer.
SQL_POINTS_LIMIT = 10**9
RATE_WINDOW_DAYS = 365          # the on-time rate of an institution: findings of the last year


def period_of(now: datetime) -> str:
    return now.astimezone(LOCAL_ZONE).strftime("%Y-%m")


@dataclass
class Figures:
    institution_id: int
    district: str
    level: int | None = None
    grade_total: object = None
    cycles: int = 0
    index: rules.IndexResult = rules.IndexResult(None)
    on_time: int = 0
    late: int = 0
    open_findings: int = 0
    percentile: Fraction | None = None
    band: str | None = None

    @property
    def rate(self) -> Fraction | None:
        return rate(self.on_time, self.late)


def cycle_visits(today):
    """Each institution's inspection cycles up to ``today``: its visits (not follow-ups nor
    grading visits) with a submitted inspection, numbered from 0 (the most recent) by date."""
    submitted = exists().where(Inspection.visit_id == Visit.id, Inspection.status == SUBMITTED)
    number = func.row_number().over(partition_by=Visit.institution_id,
                                    order_by=(Visit.scheduled_for.desc(), Visit.id.desc())) - 1
    return (select(Visit.id.label("visit_id"), Visit.institution_id, number.label("cycle"))
            .where(Visit.kind == "inspection", Visit.purpose != "follow_up", Visit.scheduled_for <= today,
                   submitted).subquery())


def _finding_rows(now: datetime, cycles_weighed: int):
    """The findings of each institution's weighed cycles (withdrawn ones left out) with their
    inspection, cycle, severity, rejected fixes and whether they went overdue (1 or 0)."""
    cycles = cycle_visits(local_today(now))
    rejects = (select(FindingEvent.finding_id, func.count().label("n"))
               .where(FindingEvent.action == "reject").group_by(FindingEvent.finding_id).subquery())
    return (select(Finding.institution_id, Finding.inspection_id, cycles.c.cycle, Finding.severity,
                   func.coalesce(rejects.c.n, 0).label("rejections"), counts_late(now).label("overdue"))
            .join(cycles, cycles.c.visit_id == Finding.visit_id)
            .outerjoin(rejects, rejects.c.finding_id == Finding.id)
            .where(cycles.c.cycle < cycles_weighed, Finding.state != WITHDRAWN)
            .subquery())


def _per_finding(now: datetime, cycles_weighed: int):
    """(institution, cycle, severity, same severity in the inspection, rejected fixes, overdue)
    of each finding of each institution's weighed cycles (withdrawn ones left out)."""
    rows = _finding_rows(now, cycles_weighed)
    return select(rows.c.institution_id, rows.c.cycle, rows.c.severity,
                  func.count().over(partition_by=(rows.c.inspection_id, rows.c.severity)).label("same"),
                  rows.c.rejections, rows.c.overdue).subquery()


def tallies(now: datetime, cycles_weighed: int):
    """(institution, cycle, severity, same severity in the inspection, rejected fixes, overdue,
    count) for the findings of each institution's weighed cycles (withdrawn ones left out)."""
    per_finding = _per_finding(now, cycles_weighed)
    columns = (per_finding.c.institution_id, per_finding.c.cycle, per_finding.c.severity,
               per_finding.c.same, per_finding.c.rejections, per_finding.c.overdue)
    return db.session.execute(select(*columns, func.count()).group_by(*columns)).all()


def _kinds(scorers: list[rules.Scorer]) -> list[tuple[int, bool]]:
    """(rejected fixes, counted from 0 up to the largest repeat step any scorer tells apart;
    overdue or not): the kinds of finding within one severity of one inspection."""
    top = max(len(s.policy.repeat_extra) for s in scorers)
    return [(k, overdue) for k in range(top + 1) for overdue in (False, True)]


def _points_sql(scorer: rules.Scorer, group, kinds: list[tuple[int, bool]]):
    """The points of one group of :func:`cycle_points` (one severity in one inspection: its
    size gives the scope, its counts per kind the rest) under ``scorer``'s policy, as SQL: a
    sum of counts times whole numbers (:meth:`~rules.Scorer.points`)."""
    p = scorer.policy

    def weighted(severity: str, scope: str):
        terms = [group.c[f"n_{k}_{int(overdue)}"] * scorer.points(severity, scope, k, overdue)
                 for k, overdue in kinds]
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        return total

    def by_scope(severity: str):
        return case((group.c.same >= p.widespread_from, weighted(severity, "widespread")),
                    (group.c.same >= p.pattern_from, weighted(severity, "pattern")),
                    else_=weighted(severity, "isolated"))
    return case(*[(group.c.severity == severity, by_scope(severity)) for severity in p.grid], else_=0)


def cycle_points(now: datetime, cycles_weighed: int, scorers: list[rules.Scorer]) -> list[dict[int, dict[int, int]]]:
    """For each scorer: institution → cycle → the points of that cycle's findings, summed in
    the database: the findings are first counted per inspection and severity (the scope) by
    rejected fixes and overdue, then scored and summed per institution and cycle, so one row
    per institution and cycle comes back whatever the number of findings."""
    rows = _finding_rows(now, cycles_weighed)
    kinds = _kinds(scorers)
    top = kinds[-1][0]

    def of_kind(k: int, overdue: bool):
        cond = rows.c.overdue == int(overdue)
        if k == top:
            cond = and_(cond, rows.c.rejections >= k)
        else:
            cond = and_(cond, rows.c.rejections == k) if k else and_(cond, rows.c.rejections <= 0)
        return func.count().filter(cond).label(f"n_{k}_{int(overdue)}")
    group = (select(rows.c.institution_id, rows.c.cycle, rows.c.severity, func.count().label("same"),
                    *[of_kind(k, overdue) for k, overdue in kinds])
             .group_by(rows.c.inspection_id, rows.c.institution_id, rows.c.cycle, rows.c.severity).subquery())
    if db.engine.dialect.name == "postgresql":
        # Room for the grouping in memory (this transaction only): no spilling to disk.
        db.session.execute(text("SET LOCAL work_mem = '64MB'"))
    result = db.session.execute(
        select(group.c.institution_id, group.c.cycle,
               *[func.sum(_points_sql(scorer, group, kinds)) for scorer in scorers])
        .group_by(group.c.institution_id, group.c.cycle))
    out: list[dict[int, dict[int, int]]] = [{} for _ in scorers]
    for institution_id, cycle, *sums in result:
        for found, total in zip(out, sums):
            found.setdefault(institution_id, {})[cycle] = int(total or 0)
    return out


@dataclass
class Gathered:
    """What the index needs from the database, read once."""
    now: datetime
    cycles_weighed: int
    base: dict[int, Figures]
    tallies: dict[int, list[rules.Tally]]


def registered(now: datetime) -> dict[int, Figures]:
    """Every ranked institution with its district, its number of cycles and its current grade
    (level and total). Reads only."""
    today = local_today(now)
    figures = {i: Figures(i, d) for i, d in db.session.execute(
        select(Institution.id, Institution.district).where(Institution.status.in_(RANKED_STATUSES)))}
    cycles = cycle_visits(today)
    for institution_id, n in db.session.execute(
            select(cycles.c.institution_id, func.count()).group_by(cycles.c.institution_id)):
        if institution_id in figures:
            figures[institution_id].cycles = n
    latest = func.row_number().over(partition_by=GradeRecord.institution_id,
                                    order_by=(GradeRecord.effective_on.desc(), GradeRecord.id.desc()))
    grades = (select(GradeRecord.institution_id, GradeRecord.level, GradeRecord.total, latest.label("n"))
              .where(current_clause(today), GradeRecord.scheme == schemes.STAR).subquery())
    for institution_id, level, total in db.session.execute(
            select(grades.c.institution_id, grades.c.level, grades.c.total).where(grades.c.n == 1)):
        if institution_id in figures:
            figures[institution_id].level, figures[institution_id].grade_total = level, total
    return figures


def gather(now: datetime, cycles_weighed: int) -> Gathered:
    """Every ranked institution's cycles, finding tallies (of its ``cycles_weighed`` most
    recent cycles), on-time counts, open findings and current grade. Reads only."""
    figures = registered(now)
    found: dict[int, list[rules.Tally]] = {}
    for institution_id, cycle, severity, same, rejections, overdue, count in tallies(now, cycles_weighed):
        found.setdefault(institution_id, []).append(
            rules.Tally(cycle, severity, same, rejections, bool(overdue), count))
    since = now - timedelta(days=RATE_WINDOW_DAYS)
    for institution_id, on_time, late in db.session.execute(
            select(Finding.institution_id, func.sum(counts_on_time(now)),
                   func.sum(counts_late(now)))
            .where(Finding.created_at >= literal(since, UTCDateTime), Finding.created_at <= literal(now, UTCDateTime))
            .group_by(Finding.institution_id)):
        if institution_id in figures:
            figures[institution_id].on_time, figures[institution_id].late = int(on_time or 0), int(late or 0)
    for institution_id, n in db.session.execute(
            select(Finding.institution_id, func.count()).where(Finding.state.in_(UNRESOLVED))
            .group_by(Finding.institution_id)):
        if institution_id in figures:
            figures[institution_id].open_findings = n
    return Gathered(now, cycles_weighed, figures, found)


def score(gathered: Gathered, policy: rules.IndexPolicy, parts: bool = True) -> dict[int, Figures]:
    """The figures with each institution's index (with its parts unless ``parts`` is false)
    and district band under ``policy``."""
    if len(policy.cycle_weights) > gathered.cycles_weighed:
        raise ValueError("the policy weighs more cycles than were gathered")
    out = {}
    scorer = rules.Scorer(policy)
    for key, base in gathered.base.items():
        f = replace(base)
        f.index = scorer.index(f.cycles, gathered.tallies.get(key, ()), parts)
        out[key] = f
    bands = _bands(out, policy)
    for key, (percentile, band) in bands.items():
        out[key].percentile, out[key].band = percentile, band
    return out


def indexes(now: datetime, policies_: list[rules.IndexPolicy]) -> list[dict[int, Figures]]:
    """Every ranked institution's index (its value, no parts) and district band under each of
    ``policies_``, the findings' points summed in the database per institution and cycle, so
    the cost grows with the institutions, not their findings. Each index is the one
    :func:`score` gives. Reads only."""
    scorers = [rules.Scorer(p) for p in policies_]
    weighed = max(len(p.cycle_weights) for p in policies_)
    if any(s.largest_points > SQL_POINTS_LIMIT for s in scorers):
        # Points too large for the database's 64-bit integers: the findings' tallies are
        # scored in Python instead (slower, exact with any numbers).
        gathered = gather(now, weighed)
        return [score(gathered, p, parts=False) for p in policies_]
    base = registered(now)
    sums = cycle_points(now, weighed, scorers)
    out = []
    for scorer, points in zip(scorers, sums):
        figures = {}
        for key, f in base.items():
            figures[key] = replace(f, index=rules.IndexResult(scorer.value(f.cycles, points.get(key, {}))))
        bands = _bands(figures, scorer.policy)
        for key, (percentile, band) in bands.items():
            figures[key].percentile, figures[key].band = percentile, band
        out.append(figures)
    return out


def _bands(figures: dict[int, Figures], policy: rules.IndexPolicy) -> dict[int, tuple[Fraction, str]]:
    """Each institution's district band by its index (compared as exact whole numbers)."""
    keys = list(figures)
    values = rules.comparable(figures[k].index.value for k in keys)
    return rules.district_bands(((k, figures[k].district, v) for k, v in zip(keys, values)), policy)


def compute(now: datetime | None = None, policy: rules.IndexPolicy | None = None) -> dict[int, Figures]:
    """Every ranked institution's figures now under ``policy`` (the file in force by default).
    Reads only."""
    now = now or utcnow()
    policy = policy or policies.current()
    return score(gather(now, len(policy.cycle_weights)), policy)


def refresh(now: datetime | None = None) -> int:
    """Store the current period's standings (replacing that period's rows, in one
    transaction: readers see the old rows until it commits), this year's and last year's
    league counts, and the monthly finding counts of the months that are over (:mod:`.monthly`). Returns the number of standings."""
    now = now or utcnow()
    policy = policies.current()
    period = period_of(now)
    figures = compute(now, policy)
    previous = dict(db.session.execute(select(Standing.institution_id, Standing.supervision_index).where(
        Standing.period == db.session.scalar(select(func.max(Standing.period)).where(Standing.period < period)))).all())
    changes = {k: (f.index.value - Fraction(str(previous[k]))
                   if f.index.value is not None and previous.get(k) is not None else None)
               for k, f in figures.items()}
    keys = list(figures)
    ranks = {name: dict(zip(keys, rules.competition_ranks(values, better)))
             for name, values, better in (
                 ("rank_index", rules.comparable(figures[k].index.value for k in keys), False),
                 ("rank_level", [figures[k].level for k in keys], True),
                 ("rank_score", [figures[k].grade_total for k in keys], True),
                 ("rank_rate", rules.comparable(figures[k].rate for k in keys), True),
                 ("rank_open", [figures[k].open_findings for k in keys], False),
                 ("rank_trend", rules.comparable(changes[k] for k in keys), False))}
    rows = [{"period": period, "institution_id": f.institution_id, "computed_at": now,
             "policy_version": policy.version, "level": f.level, "grade_total": f.grade_total,
             "supervision_index": rules.decimal4(f.index.value),
             "index_parts": f.index.as_dict() if f.index.value is not None else None,
             "cycles": f.cycles, "on_time": f.on_time, "late": f.late,
             "on_time_rate": _six(f.rate), "open_findings": f.open_findings,
             "district_percentile": _three(f.percentile), "district_band": f.band,
             "previous_index": previous.get(f.institution_id),
             **{name: ranks[name][f.institution_id] for name in ranks}}
            for f in figures.values()]
    db.session.execute(delete(Standing).where(Standing.period == period))
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(Standing), rows[start:start + 5000])
    year = now.astimezone(LOCAL_ZONE).year
    league.store(year, now)
    league.store(year - 1, now)
    monthly.store(now)
    return len(rows)


def _places(value: Fraction | None, places: int) -> str | None:
    """Exact decimal text rounded half up to ``places`` (the column's scale)."""
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return str(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _six(value: Fraction | None) -> str | None:
    return _places(value, 6)


def _three(value: Fraction | None) -> str | None:
    return _places(value, 3)


def periods() -> tuple[str | None, str | None]:
    """The latest stored period and the one before it (for the trend)."""
    current = db.session.scalar(select(func.max(Standing.period)))
    if current is None:
        return None, None
    previous = db.session.scalar(select(func.max(Standing.period)).where(Standing.period < current))
    return current, previous


def computed_at(period: str | None) -> datetime | None:
    if period is None:
        return None
    # Every row of a period is written by one refresh, with one time.
    return db.session.scalar(select(Standing.computed_at).where(Standing.period == period).limit(1))
