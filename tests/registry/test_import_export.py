"""Importing the registry from spreadsheets: located problems, all or nothing; formula-safe export."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from inspect_app.registry.models import Institution
from tests.factories import credit_code

HEADER = "机构名称,统一社会信用代码,机构类型,区,街道,地址,床位数,护理型床位数,运营方式,状态,长护险定点\n"


def row(name, code, beds="100", itype="养老机构"):
    return f"{name},{code},{itype},示范区,东风街道,东风路1号,{beds},10,民办,运营中,否\n"


def upload(browser, text: str, filename="institutions.csv"):
    data = {"file": (io.BytesIO(text.encode("utf-8")), filename)}
    return browser.post("/institutions/import", data, token_from="/institutions/import",
                        content_type="multipart/form-data")


def count(db):
    return db.session.scalar(select(func.count()).select_from(Institution))


def test_good_file_imports_every_row(make, login, db):
    browser = login(make.user("bureau_admin"))
    before = count(db)
    response = upload(browser, HEADER + row("导入一号院", credit_code(1001)) + row("导入二号院", credit_code(1002)))
    assert response.status_code == 302
    assert count(db) == before + 2


@pytest.mark.parametrize("body, row_no, column, words", [
    (row("坏码院", "91110000600037341X"), 2, "统一社会信用代码", "校验码为"),
    (row("床位院", credit_code(1101), beds="很多"), 2, "床位数", "不是数字"),
    (row("类型院", credit_code(1102), itype="养猪场"), 2, "机构类型", "不是以下之一"),
    (row("重复一", credit_code(1103)) + row("重复二", credit_code(1103)), 4, "统一社会信用代码", "与第 3 行重复"),
])
def test_bad_row_is_located_and_nothing_changes(make, login, db, body, row_no, column, words):
    browser = login(make.user("bureau_admin"))
    before = count(db)
    good = row("好的院", credit_code(1200))
    response = upload(browser, HEADER + good + body.replace("\n", "\n", 1))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert words in html and column in html
    assert f"<td>{row_no + 1}</td>" in html or f"<td>{row_no}</td>" in html
    assert count(db) == before


def test_wrong_columns_are_reported(make, login, db):
    browser = login(make.user("bureau_admin"))
    response = upload(browser, "名字,代码\n某院,123\n")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "无法识别的列" in html and "统一社会信用代码" in html


def test_not_a_spreadsheet_is_refused(make, login):
    browser = login(make.user("bureau_admin"))
    response = upload(browser, "%PDF-1.4 not a table", filename="registry.pdf")
    assert response.status_code == 422


def test_export_round_trips_and_is_formula_safe(make, login, db):
    make.institution(name="=HYPERLINK(\"http://x\")养老院", street="导出街道")
    browser = login(make.user("bureau_admin"))
    response = browser.get("/institutions/export.xlsx?street=导出街道")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "机构名称"
    assert rows[1][0].startswith("'=")
