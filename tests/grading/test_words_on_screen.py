"""Grading pages speak the reader's language: import problems, objection problems and the
link a role is shown (docs/architecture.md, "Words on the screen")."""
from __future__ import annotations

import io
import re
from html import unescape

from tests.grading.conftest import star_answers


def _import(browser, application, rows: list[str]):
    data = "\n".join(["item,answer,remark"] + rows).encode("utf-8")
    return browser.post(f"/grading/applications/{application.id}/import",
                        data={"file": (io.BytesIO(data), "eval.csv")},
                        token_from=f"/grading/applications/{application.id}/import",
                        content_type="multipart/form-data")


def test_assessor_import_problems_read_in_chinese(make, login, grading):
    bureau = make.user("bureau_admin")
    application = grading.application(make.institution())
    answers = star_answers(grading.checklist)
    check = next(i for i in grading.checklist.items if i.type == "check")
    scale = next(i for i in grading.checklist.items if i.type == "scale" and i.step not in (None, 1))
    answers[check.id], answers[scale.id] = "好", "1"
    response = _import(login(bureau), application, [f"{k},{v}," for k, v in answers.items()])
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert f'{check.id}：应为“pass”（合格）、“fail”（不合格）或“na”（不适用），实际为 "好"' in html
    assert "不是步长" in html
    assert 'expected "pass"' not in html and "is not a multiple of the step" not in html


def test_objection_problems_name_the_fields_by_their_labels(make, client, grading):
    record = grading.publicised(make.institution())
    url = f"/grading/public/notices/{record.id}"
    response = client.post(url, data={"name": "", "contact": "", "text": "太短"}, token_from=url)
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "您的姓名: 必填，最多 60 个字符" in html or re.search(r"姓名[^<]*: 必填，最多 60 个字符", html)
    assert "name: required" not in html and "text:" not in html


def test_a_department_admin_is_not_shown_links_to_another_departments_visit(make, login, grading):
    application = grading.application(make.institution())
    inspection = grading.inspection(application.institution, application=application)
    bureau = login(make.user("bureau_admin")).get(f"/grading/applications/{application.id}").get_data(as_text=True)
    assert f"/inspections/visits/{inspection.visit_id}" in bureau
    fire = login(make.user("department_admin", department="fire")).get(f"/grading/applications/{application.id}")
    html = fire.get_data(as_text=True)
    assert fire.status_code == 200
    assert f"/inspections/visits/{inspection.visit_id}" not in html
    assert f"/inspections/{inspection.id}/record" not in html
