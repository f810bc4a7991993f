"""Authorization rows of the care-medical agreements (merged into tests/test_authorization.py)."""
from __future__ import annotations

from tests.roles import ANON, BUREAU, DEPT, EVERYONE, INSP, SIGNED_IN, STAFF  # noqa: F401

# endpoint → roles allowed (an inspector reaches the pages; the records only of an institution
# they visit, the models' visible_to)
ROUTES: dict[str, set[str]] = {
    "agreements.index": SIGNED_IN,
    "agreements.create": {BUREAU, STAFF},
    "agreements.edit": {BUREAU, STAFF},
    "agreements.show": SIGNED_IN,
    "agreements.add_round": {STAFF},
    "agreements.page": SIGNED_IN,
    "agreements.counts": {DEPT, BUREAU},
    "agreements.export_xlsx": {DEPT, BUREAU},
    "agreements.export_csv": {DEPT, BUREAU},
    "agreements.designations": {DEPT, BUREAU, STAFF},
    "agreements.add_designation": {BUREAU},
}


def world(make, db, users, own, other) -> dict:
    """An agreement of the own institution with one scanned page (its file row only)."""
    from datetime import date

    from inspect_app.agreements.models import AgreementPage, MedicalAgreement
    from inspect_app.core.files import StoredFile
    from inspect_app.core.types import utcnow
    now = utcnow()
    stored = StoredFile(token="agreement-page-token", kind="document", content_type="image/jpeg", size=1,
                        sha256="0" * 64, uploaded_at=now)
    db.session.add(stored)
    db.session.flush()
    agreement = MedicalAgreement(institution_id=own.id, partner_name="示范区人民医院",
                                 partner_licence="PDY60027044010319A1002", starts_on=date(2026, 1, 1),
                                 ends_on=date(2027, 12, 31), services=["rounds"], visit_count=1,
                                 visit_period="week", green_channel=False, created_at=now, updated_at=now)
    db.session.add(agreement)
    db.session.flush()
    db.session.add(AgreementPage(agreement_id=agreement.id, file_id=stored.id, position=1))
    db.session.flush()
    return {"agreement_id": agreement.id, "file_id": stored.id}
