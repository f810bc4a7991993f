"""The dashboard of each role (驾驶舱): counts that lead to their lists, and charts with their
data tables.

Counts are the lengths of the lists they link to: each is counted with the list's own query
(``rectification.lists.findings_select``, ``inspections.services.listing.visits_select``, the
grade records' states), read from the same arguments the link carries, so a count and its
list cannot disagree. Everything starts from ``policy.visible``: a department admin counts
their department's items, an inspector their own, institution staff their institution's.

The finding counts are counted together in one statement over the unresolved findings (each
count a ``FILTER`` with its list's own WHERE clause), which a partial index on unresolved
findings serves. The charts of findings per month and of the on-time rate add up the stored
counts of the months that are over (:mod:`inspect_app.ranking.monthly`, refreshed hourly with
the standings; the chart says when) and count live only the rest of the period.

The filters (district, institution type, department, a period) are the lists' filters; the
counts' links carry the district and the department on to the lists.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BooleanClauseList
from sqlalchemy.sql.util import find_tables

from ..auth import policy
from ..auth.policy import can
from ..auth.roles import DEPARTMENTS, Role
from ..core import labels as core_labels
from ..core.listing import DATE, Filter, ListQuery, ListSpec, codes, parse, parse_offered
from ..domain.institution import INSTITUTION_TYPES
from ..domain.grading import lifecycle as life
from ..domain.grading import schemes
from ..domain.publication import AGEING_BANDS
from ..domain.rectification.on_time import rate
from ..domain.rectification.states import UNRESOLVED, WITHDRAWN
from ..extensions import db
from ..grading.models import GradeApplication, GradeRecord
from ..grading.current import current_clause
from ..inspections.models import COMPLETED, PLANNED, Visit
from ..inspections.services import listing as visit_lists
from ..planning.models import DRAWN, PUBLISHED, PlanRun
from ..rectification import credit, findings as finding_rules, lists as finding_lists
from ..rectification.on_time import counts_late, counts_on_time, overdue_at
from ..rectification.models import Finding
from ..ranking import monthly
from ..ranking.models import FindingMonth
from ..registry import services as registry
from ..registry.models import Institution

EXPIRY_DAYS = 90          # "grades expiring within 90 days"
MONTHS = 12               # the month chart's default period

FILTERS = ListSpec(
    name="dashboard",
    filters=(Filter("district"), Filter("type"), Filter("department"),
             Filter("date_from", DATE), Filter("date_to", DATE)),
    sorts={"district": (Institution.district,)}, default_sort="district")


def choices(user) -> dict[str, list[tuple[str, object]]]:
    departments = [user.department] if user.role == Role.DEPARTMENT_ADMIN.value else list(DEPARTMENTS)
    return {
        "district": [(d, d) for d in registry.districts(user)],
        "type": [(t, core_labels.INSTITUTION_TYPES.get(t, t)) for t in INSTITUTION_TYPES],
        "department": [(d, core_labels.DEPARTMENTS[d]) for d in departments],
    }


def read_filters(user, args) -> tuple[ListQuery, dict]:
    offered = choices(user)
    return parse_offered(FILTERS, args, offered)


# ----------------------------------------------------------------------------- counts

@dataclass
class Count:
    key: str
    label: object
    value: int
    url: str
    alert: bool = False        # an overdue count above zero is shown as a warning


@dataclass
class Group:
    key: str
    title: object
    counts: list[Count] = field(default_factory=list)


def _number(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


_UNRESOLVED_LISTS = ("unresolved", *UNRESOLVED)     # lists whose rows are all unresolved findings


class Unresolved:
    """Counts over the unresolved findings that several parts of the dashboard ask for (the
    finding counts, the ageing chart), made in one statement — one scan of the partial index
    ``ix_finding_unresolved`` — when :meth:`run` is called: each count is a ``count(*) FILTER
    (WHERE …)`` with its own condition, and each asker gets its values back through ``then``.
    The institution is joined only when some condition reads it (each finding has exactly one
    institution, so no count changes)."""

    def __init__(self) -> None:
        self._conditions: list = []
        self._askers: list[tuple[int, object]] = []

    def ask(self, conditions: list, then) -> None:
        self._conditions += [_within_unresolved(c) for c in conditions]
        self._askers.append((len(conditions), then))

    def run(self) -> None:
        if not self._conditions:
            return
        stmt = (select(*[func.count() if c is None else func.count().filter(c) for c in self._conditions])
                .select_from(Finding).where(Finding.state.in_(UNRESOLVED)))
        if any(Institution.__table__ in find_tables(c, check_columns=True)
               for c in self._conditions if c is not None):
            stmt = stmt.join(Institution, Institution.id == Finding.institution_id)
        row = [int(v or 0) for v in db.session.execute(stmt).one()]
        self._conditions, askers, self._askers = [], self._askers, []
        at = 0
        for n, then in askers:
            then(row[at:at + n])
            at += n


_IMPLIED = (Finding.state.in_(UNRESOLVED), Finding.state != WITHDRAWN)


def _within_unresolved(condition):
    """``condition`` without the parts every unresolved finding meets (the statement's own
    WHERE): the same rows, less work per row."""
    parts = _conjuncts(condition)
    kept = [p for p in parts if not any(p.compare(implied) for implied in _IMPLIED)]
    return and_(*kept) if kept else None           # None: every unresolved finding


def _conjuncts(condition) -> list:
    if isinstance(condition, BooleanClauseList) and condition.operator is operators.and_:
        return [part for c in condition.clauses for part in _conjuncts(c)]
    return [condition]


def _now_or_later(unresolved: Unresolved | None, conditions: list, then) -> None:
    """Count now (``unresolved`` None) or with the rest of the page's counts."""
    mine = unresolved or Unresolved()
    mine.ask(conditions, then)
    if unresolved is None:
        mine.run()


def count_findings(user, queries: list[ListQuery], now: datetime, then,
                   unresolved: Unresolved | None = None) -> None:
    """The total of the findings list (``rectification.lists.findings_select``) for each query,
    given to ``then`` in order: when every list holds only unresolved findings, counted with
    the page's other counts of unresolved findings (each with its list's own WHERE clause);
    otherwise each list counted on its own, now."""
    if not all(q["state"] in _UNRESOLVED_LISTS for q in queries):
        then([_number(finding_lists.findings_select(user, q, now)) for q in queries])
        return
    clauses = [finding_lists.findings_select(user, q, now).whereclause for q in queries]
    _now_or_later(unresolved, [c if c is not None else Finding.id.isnot(None) for c in clauses], then)


def _carry(q: ListQuery, *names: str) -> dict:
    return {n: q[n] for n in names if q.get(n)}


def week_end(today: date) -> date:
    """The Sunday of ``today``'s week (Monday–Sunday)."""
    return today + timedelta(days=6 - today.weekday())


def counts(user, q: ListQuery, today: date, now: datetime, unresolved: Unresolved | None = None) -> list[Group]:
    """The counts for ``user``; the finding counts are filled in when ``unresolved`` is run
    (None: at once)."""
    groups: list[Group] = []
    carry = _carry(q, "district", "department")
    finding_codes: dict | None = None

    def _finding_counts(user, arg_sets: list[dict], now: datetime, then) -> None:
        """The totals of the findings list for each of ``arg_sets`` (its choices read once per
        dashboard), given to ``then``."""
        nonlocal finding_codes
        if finding_codes is None:
            finding_codes = codes(finding_lists.finding_choices(user))
        queries = [parse(finding_lists.FINDINGS, args, finding_codes) for args in arg_sets]
        count_findings(user, queries, now, then, unresolved)

    def _visit_count(user, args: dict) -> int:
        query, _ = visit_lists.visit_query(user, args)
        return _number(visit_lists.visits_select(user, query))
    if can(user, "inspections.view"):
        visits = Group("visits", _l("Visits"))
        for key, label, args, alert in (
                ("visits_today", _l("Today's visits"),
                 {"date_from": today.isoformat(), "date_to": today.isoformat()}, False),
                ("visits_overdue", _l("Visits past their day, not started"),
                 {"date_to": (today - timedelta(days=1)).isoformat(), "status": PLANNED}, True)):
            args = {**carry, **args}
            value = _visit_count(user, args)
            visits.counts.append(Count(key, label, value, url_for("inspections.visits", **args), alert and value > 0))
        groups.append(visits)
    # (group, key, label, the list's arguments, shown as a warning when above zero)
    wanted: list[tuple[str, str, object, dict, bool]] = []
    if can(user, "rectification.view"):
        base = {**carry}
        wanted += [("findings", "findings_open", _l("Unresolved findings"), base, False),
                   ("findings", "findings_due_week", _l("Findings due this week"),
                    {**base, "deadline_from": today.isoformat(), "deadline_to": week_end(today).isoformat()},
                    False)]
        rungs = [(finding_lists.NO_RUNG, _l("Overdue, not yet escalated"))] + [
            (r, _l("Overdue, escalated: %(rung)s", rung=finding_lists.labels.rung(r)))
            for r in finding_lists.escalation_rungs()]
        wanted += [("findings", f"overdue_{rung}", label, {**base, "overdue": "1", "rung": rung}, True)
                   for rung, label in rungs]
    if can(user, "rectification.verify") and user.role != Role.INSTITUTION_STAFF.value:
        wanted.append(("decisions", "to_verify", _l("Answers to verify"), {**carry, "state": "responded"}, False))
    if can(user, "rectification.view") and finding_rules.decides_requests(user):
        wanted.append(("decisions", "to_decide", _l("Extensions and replies to decide"),
                       {**carry, "awaiting": "1"}, False))
    shown = [Count(key, label, 0, url_for("rectification.index", **args)) for _, key, label, args, _ in wanted]

    def fill(values: list[int]) -> None:
        for count, (_, _, _, _, alert), value in zip(shown, wanted, values):
            count.value, count.alert = value, alert and value > 0
    if wanted:
        _finding_counts(user, [args for _, _, _, args, _ in wanted], now, fill)
    counted = {g: [c for c, w in zip(shown, wanted) if w[0] == g] for g in ("findings", "decisions")}
    if can(user, "rectification.view"):
        groups.append(Group("findings", _l("Findings"), counted["findings"]))
    mine = Group("decisions", _l("Waiting for me"), counted["decisions"])
    if can(user, "rectification.blacklist"):
        pending = credit.search(user, credit.CreditFilter(pending=True), per_page=1)
        mine.counts.append(Count("blacklist", _l("Blacklist proposals to decide"), pending.total,
                                 url_for("rectification.credit_records", pending="1")))
    if can(user, "grading.manage"):
        mine.counts.append(Count(
            "applications", _l("Grading applications to accept"),
            _number(policy.visible(GradeApplication, user).where(GradeApplication.state == life.SUBMITTED)),
            url_for("grading.applications_list", state=life.SUBMITTED)))
        mine.counts.append(Count(
            "to_confirm", _l("Grades whose public notice has ended, to confirm"),
            _number(policy.visible(GradeRecord, user).where(GradeRecord.state == life.PUBLICITY_ENDED)),
            url_for("grading.records_list", state=life.PUBLICITY_ENDED)))
    if mine.counts:
        groups.append(mine)
    if can(user, "grading.view"):
        grades = Group("grades", _l("Grades"))
        grades.counts.append(Count(
            "in_publicity", _l("Grades in public notice"),
            _number(policy.visible(GradeRecord, user).where(GradeRecord.state == life.PUBLICISED)),
            url_for("grading.records_list", state=life.PUBLICISED)))
        expiring = (policy.visible(GradeRecord, user).where(
            current_clause(today), GradeRecord.expires_on <= today + timedelta(days=EXPIRY_DAYS)))
        grades.counts.append(Count("expiring", _l("Grades expiring within 90 days"), _number(expiring),
                                   url_for("overview.expiring")))
        groups.append(grades)
    return groups


def expiring_grades(user, today: date) -> list[GradeRecord]:
    """The list behind the "expiring within 90 days" count."""
    from sqlalchemy.orm import selectinload
    return list(db.session.scalars(policy.visible(GradeRecord, user).where(
        current_clause(today), GradeRecord.expires_on <= today + timedelta(days=EXPIRY_DAYS))
        .options(selectinload(GradeRecord.institution)).order_by(GradeRecord.expires_on, GradeRecord.id)))


@dataclass
class RunProgress:
    run: PlanRun
    planned: int
    done: int


def plan_progress(user, today: date) -> list[RunProgress]:
    """Draws whose period includes today: visits drawn against visits completed."""
    if not can(user, "planning.view"):
        return []
    runs = list(db.session.scalars(policy.visible(PlanRun, user).where(
        PlanRun.state.in_((DRAWN, PUBLISHED)), PlanRun.period_start <= today, PlanRun.period_end >= today)
        .order_by(PlanRun.period_end, PlanRun.id)))
    if not runs:
        return []
    sources = {r.source_key: r for r in runs}
    rows = db.session.execute(
        select(Visit.source, func.count(), func.sum(case((Visit.status == COMPLETED, 1), else_=0)))
        .where(Visit.source.in_(list(sources))).group_by(Visit.source)).all()
    found = {source: (planned, int(done or 0)) for source, planned, done in rows}
    return [RunProgress(r, *found.get(r.source_key, (0, 0))) for r in runs]


# ----------------------------------------------------------------------------- charts

@dataclass
class Chart:
    key: str
    title: object
    kind: str                      # "bar" | "stacked" | "percent"
    categories: list[str]          # the x axis (shown as data when they are names)
    series: list[tuple[str, list]]  # (name, one value per category)
    header: list[object]           # the data table's first row (its first cell names the axis)
    rows: list[list]               # the data table: a category, then one value per series
    note: object = ""
    stored: monthly.Stored | None = None   # months before stored.until read from the stored counts

    def as_json(self) -> dict:
        return {"key": self.key, "kind": self.kind, "categories": self.categories,
                "series": [{"name": str(name), "data": [None if v is None else float(v) for v in values]}
                           for name, values in self.series]}


def _institution_filters(stmt, q: ListQuery, join: bool = False):
    """The district and type filters; ``join``: join the institution first when they apply (a
    statement over findings alone, each of which has exactly one institution)."""
    if join and (q.get("district") or q.get("type")):
        stmt = stmt.join(Institution, Institution.id == Finding.institution_id)
    if q.get("district"):
        stmt = stmt.where(Institution.district == q["district"])
    if q.get("type"):
        stmt = stmt.where(Institution.type == q["type"])
    return stmt


def _finding_filters(stmt, q: ListQuery, tz, dated: bool = True, join: bool = True):
    """The filters on a statement over findings (``join``: joining the institution when a
    filter reads it; otherwise the caller joins it)."""
    stmt = _institution_filters(stmt, q, join=join).where(Finding.state != WITHDRAWN)
    if q.get("department"):
        stmt = stmt.where(Finding.department == q["department"])
    if dated and q.get("date_from"):
        stmt = stmt.where(Finding.created_at >= _start_of(q["date_from"], tz))
    if dated and q.get("date_to"):
        stmt = stmt.where(Finding.created_at < _start_of(q["date_to"] + timedelta(days=1), tz))
    return stmt


def _start_of(day: date, tz) -> datetime:
    from datetime import time, timezone
    return datetime.combine(day, time(0), tz).astimezone(timezone.utc)


def grade_counts(user, q: ListQuery, today: date) -> list[tuple[str, str, str, int, int]]:
    """Current grades counted by district, institution type, rating scheme and level (one
    statement for both grade charts)."""
    stmt = (select(Institution.district, Institution.type, GradeRecord.scheme, GradeRecord.level, func.count())
            .select_from(GradeRecord).join(Institution, Institution.id == GradeRecord.institution_id)
            .where(policy.scope_clause(GradeRecord, user), current_clause(today)))
    return db.session.execute(_institution_filters(stmt, q).group_by(
        Institution.district, Institution.type, GradeRecord.scheme, GradeRecord.level)).all()


def grades_by(counted: list[tuple[str, str, str, int, int]], by: int, title, key, labeller=str) -> Chart:
    """The current grades of :func:`grade_counts` by district (``by`` 0) or type (1) and level:
    the star levels first, then the community-centre A-levels, each its own series (two
    scales, never added up)."""
    table: dict[tuple[str, tuple[str, int]], int] = {}
    for row in counted:
        k = (row[by], (row[2], row[3]))
        table[k] = table.get(k, 0) + row[4]
    cats = sorted({c for c, _ in table})
    levels = sorted({lv for _, lv in table if lv[1] is not None}, key=lambda k: (k[0] != schemes.STAR, k[1]))

    def name(k):
        return schemes.a_label(k[1]) if k[0] == schemes.A_LEVEL else _l("%(n)s stars", n=k[1])
    series = [(name(k), [table.get((c, k), 0) for c in cats]) for k in levels]
    names = [labeller(c) for c in cats]
    return Chart(key, title, "stacked", names, series,
                 [_l("District") if key == "grades_district" else _l("Institution type"), *[s for s, _ in series]],
                 [[n, *[table.get((c, k), 0) for k in levels]] for n, c in zip(names, cats)])


def _stored_scope(user) -> str | None:
    """The department the stored monthly counts are limited to for this viewer's scope: "" for
    the bureau (every finding), a department admin's department; None when the viewer's scope
    is not a department's (an inspector's, an institution's): their charts count live."""
    if user.role == Role.BUREAU_ADMIN.value:
        return ""
    if user.role == Role.DEPARTMENT_ADMIN.value and user.department:
        return user.department
    return None


@dataclass
class Split:
    """A period of issue dates cut into the whole months read from the stored counts
    (``first`` ≤ month < ``until``; ``first`` None: from the earliest) and the rest, counted live
    (``live``: a condition on when findings were issued)."""
    stored: monthly.Stored | None
    first: str | None
    until: str | None
    live: object


def split(user, first: date | None, last: date | None, tz) -> Split:
    """Cut the issue dates [first, last] (either open) for ``user``'s charts."""
    lower = Finding.created_at >= _start_of(first, tz) if first else None
    upper = Finding.created_at < _start_of(last + timedelta(days=1), tz) if last else None
    bounds = [c for c in (lower, upper) if c is not None]
    stored = monthly.stored() if _stored_scope(user) is not None else None
    if stored is not None:
        lo = None if first is None else (monthly.month_of(first) if first.day == 1
                                         else monthly.next_month(monthly.month_of(first)))
        hi = stored.until if last is None else min(stored.until, monthly.month_of(last + timedelta(days=1)))
        if lo is None or lo < hi:
            outside = [Finding.created_at >= monthly.start_of_month(hi, tz)]
            if lo is not None:
                outside.append(Finding.created_at < monthly.start_of_month(lo, tz))
            return Split(stored, lo, hi, and_(*bounds, or_(*outside)))
    return Split(None, None, None, and_(*bounds) if bounds else Finding.id.isnot(None))


def _stored_counts(user, q: ListQuery, cut: Split, group, *columns):
    """The stored monthly counts of ``cut``'s months under the filters and the viewer's scope,
    summed by ``group``."""
    stmt = select(*group, *columns).where(FindingMonth.month < cut.until)
    if cut.first is not None:
        stmt = stmt.where(FindingMonth.month >= cut.first)
    scope = _stored_scope(user)
    if scope:
        stmt = stmt.where(FindingMonth.department == scope)
    for name, column in (("district", FindingMonth.district), ("type", FindingMonth.type),
                         ("department", FindingMonth.department)):
        if q.get(name):
            stmt = stmt.where(column == q[name])
    return db.session.execute(stmt.group_by(*group)).all()


def findings_by_month(user, q: ListQuery, today: date, tz, tz_name: str) -> Chart:
    """Findings issued per local month and department (the category of a finding is the
    department whose checklist found it), over the filter's period or the last 12 months."""
    first = q.get("date_from") or date(today.year - (1 if today.month < MONTHS else 0),
                                       (today.month % MONTHS) + 1, 1)
    last = q.get("date_to") or today
    month = monthly.local_month(Finding.created_at, tz_name)
    cut = split(user, first, last, tz)
    stmt = (select(month, Finding.department, func.count()).select_from(Finding)
            .where(policy.scope_clause(Finding, user), cut.live))
    rows = db.session.execute(_finding_filters(stmt, q, tz, dated=False).group_by(month, Finding.department)).all()
    if cut.stored is not None:
        rows += _stored_counts(user, q, cut, (FindingMonth.month, FindingMonth.department),
                               func.sum(FindingMonth.findings))
    months = _months(first, last)
    departments = [d for d in DEPARTMENTS if any(r[1] == d for r in rows)]
    table: dict[tuple[str, str], int] = {}
    for m, d, n in rows:
        table[(m, d)] = table.get((m, d), 0) + int(n or 0)
    series = [(core_labels.DEPARTMENTS[d], [table.get((m, d), 0) for m in months]) for d in departments]
    return Chart("findings_month", _l("Findings per month by department"), "stacked", months, series,
                 [_l("Month"), *[s for s, _ in series]],
                 [[m, *[table.get((m, d), 0) for d in departments]] for m in months], stored=cut.stored)


def _months(first: date, last: date) -> list[str]:
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month) and len(out) < 120:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def ageing(user, q: ListQuery, now: datetime, tz, unresolved: Unresolved | None = None) -> Chart:
    """Unresolved findings by days since issued, overdue or not yet due (filled in when
    ``unresolved`` is run; None: at once)."""
    bands = []
    for code, first, last in AGEING_BANDS:
        newest = now - timedelta(days=first)
        cond = Finding.created_at <= newest
        if last is not None:
            cond = and_(cond, Finding.created_at > now - timedelta(days=last + 1))
        bands.append((code, cond))
    late = overdue_at(now)
    which = _finding_filters(select(Finding.id).where(policy.scope_clause(Finding, user)), q, tz,
                             dated=False, join=False).whereclause
    conditions = []
    for code, cond in bands:
        conditions.append(and_(which, cond, late))
        conditions.append(and_(which, cond, ~late))
    names = [_l("%(band)s days", band=code) for code, _, _ in AGEING_BANDS]
    overdue, waiting = [0] * len(names), [0] * len(names)
    chart = Chart("ageing", _l("Rectification ageing: unresolved findings by days since issued"), "stacked",
                  [str(n) for n in names], [(_l("Overdue"), overdue), (_l("Not overdue"), waiting)],
                  [_l("Days since issued"), _l("Overdue"), _l("Not overdue")], [])

    def fill(values: list[int]) -> None:
        overdue[:], waiting[:] = values[0::2], values[1::2]
        chart.rows[:] = [[n, a, b] for n, a, b in zip(names, overdue, waiting)]
    _now_or_later(unresolved, conditions, fill)
    return chart


def on_time_by_department(user, q: ListQuery, now: datetime, tz) -> Chart:
    cut = split(user, q.get("date_from"), q.get("date_to"), tz)
    stmt = (select(Finding.department, func.sum(counts_on_time(now)), func.sum(counts_late(now)))
            .select_from(Finding).where(policy.scope_clause(Finding, user), cut.live))
    rows = db.session.execute(_finding_filters(stmt, q, tz, dated=False).group_by(Finding.department)).all()
    if cut.stored is not None:
        rows += _stored_counts(user, q, cut, (FindingMonth.department,),
                               func.sum(FindingMonth.on_time), func.sum(FindingMonth.late))
    found: dict[str, tuple[int, int]] = {}
    for d, a, b in rows:
        before = found.get(d, (0, 0))
        found[d] = (before[0] + int(a or 0), before[1] + int(b or 0))
    departments = [d for d in DEPARTMENTS if d in found]
    rates = [rate(*found[d]) for d in departments]
    percent = [None if r is None else round(float(r) * 100, 1) for r in rates]
    names = [str(core_labels.DEPARTMENTS[d]) for d in departments]
    return Chart("on_time", _l("On-time rectification rate by department"), "percent", names,
                 [(_l("On-time rate (%)"), percent)],
                 [_l("Department"), _l("On time"), _l("Late"), _l("On-time rate")],
                 [[n, found[d][0], found[d][1], r] for n, d, r in zip(names, departments, rates)],
                 note=_l("On time: closed on or before the deadline in force. Late: closed after it, "
                         "or still open past it. Findings still open and not yet due, and contested "
                         "findings while the reply is decided, are not counted."), stored=cut.stored)


def charts(user, q: ListQuery, today: date, now: datetime, tz, tz_name: str,
           unresolved: Unresolved | None = None) -> list[Chart]:
    """The charts for ``user``; the ageing chart is filled in when ``unresolved`` is run (None:
    at once)."""
    out: list[Chart] = []
    if can(user, "grading.view") and user.role != Role.INSTITUTION_STAFF.value:
        counted = grade_counts(user, q, today)
        out.append(grades_by(counted, 0, _l("Current grades by district"), "grades_district"))
        out.append(grades_by(counted, 1, _l("Current grades by institution type"), "grades_type",
                             lambda t: str(core_labels.INSTITUTION_TYPES.get(t, t))))
    if can(user, "rectification.view"):
        if user.role != Role.INSTITUTION_STAFF.value:
            out.append(findings_by_month(user, q, today, tz, tz_name))
        out.append(ageing(user, q, now, tz, unresolved))
        if user.role in (Role.BUREAU_ADMIN.value, Role.DEPARTMENT_ADMIN.value):
            out.append(on_time_by_department(user, q, now, tz))
    return out


def board(user, q: ListQuery, today: date, now: datetime, tz, tz_name: str) -> tuple[list[Group], list[Chart]]:
    """The home page's counts and charts, the counts of unresolved findings of both made in one
    statement."""
    unresolved = Unresolved()
    groups = counts(user, q, today, now, unresolved)
    shown = charts(user, q, today, now, tz, tz_name, unresolved)
    unresolved.run()
    return groups, shown
