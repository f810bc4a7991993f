"""A refused answer names the field as the form labels it, not by its code name."""
from __future__ import annotations


def test_an_empty_answer_is_refused_at_its_labelled_field(make, rect, login):
    inst = make.institution()
    _, found = rect.findings(inst, failed=("FIRE-03",))
    staff = login(make.user("institution_staff", institution_id=inst.id))
    page = f"/rectification/findings/{found['FIRE-03'].id}"
    response = staff.post(f"{page}/respond", {"text": ""}, token_from=page, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "整改措施: 必填" in html
    assert "text: " not in html
