"""The one edge helper (core.web.refusal): a refused service call is rolled back, its message
said in the reader's language, each located problem put on its field or flashed after its
label; anything else goes on to the application's error handlers."""
from __future__ import annotations

from datetime import date

import pytest
from flask import get_flashed_messages
from flask_wtf import FlaskForm
from wtforms import StringField

from inspect_app.core.errors import Conflict, Invalid, NotFound, Problem, problem
from inspect_app.core.types import utcnow
from inspect_app.core.web import refusal
from inspect_app.domain.translatable import Message
from inspect_app.inspections.models import Visit


class NoteForm(FlaskForm):
    class Meta:
        csrf = False

    note = StringField("Reason")


@pytest.fixture
def page(app, db):
    with app.test_request_context("/", headers={"Accept-Language": "zh"}):
        yield


def _visits(db):
    return db.session.query(Visit).count()


def test_a_refusal_rolls_back_says_the_message_and_attaches_problems_to_fields(db, make, page):
    inst = make.institution()
    db.session.commit()
    form = NoteForm()
    with refusal(form, attach=True) as refused:
        db.session.add(Visit(institution_id=inst.id, scheduled_for=date(2026, 6, 1), created_at=utcnow()))
        db.session.flush()
        raise Invalid("Saved.", problems=[("note", "is required"), Problem("elsewhere", "is required")])
    assert refused and refused.status == 422 and _visits(db) == 0      # nothing half-written stays
    assert form.note.errors == ["必填"]                                  # on its field, translated
    assert get_flashed_messages(with_categories=True) == [("error", "已保存。"), ("error", "elsewhere: 必填")]


def test_without_attach_each_problem_is_flashed_after_its_label(db, page):
    form = NoteForm()
    with refusal(form, labels={"outcome": "决定"}) as refused:
        raise Conflict("")
    assert refused.status == 409
    with refusal(form, labels={"outcome": "决定"}):
        raise Invalid("", problems=["note: is required", ("outcome", "is required"),
                                    Message("%(n)s photos at most", n=3)])
    assert not form.note.errors
    assert get_flashed_messages() == ["Reason: 必填", "决定: 必填", "3 photos at most"]


def test_params_are_filled_in_after_translation(page):
    with refusal() as refused:
        raise Invalid("", problems=[Problem("text", "the value is published on %(day)s; enter it from that day",
                                            {"day": "2026-06-01"})])
    assert refused.problems[0].where == "text"
    assert get_flashed_messages() == ["text: 该数值于 2026-06-01 公布，请自当天起填写"]


def test_problems_may_be_left_to_the_page(page):
    with refusal(problems=False) as refused:
        raise Invalid("", problems=[("row 3", "is required")])
    assert refused.error.problems == [("row 3", "is required")] and get_flashed_messages() == []


def test_other_errors_and_uncaught_kinds_go_on_to_the_error_handlers(page):
    with pytest.raises(NotFound):
        with refusal():
            raise NotFound("The finding was not found.")
    with pytest.raises(Conflict):
        with refusal(catch=(Invalid,)):
            raise Conflict("no")
    with refusal() as refused:
        pass
    assert not refused and refused.status == 200


def test_every_shape_of_problem_reads_as_where_msgid_params():
    class Row:
        column, message, params = "beds", "cannot exceed beds", {}
    assert problem(("note", "x")) == Problem("note", "x", {})
    assert problem(("team", "at least %(n)s", {"n": 2})) == Problem("team", "at least %(n)s", {"n": 2})
    assert problem("submission_id: already used") == Problem("submission_id", "already used", {})
    assert problem("Too many photos") == Problem("", "Too many photos", {})
    assert problem(Row()) == Problem("beds", "cannot exceed beds", {})
    assert str(Problem("text", "the value is published on %(day)s", {"day": "2026-06-01"})) == (
        "text: the value is published on 2026-06-01")
    located = problem(Message("%(item)s: no answer", item="FIRE-01"))
    assert located.where == "" and located.msgid.msgid == "%(item)s: no answer"
