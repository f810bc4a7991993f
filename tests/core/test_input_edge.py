"""The input edge: control characters in query strings, forms, path segments and file names
are refused with a 400 naming the parameter, before any view or database sees them."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from inspect_app.auth.models import LoginSession


@pytest.mark.parametrize("url", ["/grading/public/?district=%00", "/grading/public/grades.csv?district=%00",
                                 "/grading/public/grades.xlsx?type=a%00b", "/grading/public/?level=%01"])
def test_control_character_in_a_public_filter_is_refused_naming_it(client, url):
    response = client.get(url)
    assert response.status_code == 400
    name = url.split("?")[1].split("=")[0]
    html = response.get_data(as_text=True)
    assert f"“{name}”" in html and "U+00" in html


def test_login_with_a_nul_in_the_user_name_is_refused_not_a_crash(client, make, db):
    make.user("bureau_admin", username="bureau")
    before = db.session.scalar(select(func.count()).select_from(LoginSession))
    response = client.post("/login", {"username": "bureau\x00", "password": "whatever-pass"}, token_from="/login")
    assert response.status_code == 400
    assert "“username”" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == before


def test_message_is_chinese_by_default_and_english_on_request(client):
    assert "控制字符" in client.get("/grading/public/?district=%00").get_data(as_text=True)
    english = client.get("/grading/public/?district=%00&lang=en").get_data(as_text=True)
    assert "control character" in english


def test_tab_newline_and_carriage_return_pass(client):
    """The control: ordinary white space is text."""
    assert client.get("/grading/public/?district=a%09b%0D%0Ac").status_code == 200


def test_control_character_in_a_path_segment_is_refused(make, login):
    browser = login(make.user("bureau_admin"))
    response = browser.get("/checklists/fire%00safety")
    assert response.status_code == 400


def test_control_character_in_a_parameter_name_is_refused(client):
    assert client.get("/grading/public/?dis%00trict=x").status_code == 400


def test_control_character_in_an_uploaded_file_name_is_refused(make, login, db):
    from inspect_app.registry.models import Institution
    browser = login(make.user("bureau_admin"))
    before = db.session.scalar(select(func.count()).select_from(Institution))
    data = {"file": (io.BytesIO("机构名称\n".encode()), "inst\x00.csv")}
    response = browser.post("/institutions/import", data, token_from="/institutions/import",
                            content_type="multipart/form-data")
    assert response.status_code == 400
    assert "“file”" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Institution)) == before


def test_json_client_gets_json(client):
    response = client.get("/grading/public/?district=%00", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert "district" in response.get_json()["error"]
