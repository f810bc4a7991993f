"""Accidents are records of their own (docs/regulations.md, "Accidents"): entered by the bureau
or a department from their source document, never rectified; a serious one bars grading."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from inspect_app.core.errors import Invalid
from inspect_app.domain import accidents as rules
from inspect_app.domain.grading.eligibility import ACCIDENT
from inspect_app.grading.applications import sanctions_of
from inspect_app.rectification import accidents
from inspect_app.rectification.accidents import Accident

TODAY = date(2026, 12, 4)


def _values(institution, **change):
    return {"institution_id": institution.id, "occurred_on": date(2026, 3, 2), "kind": "fall", "deaths": 0,
            "injuries": 2, "serious_injuries": 1, "responsibility": "main", "source_type": "investigation_report",
            "source_reference": "某民调〔2026〕4号", "source_issuer": "某区民政局", "source_issued_on": date(2026, 4, 1),
            "summary": "夜间跌倒", **change}


@pytest.mark.parametrize("facts, serious", [
    (rules.AccidentFacts(TODAY, "fall", 0, 1, "main"), True),
    (rules.AccidentFacts(TODAY, "fire", 1, 0, "undetermined"), True),
    (rules.AccidentFacts(TODAY, "abuse", 0, 0, "shared"), True),
    (rules.AccidentFacts(TODAY, "fall", 0, 0, "main"), False),          # a minor injury only
    (rules.AccidentFacts(TODAY, "fire", 2, 0, "none"), False),          # cleared of responsibility
])
def test_what_makes_an_accident_serious(facts, serious):
    assert rules.is_serious(facts) is serious


def test_a_bad_record_is_refused_with_every_field_located(make, db):
    inst = make.institution()
    with pytest.raises(Invalid) as caught:
        accidents.record(make.user("department_admin", department="fire"),
                         _values(inst, occurred_on=date(2027, 1, 1), kind="meteor", serious_injuries=3,
                                 source_reference=" ", source_issued_on=date(2026, 1, 1)), TODAY)
    assert [w for w, _ in caught.value.problems] == ["occurred_on", "kind", "serious_injuries", "source_reference",
                                                      "source_issued_on"]
    assert db.session.scalar(select(func.count()).select_from(Accident)) == 0


def test_a_department_records_an_accident_and_a_serious_one_bars_grading(make, db):
    inst = make.institution()
    minor = accidents.record(make.user("bureau_admin"), _values(inst, serious_injuries=0), TODAY)
    assert not minor.serious and sanctions_of(inst.id) == []
    serious = accidents.record(make.user("department_admin", department="fire"), _values(inst), TODAY)
    assert serious.serious and serious.department == "fire"
    [sanction] = sanctions_of(inst.id)
    assert (sanction.kind, sanction.decided_on) == (ACCIDENT, date(2026, 3, 2))
    assert "某民调〔2026〕4号" in sanction.reference


def test_the_accidents_page_records_for_departments_and_shows_in_chinese(make, login, db):
    inst = make.institution(name="事故养老院")
    browser = login(make.user("department_admin", department="health"))
    page = browser.get("/rectification/accidents").get_data(as_text=True)
    assert "录入安全事故" in page
    form = {**_values(inst), "occurred_on": "2026-03-02", "source_issued_on": "2026-04-01"}
    form = {k: str(v) for k, v in form.items()}
    response = browser.post("/rectification/accidents", form, token_from="/rectification/accidents")
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    listing = browser.get("/rectification/accidents").get_data(as_text=True)
    assert "事故养老院" in listing and "跌倒" in listing and "某民调〔2026〕4号" in listing
    bad = browser.post("/rectification/accidents", {**form, "deaths": "x"}, token_from="/rectification/accidents")
    assert bad.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Accident)) == 1
