"""Forms that can only fail are not offered on the finding page: an extension once the deadline
has passed, or once one was requested; a reply once made. The services refuse them as before."""
from __future__ import annotations

from datetime import timedelta

from inspect_app.core.types import utcnow
from inspect_app.rectification import responses


def _page(login, staff, finding):
    return login(staff).get(f"/rectification/findings/{finding.id}").get_data(as_text=True)


def test_an_overdue_finding_offers_no_extension(make, login, rect, db):
    inst = make.institution()
    staff = make.user("institution_staff", institution_id=inst.id)
    _, found = rect.findings(inst, failed=("FIRE-25",), now=utcnow() - timedelta(days=60))
    finding = found["FIRE-25"]
    assert finding.deadline_at < utcnow()
    html = _page(login, staff, finding)
    assert 'id="respond"' in html and 'id="extension"' not in html
    page = f"/rectification/findings/{finding.id}"
    refused = login(staff).post(f"{page}/extension", {"extension-days": "1", "extension-text": "来不及"},
                                token_from=page)
    assert refused.status_code == 409


def test_a_second_extension_or_reply_is_not_offered(make, login, rect):
    inst = make.institution()
    staff = make.user("institution_staff", institution_id=inst.id)
    _, found = rect.findings(inst, failed=("FIRE-25", "FIRE-03"))
    extended, contested = found["FIRE-25"], found["FIRE-03"]
    assert 'id="extension"' in _page(login, staff, extended)
    responses.request_extension(staff, extended.id, "材料采购中", 2)
    assert 'id="extension"' not in _page(login, staff, extended)
    assert 'id="reply"' in _page(login, staff, contested)
    responses.reply(staff, contested.id, "该处并无问题")
    assert 'id="reply"' not in _page(login, staff, contested)
