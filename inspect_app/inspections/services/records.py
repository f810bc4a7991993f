"""The inspection record (检查记录): a submitted part, read-only, for the page and the PDF."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from ...core import files
from ...core.errors import NotFound
from ...domain.checklist.model import Checklist
from ...domain.rectification import on_spot as on_spot_rule
from ...extensions import db
from ..models import SUBMITTED, Answer, Evidence, Inspection, OnSpotRectification
from .common import checklist_of, get_inspection
from .evidence import by_item
from .filling import answers_of


@dataclass
class Record:
    inspection: Inspection
    checklist: Checklist
    answers: dict[str, Answer]
    evidence: dict[str, list[Evidence]]
    result: dict
    sections: dict[str, dict]        # section id → its "grade" section entry
    failed: set[str]
    vetoes: set[str]
    on_spot: dict[str, str] = field(default_factory=dict)   # item → note: rectified on the spot (当场整改)

    @property
    def visit(self):
        return self.inspection.visit

    def signature(self, who: str):
        file_id = (self.inspection.inspector_signature_id if who == "inspector"
                   else self.inspection.representative_signature_id)
        return db.session.get(files.StoredFile, file_id) if file_id else None


def get_record(user, inspection_id: int) -> Record:
    """A submitted part the user may see: its team, the department, the bureau, and the
    staff of the inspected institution (only once submitted — before that, not found)."""
    inspection = get_inspection(user, inspection_id, "inspections.record")
    if inspection.status != SUBMITTED:
        raise NotFound("The inspection record does not exist until the inspection is submitted.")
    result = inspection.result or {}
    return Record(inspection=inspection, checklist=checklist_of(inspection), answers=answers_of(inspection),
                  evidence=by_item(inspection.id), result=result,
                  sections={s["id"]: s for s in result.get("sections", [])},
                  failed=set(result.get("failed", [])), vetoes=set(result.get("vetoes", [])),
                  on_spot=on_spot_marks(inspection.id))


def on_spot_marks(inspection_id: int) -> dict[str, str]:
    """item id → note of the items submitted as rectified on the spot (当场整改)."""
    return dict(db.session.execute(select(OnSpotRectification.item_id, OnSpotRectification.note).where(
        OnSpotRectification.inspection_id == inspection_id).order_by(OnSpotRectification.id)).all())


ON_SPOT_NOTE_MAX = on_spot_rule.NOTE_MAX


def on_spot_items(checklist: Checklist) -> set[str]:
    """The items the form offers to rectify on the spot (domain/rectification/on_spot.py)."""
    return {item.id for item in checklist.items if on_spot_rule.allowed(item)}
