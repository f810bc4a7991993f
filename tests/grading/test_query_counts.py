"""List pages load their related rows in a fixed number of queries (no query per row)."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from inspect_app.extensions import db as _db


@contextmanager
def counted():
    seen = []
    engine = _db.engine

    def count(*_args):
        seen.append(1)
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_public_grades_page_costs_the_same_for_two_and_six_grades(db, make, client, grading):
    for _ in range(2):
        grading.confirmed(make.institution())
    with counted() as few:
        assert client.get("/grading/public/").status_code == 200
    for _ in range(4):
        grading.confirmed(make.institution())
    with counted() as many:
        page = client.get("/grading/public/").get_data(as_text=True)
    assert page.count("★") >= 6
    assert len(many) == len(few)
