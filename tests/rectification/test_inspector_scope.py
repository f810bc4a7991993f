"""An inspector sees the findings of the inspections they were on (and those they are sent
back to re-inspect), not every finding of their department."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image

from inspect_app.core.errors import NotFound
from inspect_app.core.types import utcnow
from inspect_app.rectification import findings, lists, responses


def _jpeg() -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (60, 60, 200)).save(buf, "JPEG")
    buf.seek(0)
    return buf


def test_fire_inspector_not_on_the_team_gets_404_and_changes_nothing(make, login, rect, db):
    inst = make.institution()
    staff = make.user("institution_staff", institution_id=inst.id)
    on_team = make.user("inspector", department="fire")
    stranger = make.user("inspector", department="fire")
    notice, found = rect.findings(inst, failed=("FIRE-03",), inspectors=(on_team,))
    f = found["FIRE-03"]
    page = f"/rectification/findings/{f.id}"
    answered = login(staff).post(f"{page}/respond", {"respond-text": "已整改", "respond-photos": (_jpeg(), "fix.jpg")},
                                 token_from=page, content_type="multipart/form-data")
    assert answered.status_code == 302
    db.session.expire_all()
    photo_id = f.responses[0].photos[0].id
    version = f.version

    browser = login(stranger)
    assert browser.get(page).status_code == 404
    assert browser.get(f"{page}/photos/{photo_id}").status_code == 404
    assert browser.get(f"/rectification/notices/{notice.id}").status_code == 404
    assert browser.get(f"/rectification/notices/{notice.id}/notice.pdf").status_code == 404
    assert "FIRE-03" not in browser.get("/rectification/?state=").get_data(as_text=True)
    verified = browser.post(f"{page}/verify", {"decision": "accept", "note": "合格"}, token_from="/rectification/")
    assert verified.status_code == 404
    db.session.expire_all()
    assert (f.state, f.version, f.closed_at) == ("responded", version, None)

    member = login(on_team)
    assert member.get(page).status_code == 200
    assert member.get(f"{page}/photos/{photo_id}").status_code == 200
    assert member.get(f"/rectification/notices/{notice.id}").status_code == 200


def visible_ids(user) -> list[int]:
    """The findings list as ``user`` sees it, in any state."""
    query, choices = lists.finding_query(user, {"state": ""})
    return [x.id for x in lists.search_findings(user, query, choices).page.items]


def test_an_inspector_sent_back_to_reinspect_sees_that_finding_only(make, rect, db):
    inst = make.institution()
    admin = make.user("department_admin", department="fire")
    checker, partner = make.user("inspector", department="fire"), make.user("inspector", department="fire")
    _, found = rect.findings(inst, failed=("FIRE-01", "FIRE-03"))
    critical, other = found["FIRE-01"], found["FIRE-03"]
    assert visible_ids(checker) == []
    responses.schedule_reinspection(admin, critical.id, utcnow().date() + timedelta(days=3), [checker.id, partner.id])
    db.session.flush()
    assert visible_ids(checker) == [critical.id]
    assert findings.get(checker, critical.id).id == critical.id
    with pytest.raises(NotFound):
        findings.get(checker, other.id)
