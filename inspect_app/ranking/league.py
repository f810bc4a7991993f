"""District and department league tables (年度综合考评) for a year (docs/supervision-index.md,
"League tables"): three GROUP BY queries (inspection parts, findings, institutions) give each
row's counts; the pure :func:`inspect_app.domain.ranking.league_measures` turns them into
measures, ranked with competition ranking, beside the previous year's.

A department's staff see the district table over their own department's work, and of the
department table their own department's row with its rank among all departments; the bureau
sees everything."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import case, delete, distinct, func, insert, literal, select

from ..auth import policy
from ..auth.roles import DEPARTMENTS, Role
from ..core.errors import Invalid
from ..core.types import LOCAL_ZONE, UTCDateTime, local_today
from ..domain import ranking as rules
from ..domain.rectification.states import CLOSED, WITHDRAWN
from ..extensions import db
from ..inspections.models import SUBMITTED, Inspection, Visit
from ..registry.models import Institution
from ..rectification.on_time import counts_late, counts_on_time
from ..rectification.models import Finding
from . import measures
from .models import LeagueTally
from .measures import RANKED_STATUSES

DISTRICT, DEPARTMENT = "district", "department"
KINDS = (DISTRICT, DEPARTMENT)
FIRST_YEAR = 2000


@dataclass
class LeagueRow:
    key: str
    counts: rules.LeagueCounts
    measures: dict
    previous: dict = field(default_factory=dict)
    rank: int | None = None
    previous_rank: int | None = None


@dataclass
class League:
    kind: str
    year: int
    sort: str
    rows: list[LeagueRow]
    hidden: int = 0            # rows ranked but not shown to this viewer
    department: str | None = None   # the viewer's department, whose work alone is counted
    computed_at: datetime | None = None   # when the counts were stored (None: computed now)


def _bounds(year: int) -> tuple[datetime, datetime]:
    start = datetime.combine(date(year, 1, 1), time(0), LOCAL_ZONE)
    end = datetime.combine(date(year + 1, 1, 1), time(0), LOCAL_ZONE)
    return start, end


def _own_department(user) -> str | None:
    """The department whose work a viewer sees (None: the bureau, every department)."""
    if user.role in (Role.DEPARTMENT_ADMIN.value, Role.INSPECTOR.value):
        return user.department or "—"
    return None


def _days(later, earlier):
    if db.session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier) / 86400.0
    return func.julianday(later) - func.julianday(earlier)


ALL = "*"
COUNT_FIELDS = ("planned", "done", "compliant", "inspected", "critical", "on_time", "late", "overdue", "closed")


def tally_rows(year: int, now: datetime) -> list[dict]:
    """The year's counts per (district, department), plus per district with department "*"
    the institutions inspected on site by any department: three GROUP BY queries (inspection
    parts by district and department, the same by district alone for the distinct
    institutions, findings by district and department)."""
    start, end = _bounds(year)
    submitted = Inspection.status == SUBMITTED
    in_year = (Visit.kind == "inspection", Visit.status != "cancelled", Visit.scheduled_for >= start.date(),
               Visit.scheduled_for < end.date(), Institution.status.in_(RANKED_STATUSES))
    parts = (select(Institution.district, Inspection.department, func.count(),
                    func.sum(case((submitted, 1), else_=0)),
                    func.sum(case((submitted & (func.coalesce(Inspection.failed_count, 0) == 0), 1), else_=0)),
                    func.count(distinct(case((submitted, Visit.institution_id)))))
             .select_from(Inspection).join(Visit, Visit.id == Inspection.visit_id)
             .join(Institution, Institution.id == Visit.institution_id).where(*in_year)
             .group_by(Institution.district, Inspection.department))
    anyone = (select(Institution.district, func.count(distinct(Visit.institution_id)))
              .select_from(Inspection).join(Visit, Visit.id == Inspection.visit_id)
              .join(Institution, Institution.id == Visit.institution_id).where(submitted, *in_year)
              .group_by(Institution.district))
    closed = Finding.state == CLOSED
    found = (select(Institution.district, Finding.department,
                    func.sum(case((Finding.severity == "critical", 1), else_=0)),
                    func.sum(counts_on_time(now)), func.sum(counts_late(now)),
                    func.sum(measures.overdue_now(now)), func.sum(case((closed, 1), else_=0)),
                    func.sum(case((closed, _days(Finding.closed_at, Finding.created_at)), else_=0)))
             .select_from(Finding).join(Institution, Institution.id == Finding.institution_id)
             .where(Finding.created_at >= literal(start, UTCDateTime), Finding.created_at < literal(end, UTCDateTime),
                    Finding.state != WITHDRAWN, Institution.status.in_(RANKED_STATUSES))
             .group_by(Institution.district, Finding.department))
    table: dict[tuple[str, str], dict] = {}

    def row(district, department):
        return table.setdefault((district, department), {"district": district, "department": department,
                                                         **{f: 0 for f in COUNT_FIELDS}, "days_to_close": Decimal(0)})
    for district, department, planned, done, compliant, inspected in db.session.execute(parts):
        row(district, department).update(planned=planned, done=int(done or 0), compliant=int(compliant or 0),
                                         inspected=inspected)
    for district, inspected in db.session.execute(anyone):
        row(district, ALL)["inspected"] = inspected
    for district, department, critical, on_time, late, overdue, n_closed, days in db.session.execute(found):
        row(district, department).update(critical=int(critical or 0), on_time=int(on_time or 0), late=int(late or 0),
                                         overdue=int(overdue or 0), closed=int(n_closed or 0),
                                         days_to_close=Decimal(str(round(float(days or 0), 4))))
    return list(table.values())


def store(year: int, now: datetime) -> int:
    """Replace the stored counts of ``year`` (the refresh does this year's and last year's)."""
    rows = tally_rows(year, now)
    db.session.execute(delete(LeagueTally).where(LeagueTally.year == year))
    if rows:
        db.session.execute(insert(LeagueTally), [{**r, "year": year, "computed_at": now} for r in rows])
    return len(rows)


def _tallies(year: int, now: datetime) -> tuple[list[dict], datetime | None]:
    """The stored counts of ``year``, or (a year never stored) the counts computed now."""
    stored = db.session.scalars(select(LeagueTally).where(LeagueTally.year == year)).all()
    if stored:
        return ([{"district": t.district, "department": t.department, "days_to_close": t.days_to_close,
                  **{f: getattr(t, f) for f in COUNT_FIELDS}} for t in stored],
                max(t.computed_at for t in stored))
    return tally_rows(year, now), None


def counts(kind: str, year: int, now: datetime, department: str | None = None) -> tuple[dict[str, rules.LeagueCounts], datetime | None]:
    """Each district's (or department's) counts for ``year``; ``department`` limits the work
    counted to one department's. Also when the counts were computed (None: just now)."""
    rows, at = _tallies(year, now)
    sums: dict[str, dict] = {}
    for r in rows:
        if r["department"] == ALL:
            continue
        if department is not None and r["department"] != department:
            continue
        key = r["district"] if kind == DISTRICT else r["department"]
        target = sums.setdefault(key, {f: 0 for f in COUNT_FIELDS} | {"days_to_close": Fraction(0)})
        for f in COUNT_FIELDS:
            if not (kind == DISTRICT and f == "inspected" and department is None):
                target[f] += r[f]
        target["days_to_close"] += Fraction(str(r["days_to_close"]))
    if kind == DISTRICT and department is None:
        for r in rows:
            if r["department"] == ALL:
                sums.setdefault(r["district"], {f: 0 for f in COUNT_FIELDS} | {"days_to_close": Fraction(0)})
                sums[r["district"]]["inspected"] = r["inspected"]
    registry = select(func.count(), func.coalesce(func.sum(Institution.beds), 0)).where(
        Institution.status.in_(RANKED_STATUSES))
    if kind == DISTRICT:
        for key, n, beds in db.session.execute(select(Institution.district, func.count(),
                                                      func.coalesce(func.sum(Institution.beds), 0))
                                               .where(Institution.status.in_(RANKED_STATUSES))
                                               .group_by(Institution.district)):
            sums.setdefault(key, {f: 0 for f in COUNT_FIELDS} | {"days_to_close": Fraction(0)})
            sums[key].update(institutions=n, beds=int(beds))
    else:
        n, beds = db.session.execute(registry).one()
        for key in (DEPARTMENTS if department is None else [department]):
            sums.setdefault(key, {f: 0 for f in COUNT_FIELDS} | {"days_to_close": Fraction(0)})
            sums[key].update(institutions=n, beds=int(beds))
    return {key: rules.LeagueCounts(**values) for key, values in sums.items() if key is not None}, at


def league(user, kind: str, year: int, sort: str, now: datetime) -> League:
    """The league table of ``kind`` for ``year`` as ``user`` may see it, ranked by ``sort``."""
    policy.require(user, "ranking.league")
    problems = []
    if kind not in KINDS:
        problems.append(("kind", "is not district or department"))
    if not FIRST_YEAR <= year <= local_today(now).year:
        problems.append(("year", f"must be a year from {FIRST_YEAR} to this year"))
    if sort not in rules.LEAGUE_MEASURES:
        problems.append(("sort", "is not a measure of the league table"))
    if problems:
        raise Invalid("The league table could not be made.", problems=problems)
    own = _own_department(user)
    limit = own if kind == DISTRICT else None
    current, computed_at = counts(kind, year, now, limit)
    this_year = {k: rules.league_measures(c) for k, c in current.items()}
    last_year = {k: rules.league_measures(c) for k, c in counts(kind, year - 1, now, limit)[0].items()}
    ranks = rules.league_ranks(this_year, sort)
    previous_ranks = rules.league_ranks(last_year, sort) if last_year else {}
    rows = [LeagueRow(k, current[k], this_year[k], last_year.get(k, {}), ranks[k], previous_ranks.get(k))
            for k in this_year]
    hidden = 0
    if kind == DEPARTMENT and own is not None:
        hidden = len([r for r in rows if r.key != own])
        rows = [r for r in rows if r.key == own]
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.key))
    return League(kind, year, sort, rows, hidden, own, computed_at)
