"""The inspection record (检查记录): a submitted part, read-only, for the page and the PDF."""
from __future__ import annotations

from dataclasses import dataclass

from ...core import files
from ...core.errors import NotFound
from ...domain.checklist.model import Checklist
from ...extensions import db
from ..models import SUBMITTED, Answer, Evidence, Inspection
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
                  failed=set(result.get("failed", [])), vetoes=set(result.get("vetoes", [])))
