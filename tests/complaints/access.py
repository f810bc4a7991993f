"""Authorization rows of complaints (merged into tests/test_authorization.py)."""
from __future__ import annotations

from tests.roles import BUREAU, DEPT, EVERYONE

# endpoint → roles allowed (the world's department admin is of fire, the case's department)
ROUTES: dict[str, set[str]] = {
    "complaints.public_submit": EVERYONE,
    "complaints.public_lookup": EVERYONE,
    "complaints.index": {DEPT, BUREAU},
    "complaints.intake": {BUREAU},
    "complaints.show": {DEPT, BUREAU},
    "complaints.reroute": {BUREAU},
    "complaints.accept": {DEPT, BUREAU},
    "complaints.decline": {DEPT, BUREAU},
    "complaints.extend": {DEPT, BUREAU},
    "complaints.make_visit": {DEPT, BUREAU},
    "complaints.reply": {DEPT, BUREAU},
    "complaints.follow_up": {DEPT, BUREAU},
}


def world(make, db, users, own, other) -> dict:
    """A fire-safety case about ``own``, taken in by the bureau."""
    from tests.complaints.conftest import take_in
    case = take_in(users[BUREAU], own, category="fire_safety").case
    return {"case_id": case.id}
