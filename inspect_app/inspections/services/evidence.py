"""Evidence photos per item: upload (idempotent on the tablet's client id), serve only
after authorizing the inspection, delete before submit."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ...core import audit, files
from ...core.errors import Conflict, Invalid, NotFound
from ...core.types import utcnow
from ...extensions import db
from ..models import EVIDENCE_STAGES, SUBMITTED, Evidence, Inspection
from .common import checklist_of, get_inspection, items_by_id
from .filling import SUBMISSION_ID

PHOTOS_PER_ITEM = 20


def _existing(client_id: str) -> Evidence | None:
    return db.session.scalar(select(Evidence).where(Evidence.client_id == client_id)
                             .execution_options(populate_existing=True))


def _same_inspection(row: Evidence, inspection: Inspection) -> Evidence:
    if row.inspection_id != inspection.id:
        raise Conflict("This photo id was already used for another inspection.")
    return row


def _may_add(inspection: Inspection, item_id) -> None:
    if inspection.status == SUBMITTED:
        raise Conflict("This inspection is submitted and can no longer be changed.")
    if not isinstance(item_id, str) or item_id not in items_by_id(checklist_of(inspection)):
        raise Invalid("The photo could not be stored.", problems=[f"{item_id}: unknown item"])
    count = db.session.scalar(select(func.count()).select_from(Evidence).where(
        Evidence.inspection_id == inspection.id, Evidence.item_id == item_id)) or 0
    if count >= PHOTOS_PER_ITEM:
        raise Invalid("The photo could not be stored.", problems=[
            f"{item_id}: at most {PHOTOS_PER_ITEM} photos per item"])


def upload(user, inspection_id: int, item_id, client_id, storage, stage=None) -> tuple[Evidence, bool]:
    """Store a photo for an item of a draft; returns (evidence, created). The same
    ``client_id`` again returns the first photo (a re-sent upload is stored once).
    ``stage`` is "found" (default) or "after" (taken after an on-the-spot rectification).

    The photo is decoded and re-encoded before the inspection is locked (on SQLite, before
    the write lock is taken), then everything is checked again under the lock."""
    inspection = get_inspection(user, inspection_id, "inspections.fill")
    if not isinstance(client_id, str) or not SUBMISSION_ID.fullmatch(client_id):
        raise Invalid("The photo could not be stored.", problems=["client_id: expected 8–64 letters, digits, '-' or '_'"])
    stage = stage or "found"
    if stage not in EVIDENCE_STAGES:
        raise Invalid("The photo could not be stored.", problems=["stage: expected found or after"])
    row = _existing(client_id)
    if row is not None:
        return _same_inspection(row, inspection), False
    _may_add(inspection, item_id)
    prepared = files.prepare_upload(storage, kind="photo", where=f"{item_id}")
    inspection = get_inspection(user, inspection_id, "inspections.fill", lock="share")
    row = _existing(client_id)
    if row is not None:               # the same photo sent twice at once: keep the first
        return _same_inspection(row, inspection), False
    _may_add(inspection, item_id)
    stored = files.record(prepared, user)
    try:
        with db.session.begin_nested():
            row = Evidence(inspection_id=inspection.id, item_id=item_id, file_id=stored.id,
                           client_id=client_id, created_at=utcnow(), stage=stage)
            db.session.add(row)
            db.session.flush()
    except IntegrityError:            # the same photo sent twice at once: keep the first
        first = _existing(client_id)
        if first is None:
            raise
        return _same_inspection(first, inspection), False
    audit.record(user, "add_evidence", "inspection", inspection.id, after={
        "evidence_id": row.id, "item": item_id, "file_id": stored.id, "sha256": stored.sha256,
        "client_id": client_id, "stage": stage})
    return row, True


def get_evidence(user, inspection_id: int, evidence_id: int) -> Evidence:
    """A photo of an inspection the user may see (its record or its form)."""
    inspection = get_inspection(user, inspection_id, "inspections.record")
    row = db.session.scalar(select(Evidence).where(Evidence.id == evidence_id,
                                                   Evidence.inspection_id == inspection.id))
    if row is None:
        raise NotFound("The photo was not found.")
    return row


def delete(user, inspection_id: int, evidence_id: int) -> None:
    inspection = get_inspection(user, inspection_id, "inspections.fill", lock="share")
    row = db.session.scalar(select(Evidence).where(Evidence.id == evidence_id,
                                                   Evidence.inspection_id == inspection.id))
    if row is None:
        raise NotFound("The photo was not found.")
    if inspection.status == SUBMITTED:
        raise Conflict("This inspection is submitted; its photos are part of the record.")
    before = {"evidence_id": row.id, "item": row.item_id, "file_id": row.file_id, "client_id": row.client_id}
    db.session.delete(row)
    db.session.flush()
    audit.record(user, "delete_evidence", "inspection", inspection.id, before=before)


def by_item(inspection_id: int) -> dict[str, list[Evidence]]:
    out: dict[str, list[Evidence]] = {}
    for row in db.session.scalars(select(Evidence).where(Evidence.inspection_id == inspection_id)
                                  .options(joinedload(Evidence.file)).order_by(Evidence.id)):
        out.setdefault(row.item_id, []).append(row)
    return out
