"""The assessor's template: generated from the grading checklist in force (ids, sections, texts,
types, points, allowed answers, data validation), and importable as filled in, with the answer
words 合格 / 不合格 / 不适用 (or pass / fail / na)."""
from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from inspect_app.core.errors import Invalid
from inspect_app.grading.importing import import_evaluation
from inspect_app.inspections.models import Answer


@pytest.fixture
def setup(make, grading):
    return make.user("bureau_admin"), grading.application(make.institution()), grading.checklist


def _template(login, user):
    response = login(user).get("/grading/import-template.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    return load_workbook(io.BytesIO(response.data))


def test_the_template_lists_every_item_with_its_allowed_answers_and_validation(setup, login):
    user, _, checklist = setup
    wb = _template(login, user)
    ws = wb["评分表"]
    assert [c.value for c in ws[1]] == ["条目编号", "章节", "条目内容", "类型", "分值", "可填答案", "评定结果", "备注"]
    assert ws.freeze_panes == "A2"
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert list(rows) == [item.id for item in checklist.items]
    for section in checklist.sections:
        for item in section.items:
            row = rows[item.id]
            assert row[1] == section.title and row[2] == item.text and row[4] == float(item.points)
            assert row[6] is None and row[7] is None
            if item.type == "check":
                assert row[5].startswith("合格 / 不合格") and ("不适用" in row[5]) == item.na
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert lists and all("合格" in dv.formula1 for dv in lists)
    first_check = next(n for n, item in enumerate(checklist.items, start=2) if item.type == "check")
    assert any(f"G{first_check}" in str(dv.sqref) for dv in lists)
    scale_row = next(n for n, item in enumerate(checklist.items, start=2) if item.type == "scale")
    assert any(f"G{scale_row}" in str(dv.sqref) for dv in ws.data_validations.dataValidation)
    assert "star-grading" in wb["说明"]["B2"].value


def test_a_filled_template_with_chinese_answer_words_imports(setup, login, db):
    user, application, checklist = setup
    wb = _template(login, user)
    ws = wb["评分表"]
    failed = next(item.id for item in checklist.items if item.type == "check")
    na_item = next(item for item in checklist.items if item.type == "check" and item.na and item.id != failed)
    for row in ws.iter_rows(min_row=2):
        item = next(i for i in checklist.items if i.id == row[0].value)
        if item.type == "check":
            row[6].value = "不合格" if item.id == failed else ("不适用" if item.id == na_item.id else "合格")
        elif item.type == "scale":
            row[6].value = float(item.points)
        else:
            row[6].value = float(item.min if item.min is not None else item.max)
    out = io.BytesIO()
    wb.save(out)
    record = import_evaluation(user, application.id, out.getvalue(), "评分表.xlsx", date.today())
    answers = {a.item_id: a.value for a in db.session.query(Answer).filter_by(inspection_id=record.inspection_id)}
    assert answers[failed] == "fail" and answers[na_item.id] == "na"
    assert list(answers.values()).count("pass") == sum(1 for i in checklist.items if i.type == "check") - 2


@pytest.mark.parametrize("word, stored", [("合格", "pass"), ("不合格", "fail"), ("不适用", "na"),
                                          ("PASS", "pass"), ("Fail", "fail"), ("NA", "na")])
def test_answer_words_in_chinese_or_english(setup, db, word, stored):
    from tests.grading.conftest import star_answers
    user, application, checklist = setup
    answers = star_answers(checklist)
    target = next(item.id for item in checklist.items if item.type == "check" and item.na)
    answers[target] = word
    data = "\n".join(["条目编号,评定结果"] + [f"{k},{v}" for k, v in answers.items()]).encode()
    record = import_evaluation(user, application.id, data, "eval.csv", date.today())
    value = db.session.query(Answer).filter_by(inspection_id=record.inspection_id, item_id=target).one().value
    assert value == stored


def test_an_unknown_answer_word_is_located(setup):
    from tests.grading.conftest import star_answers
    user, application, checklist = setup
    answers = star_answers(checklist)
    target = next(item.id for item in checklist.items if item.type == "check")
    answers[target] = "通过"
    data = "\n".join(["条目编号,评定结果"] + [f"{k},{v}" for k, v in answers.items()]).encode()
    with pytest.raises(Invalid) as exc:
        import_evaluation(user, application.id, data, "eval.csv", date.today())
    assert [(p.row, p.column) for p in exc.value.problems] == [(list(answers).index(target) + 2, "评定结果 (answer)")]
