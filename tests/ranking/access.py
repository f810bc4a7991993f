"""Authorization rows of the ranking feature (merged into tests/test_authorization.py)."""
from __future__ import annotations

from tests.roles import ANON, BUREAU, DEPT, EVERYONE, INSP, SIGNED_IN, STAFF  # noqa: F401

# endpoint → roles allowed (institution staff and the public never see rankings)
ROUTES: dict[str, set[str]] = {
    "ranking.index": {INSP, DEPT, BUREAU},
    "ranking.export_xlsx": {INSP, DEPT, BUREAU},
    "ranking.export_csv": {INSP, DEPT, BUREAU},
    "ranking.show": {INSP, DEPT, BUREAU},
    "ranking.league": {INSP, DEPT, BUREAU},
    "ranking.what_if": {BUREAU},
}


def world(make, db, users, own, other) -> dict:
    """This month's standings, so an institution's page exists."""
    from inspect_app.ranking.standing import refresh
    refresh()
    return {}
