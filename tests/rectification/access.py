"""Authorization rows of the rectification feature (merged into tests/test_authorization.py)."""
from __future__ import annotations

from tests.roles import ANON, BUREAU, DEPT, EVERYONE, INSP, SIGNED_IN, STAFF  # noqa: F401

# endpoint → roles allowed
ROUTES: dict[str, set[str]] = {
    "rectification.index": SIGNED_IN,
    "rectification.finding": SIGNED_IN,
    "rectification.photo": SIGNED_IN,
    "rectification.notice_list": SIGNED_IN,
    "rectification.export_findings": SIGNED_IN,
    "rectification.export_notices": SIGNED_IN,
    "rectification.notice": SIGNED_IN,
    "rectification.notice_pdf": SIGNED_IN,
    "rectification.inbox": SIGNED_IN,
    "rectification.read_message": SIGNED_IN,
    "rectification.open_message": SIGNED_IN,
    "rectification.read_all_messages": SIGNED_IN,
    "rectification.respond": {STAFF},
    "rectification.request_extension": {STAFF},
    "rectification.reply": {STAFF},
    "rectification.decide_extension": {DEPT},
    "rectification.decide_reply": {DEPT},
    "rectification.reinspect": {DEPT},
    "rectification.verify": {INSP, DEPT},
    "rectification.record_interview": {DEPT},
    "rectification.credit_records": SIGNED_IN,
    "rectification.decide_credit": {BUREAU},
    "rectification.accidents": {DEPT, BUREAU},
    # listed major hazards (挂牌督办): a plain inspector of the department sees and re-inspects,
    # but names no staff and decides no plan (not an officer: 403 from the service)
    "hazards.index": SIGNED_IN,
    "hazards.show": SIGNED_IN,
    "hazards.photo": SIGNED_IN,
    "hazards.assign": {DEPT, BUREAU},
    "hazards.submit_plan": {STAFF},
    "hazards.decide_plan": {DEPT},
    "hazards.report_milestone": {STAFF},
    "hazards.reinspect": {INSP},
}


def world(make, db, users, own, other) -> dict:
    """A fire finding of ``own`` (the inspector was on its team) with its notice, a pending
    extension request and a message."""
    from sqlalchemy import select

    from inspect_app.rectification import responses
    from inspect_app.rectification.models import CreditRecord, Message
    from tests.rectification.conftest import RectMake
    notice, found = RectMake(make, db).findings(own, failed=("FIRE-25",), inspectors=(users[INSP],))
    finding = found["FIRE-25"]
    request = responses.request_extension(users[STAFF], finding.id, "材料采购中", 2)
    message = db.session.scalar(select(Message.id).where(Message.notice_id == notice.id))
    credit = CreditRecord(institution_id=own.id, finding_id=finding.id, kind="blacklist_proposal",
                          created_at=finding.created_at, note=finding.item_id)
    db.session.add(credit)
    db.session.flush()
    from inspect_app.rectification.hazards import list_major_hazards
    hazard_notice, _found = RectMake(make, db).findings(own, failed=("FIRE-01",), inspectors=(users[INSP],))
    listing = list_major_hazards(hazard_notice)[0]
    return {"finding_id": finding.id, "notice_id": notice.id, "response_id": request.id,
            "photo_id": 987654, "message_id": message, "credit_record_id": credit.id,
            "listing_id": listing.id, "plan_id": 987654, "milestone_id": 987654}
