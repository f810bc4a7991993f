"""Fixtures of the inspections tests (the building blocks live in :mod:`tests.inspections.kit`)."""
from __future__ import annotations

import pytest

from tests.inspections.kit import Kit


@pytest.fixture
def kit(make, db):
    return Kit(make, db)
