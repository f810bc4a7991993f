"""The assessor's spreadsheet: refused with located problems, all or nothing; .xlsx and .csv."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from inspect_app.core.errors import Invalid
from inspect_app.grading.importing import import_evaluation
from inspect_app.inspections.models import Visit
from tests.grading.conftest import star_answers


def csv_bytes(rows, header="item,answer,remark") -> bytes:
    return "\n".join([header] + rows).encode("utf-8")


@pytest.fixture
def setup(make, grading):
    inst = make.institution()
    return make.user("bureau_admin"), grading.application(inst), grading.checklist


def good_rows(checklist):
    return [f"{k},{v}," for k, v in star_answers(checklist).items()]


def problems_of(user, application, data, name="eval.csv"):
    with pytest.raises(Invalid) as exc:
        import_evaluation(user, application.id, data, name, __import__("datetime").date.today())
    return [(p.row, p.column, p.message) for p in exc.value.problems]


def visits(db, application) -> int:
    return db.session.scalar(select(func.count()).select_from(Visit).where(
        Visit.source == f"application:{application.id}"))


def test_wrong_column_is_located_in_the_header(setup, db):
    user, application, checklist = setup
    found = problems_of(user, application, csv_bytes(good_rows(checklist), "item,answer,colour"))
    assert found == [(1, "colour", found[0][2])] and "unknown column" in found[0][2]
    found = problems_of(user, application, csv_bytes(["ENV-01"], "item"))
    assert found == [(1, "评定结果 (answer)", "required column is missing")]
    assert visits(db, application) == 0


def test_unknown_item_bad_answer_and_duplicate_are_located_by_row(setup, db):
    user, application, checklist = setup
    rows = good_rows(checklist)
    rows[0] = "ENV-01,maybe,"               # row 2
    rows[1] = "XX-99,pass,"                 # row 3: unknown (and ENV-02 then missing)
    rows.append("ENV-03,pass,")             # duplicate of row 4
    found = problems_of(user, application, csv_bytes(rows))
    assert (2, "评定结果 (answer)", 'ENV-01: expected "pass", "fail" or "na", got "maybe"') in found
    assert any(p[0] == 3 and "XX-99: unknown item" in p[2] for p in found)
    assert (len(rows) + 1, "条目编号 (item)", "ENV-03: answered twice (first on row 4)") in found
    assert (0, "file", "items not answered: ENV-02") in found
    assert visits(db, application) == 0


def test_scale_answer_out_of_range_and_na_not_allowed(setup):
    user, application, checklist = setup
    answers = star_answers(checklist)
    scale = next(i for i in checklist.items if i.type == "scale")
    no_na = next(i for i in checklist.items if not i.na)
    answers[scale.id], answers[no_na.id] = "999", "na"
    found = problems_of(user, application, csv_bytes([f"{k},{v}," for k, v in answers.items()]))
    messages = [p[2] for p in found]
    assert any(m.startswith(f"{scale.id}: 999 is outside") for m in messages)
    assert f'{no_na.id}: "na" is not allowed for this item' in messages


@pytest.mark.parametrize("data, name, expected", [
    (b"item,answer,remark\n", "eval.csv", (2, "file", "the file has no rows")),
    (b"item,answer\n,,\n", "eval.csv", (2, "file", "the file has no rows")),
    (b"whatever", "eval.pdf", (0, "file", "'eval.pdf' is neither .xlsx nor .csv")),
])
def test_empty_or_foreign_files_are_refused(setup, db, data, name, expected):
    user, application, _ = setup
    assert problems_of(user, application, data, name)[0] == expected
    assert visits(db, application) == 0


def test_good_xlsx_becomes_a_visit_an_inspection_and_an_evaluated_record(setup, db):
    from openpyxl import Workbook
    user, application, checklist = setup
    wb = Workbook()
    ws = wb.active
    ws.append(["条目编号", "评定结果", "备注"])
    answers = star_answers(checklist, fail=["ENV-02"])
    for k, v in answers.items():
        ws.append([k, float(v) if v not in ("pass", "fail", "na") else v, "现场核查" if k == "ENV-02" else None])
    out = io.BytesIO()
    wb.save(out)
    record = import_evaluation(user, application.id, out.getvalue(), "评定.xlsx",
                               __import__("datetime").date.today())
    inspection = record.inspection
    assert inspection.source == "assessor_import" and inspection.status == "submitted"
    assert inspection.visit.kind == "grading" and inspection.visit.source == f"application:{application.id}"
    assert len(inspection.answers) == len(checklist.items)
    assert {a.item_id: a.remark for a in inspection.answers}["ENV-02"] == "现场核查"
    assert record.state == "evaluated" and record.explanation["failed"] == ["ENV-02"]
    assert application.state == "evaluated"
    with pytest.raises(Exception):                   # evaluated already: a second import is refused
        import_evaluation(user, application.id, out.getvalue(), "again.xlsx", __import__("datetime").date.today())


def test_a_negative_length_is_refused_and_located_by_row(setup, db):
    """ENV-09 is measured in metres: -2.6 is a typing error, not a measurement."""
    user, application, checklist = setup
    rows = good_rows(checklist)
    row = next(n for n, r in enumerate(rows) if r.startswith("ENV-09,"))
    rows[row] = "ENV-09,-2.6,"
    found = problems_of(user, application, csv_bytes(rows))
    assert found == [(row + 2, "评定结果 (answer)", "ENV-09: -2.6 m is negative; a length cannot be below zero")]
    assert visits(db, application) == 0
