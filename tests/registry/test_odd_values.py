"""Values no column can hold: refused at their field or cell (located), never a 500, nothing
stored; and an export survives text that XML cannot carry."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from inspect_app.registry.models import Institution
from tests.factories import credit_code
from tests.registry.test_import_export import HEADER, row, upload
from tests.registry.test_registry import VALID


def _count(db):
    return db.session.scalar(select(func.count()).select_from(Institution))


@pytest.mark.parametrize("field, value", [("beds", "99999999999999999999"), ("beds", "2147483648"),
                                          ("beds", "١٢"), ("beds", "１００"), ("nursing_beds", "١٢")])
def test_edit_with_an_odd_bed_count_is_refused_at_its_field(make, login, db, field, value):
    inst = make.institution(name="原名养老院")
    browser = login(make.user("bureau_admin"))
    data = {**VALID, "name": "改名养老院", "credit_code": inst.credit_code, "version": str(inst.version),
            field: value}
    response = browser.post(f"/institutions/{inst.id}/edit", data, token_from="/institutions/")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(rf'<div class="field has-error">\s*<label for="{field}"', html), html
    db.session.expire_all()
    assert db.session.get(Institution, inst.id).name == "原名养老院"


def test_edit_with_the_largest_column_value_is_saved(make, login, db):
    """The control: the strict reading keeps every value the column holds."""
    inst = make.institution()
    browser = login(make.user("bureau_admin"))
    data = {**VALID, "credit_code": inst.credit_code, "version": str(inst.version),
            "beds": "2147483647", "nursing_beds": "0"}
    assert browser.post(f"/institutions/{inst.id}/edit", data, token_from="/institutions/").status_code == 302
    db.session.expire_all()
    assert db.session.get(Institution, inst.id).beds == 2147483647


@pytest.mark.parametrize("version", ["²", "١"])      # isdigit() is true for both; int("١") is 1
def test_edit_with_an_odd_version_is_stale_not_a_crash(make, login, db, version):
    inst = make.institution(name="原名养老院")
    browser = login(make.user("bureau_admin"))
    data = {**VALID, "name": "改名养老院", "credit_code": inst.credit_code, "version": version}
    response = browser.post(f"/institutions/{inst.id}/edit", data, token_from="/institutions/")
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Institution, inst.id).name == "原名养老院"


@pytest.mark.parametrize("beds", ["inf", "nan", "1e400", "-inf", "99999999999999999999", "2147483648", "１００"])
def test_import_with_an_odd_bed_count_is_located_and_changes_nothing(make, login, db, beds):
    browser = login(make.user("bureau_admin"))
    before = _count(db)
    response = upload(browser, HEADER + row("好的院", credit_code(2200)) + row("床位院", credit_code(2201), beds=beds))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<td>3</td>" in html and "床位数" in html and beds in html
    assert _count(db) == before


@pytest.mark.parametrize("text", ["院\x00名", "院\x07名", "院\x1b名"])
def test_import_with_a_control_character_in_a_text_cell_is_located(make, login, db, text):
    browser = login(make.user("bureau_admin"))
    before = _count(db)
    response = upload(browser, HEADER + row("好的院", credit_code(2300)) + row(text, credit_code(2301)))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<td>3</td>" in html and "机构名称" in html and "U+00" in html
    assert _count(db) == before


def test_import_keeps_whole_numbers_written_with_thousands_separators(make, login, db):
    """The control: the strict reading keeps the counts spreadsheets write."""
    browser = login(make.user("bureau_admin"))
    code = credit_code(2400)
    response = upload(browser, HEADER + row("千位院", code, beds='"1,200"'))
    assert response.status_code == 302
    assert db.session.scalar(select(Institution.beds).where(Institution.credit_code == code)) == 1200


def test_a_name_holding_a_nul_is_refused_and_not_stored(make, login, db):
    browser = login(make.user("bureau_admin"))
    code = credit_code(2500)
    response = browser.post("/institutions/new", {**VALID, "name": "坏名\x00养老院", "credit_code": code},
                            token_from="/institutions/new")
    assert response.status_code == 400
    assert "“name”" in response.get_data(as_text=True)
    assert db.session.scalar(select(Institution).where(Institution.credit_code == code)) is None


def test_export_survives_a_stored_control_character(make, login):
    """Defence in depth: text stored before the edge refused it still exports."""
    make.institution(name="旧\x01数据\x0b养老院", street="控制字符街道")
    browser = login(make.user("bureau_admin"))
    response = browser.get("/institutions/export.xlsx?street=控制字符街道")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[1][0] == "旧\ufffd数据\ufffd养老院"


@pytest.mark.parametrize("page", ["٢", "２"])          # int() reads both as 2
def test_a_page_number_in_other_digits_is_not_read_as_a_number(make, login, page):
    for i in range(30):
        make.institution(name=f"翻页院{i:02d}", street="数字街道")
    html = login(make.user("inspector")).get(f"/institutions/?street=数字街道&page={page}").get_data(as_text=True)
    assert "翻页院00" in html and "翻页院29" not in html            # the first page, not the second
