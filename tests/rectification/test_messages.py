"""Messages: opening one marks it read (for that reader only) and leads to its record; "mark
all read"; the unread count in the header is one query whatever the number of messages."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from inspect_app.rectification.messages import notify, unread_count
from inspect_app.rectification.models import MessageRead
from tests.grading.test_query_counts import counted


def _badge(html: str) -> int:
    found = re.search(r'href="/rectification/messages">[^<]*<span class="badge">([0-9]+)</span>', html)
    return int(found.group(1)) if found else 0


def test_opening_a_message_marks_it_read_for_that_reader_and_leads_to_its_finding(make, login, rect, db):
    inst = make.institution()
    _, found = rect.findings(inst, failed=("FIRE-03",))
    finding = found["FIRE-03"]
    notify("overdue", inst.id, "fire", ("institution",), finding_id=finding.id)
    reader = make.user("institution_staff", institution_id=inst.id)
    colleague = make.user("institution_staff", institution_id=inst.id)
    browser = login(reader)
    inbox = browser.get("/rectification/messages").get_data(as_text=True)
    assert _badge(inbox) == 2 and inbox.count('class="unread"') == 2
    assert db.session.scalar(select(func.count()).select_from(MessageRead)) == 0     # reading the list changes nothing
    message_id = int(re.findall(r'/rectification/messages/([0-9]+)/open', inbox)[0])   # newest first: the overdue one
    opened = browser.post(f"/rectification/messages/{message_id}/open", token_from="/rectification/messages")
    assert opened.status_code == 303 and opened.headers["Location"].endswith(f"/rectification/findings/{finding.id}")
    again = browser.post(f"/rectification/messages/{message_id}/open", token_from="/rectification/messages")
    assert again.status_code == 303                                                    # idempotent
    assert unread_count(reader) == 1 and unread_count(colleague) == 2
    assert _badge(browser.get("/rectification/messages").get_data(as_text=True)) == 1
    notice_message = int(re.findall(r'/rectification/messages/([0-9]+)/open', inbox)[1])
    to_notice = browser.post(f"/rectification/messages/{notice_message}/open", token_from="/rectification/messages")
    assert "/rectification/notices/" in to_notice.headers["Location"]
    stranger = login(make.user("institution_staff"))
    assert stranger.post(f"/rectification/messages/{message_id}/open", token_from="/rectification/messages").status_code == 404


def test_mark_all_read_marks_every_unread_message_of_the_reader_once(make, login, rect):
    inst = make.institution()
    _, found = rect.findings(inst, failed=("FIRE-03", "FIRE-06"))
    for f in found.values():
        notify("reminder_3d", inst.id, "fire", ("institution", "department"), finding_id=f.id)
    head = make.user("department_admin", department="fire", is_department_head=True)
    other_department = make.user("department_admin", department="health")
    notify("response", inst.id, "health", ("department",), finding_id=found["FIRE-03"].id)
    browser = login(head)
    assert unread_count(head) == 2 and unread_count(other_department) == 1
    assert browser.client.post("/rectification/messages/read-all").status_code == 400      # no CSRF token
    response = browser.post("/rectification/messages/read-all", token_from="/rectification/messages")
    assert response.status_code == 303
    assert unread_count(head) == 0 and unread_count(other_department) == 1
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "2" in re.search(r'class="flash info"[^>]*>([^<]*)<', page).group(1) and _badge(page) == 0
    browser.post("/rectification/messages/read-all", token_from="/rectification/messages")   # nothing left: no error
    assert unread_count(head) == 0


def test_the_unread_count_in_the_header_costs_the_same_for_two_and_forty_messages(make, login, rect):
    inst = make.institution()
    _, found = rect.findings(inst, failed=("FIRE-03",))
    staff = make.user("institution_staff", institution_id=inst.id)
    browser = login(staff)
    notify("overdue", inst.id, "fire", ("institution",), finding_id=found["FIRE-03"].id)
    with counted() as few:
        assert _badge(browser.get("/institutions/").get_data(as_text=True)) == 2
    for _ in range(38):
        notify("overdue", inst.id, "fire", ("institution",), finding_id=found["FIRE-03"].id)
    with counted() as many:
        assert _badge(browser.get("/institutions/").get_data(as_text=True)) == 40
    assert len(many) == len(few)
