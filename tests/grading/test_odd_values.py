"""Grading's imports and open data against text no column or writer can hold."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.grading.test_import import csv_bytes, good_rows, problems_of, setup, visits  # noqa: F401 (setup: fixture)


@pytest.mark.parametrize("remark, char", [("记录\x00不全", "U+0000"), ("记录\x07不全", "U+0007"),
                                          ("记录\x1b不全", "U+001B")])
def test_a_control_character_in_a_remark_is_located_and_nothing_is_stored(setup, db, remark, char):
    user, application, checklist = setup
    rows = good_rows(checklist)
    rows[2] = rows[2].rstrip(",") + "," + remark               # row 4
    found = problems_of(user, application, csv_bytes(rows))
    assert [(row, "remark" in column, message) for row, column, message in found] == [
        (4, True, f"contains a control character ({char})")]
    assert visits(db, application) == 0


def test_open_data_survives_a_stored_control_character(make, client, grading):
    """Defence in depth: text stored before the edge refused it still downloads, as CSV and
    as .xlsx (whose XML cannot carry it), with the character replaced."""
    grading.confirmed(make.institution(name="旧\x01数据养老院", district="控制区"))
    body = client.get("/grading/public/grades.csv?district=控制区").get_data().decode("utf-8-sig")
    assert [r[0] for r in csv.reader(io.StringIO(body))][1:] == ["旧\ufffd数据养老院"]
    response = client.get("/grading/public/grades.xlsx?district=控制区")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[1][0] == "旧\ufffd数据养老院"
