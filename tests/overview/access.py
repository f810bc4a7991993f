"""Authorization rows of the overviews (merged into tests/test_authorization.py)."""
from __future__ import annotations

from tests.roles import BUREAU, DEPT, EVERYONE, SIGNED_IN, STAFF

# endpoint → roles allowed
ROUTES: dict[str, set[str]] = {
    "overview.expiring": {DEPT, BUREAU, STAFF},                 # grading.view
    # overview.file: every signed-in role; the world's inspector was on a visit's team there
    "overview.institution": SIGNED_IN,
    "overview.public_results": EVERYONE,
    "overview.public_results_download": EVERYONE,
    "overview.public_results_about": EVERYONE,
    "overview.public_institution": EVERYONE,
    "api.openapi_document": EVERYONE,
    "api.institutions": EVERYONE,
    "api.institution": EVERYONE,
    "api.grades": EVERYONE,
    "api.inspection_results": EVERYONE,
}


def world(make, db, users, own, other) -> dict:
    """Nothing of its own: the routes take the world's institution (the rectification world
    puts the inspector on a team there)."""
    return {}
