"""Open data (the public grades as CSV and XLSX, docs/open-data.md): the same values whoever
downloads them, categories as Chinese words plus stable codes, real dates, a frozen and
filterable header, a dated file name, the licence, and a page that describes it all."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from inspect_app.core.types import local_today, utcnow
from tests.rectification.conftest import RectMake

DISTRICT = "开放数据区"
QUERY = f"?district={DISTRICT}"


@pytest.fixture
def published(make, db, grading):
    """Two current grades in one district: a meal point, and a nursing home whose grade is
    suspended by an open veto finding."""
    home = make.institution(name="开放数据养老院", district=DISTRICT, type="nursing_home")
    meal = make.institution(name="=开放数据助餐点", district=DISTRICT, type="meal_point")
    grading.confirmed(home, effective_on=date(2026, 1, 5))
    grading.confirmed(meal)
    RectMake(make, db).findings(home, now=utcnow(), failed=("FIRE-01",))
    return home, meal


def _english(client):
    assert client.post("/language/en", {"next": "/grading/public/"}, token_from="/grading/public/").status_code == 302
    assert "Star grades" in client.get("/grading/public/").get_data(as_text=True)     # the pages are English now
    return client


def _csv(response):
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def _sheets(response):
    book = load_workbook(io.BytesIO(response.get_data()))
    return book, {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book.worksheets}


def test_csv_is_the_same_for_every_visitor_with_chinese_categories_and_codes(published, client, app):
    chinese = client.get("/grading/public/grades.csv" + QUERY)
    english = _english(client).get("/grading/public/grades.csv" + QUERY)
    assert chinese.status_code == english.status_code == 200
    assert english.get_data() == chinese.get_data()
    rows = _csv(chinese)
    header = rows[0]
    assert header[:4] == ["机构名称", "统一社会信用代码", "机构类型", "机构类型代码"]
    by_name = {r[0]: dict(zip(header, r)) for r in rows[1:]}
    home, meal = by_name["开放数据养老院"], by_name["'=开放数据助餐点"]         # formula-safe
    assert (home["机构类型"], home["机构类型代码"]) == ("养老机构", "nursing_home")
    assert (meal["机构类型"], meal["机构类型代码"]) == ("助餐点", "meal_point")
    assert (home["生效日期"], home["等级"]) == ("2026-01-05", "5")
    assert (home["状态"], home["状态代码"]) == ("暂停显示", "suspended") and "FIRE-01" in home["暂停原因"]
    assert "否决项" in home["暂停原因"]                                         # Chinese, not the visitor's English
    assert (meal["状态"], meal["状态代码"], meal["暂停原因"]) == ("有效", "valid", "")
    # one charset, a dated name, the licence and the description linked
    assert chinese.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert chinese.headers["Content-Disposition"] == \
        f'attachment; filename="grades-{local_today().isoformat()}.csv"'
    link = chinese.headers["Link"]
    assert 'rel="license"' in link and "creativecommons.org/licenses/by/4.0/" in link
    assert '/grading/public/grades/about>; rel="describedby"' in link


def test_xlsx_has_date_cells_a_frozen_filtered_header_and_a_readme(published, client, app):
    chinese = client.get("/grading/public/grades.xlsx" + QUERY)
    assert chinese.headers["Content-Disposition"] == \
        f'attachment; filename="grades-{local_today().isoformat()}.xlsx"'
    book, sheets = _sheets(chinese)
    data = book.worksheets[0]
    assert data.freeze_panes == "A2"
    assert data.auto_filter.ref == f"A1:{data.cell(1, data.max_column).column_letter}3"
    header = [c.value for c in data[1]]
    rows = {r[0].value: dict(zip(header, r)) for r in data.iter_rows(min_row=2)}
    home = rows["开放数据养老院"]
    for column in ("生效日期", "失效日期"):
        assert home[column].is_date and home[column].number_format == "yyyy-mm-dd"
    assert home["生效日期"].value == datetime(2026, 1, 5)
    assert home["等级"].value == 5 and home["评定总分"].data_type == "n" and home["评定总分"].value > 0
    assert home["机构类型"].value == "养老机构" and rows["'=开放数据助餐点"]["机构类型代码"].value == "meal_point"
    assert all((data.column_dimensions[c].width or 0) >= 8 for c in "ABCDEFGHIJKLMN"[:len(header)])
    # the README sheet: when, under which licence, what each column holds
    readme = dict((r[0], r[1]) for r in sheets["说明"] if r and r[0])
    assert readme["许可协议"].startswith("CC BY 4.0")
    made = datetime.fromisoformat(readme["生成时间"])
    assert abs((made - utcnow()).total_seconds()) < 120
    assert readme["筛选条件"] == f"区={DISTRICT}" and readme["行数"] == 2
    assert {"机构类型代码", "状态代码", "生效日期"} <= set(readme)
    # an English visitor downloads the same values (the made-at time aside)
    english_book, english = _sheets(_english(client).get("/grading/public/grades.xlsx" + QUERY))
    assert english[data.title] == sheets[data.title]
    strip = lambda rows: [r for r in rows if r and r[0] != "生成时间"]       # noqa: E731
    assert strip(english["说明"]) == strip(sheets["说明"])


def test_licence_is_a_setting(published, client, app, monkeypatch):
    monkeypatch.setitem(app.config, "OPEN_DATA_LICENCE", "开放数据许可 1.0")
    monkeypatch.setitem(app.config, "OPEN_DATA_LICENCE_URL", "https://data.example.gov.cn/licence")
    response = client.get("/grading/public/grades.csv" + QUERY)
    assert '<https://data.example.gov.cn/licence>; rel="license"' in response.headers["Link"]
    _book, sheets = _sheets(client.get("/grading/public/grades.xlsx" + QUERY))
    assert dict((r[0], r[1]) for r in sheets["说明"] if r and r[0])["许可协议"].startswith("开放数据许可 1.0")
    page = client.get("/grading/public/grades/about").get_data(as_text=True)
    assert "开放数据许可 1.0" in page and "https://data.example.gov.cn/licence" in page


def test_about_page_describes_columns_codes_licence_and_updates(client):
    response = client.get("/grading/public/grades/about")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for word in ("机构类型代码", "nursing_home", "养老机构", "suspended", "暂停显示", "yyyy-mm-dd",
                 "CC BY 4.0", "creativecommons.org/licenses/by/4.0/", "grades.csv", "grades.xlsx"):
        assert word in html, word
    assert '"@type": "Dataset"' in html and '"license"' in html
    assert "/grading/public/grades/about" in client.get("/grading/public/").get_data(as_text=True)


def test_a_bureau_names_its_licence_in_the_environment(monkeypatch):
    from inspect_app.config import Defaults, from_environment
    assert (Defaults.OPEN_DATA_LICENCE, Defaults.OPEN_DATA_LICENCE_URL) == \
        ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/")
    monkeypatch.setenv("CAREINSPECT_OPEN_DATA_LICENCE", "政府数据开放许可")
    monkeypatch.setenv("CAREINSPECT_OPEN_DATA_LICENCE_URL", "https://data.example.gov.cn/licence")
    values = from_environment()
    assert values["OPEN_DATA_LICENCE"] == "政府数据开放许可"
    assert values["OPEN_DATA_LICENCE_URL"] == "https://data.example.gov.cn/licence"
