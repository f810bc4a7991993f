"""Authorization rows of the planning feature (merged into tests/test_authorization.py)."""
from __future__ import annotations

from tests.roles import ANON, BUREAU, DEPT, EVERYONE, INSP, SIGNED_IN, STAFF  # noqa: F401

# endpoint → roles allowed
ROUTES: dict[str, set[str]] = {}


def world(make, db, users, own, other) -> dict:
    """Records the routes need, visible to users (own institution own); URL params."""
    return {}
