"""What every inspections service shares: fetching a visible record (optionally locked),
the parsed checklist of an inspection, and the JSON-carrying conflict."""
from __future__ import annotations

from flask import has_request_context
from sqlalchemy import select

from ...auth import policy
from ...checklists.models import ChecklistVersion
from ...checklists.services import version_checklist
from ...core.errors import Conflict, NotFound
from ...domain.checklist import Checklist, Item
from ...extensions import db
from ..models import Inspection, Visit

# Parsed checklists by (stored version id, digest): a stored version never changes
# (store_version refuses new content under an existing version), so each process parses it
# once; a save reads only the digest (an id reused after a rollback has another digest).
_PARSED: dict[tuple[int, str], Checklist] = {}


def tr(message: str, **params) -> str:
    """A located problem's message in the user's language inside a request (the edge's
    catalogue), plain English when a job or command calls the service."""
    if has_request_context():
        from flask_babel import gettext
        return gettext(message, **params)
    return message % params if params else message


class ConflictWith(Conflict):
    """A conflict whose JSON answer carries more than the message (``body``)."""

    def __init__(self, message: str, body: dict, **params):
        super().__init__(message, **params)
        self.body = body


def checklist_of(inspection: Inspection) -> Checklist:
    version_id = inspection.checklist_version_id
    digest = db.session.scalar(select(ChecklistVersion.digest).where(ChecklistVersion.id == version_id))
    parsed = _PARSED.get((version_id, digest))
    if parsed is None:
        parsed = _PARSED[(version_id, digest)] = version_checklist(db.session.get(ChecklistVersion, version_id))
    return parsed


def items_by_id(checklist: Checklist) -> dict[str, Item]:
    return {item.id: item for item in checklist.items}


def get_inspection(user, inspection_id: int, permission: str, *, lock: str | None = None) -> Inspection:
    """The inspection if ``user`` may see it (else NotFound), freshly read.

    ``lock="share"`` keeps it from being submitted while this transaction writes a draft
    answer or photo; ``lock="update"`` claims it (PostgreSQL; SQLite serialises writers)."""
    policy.require(user, permission)
    stmt = policy.visible(Inspection, user).where(Inspection.id == inspection_id)
    if lock:
        stmt = stmt.with_for_update(read=(lock == "share"), of=Inspection)
    obj = db.session.scalar(stmt.execution_options(populate_existing=True))
    if obj is None:
        raise NotFound("The inspection was not found.")
    return obj


def get_visit(user, visit_id: int, permission: str) -> Visit:
    policy.require(user, permission)
    return policy.get_visible(Visit, visit_id, user)


def lock_visit(visit_id: int) -> Visit:
    """Lock a visit row (PostgreSQL) so its parts' state changes are serialised; a
    visit completes exactly when its last part is submitted."""
    return db.session.scalar(select(Visit).where(Visit.id == visit_id).with_for_update()
                             .execution_options(populate_existing=True))
