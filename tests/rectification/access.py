"""Authorization rows of the rectification feature (merged into tests/test_authorization.py)."""
from __future__ import annotations

from tests.roles import ANON, BUREAU, DEPT, EVERYONE, INSP, SIGNED_IN, STAFF  # noqa: F401

# endpoint → roles allowed
ROUTES: dict[str, set[str]] = {
    "rectification.index": SIGNED_IN,
    "rectification.finding": SIGNED_IN,
    "rectification.photo": SIGNED_IN,
    "rectification.notice_list": SIGNED_IN,
    "rectification.notice": SIGNED_IN,
    "rectification.notice_pdf": SIGNED_IN,
    "rectification.inbox": SIGNED_IN,
    "rectification.read_message": SIGNED_IN,
    "rectification.respond": {STAFF},
    "rectification.request_extension": {STAFF},
    "rectification.contest": {STAFF},
    "rectification.decide_extension": {DEPT},
    "rectification.decide_reply": {DEPT},
    "rectification.reinspect": {DEPT},
    "rectification.verify": {INSP, DEPT},
}


def world(make, db, users, own, other) -> dict:
    """A fire finding of ``own`` with its notice, a pending extension request and a message."""
    from sqlalchemy import select

    from inspect_app.rectification import responses
    from inspect_app.rectification.models import Message
    from tests.rectification.conftest import RectMake
    notice, found = RectMake(make, db).findings(own, failed=("FIRE-25",))
    finding = found["FIRE-25"]
    request = responses.request_extension(users[STAFF], finding.id, "材料采购中", 2)
    message = db.session.scalar(select(Message.id).where(Message.notice_id == notice.id))
    return {"finding_id": finding.id, "notice_id": notice.id, "response_id": request.id,
            "photo_id": 987654, "message_id": message}
