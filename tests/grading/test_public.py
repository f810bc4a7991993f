"""Public pages (no log-in): only confirmed current grades; formula-safe open data; objections."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from sqlalchemy import func, select

from inspect_app.grading.models import GradeObjection


def test_public_list_shows_only_confirmed_current_grades(make, client, db, grading):
    shown = make.institution(name="已确认养老院", district="东区")
    grading.confirmed(shown)
    for name, state in (("公示中养老院", "publicised"), ("已驳回养老院", "rejected"),
                        ("已撤销养老院", "revoked"), ("已过期养老院", "lapsed"), ("已替代养老院", "superseded")):
        record = grading.record(make.institution(name=name))
        record.state = state
    expired = grading.confirmed(make.institution(name="到期未清扫养老院"), effective_on=date.today() - timedelta(days=3 * 366))
    assert expired.expires_on <= date.today()
    db.session.flush()
    html = client.get("/grading/public/").get_data(as_text=True)
    assert "已确认养老院" in html
    for name in ("公示中养老院", "已驳回养老院", "已撤销养老院", "已过期养老院", "已替代养老院", "到期未清扫养老院"):
        assert name not in html
    assert "已确认养老院" not in client.get("/grading/public/?district=西区").get_data(as_text=True)
    assert "已确认养老院" not in client.get("/grading/public/?level=2").get_data(as_text=True)
    assert "已确认养老院" in client.get("/grading/public/?level=5&district=东区").get_data(as_text=True)


def test_open_data_download_is_formula_safe(make, client, grading):
    grading.confirmed(make.institution(name="=HYPERLINK(\"http://x\")养老院"))
    body = client.get("/grading/public/grades.csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "机构名称"
    names = [r[0] for r in rows[1:]]
    assert "'=HYPERLINK(\"http://x\")养老院" in names
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    from openpyxl import load_workbook
    wb = load_workbook(io.BytesIO(client.get("/grading/public/grades.xlsx").get_data()))
    values = [c.value for row in wb.active.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(v.startswith("=") for v in values)


def test_objection_form_limits_size_and_rate(make, client, db, grading):
    record = grading.publicised(make.institution(name="公示异议养老院"))
    url = f"/grading/public/notices/{record.id}"
    assert "公示异议养老院" in client.get("/grading/public/notices").get_data(as_text=True)
    short = client.post(url, {"name": "王五", "contact": "139", "text": "太短"}, token_from=url)
    assert short.status_code == 422
    long = client.post(url, {"name": "王五", "contact": "139", "text": "长" * 2001}, token_from=url)
    assert long.status_code == 422
    for n in range(5):
        ok = client.post(url, {"name": "王五", "contact": "139", "text": f"第{n}条异议：护理记录不全。"}, token_from=url)
        assert ok.status_code == 302
    again = client.post(url, {"name": "王五", "contact": "139", "text": "第六条异议：护理记录不全。"}, token_from=url)
    assert again.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(GradeObjection)
                             .where(GradeObjection.record_id == record.id)) == 5


def test_objection_to_a_record_not_in_publicity_is_not_found(make, client, grading):
    record = grading.record(make.institution())
    assert client.get(f"/grading/public/notices/{record.id}").status_code == 404


def test_script_in_an_objection_renders_inert_for_the_bureau(make, login, client, grading):
    record = grading.publicised(make.institution())
    url = f"/grading/public/notices/{record.id}"
    client.post(url, {"name": "<script>alert(1)</script>", "contact": "x", "text": "<img src=x onerror=alert(1)>异议内容"},
                token_from=url)
    html = login(make.user("bureau_admin")).get(f"/grading/records/{record.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
