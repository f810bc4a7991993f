"""What every inspections service shares: fetching a visible record (optionally locked),
the parsed checklist of an inspection, and the JSON-carrying conflict."""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from flask import has_request_context
from sqlalchemy import select
from sqlalchemy.orm import aliased

from ...auth import policy
from ...checklists.models import ChecklistVersion
from ...checklists.services import version_checklist
from ...core.errors import Conflict, NotFound
from ...domain.checklist.model import Checklist, Item
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
    """The parsed checklist version of an inspection (parsed once per process and version;
    remembered on the instance, so a request asks for the version's digest at most once —
    :func:`get_inspection` reads it with the inspection)."""
    version_id = inspection.checklist_version_id
    known = inspection.__dict__.get("_checklist")
    if known is not None and known[0] == version_id:
        return known[1]
    digest = inspection.__dict__.get("_checklist_digest")
    if digest is None or digest[0] != version_id:
        digest = (version_id, db.session.scalar(select(ChecklistVersion.digest)
                                                .where(ChecklistVersion.id == version_id)))
    parsed = _PARSED.get(digest)
    if parsed is None:
        parsed = _PARSED[digest] = version_checklist(db.session.get(ChecklistVersion, version_id))
    inspection.__dict__["_checklist"] = (version_id, parsed)
    return parsed


@dataclass(frozen=True)
class Facts:
    """What the services read of a checklist again and again (the domain model computes its
    ``items`` and ``max`` on every access), worked out once per parsed checklist."""
    items: tuple[Item, ...]
    by_id: dict[str, Item]
    max: Fraction
    outcomes: dict = field(default_factory=dict)      # filling.live_score's memo


_FACTS: dict[int, tuple[Checklist, Facts]] = {}


def facts(checklist: Checklist) -> Facts:
    entry = _FACTS.get(id(checklist))
    if entry is None or entry[0] is not checklist:
        if len(_FACTS) > 256:
            _FACTS.clear()
        items = checklist.items
        entry = _FACTS[id(checklist)] = (checklist, Facts(items, {i.id: i for i in items}, checklist.max))
    return entry[1]


def items_by_id(checklist: Checklist) -> dict[str, Item]:
    """Item id → item (shared: do not change it)."""
    return facts(checklist).by_id


def get_inspection(user, inspection_id: int, permission: str, *, lock: str | None = None,
                   wait: bool = True) -> Inspection | None:
    """The inspection if ``user`` may see it (else NotFound), freshly read.

    ``lock="share"`` keeps it from being submitted while this transaction writes a draft
    answer or photo; ``lock="update"`` claims it (PostgreSQL; SQLite serialises writers).
    ``wait=False`` (with a lock, PostgreSQL) skips a row another transaction holds and then
    returns None instead of raising: the caller takes the waiting path."""
    policy.require(user, permission)
    stmt = (policy.visible(Inspection, user).add_columns(ChecklistVersion.digest)
            .join(ChecklistVersion, ChecklistVersion.id == Inspection.checklist_version_id)
            .where(Inspection.id == inspection_id))
    if lock:
        stmt = stmt.with_for_update(read=(lock == "share"), of=Inspection, skip_locked=not wait)
    row = db.session.execute(stmt.execution_options(populate_existing=True)).first()
    if row is None:
        if lock and not wait:
            return None
        raise NotFound("The inspection was not found.")
    obj, digest = row
    obj.__dict__["_checklist_digest"] = (obj.checklist_version_id, digest)   # for checklist_of
    return obj


def lock_part_and_visit(user, inspection_id: int, permission: str) -> tuple[Visit, Inspection] | None:
    """PostgreSQL: the inspection (if ``user`` may see it) and its visit, both locked FOR
    UPDATE by one statement, or None when either row is held by another transaction (``SKIP
    LOCKED``: nothing waits, so the order in which the two are locked cannot deadlock) or the
    inspection is not visible; the caller then reads it plainly and takes the waiting path."""
    policy.require(user, permission)
    visit = aliased(Visit)      # a scope rule's own subquery of visits stays uncorrelated
    stmt = (policy.visible(Inspection, user).add_columns(visit, ChecklistVersion.digest)
            .join(visit, visit.id == Inspection.visit_id)
            .join(ChecklistVersion, ChecklistVersion.id == Inspection.checklist_version_id)
            .where(Inspection.id == inspection_id)
            .with_for_update(of=(Inspection, visit), skip_locked=True))
    row = db.session.execute(stmt.execution_options(populate_existing=True)).first()
    if row is None:
        return None
    obj, visit, digest = row
    obj.__dict__["_checklist_digest"] = (obj.checklist_version_id, digest)   # for checklist_of
    return visit, obj


def lock_visit(visit_id: int, *, wait: bool = True) -> Visit | None:
    """Lock a visit row (PostgreSQL) so its parts' state changes are serialised; a
    visit completes exactly when its last part is submitted. ``wait=False``: None when
    another transaction holds it (``SKIP LOCKED``)."""
    return db.session.scalar(select(Visit).where(Visit.id == visit_id).with_for_update(skip_locked=not wait)
                             .execution_options(populate_existing=True))
