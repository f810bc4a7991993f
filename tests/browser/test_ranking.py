"""The ranking page on a tablet: sorting by a column header and filtering by district."""
from __future__ import annotations

from datetime import timedelta

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "rank-password-1"


@pytest.fixture
def ranked(app):
    """Four institutions in two districts with findings worth 4, 20, 50 and 0 points, their
    standings, and a bureau admin; committed (the live server runs outside the test
    transaction) and removed afterwards."""
    from sqlalchemy import delete, select

    from inspect_app.auth.models import LoginSession, User
    from inspect_app.auth.services import hash_password
    from inspect_app.checklists.models import ChecklistVersion
    from inspect_app.core.types import utcnow
    from inspect_app.extensions import db
    from inspect_app.inspections.models import Inspection, Visit
    from inspect_app.ranking import standing
    from inspect_app.ranking.models import LeagueTally, Standing
    from inspect_app.rectification.models import Finding
    from inspect_app.registry.models import Institution
    from tests.factories import credit_code
    now = utcnow()
    plan = [("浏览甲院", "浏览东区", "minor"), ("浏览乙院", "浏览东区", "major"),
            ("浏览丙院", "浏览西区", "critical"), ("浏览丁院", "浏览西区", None)]
    with app.app_context():
        version_id = db.session.scalar(select(ChecklistVersion.id).limit(1))
        ids = []
        for n, (name, district, severity) in enumerate(plan):
            inst = Institution(name=name, credit_code=credit_code(880000 + n), type="nursing_home",
                               district=district, street="浏览街道", address="路", beds=60, nursing_beds=10,
                               operator_type="private", status="operating", created_at=now, updated_at=now)
            db.session.add(inst)
            db.session.flush()
            ids.append(inst.id)
            visit = Visit(institution_id=inst.id, kind="inspection", purpose="routine", status="completed",
                          scheduled_for=(now - timedelta(days=5)).date(), created_at=now)
            db.session.add(visit)
            db.session.flush()
            part = Inspection(visit_id=visit.id, department="fire", checklist_version_id=version_id,
                              status="submitted", submitted_at=now)
            db.session.add(part)
            db.session.flush()
            if severity:
                db.session.add(Finding(inspection_id=part.id, visit_id=visit.id, institution_id=inst.id,
                                       department="fire", checklist_id="fire-safety", checklist_version="1",
                                       item_id="B1", item_text="问题", severity=severity, deadline_days=10,
                                       original_deadline_at=now + timedelta(days=9), deadline_at=now + timedelta(days=9),
                                       state="open", policy_version="t", created_at=now))
        db.session.add(User(username="rank_bureau", name="排名局管理员", role="bureau_admin",
                            password_hash=hash_password(PASSWORD), created_at=now))
        standing.refresh(now)
        db.session.commit()
    yield ids
    with app.app_context():
        user_ids = select(User.id).where(User.username == "rank_bureau")
        db.session.execute(delete(LoginSession).where(LoginSession.user_id.in_(user_ids)))
        db.session.execute(delete(User).where(User.username == "rank_bureau"))
        db.session.execute(delete(Standing))
        db.session.execute(delete(LeagueTally))
        db.session.execute(delete(Finding).where(Finding.institution_id.in_(ids)))
        visits = select(Visit.id).where(Visit.institution_id.in_(ids))
        db.session.execute(delete(Inspection).where(Inspection.visit_id.in_(visits)))
        db.session.execute(delete(Visit).where(Visit.institution_id.in_(ids)))
        db.session.execute(delete(Institution).where(Institution.id.in_(ids)))
        db.session.commit()


def _names(page) -> list[str]:
    return [page.locator("table[data-ranking] tbody tr").nth(n).locator("td").nth(1).locator("a").inner_text().strip()
            for n in range(page.locator("table[data-ranking] tbody tr").count())]


def test_sorting_and_filtering_the_ranking_on_a_tablet(live_server, tablet, ranked):
    tablet.goto(f"{live_server}/login")
    tablet.fill("input[name=username]", "rank_bureau")
    tablet.fill("input[name=password]", PASSWORD)
    tablet.locator("button[type=submit].primary").tap()
    tablet.wait_for_url(f"{live_server}/")
    tablet.locator("nav.mainnav a", has_text="排名").tap()
    tablet.wait_for_url(f"{live_server}/ranking/")
    names = [n for n in _names(tablet) if n.startswith("浏览")]
    assert names == ["浏览丁院", "浏览甲院", "浏览乙院", "浏览丙院"]          # index 0, 4, 20, 50

    tablet.locator("th a.sort", has_text="监管指数").tap()                      # the same column again: worst first
    tablet.wait_for_url("**sort=-index**")
    assert [n for n in _names(tablet) if n.startswith("浏览")] == ["浏览丙院", "浏览乙院", "浏览甲院", "浏览丁院"]
    header = tablet.locator("th[aria-sort]")
    assert header.get_attribute("aria-sort") == "descending"

    tablet.select_option("select[name=district]", "浏览西区")
    tablet.locator("form.list-filters button[type=submit]").tap()
    tablet.wait_for_url("**district=**")
    assert _names(tablet) == ["浏览丙院", "浏览丁院"]
    ranks = tablet.locator("table[data-ranking] td.rank")
    assert [ranks.nth(n).inner_text() for n in range(2)] == ["2", "1"]          # ranked within the filter
    box = tablet.locator("th a.sort", has_text="监管指数").bounding_box()
    assert box["height"] >= 44                                                  # a finger can hit it
