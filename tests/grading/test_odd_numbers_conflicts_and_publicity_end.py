"""Odd numbers in forms, concurrent changes and the end of the 公示: refused with a message,
never a server error, never an objection on a decided record."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from inspect_app.core.errors import Conflict, NotFound
from inspect_app.core.whole_numbers import whole_number, whole_numbers
from inspect_app.grading import applications, public, records
from inspect_app.grading.models import GradeObjection, GradeSanction
from inspect_app.grading.records import local_today

ODD = ("²", "١٢", "99999999999999999999999", "-1", " 3", "3 ", "", "1e3", "0x10")


@pytest.mark.parametrize("value", ODD)
def test_only_one_to_nine_ascii_digits_are_a_whole_number(value):
    assert whole_number(value) is None


def test_whole_numbers_read_plain_digits_and_refuse_a_list_with_one_odd_value():
    assert (whole_number("0"), whole_number("007"), whole_number("999999999")) == (0, 7, 999_999_999)
    assert whole_number(12) == 12 and whole_number(True) is None and whole_number(None) is None
    assert whole_numbers(["1", "2"]) == [1, 2] and whole_numbers(["1", "²"]) is None


# Input -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("level", ["²", "99999999999999999999999", "9"])
def test_apply_with_an_odd_level_in_the_address_is_a_located_refusal(make, login, level):
    staff = make.user("institution_staff")
    response = login(staff).get(f"/grading/apply?level={level}")
    assert response.status_code == 422
    assert 'name="level"' in response.get_data(as_text=True)              # the form, at its default


def test_apply_with_a_plain_level_in_the_address_preselects_it(make, login):
    assert login(make.user("institution_staff")).get("/grading/apply?level=2").status_code == 200


@pytest.mark.parametrize("ident", ["²", "99999999999999999999999", "abc"])
def test_a_sanction_for_an_odd_institution_id_is_refused_and_saves_nothing(make, login, db, ident):
    make.institution()
    browser = login(make.user("bureau_admin"))
    response = browser.post("/grading/sanctions", {"institution_id": ident, "kind": "penalty",
                                                   "decided_on": "2026-01-01", "reference": "x"},
                            token_from="/grading/sanctions")
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(GradeSanction)) == 0


def test_the_sanction_service_reads_the_institution_id_strictly(make):
    bureau = make.user("bureau_admin")
    with pytest.raises(Exception) as refused:
        applications.add_sanction(bureau, "²", "penalty", date(2026, 1, 1), None, "x", "")
    assert refused.value.__class__.__name__ == "Invalid"
    assert ("institution_id", "choose an institution") in refused.value.problems


def test_a_sanction_form_that_fails_its_own_validation_is_not_saved(make, login, db):
    inst = make.institution()
    browser = login(make.user("bureau_admin"))
    response = browser.post("/grading/sanctions", {"institution_id": str(inst.id), "kind": "penalty",
                                                   "decided_on": "not a date", "reference": "x"},
                            token_from="/grading/sanctions")
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(GradeSanction)) == 0


def test_odd_assessor_ids_are_a_located_refusal(make, login, grading):
    application = grading.application(make.institution())
    browser = login(make.user("bureau_admin"))
    url = f"/grading/applications/{application.id}"
    response = browser.post(f"{url}/evaluation", {"on": "2030-01-01", "assessor_ids": "²"}, token_from=url)
    assert response.status_code == 422


@pytest.mark.parametrize("query", ["page=²", "page=99999999999999999999", "level=²", "job=²"])
def test_odd_query_values_on_list_pages_are_no_server_error(make, login, client, query):
    browser = login(make.user("bureau_admin"))
    for path in ("/grading/records", "/grading/applications", "/grading/regrade"):
        assert browser.get(f"{path}?{query}").status_code == 200
    assert client.get(f"/grading/public/?{query}").status_code == 200


# Concurrent changes ---------------------------------------------------------------------------

def _bump(db, table: str, ident: int) -> None:
    """Another transaction's change: the version moves behind the session's back."""
    db.session.execute(text(f"UPDATE {table} SET version = version + 1 WHERE id = :i"), {"i": ident})


def test_a_record_changed_meanwhile_is_a_conflict_not_a_server_error(make, db, grading):
    bureau = make.user("bureau_admin")
    record = grading.record(make.institution())
    _bump(db, "grade_record", record.id)
    with pytest.raises(Conflict):
        records._apply(record, "publish", bureau, values={"publicity_start": date.today()})
    db.session.rollback()


def test_a_note_on_a_record_changed_meanwhile_is_a_conflict(make, db, grading):
    bureau = make.user("bureau_admin")
    record = grading.record(make.institution())
    record.regrade_differs = True
    db.session.flush()
    before = records._snapshot(record)
    _bump(db, "grade_record", record.id)
    record.regrade_differs = False
    with pytest.raises(Conflict):
        records._note_event(record, bureau, "regrade_acknowledged", None, None, before)
    db.session.rollback()


def test_an_application_changed_meanwhile_is_a_conflict(make, db, grading):
    bureau = make.user("bureau_admin")
    application = grading.application(make.institution(), state="submitted")
    _bump(db, "grade_application", application.id)
    with pytest.raises(Conflict):
        applications.transition(application, "decline", bureau, note="材料不全")
    db.session.rollback()


def test_publishing_reads_the_record_afresh_under_lock(make, login, db, grading):
    record = grading.record(make.institution())
    _bump(db, "grade_record", record.id)
    response = login(make.user("bureau_admin")).post(f"/grading/records/{record.id}/publish", {},
                                                     token_from=f"/grading/records/{record.id}")
    assert response.status_code == 302
    db.session.refresh(record)
    assert record.state == "publicised"


# The end of the 公示 ------------------------------------------------------------------------------

OBJECTION = {"name": "李四", "contact": "13800000000", "text": "该院夜间值班人员不足，与评定不符。"}


def test_no_objection_after_the_last_day_of_the_publicity_even_before_the_sweep(make, client, db, grading):
    today = local_today()
    record = grading.publicised(make.institution(name="公示已过养老院"), today=today - timedelta(days=10))
    assert record.publicity_end == today - timedelta(days=1) and record.state == "publicised"
    url = f"/grading/public/notices/{record.id}"
    assert client.get(url).status_code == 404
    assert "公示已过养老院" not in client.get("/grading/public/notices").get_data(as_text=True)
    assert client.post(url, OBJECTION, token_from="/grading/public/notices").status_code == 404
    with pytest.raises(NotFound):
        public.lodge_objection(record.id, "李四", "139", OBJECTION["text"], "s", today)
    assert db.session.scalar(select(func.count()).select_from(GradeObjection)) == 0


def test_an_objection_on_the_last_day_is_received(make, client, db, grading):
    today = local_today()
    record = grading.publicised(make.institution(), today=today - timedelta(days=9))
    assert record.publicity_end == today
    url = f"/grading/public/notices/{record.id}"
    assert client.post(url, OBJECTION, token_from=url).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(GradeObjection)) == 1


def test_an_objection_on_a_record_confirmed_meanwhile_is_impossible(make, db, grading):
    """The form was read while the record was in 公示; the bureau confirmed it before the
    objection was written: the record is read again under lock and the objection refused."""
    today = local_today()
    record = grading.publicised(make.institution(), today=today)
    assert public.publicised_record(record.id, today).state == "publicised"        # the page, earlier
    db.session.execute(text("UPDATE grade_record SET state = 'confirmed', version = version + 1 "
                            "WHERE id = :i"), {"i": record.id})         # the bureau, meanwhile
    with pytest.raises(NotFound):
        public.lodge_objection(record.id, "李四", "139", OBJECTION["text"], "s", today)
    assert db.session.scalar(select(func.count()).select_from(GradeObjection)) == 0
