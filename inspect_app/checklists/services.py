"""Checklists for the people who keep them: browse, store versions, compare, export."""
from __future__ import annotations

from sqlalchemy import select

from ..auth import policy
from ..auth.roles import Role
from ..core import audit
from ..core.errors import Conflict, NotFound
from ..core.types import utcnow
from ..domain.checklist.model import Checklist, checklist_to_dict, content_digest, parse_checklist
from ..domain.checklist.diff import ChecklistDiff, diff
from ..extensions import db
from . import catalogue
from .models import ChecklistVersion


def may_see(user, cl: Checklist) -> bool:
    if not policy.can(user, "checklists.view"):
        return False
    return user.role == Role.BUREAU_ADMIN or cl.department == user.department


def list_for(user) -> list[Checklist]:
    policy.require(user, "checklists.view")
    return [cl for cl in catalogue.all_checklists().values() if may_see(user, cl)]


def current(user, checklist_id: str) -> Checklist:
    policy.require(user, "checklists.view")
    cl = catalogue.get(checklist_id)
    if cl is None or not may_see(user, cl):
        raise NotFound("The checklist was not found.")
    return cl


def store_version(cl: Checklist, actor=None) -> ChecklistVersion:
    """The stored row of this exact version, created on first use. Refuses a file whose
    content differs from what was stored under the same version."""
    digest = content_digest(cl)
    row = db.session.scalar(select(ChecklistVersion).where(
        ChecklistVersion.checklist_id == cl.id, ChecklistVersion.version == cl.version))
    if row is not None:
        if row.digest != digest:
            raise Conflict("Checklist %(id)s version %(version)s was changed without a new version "
                           "number; give the changed file a new version.", id=cl.id, version=cl.version)
        return row
    row = ChecklistVersion(checklist_id=cl.id, version=cl.version, department=cl.department,
                           kind=cl.kind, title=cl.title, digest=digest, content=checklist_to_dict(cl),
                           item_count=len(cl.items), loaded_at=utcnow())
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "create", "checklist_version", row.id,
                 after={"checklist": cl.id, "version": cl.version, "digest": digest})
    return row


def sync_catalogue(actor=None) -> tuple[list[ChecklistVersion], list[str]]:
    """Store every catalogue version; returns (rows, problems). Each file is checked alone."""
    rows, problems = [], []
    for cl in catalogue.all_checklists().values():
        try:
            with db.session.begin_nested():
                rows.append(store_version(cl, actor))
        except Conflict as exc:
            problems.append(exc.message % exc.params)
    return rows, problems


def versions(user, checklist_id: str) -> list[ChecklistVersion]:
    current(user, checklist_id)  # authorises
    return list(db.session.scalars(
        policy.visible(ChecklistVersion, user).where(ChecklistVersion.checklist_id == checklist_id)
        .order_by(ChecklistVersion.loaded_at, ChecklistVersion.id)))


def version_checklist(row: ChecklistVersion) -> Checklist:
    return parse_checklist(row.content, f"{row.checklist_id}@{row.version}")


def compare(user, checklist_id: str, old_id: int, new_id: int) -> ChecklistDiff:
    rows = {r.id: r for r in versions(user, checklist_id)}
    if old_id not in rows or new_id not in rows:
        raise NotFound("The checklist version was not found.")
    return diff(version_checklist(rows[old_id]), version_checklist(rows[new_id]))
