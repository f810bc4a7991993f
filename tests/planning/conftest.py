"""Factories of the planning tests (plans, inspectors, a whole small district)."""
from __future__ import annotations

from datetime import date

import pytest

from inspect_app.core.types import utcnow


def make_plan(db, creator=None, **kw):
    from inspect_app.planning.models import Plan
    from inspect_app.planning.plans import defaults
    values = defaults()
    values.update(name="季度双随机联合抽查", start=date(2020, 1, 1), expires=None, rule=None,
                  districts=[], institution_types=[], departments=["civil_affairs", "fire"],
                  ratios={"high": "0.5", "medium_high": "0.5", "medium": "0.5", "low": "0.5"},
                  team_per_department=2, max_per_inspector=5)
    values.update(kw)
    now = utcnow()
    plan = Plan(**values, created_by_id=getattr(creator, "id", None), created_at=now, updated_at=now)
    db.session.add(plan)
    db.session.flush()
    return plan


@pytest.fixture
def district(make, db):
    """Ten institutions in 测试区 and two inspectors per department for civil affairs and fire."""
    institutions = [make.institution(district="测试区", name=f"测试区养老院{n}") for n in range(10)]
    inspectors = [make.user("inspector", department=dept, district="测试区" if n else "邻区")
                  for dept in ("civil_affairs", "fire") for n in range(2)]
    return institutions, inspectors

