"""The institution file (一户一档): everything the viewer may see about one institution on one
page — registry data, visits and records, findings and their state, notices, grade history
with 公示 and suspension, risk class with its reasons, and the draws it was picked in.

Who sees it (docs/security.md, "The institution file"):

* the bureau: every institution, every section;
* a department admin: every institution (the registry is theirs to read), and in each section
  what the permission model already gives them — their department's visits, findings and
  notices, every grade record, every draw, the credit records and blacklist proposals resting
  on their department's records;
* an inspector: only institutions where they were on a visit's team (any other is "not
  found"), and in it their own visits, findings and notices; no grade records or draws
  (they have no grading or planning rights);
* institution staff: their own institution only, with its completed visits, its findings,
  notices and grade records, its credit records (of the blacklist proposals only those the
  bureau confirmed); the risk class, the draws and the complaint cases are the regulators'
  working data and are not shown.

Complaint cases (投诉举报) are listed for every regulator who may open the file, as dates,
channel, category, department, state and outcome; the case's text and a link to it only for
those who handle it (the bureau, the department it is routed to), and the complainant's name
and telephone number never (they stay on the case page, for its handlers).

Each section is read through ``policy.visible`` of its model, so this page never shows a row
the viewer could not open on its own page.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from ..auth import policy
from ..auth.policy import can
from ..auth.roles import Role
from ..complaints.services import CaseLine, for_institution
from ..core.errors import NotFound
from ..domain.planning.risk import DEFAULT_POLICY, Assessment
from ..extensions import db
from ..grading.models import GradeRecord
from ..grading.records import displayed_grades
from ..inspections.models import Inspection, InspectionInspector, Visit
from ..planning.models import PlanRun
from ..planning.risk_data import assess
from ..rectification import blacklist, credit
from ..rectification import hazards as hazard_track
from ..rectification.hazard_models import HazardListing
from ..rectification.models import CreditRecord, Finding, RectificationNotice
from ..registry.models import Institution


@dataclass
class InstitutionFile:
    institution: Institution
    visits: list[Visit] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notices: list[RectificationNotice] = field(default_factory=list)
    grades: list[GradeRecord] | None = None        # None: the viewer has no grading rights
    shown_grade: object = None                      # grading.records.DisplayedGrade
    risk: Assessment | None = None
    risk_facts: object = None
    draws: list[tuple[PlanRun, Visit]] | None = None
    complaints: list[CaseLine] | None = None        # None: the viewer is the institution's staff
    visible_parts: set[int] = field(default_factory=set)   # department parts the viewer may open
    hazards: list[HazardListing] = field(default_factory=list)   # listed major hazards (挂牌督办)
    credit: list[CreditRecord] = field(default_factory=list)   # credit records and blacklist proposals
    credit_sources: dict = field(default_factory=dict)         # credit record id → accident / refused visit
    credit_bases: dict = field(default_factory=dict)           # credit record id → the legal basis cited


def may_open(user, institution_id: int) -> bool:
    """Whether the viewer may open this institution's file (the registry's scope, and for an
    inspector a visit of theirs there)."""
    if user.role == Role.INSPECTOR.value:
        return bool(db.session.scalar(select(exists().where(
            InspectionInspector.user_id == user.id,
            InspectionInspector.inspection_id == Inspection.id,
            Inspection.visit_id == Visit.id,
            Visit.institution_id == institution_id))))
    return True


def load(user, institution_id: int, today: date, now: datetime) -> InstitutionFile:
    policy.require(user, "overview.file")
    institution = policy.get_visible(Institution, institution_id, user)
    if not may_open(user, institution.id):
        raise NotFound("The record was not found.")
    file = InstitutionFile(institution)
    file.visits = list(db.session.scalars(
        policy.visible(Visit, user).where(Visit.institution_id == institution.id)
        .options(selectinload(Visit.inspections)).order_by(Visit.scheduled_for.desc(), Visit.id.desc())))
    file.visible_parts = set(db.session.scalars(
        select(Inspection.id).where(policy.scope_clause(Inspection, user),
                                    Inspection.visit_id.in_([v.id for v in file.visits]))))
    file.findings = list(db.session.scalars(
        policy.visible(Finding, user).where(Finding.institution_id == institution.id)
        .order_by(Finding.created_at.desc(), Finding.id.desc())))
    if can(user, "hazards.view"):
        file.hazards = hazard_track.search(user, institution_id=institution.id)
    file.notices = list(db.session.scalars(
        policy.visible(RectificationNotice, user).where(RectificationNotice.institution_id == institution.id)
        .order_by(RectificationNotice.issued_at.desc(), RectificationNotice.id.desc())))
    if can(user, "rectification.view"):
        file.credit = credit.of_institution(user, institution.id)
        file.credit_sources = credit.sources_of(file.credit)
        file.credit_bases = {c.id: blacklist.basis_of(c) for c in file.credit}
    if can(user, "grading.view"):
        file.grades = list(db.session.scalars(
            policy.visible(GradeRecord, user).where(GradeRecord.institution_id == institution.id)
            .order_by(GradeRecord.evaluated_at.desc(), GradeRecord.id.desc())))
    file.shown_grade = displayed_grades([institution.id], today, now)[institution.id]
    if user.role != Role.INSTITUTION_STAFF.value:
        facts, assessment = assess([institution.id], now, today, DEFAULT_POLICY)[institution.id]
        file.risk, file.risk_facts = assessment, facts
        file.complaints = for_institution(user, institution.id)
    if can(user, "planning.view"):
        drawn = list(db.session.scalars(
            select(Visit).where(Visit.institution_id == institution.id, Visit.source.like("draw:%"))))
        run_ids = {}
        for visit in drawn:
            number = visit.source.split(":", 1)[1]
            if number.isdigit():
                run_ids[int(number)] = visit
        runs = db.session.scalars(policy.visible(PlanRun, user).where(PlanRun.id.in_(list(run_ids)))
                                  .options(selectinload(PlanRun.plan)).order_by(PlanRun.period_start.desc()))
        file.draws = [(run, run_ids[run.id]) for run in runs]
    return file
