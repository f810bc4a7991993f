"""The finding and notice lists (search, filters, sorting, paging) and their Excel exports.

Both are built on :mod:`inspect_app.core.listing`: the specs below say which query arguments
each list reads and which columns it may be sorted by; :func:`finding_query` and
:func:`notice_query` read the arguments for a viewer (the choices offered are the viewer's:
a department admin's own department, the districts of institutions they may see); the
searches and exports start from ``policy.visible`` so a viewer never sees, nor exports,
another tenant's rows.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask_babel import LazyString, force_locale
from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from ..auth import policy
from ..auth.roles import DEPARTMENTS, Role
from ..core import audit, labels as core_labels
from ..core.listing import (CHOICE, DATE, FLAG, TEXT, Filter, ListQuery, ListSpec, Listing,
                            like_pattern, ordered, page_of, parse_offered, refuse_problems)
from ..core.spreadsheet import DATE as XDATE, DATETIME, NUMBER, Column, write_table
from ..core.types import utcnow
from ..domain.rectification import ladder as dl
from ..domain.rectification.states import UNRESOLVED
from ..extensions import db
from ..registry import services as registry
from ..registry.models import Institution
from . import labels
from . import policy as policies
from .models import EXTENSION, PENDING, REPLY, Finding, FindingResponse, RectificationNotice
from .on_time import overdue_at

STATE_FILTERS = ("unresolved", "open", "responded", "contested", "reopened", "closed", "withdrawn")
SEVERITIES = ("critical", "major", "minor")
NO_RUNG = "none"            # the rung filter's value for findings not (yet) escalated

_severity_rank = case({"critical": 0, "major": 1, "minor": 2}, value=Finding.severity, else_=3)

FINDINGS = ListSpec(
    name="findings",
    filters=(Filter("q", TEXT), Filter("department"), Filter("district"),
             Filter("severity", CHOICE, multiple=True), Filter("state", default="unresolved"),
             Filter("deadline_from", DATE), Filter("deadline_to", DATE), Filter("rung"),
             Filter("overdue", FLAG, default=False), Filter("awaiting", FLAG, default=False)),
    sorts={"deadline": (Finding.deadline_at,), "severity": (_severity_rank,),
           "institution": (Institution.name,), "state": (Finding.state,),
           "issued": (Finding.created_at,), "id": (Finding.id,)},
    default_sort="deadline", tiebreak=Finding.id)

NOTICES = ListSpec(
    name="notices",
    filters=(Filter("q", TEXT), Filter("department"), Filter("district"), Filter("state"),
             Filter("issued_from", DATE), Filter("issued_to", DATE), Filter("overdue", FLAG, default=False)),
    sorts={"issued": (RectificationNotice.issued_at,), "institution": (Institution.name,),
           "number": (RectificationNotice.year, RectificationNotice.number),
           "reply_until": (RectificationNotice.reply_until,)},
    default_sort="-issued", tiebreak=RectificationNotice.id)
NOTICE_STATES = ("open", "closed")          # some finding not resolved / every finding resolved


# ----------------------------------------------------------------------------- choices

def _departments(user) -> list[str]:
    if user.role == Role.DEPARTMENT_ADMIN.value:
        return [user.department]
    return list(DEPARTMENTS)


def _districts(user) -> list[str]:
    return registry.districts(user)


def escalation_rungs(rule: dl.Policy | None = None) -> list[str]:
    """The escalation rungs of the policy in force, in order (rung k is escalation level k)."""
    rule = rule or policies.current()
    return [r.code for r in rule.ladder if r.kind != dl.REMINDER]


def finding_choices(user) -> dict[str, list[tuple[str, object]]]:
    """Each choice filter's (code, label) pairs for this viewer, in display order (labels are
    translated when shown)."""
    return {
        "department": [(d, core_labels.DEPARTMENTS[d]) for d in _departments(user)],
        "district": [(d, d) for d in _districts(user)],
        "severity": [(s, core_labels.SEVERITIES[s]) for s in SEVERITIES],
        "state": [(s, labels.state(s)) for s in STATE_FILTERS],
        "rung": [(NO_RUNG, labels.NOT_ESCALATED)] + [(r, LazyString(labels.rung, r)) for r in escalation_rungs()],
    }


def notice_choices(user) -> dict[str, list[tuple[str, object]]]:
    return {
        "department": [(d, core_labels.DEPARTMENTS[d]) for d in _departments(user)],
        "district": [(d, d) for d in _districts(user)],
        "state": [(s, labels.NOTICE_STATES[s]) for s in NOTICE_STATES],
    }


def finding_query(user, args) -> tuple[ListQuery, dict]:
    """The findings list's query read from ``args`` for ``user``, and the choices offered."""
    policy.require(user, "rectification.view")
    return parse_offered(FINDINGS, args, finding_choices(user))


def notice_query(user, args) -> tuple[ListQuery, dict]:
    policy.require(user, "rectification.view")
    return parse_offered(NOTICES, args, notice_choices(user))


# ----------------------------------------------------------------------------- findings

def _institution_match(q: str):
    pattern = like_pattern(q)
    return or_(Institution.name.ilike(pattern, escape="\\"), Institution.credit_code.ilike(pattern, escape="\\"))


def _day_bounds(first, last, tz):
    """Instants bounding deadlines whose local day is within [first, last] (either may be None):
    a deadline instant is the end of its day (domain.rectification.ladder.end_of_day)."""
    low = dl.end_of_day(first - timedelta(days=1), tz) if first else None
    high = dl.end_of_day(last, tz) if last else None
    return low, high


def findings_select(user, query: ListQuery, now: datetime):
    """SELECT the findings this user may see that match ``query`` (not yet sorted)."""
    stmt = (policy.visible(Finding, user).join(Institution, Institution.id == Finding.institution_id)
            .options(contains_eager(Finding.institution)))
    state = query["state"]
    if state == "unresolved":
        stmt = stmt.where(Finding.state.in_(UNRESOLVED))
    elif state:
        stmt = stmt.where(Finding.state == state)
    if query["overdue"]:
        stmt = stmt.where(overdue_at(now))
    if query["awaiting"]:       # an extension or a reply waits for the department's decision
        stmt = stmt.where(Finding.id.in_(select(FindingResponse.finding_id).where(
            FindingResponse.kind.in_((EXTENSION, REPLY)), FindingResponse.status == PENDING)))
    if query.get("q"):
        stmt = stmt.where(_institution_match(query["q"]))
    if query.get("department"):
        stmt = stmt.where(Finding.department == query["department"])
    if query.get("district"):
        stmt = stmt.where(Institution.district == query["district"])
    if query.get("severity"):
        stmt = stmt.where(Finding.severity.in_(query["severity"]))
    low, high = _day_bounds(query["deadline_from"], query["deadline_to"], policies.tz())
    if low is not None:
        stmt = stmt.where(Finding.deadline_at > low)
    if high is not None:
        stmt = stmt.where(Finding.deadline_at <= high)
    rung = query.get("rung")
    if rung == NO_RUNG:
        stmt = stmt.where(Finding.escalation_level == 0)
    elif rung:
        stmt = stmt.where(Finding.escalation_level == escalation_rungs().index(rung) + 1)
    return stmt


def search_findings(user, query: ListQuery, choices: dict, now: datetime | None = None) -> Listing:
    policy.require(user, "rectification.view")
    now = now or utcnow()
    page = page_of(findings_select(user, query, now), query)
    return Listing(page, query, choices, {"now": now})


def rung_reached(finding: Finding, rungs: list[str]) -> str:
    """The label of the last escalation rung the finding reached ('' when none)."""
    level = finding.escalation_level or 0
    return labels.rung(rungs[level - 1]) if 0 < level <= len(rungs) else ""


FINDING_COLUMNS = (
    ("编号", 8, NUMBER), ("机构", 30, None), ("统一社会信用代码", 22, None), ("区县", 12, None),
    ("部门", 14, None), ("条目编号", 12, None), ("问题", 50, None), ("严重程度", 10, None),
    ("否决项", 8, None), ("整改期限", 12, XDATE), ("状态", 16, None), ("已到梯级", 28, None),
    ("整改通知书", 14, None), ("下达时间", 17, DATETIME), ("销号时间", 17, DATETIME),
)


def export_findings(user, query: ListQuery, now: datetime | None = None) -> bytes:
    """Exactly the rows of the list as shown (every page, same order) as a formatted .xlsx,
    in Chinese whatever the page language (it is filed as a record)."""
    policy.require(user, "rectification.view")
    refuse_problems(query)
    now = now or utcnow()
    stmt = ordered(findings_select(user, query, now), query).options(selectinload(Finding.notice))
    tz = policies.tz()
    rungs = escalation_rungs()
    with force_locale("zh"):
        rows = [[f.id, f.institution.name, f.institution.credit_code, f.institution.district,
                 str(core_labels.DEPARTMENTS.get(f.department, f.department)), f.item_id, f.item_text,
                 str(core_labels.SEVERITIES.get(f.severity, f.severity)), "是" if f.veto else "",
                 dl.local_day(f.deadline_at, tz), str(labels.state(f.state)), rung_reached(f, rungs),
                 f.notice.code if f.notice else "", f.created_at, f.closed_at]
                for f in db.session.scalars(stmt)]
    data = write_table("整改问题", [Column(h, w, k or "text") for h, w, k in FINDING_COLUMNS], rows)
    audit.record(user, "export", "finding", "*", after={"filters": query.export_args(), "rows": len(rows)})
    return data


# ----------------------------------------------------------------------------- notices

_NOTICE_CODE = re.compile(r"([0-9]{4})-([0-9]{1,6})")


def _unresolved_of_notice():
    return exists().where(Finding.notice_id == RectificationNotice.id, Finding.state.in_(UNRESOLVED))


def _overdue_of_notice(now: datetime):
    return exists().where(Finding.notice_id == RectificationNotice.id, overdue_at(now))


def notices_select(user, query: ListQuery, now: datetime):
    stmt = (policy.visible(RectificationNotice, user)
            .join(Institution, Institution.id == RectificationNotice.institution_id)
            .options(contains_eager(RectificationNotice.institution)))
    if query.get("q"):
        match = _institution_match(query["q"])
        code = _NOTICE_CODE.fullmatch(query["q"])
        if code:
            match = or_(match, and_(RectificationNotice.year == int(code[1]),
                                    RectificationNotice.number == int(code[2])))
        stmt = stmt.where(match)
    if query.get("department"):
        stmt = stmt.where(RectificationNotice.department == query["department"])
    if query.get("district"):
        stmt = stmt.where(Institution.district == query["district"])
    if query.get("state") == "open":
        stmt = stmt.where(_unresolved_of_notice())
    elif query.get("state") == "closed":
        stmt = stmt.where(~_unresolved_of_notice())
    if query["overdue"]:
        stmt = stmt.where(_overdue_of_notice(now))
    if query["issued_from"]:
        stmt = stmt.where(RectificationNotice.issued_on >= query["issued_from"])
    if query["issued_to"]:
        stmt = stmt.where(RectificationNotice.issued_on <= query["issued_to"])
    return stmt


def _counts(now: datetime):
    return select(Finding.notice_id, func.count().label("total"),
                  func.sum(case((Finding.state.in_(UNRESOLVED), 1), else_=0)).label("unresolved"),
                  func.sum(case((overdue_at(now), 1), else_=0)).label("overdue")).group_by(Finding.notice_id)


def _counts_subquery(now: datetime):
    return _counts(now).subquery()


def notice_counts(notice_ids: list[int], now: datetime) -> dict[int, tuple[int, int, int]]:
    """notice id → (findings, not resolved, overdue) for one page of notices, one query."""
    if not notice_ids:
        return {}
    rows = db.session.execute(_counts(now).where(Finding.notice_id.in_(notice_ids)))
    return {r[0]: (int(r[1]), int(r[2] or 0), int(r[3] or 0)) for r in rows}


def search_notices(user, query: ListQuery, choices: dict, now: datetime | None = None) -> Listing:
    policy.require(user, "rectification.view")
    now = now or utcnow()
    page = page_of(notices_select(user, query, now), query)
    return Listing(page, query, choices, {"now": now, "counts": notice_counts([n.id for n in page.items], now)})


NOTICE_COLUMNS = (
    ("通知书编号", 14, None), ("机构", 30, None), ("区县", 12, None), ("部门", 14, None),
    ("下达日期", 12, XDATE), ("陈述申辩截止", 17, DATETIME), ("问题数", 8, NUMBER),
    ("未销号", 8, NUMBER), ("已逾期", 8, NUMBER),
)


def export_notices(user, query: ListQuery, now: datetime | None = None) -> bytes:
    policy.require(user, "rectification.view")
    refuse_problems(query)
    now = now or utcnow()
    counts = _counts_subquery(now)
    stmt = (ordered(notices_select(user, query, now), query)
            .outerjoin(counts, counts.c.notice_id == RectificationNotice.id)
            .add_columns(counts.c.total, counts.c.unresolved, counts.c.overdue))
    with force_locale("zh"):
        rows = [[n.code, n.institution.name, n.institution.district,
                 str(core_labels.DEPARTMENTS.get(n.department, n.department)), n.issued_on, n.reply_until,
                 int(total or 0), int(unresolved or 0), int(overdue or 0)]
                for n, total, unresolved, overdue in db.session.execute(stmt)]
    data = write_table("整改通知书", [Column(h, w, k or "text") for h, w, k in NOTICE_COLUMNS], rows)
    audit.record(user, "export", "rectification_notice", "*",
                 after={"filters": query.export_args(), "rows": len(rows)})
    return data
