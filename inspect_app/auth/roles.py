"""Roles and the permission table: who may do what (the tenant part lives in each model's
``visible_to``). One table, read by :mod:`.policy`; views declare the permission they need."""
from __future__ import annotations

from enum import Enum

from ..domain.bureau import DEPARTMENTS  # noqa: F401  (the departments, for the features)


class Role(str, Enum):
    INSPECTOR = "inspector"
    DEPARTMENT_ADMIN = "department_admin"
    BUREAU_ADMIN = "bureau_admin"
    INSTITUTION_STAFF = "institution_staff"



I, D, B, S = Role.INSPECTOR, Role.DEPARTMENT_ADMIN, Role.BUREAU_ADMIN, Role.INSTITUTION_STAFF

PERMISSIONS: dict[str, frozenset[Role]] = {
    # registry of institutions (institution staff see only their own record)
    "registry.view": frozenset({I, D, B, S}),
    "registry.edit": frozenset({B}),
    "registry.import": frozenset({B}),
    "registry.export": frozenset({D, B}),
    # people: the inspector registry (a department admin manages their own department)
    "users.view": frozenset({D, B}),
    "users.edit": frozenset({D, B}),
    "users.unlock": frozenset({B}),                     # release a sign-in lock (docs/security.md)
    # audit trail
    "audit.view": frozenset({B}),
    # own account
    "account.use": frozenset({I, D, B, S}),
    # checklists: departments keep their own; everyone signed in may read them
    "checklists.view": frozenset({I, D, B}),
    "checklists.manage": frozenset({D, B}),
    # inspections: inspectors fill their assignments; departments and the bureau create visits
    "inspections.view": frozenset({I, D, B}),
    "inspections.fill": frozenset({I}),
    "inspections.manage": frozenset({D, B}),
    "inspections.record": frozenset({I, D, B, S}),      # the finished record (检查记录) and its PDF
    # an inspector of the visit's team records that the institution refused entry or obstructed
    "inspections.obstruction": frozenset({I}),
    # rectification (整改): institutions answer, departments verify and decide
    "rectification.view": frozenset({I, D, B, S}),
    "rectification.respond": frozenset({S}),
    "rectification.verify": frozenset({I, D}),
    "rectification.decide": frozenset({D}),
    "rectification.blacklist": frozenset({B}),          # the bureau decides blacklist proposals
    # major hazards under listed supervision (重大事故隐患 挂牌督办): institutions plan and report,
    # the supervising department's officers name staff and decide plans, its inspectors re-inspect
    "hazards.view": frozenset({I, D, B, S}),
    "hazards.plan": frozenset({S}),
    "hazards.assign": frozenset({I, D, B}),
    "hazards.decide": frozenset({I, D}),
    "hazards.reinspect": frozenset({I}),
    # accidents (安全事故): records of their own, entered by the bureau or a department
    "accidents.view": frozenset({D, B}),
    "accidents.record": frozenset({D, B}),
    # complaints and hotline cases (投诉举报): the bureau takes cases in and routes them; the
    # department a case is routed to handles it (the bureau may too); nobody else opens a case
    "complaints.view": frozenset({D, B}),
    "complaints.intake": frozenset({B}),
    "complaints.route": frozenset({B}),
    "complaints.handle": frozenset({D, B}),
    # grading (等级评定): institutions apply; the bureau evaluates, publishes and confirms
    "grading.view": frozenset({D, B, S}),
    "grading.apply": frozenset({S}),
    "grading.manage": frozenset({B}),
    # planning (抽查计划, 双随机)
    "planning.view": frozenset({D, B}),
    "planning.manage": frozenset({B}),
    "calendar.view": frozenset({I, D, B}),
    # rankings and league tables (docs/supervision-index.md, "Who sees what"): regulators only;
    # a department's staff see the league over their own department's work
    "ranking.view": frozenset({I, D, B}),
    "ranking.league": frozenset({I, D, B}),
    "ranking.whatif": frozenset({B}),
    # care-medical agreements (医养签约, docs/medical-care.md): institutions and the bureau enter
    # them, institutions record doctors' rounds; the bureau and the civil-affairs and health
    # departments see the whole register (the model's visible_to), an inspector at a visit
    "agreements.view": frozenset({I, D, B, S}),
    "agreements.edit": frozenset({B, S}),
    "agreements.rounds": frozenset({S}),
    "agreements.counts": frozenset({D, B}),
    "agreements.export": frozenset({D, B}),
    # long-term-care-insurance designations (长护险定点): the bureau records them
    "ltc.view": frozenset({D, B, S}),
    "ltc.edit": frozenset({B}),
    # the institution file (一户一档): each section scoped as on its own page; an inspector only
    # where they were on a visit's team, staff their own institution (overview/institution_file.py)
    "overview.file": frozenset({I, D, B, S}),
}


def allowed(role: Role | str | None, permission: str) -> bool:
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    return role is not None and Role(role) in PERMISSIONS[permission]
