"""Authorization rows of the inspections feature (merged into tests/test_authorization.py)."""
from __future__ import annotations

from tests.roles import ANON, BUREAU, DEPT, EVERYONE, INSP, SIGNED_IN, STAFF  # noqa: F401

# endpoint → roles allowed
ROUTES: dict[str, set[str]] = {
    "inspections.index": {INSP, DEPT, BUREAU},
    "inspections.new_visit": {DEPT, BUREAU},
    "inspections.visits": {INSP, DEPT, BUREAU, STAFF},
    "inspections.export_visits": {INSP, DEPT, BUREAU, STAFF},
    "inspections.cancel_visit": {DEPT, BUREAU},
    "inspections.record_obstruction": {INSP},
    "inspections.visit": {INSP, DEPT, BUREAU, STAFF},
    "inspections.form": {INSP},
    "inspections.start": {INSP},
    "inspections.save_answer": {INSP},
    "inspections.upload_evidence": {INSP},
    "inspections.evidence_file": {INSP, DEPT, BUREAU, STAFF},
    "inspections.delete_evidence": {INSP},
    "inspections.submit": {INSP},
    "inspections.record": {INSP, DEPT, BUREAU, STAFF},
    "inspections.record_pdf": {INSP, DEPT, BUREAU, STAFF},
    "inspections.csrf_token": {INSP},
    "inspections.service_worker": EVERYONE,
}


def world(make, db, users, own, other) -> dict:
    """A completed fire visit to ``own`` by the matrix's inspector, with a photo; URL params."""
    from tests.inspections.kit import Kit
    from inspect_app.inspections.models import Evidence
    from sqlalchemy import select
    visit, part, _ = Kit(make, db).submitted(institution=own, inspector=users[INSP])
    evidence = db.session.scalar(select(Evidence).where(Evidence.inspection_id == part.id))
    return {"visit_id": visit.id, "inspection_id": part.id, "evidence_id": evidence.id}
