"""The public complaint form and the lookup: CSRF, the rate limit per client address, the case
number and lookup code shown once, and nothing leaked — no other case, no personal data,
and a wrong code answered exactly as an unknown number."""
from __future__ import annotations

import re

from sqlalchemy import select

from inspect_app.complaints import services
from inspect_app.complaints.models import ComplaintCase
from tests.complaints.conftest import take_in


def _form(client, institution, **values):
    page = client.get("/public/complaints/new").get_data(as_text=True)
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page).group(1)
    data = {"submission_key": key, "institution_id": str(institution.id), "category": "food_safety",
            "kind": "claim", "summary": "饭菜变质", "details": "午饭有异味", "complainant_name": "钱某",
            "complainant_phone": "13700000000"}
    data.update(values)
    return data


def _numbers(html: str) -> tuple[str, str]:
    number = re.search(r"data-case-number>([^<]+)<", html).group(1)
    token = re.search(r"data-lookup-code>([^<]+)<", html).group(1)
    return number, token


def test_the_public_form_takes_a_case_in_and_gives_its_number_and_code_once(db, make, client):
    home = make.institution()
    response = client.post("/public/complaints/new", _form(client, home), token_from="/public/complaints/new")
    assert response.status_code == 201
    number, token = _numbers(response.get_data(as_text=True))
    case = db.session.scalar(select(ComplaintCase).where(ComplaintCase.number == number))
    assert (case.channel, case.department, case.created_by_id) == ("online", "market_regulation", None)
    assert case.complainant_name == "钱某" and token not in (case.lookup_digest or "")
    page = client.post("/public/complaints/lookup", {"number": number, "token": token},
                       token_from="/public/complaints/lookup")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-state="received"' in html and number in html
    for private in ("钱某", "13700000000", "午饭有异味", home.name):
        assert private not in html


def test_an_anonymous_public_case_has_no_contact_data(db, make, client):
    home = make.institution()
    data = _form(client, home, anonymous="y", complainant_name="", complainant_phone="")
    response = client.post("/public/complaints/new", data, token_from="/public/complaints/new")
    assert response.status_code == 201
    number, _ = _numbers(response.get_data(as_text=True))
    case = db.session.scalar(select(ComplaintCase).where(ComplaintCase.number == number))
    assert case.anonymous and case.complainant_name is None and case.complainant_phone is None
    refused = client.post("/public/complaints/new", _form(client, home, anonymous="y"),
                          token_from="/public/complaints/new")
    assert refused.status_code == 422                     # anonymous with a name: refused, located


def test_the_public_form_refuses_a_post_without_csrf_token(db, make, app):
    home = make.institution()
    raw = app.test_client()
    response = raw.post("/public/complaints/new", data={"institution_id": str(home.id), "summary": "x",
                                                        "submission_key": "k" * 24})
    assert response.status_code == 400
    assert db.session.scalar(select(ComplaintCase).where(ComplaintCase.institution_id == home.id)) is None


def test_the_lookup_leaks_nothing_about_other_cases(db, make, client):
    bureau = make.user("bureau_admin")
    mine = take_in(bureau, make.institution())
    theirs = take_in(bureau, make.institution(), summary="别人的投诉", complainant_name="孙某")
    token_from = "/public/complaints/lookup"

    def look(number, token):
        r = client.post("/public/complaints/lookup", {"number": number, "token": token}, token_from=token_from)
        html = re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", r.get_data(as_text=True))
        return r.status_code, re.sub(r'name="csrf-token" content="[^"]+"', "", html)     # signed with the time

    good = look(mine.case.number, mine.token)
    assert good[0] == 200 and mine.case.number in good[1]
    wrong_code = look(theirs.case.number, mine.token)           # a real number with another case's code
    unknown = look("TS2026-999999", mine.token)
    assert wrong_code[0] == unknown[0] == 404
    assert "data-case>" not in wrong_code[1] and "别人的投诉" not in wrong_code[1] and "孙某" not in wrong_code[1]
    assert mine.token not in wrong_code[1]                      # the code typed is not written back
    strip = lambda html: html.replace(theirs.case.number, "").replace("TS2026-999999", "")   # noqa: E731
    assert strip(wrong_code[1]) == strip(unknown[1])            # the same answer: the number tells nothing
    assert look(mine.case.number, "")[0] == 404
    # a number in the address does nothing
    shown = client.get(f"{token_from}?number={theirs.case.number}&token={mine.token}").get_data(as_text=True)
    assert "data-case>" not in shown and "data-state=" not in shown
    assert services.lookup(mine.case.number.lower(), mine.token).id == mine.case.id


def test_the_public_form_and_the_lookup_are_rate_limited_per_address(db, make, app):
    home = make.institution()
    app.config["COMPLAINT_FORM_RATE_LIMIT"] = "2 per minute"
    app.config["COMPLAINT_LOOKUP_RATE_LIMIT"] = "3 per minute"
    try:
        client = app.test_client()
        env = {"REMOTE_ADDR": "192.0.2.41"}

        def token():
            html = client.get("/public/complaints/new", environ_base=env).get_data(as_text=True)
            return (re.search(r'name="csrf-token" content="([^"]+)"', html).group(1),
                    re.search(r'name="submission_key" type="hidden" value="([^"]+)"', html).group(1))

        statuses = []
        for _ in range(3):
            csrf, key = token()
            statuses.append(client.post("/public/complaints/new", environ_base=env, data={
                "csrf_token": csrf, "submission_key": key, "institution_id": str(home.id), "category": "fees",
                "kind": "claim", "summary": "乱收费", "anonymous": "y"}).status_code)
        assert statuses == [201, 201, 429]
        assert client.get("/public/complaints/new", environ_base=env).status_code == 200    # reading is not counted
        csrf, key = token()
        lookups = [client.post("/public/complaints/lookup", environ_base=env,
                               data={"csrf_token": csrf, "number": "TS2026-000001", "token": "x"}).status_code
                   for _ in range(4)]
        assert lookups == [404, 404, 404, 429]
        other = client.post("/public/complaints/new", environ_base={"REMOTE_ADDR": "192.0.2.42"}, data={
            "csrf_token": csrf, "submission_key": key, "institution_id": str(home.id), "category": "fees",
            "kind": "claim", "summary": "乱收费", "anonymous": "y"})
        assert other.status_code != 429                                                     # counted per address
    finally:
        app.config["COMPLAINT_FORM_RATE_LIMIT"] = "100000 per minute"
        app.config["COMPLAINT_LOOKUP_RATE_LIMIT"] = "100000 per minute"
