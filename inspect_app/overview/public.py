"""The public side of inspections (一公开): a summary of each submitted inspection, public
from the day the publication policy sets, and each institution's public page.

No log-in: nothing here takes a user, and nothing here reads a person — no inspector, no
institution staff, no representative, no complainant, no photo, no remark; only the
institution (a registered organisation), dates, departments, counts and states
(docs/open-data.md, "Inspection results").

An inspection is published when it is a department's part of an inspection visit (grading
evaluations are published through the grade's 公示), it has been submitted, and
``domain.publication.publication_day`` of its local submission day has come.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import and_, case, func, select

from ..core import workcalendar
from ..core.types import LOCAL_ZONE
from ..core.opendata import Column, DataSet
from ..core.paging import Page
from ..domain.bureau import DEPARTMENTS
from ..domain.institution import INSTITUTION_TYPES, UNPUBLISHED_TYPES
from ..domain.publication import latest_submission_published, publication_day
from ..domain.rectification.on_time import rate
from ..domain.rectification.states import CLOSED, WITHDRAWN
from ..extensions import db
from ..grading.records import displayed_grades
from ..inspections.models import SUBMITTED, Inspection, Visit
from ..rectification.models import Finding
from ..rectification.on_time import counts_late, counts_on_time, overdue_at
from ..registry import services as registry
from ..registry.models import Institution
from . import policy as policies

SEVERITIES = ("critical", "major", "minor")
# Chinese words of the codes, for the open data (the same bytes for every visitor).
DEPARTMENT_WORDS = {"civil_affairs": "民政", "fire": "消防救援", "market_regulation": "市场监管",
                    "health": "卫生健康", "medical_insurance": "医疗保障"}
RESULTS = {"no_findings": "未发现问题", "findings": "发现问题，责令整改"}
RECTIFICATION = {"none": "无需整改", "in_progress": "整改中", "overdue": "逾期未整改",
                 "completed": "已整改"}


@dataclass(frozen=True)
class PublicFilter:
    district: str = ""
    type: str = ""
    department: str = ""
    institution_id: int | None = None


@dataclass
class Summary:
    """One inspection's public summary."""
    id: int
    inspected_on: date                 # the local day the record was submitted
    published_on: date
    institution_id: int
    institution_name: str
    credit_code: str
    district: str
    institution_type: str
    department: str
    departments: list[str]             # every department of the (joint) visit
    critical: int
    major: int
    minor: int
    closed: int
    on_time: int
    late: int                          # the on-time rule's late findings (not in the open data)
    overdue: int

    @property
    def findings(self) -> int:
        return self.critical + self.major + self.minor

    @property
    def result(self) -> str:
        return "findings" if self.findings else "no_findings"

    @property
    def rectification(self) -> str:
        if not self.findings:
            return "none"
        if self.closed == self.findings:
            return "completed"
        return "overdue" if self.overdue else "in_progress"


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time(0), LOCAL_ZONE).astimezone(timezone.utc)


def published_clause(today: date, delay: int | None = None):
    """The inspections whose summary is public ``today``."""
    delay = policies.current().result_delay_working_days if delay is None else delay
    last = latest_submission_published(today, delay, workcalendar.calendar())
    return and_(Inspection.status == SUBMITTED, Visit.kind == "inspection",
                Inspection.submitted_at < _local_start(last + timedelta(days=1)))


def _select(f: PublicFilter, today: date):
    stmt = (select(Inspection, Visit, Institution)
            .join(Visit, Visit.id == Inspection.visit_id)
            .join(Institution, Institution.id == Visit.institution_id)
            .where(published_clause(today), Institution.type.not_in(UNPUBLISHED_TYPES)))
    if f.district:
        stmt = stmt.where(Institution.district == f.district)
    if f.type:
        stmt = stmt.where(Institution.type == f.type)
    if f.department:
        stmt = stmt.where(Inspection.department == f.department)
    if f.institution_id is not None:
        stmt = stmt.where(Institution.id == f.institution_id)
    return stmt


def _summaries(rows, now: datetime) -> list[Summary]:
    """Summaries of (inspection, visit, institution) rows, with their findings counted in two
    grouped queries (no query per row)."""
    ids = [i.id for i, _, _ in rows]
    counts: dict[int, dict] = {i: {} for i in ids}
    if ids:
        found = db.session.execute(
            select(Finding.inspection_id, Finding.severity, func.count(),
                   func.sum(case((Finding.state == CLOSED, 1), else_=0)),
                   func.sum(counts_on_time(now)), func.sum(counts_late(now)),
                   func.sum(case((overdue_at(now), 1), else_=0)))
            .where(Finding.inspection_id.in_(ids), Finding.state != WITHDRAWN)
            .group_by(Finding.inspection_id, Finding.severity)).all()
        for inspection_id, severity, n, closed, good, late, overdue in found:
            c = counts[inspection_id]
            c[severity] = c.get(severity, 0) + n
            c["closed"] = c.get("closed", 0) + int(closed or 0)
            c["on_time"] = c.get("on_time", 0) + int(good or 0)
            c["late"] = c.get("late", 0) + int(late or 0)
            c["overdue"] = c.get("overdue", 0) + int(overdue or 0)
    visit_ids = list({v.id for _, v, _ in rows})
    parts: dict[int, list[str]] = {}
    if visit_ids:
        for visit_id, department in db.session.execute(
                select(Inspection.visit_id, Inspection.department).where(Inspection.visit_id.in_(visit_ids))):
            parts.setdefault(visit_id, []).append(department)
    delay = policies.current().result_delay_working_days
    out = []
    for inspection, visit, inst in rows:
        c = counts[inspection.id]
        day = inspection.submitted_at.astimezone(LOCAL_ZONE).date()
        out.append(Summary(
            id=inspection.id, inspected_on=day, published_on=publication_day(day, delay, workcalendar.calendar()),
            institution_id=inst.id, institution_name=inst.name, credit_code=inst.credit_code,
            district=inst.district, institution_type=inst.type, department=inspection.department,
            departments=[d for d in DEPARTMENTS if d in parts.get(visit.id, [])],
            critical=c.get("critical", 0), major=c.get("major", 0), minor=c.get("minor", 0),
            closed=c.get("closed", 0), on_time=c.get("on_time", 0), late=c.get("late", 0),
            overdue=c.get("overdue", 0)))
    return out


def _ordered(stmt):
    return stmt.order_by(Inspection.submitted_at.desc(), Inspection.id.desc())


def results_page(f: PublicFilter, today: date, now: datetime, page: int = 1, per_page: int = 50) -> tuple[Page, list[Summary]]:
    total = db.session.scalar(select(func.count()).select_from(_select(f, today).subquery())) or 0
    last = max(1, -(-total // per_page))
    page = max(1, min(page, last))
    rows = db.session.execute(_ordered(_select(f, today)).limit(per_page).offset((page - 1) * per_page)).all()
    summaries = _summaries(rows, now)
    return Page(items=summaries, page=page, per_page=per_page, total=total), summaries


def all_results(f: PublicFilter, today: date, now: datetime) -> list[Summary]:
    return _summaries(db.session.execute(_ordered(_select(f, today))).all(), now)


def results_after(f: PublicFilter, today: date, now: datetime, after: int | None, limit: int,
                  since: date | None = None) -> list[Summary]:
    """Keyset page for the API: ascending id after ``after``."""
    stmt = _select(f, today)
    if after is not None:
        stmt = stmt.where(Inspection.id > after)
    if since is not None:
        stmt = stmt.where(Inspection.submitted_at >= _local_start(since))
    return _summaries(db.session.execute(stmt.order_by(Inspection.id).limit(limit)).all(), now)


# ----------------------------------------------------------------------------- one institution

@dataclass
class PublicInstitution:
    institution: Institution
    grade: object                      # grading.records.DisplayedGrade
    last_inspected_on: date | None
    critical: int
    major: int
    minor: int
    closed: int
    on_time: int
    late: int
    summaries: list[Summary]

    @property
    def on_time_rate(self):
        return rate(self.on_time, self.late)


def institution(institution_id: int, today: date, now: datetime) -> PublicInstitution | None:
    inst = db.session.get(Institution, institution_id)
    if inst is None or inst.type in UNPUBLISHED_TYPES:
        return None
    summaries = all_results(PublicFilter(institution_id=inst.id), today, now)
    return PublicInstitution(
        institution=inst, grade=displayed_grades([inst.id], today, now)[inst.id],
        last_inspected_on=max((s.inspected_on for s in summaries), default=None),
        critical=sum(s.critical for s in summaries), major=sum(s.major for s in summaries),
        minor=sum(s.minor for s in summaries), closed=sum(s.closed for s in summaries),
        on_time=sum(s.on_time for s in summaries), late=sum(s.late for s in summaries),
        summaries=summaries)


def institutions_after(after: int | None, limit: int, district: str = "", type_: str = "") -> list[Institution]:
    stmt = select(Institution).where(Institution.type.not_in(UNPUBLISHED_TYPES))
    if after is not None:
        stmt = stmt.where(Institution.id > after)
    if district:
        stmt = stmt.where(Institution.district == district)
    if type_:
        stmt = stmt.where(Institution.type == type_)
    return list(db.session.scalars(stmt.order_by(Institution.id).limit(limit)))


# ----------------------------------------------------------------------------- open data

INSPECTION_RESULTS = DataSet(
    stem="inspection-results",
    title="养老机构检查结果",
    description="各部门对养老机构的检查结果公开（一公开）：每次提交的检查一行，含检查日期、部门、结果、"
                "按严重程度的问题数和整改情况；不含任何个人信息（检查人员、机构工作人员、投诉人）和照片。",
    updates="实时：每次下载时按当时的数据生成；检查提交之日起第 20 个工作日（周一至周五）公开"
            "（天数见 policies/publication.yaml），整改情况随整改进展变化。",
    columns=(
        Column("检查编号", "integer", "检查的编号（同一检查在各次下载中不变）", 10, key="id"),
        Column("检查日期", "date", "检查记录提交之日", 12, key="inspected_on"),
        Column("公开日期", "date", "本条结果公开之日", 12, key="published_on"),
        Column("机构名称", "text", "机构在名录库中的名称", 30, key="institution_name"),
        Column("统一社会信用代码", "text", "18 位统一社会信用代码（GB 32100-2015）", 22, key="credit_code"),
        Column("区", "text", "机构所在区", 10, key="district"),
        Column("机构类型代码", "code", "机构类型的稳定代码", 18, INSTITUTION_TYPES, key="institution_type"),
        Column("检查部门", "text", "检查部门的中文名称", 12, key="department_name"),
        Column("检查部门代码", "code", "检查部门的稳定代码", 18, DEPARTMENT_WORDS, key="department"),
        Column("联合检查部门代码", "text", "同一次（联合）检查的全部部门代码，以“;”分隔", 30, key="departments"),
        Column("检查结果", "text", "检查结果的中文说明", 16, key="result_name"),
        Column("检查结果代码", "code", "检查结果的稳定代码", 14, RESULTS, key="result"),
        Column("严重问题数", "integer", "严重程度为严重（critical）的问题数", 10, key="critical"),
        Column("较重问题数", "integer", "严重程度为较重（major）的问题数", 10, key="major"),
        Column("一般问题数", "integer", "严重程度为一般（minor）的问题数", 10, key="minor"),
        Column("已整改数", "integer", "已销号的问题数", 10, key="closed"),
        Column("按期整改数", "integer", "在有效整改期限内（含延期）销号的问题数", 10, key="on_time"),
        Column("逾期未整改数", "integer", "已过整改期限仍未整改的问题数", 10, key="overdue"),
        Column("整改状态", "text", "整改状态的中文说明", 12, key="rectification_name"),
        Column("整改状态代码", "code", "整改状态的稳定代码", 14, RECTIFICATION, key="rectification"),
    ),
)


def export_rows(summaries: list[Summary]) -> list[list]:
    return [[s.id, s.inspected_on, s.published_on, s.institution_name, s.credit_code, s.district,
             s.institution_type, DEPARTMENT_WORDS.get(s.department, s.department), s.department,
             ";".join(s.departments), RESULTS[s.result], s.result, s.critical, s.major, s.minor,
             s.closed, s.on_time, s.overdue, RECTIFICATION[s.rectification], s.rectification]
            for s in summaries]


def selection(f: PublicFilter) -> str:
    parts = [("区", f.district), ("机构类型代码", f.type), ("检查部门代码", f.department)]
    return "; ".join(f"{name}={value}" for name, value in parts if value)


def districts() -> list[str]:
    return registry.districts()
