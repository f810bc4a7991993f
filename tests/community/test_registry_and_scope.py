"""Home-care beds in the registry, the checklist-scope file and the types' own ratios."""
from __future__ import annotations

from datetime import date

import pytest

from inspect_app.core.errors import Invalid
from inspect_app.domain.checklist.scope import ScopeError, parse_scope, unknown_checklists
from inspect_app.domain.institution import INSTITUTION_TYPES, clean_institution
from inspect_app.domain.rectification.ladder import PolicyError, parse_policy, yearly_ratios
from inspect_app.registry import services as registry
from tests.factories import credit_code

PROVIDER = credit_code(777)
BED = {"name": "家庭照护床位 JT-0001", "credit_code": PROVIDER, "type": "家庭照护床位", "district": "示范区",
       "street": "东风街道", "address": "东风路1号3单元502室", "beds": "1", "operator_type": "private",
       "status": "operating", "bed_code": "jt-0001", "care_level": "3", "assessed_on": "2026-03-01"}


def _where(problems):
    return sorted(p.column for p in problems)


def test_a_home_care_bed_needs_its_number_level_and_assessment_date():
    clean, problems = clean_institution(BED)
    assert problems == []
    assert (clean["type"], clean["bed_code"], clean["care_level"], clean["assessed_on"]) == (
        "home_care_bed", "JT-0001", "3", date(2026, 3, 1))
    assert clean_institution({**BED, "care_level": "能力重度受损（重度失能）"})[0]["care_level"] == "3"
    _, problems = clean_institution({**BED, "bed_code": "", "care_level": "", "assessed_on": ""})
    assert _where(problems) == ["assessed_on", "bed_code", "care_level"]
    _, problems = clean_institution({**BED, "bed_code": "床位1"})
    assert _where(problems) == ["bed_code"]


def test_bed_fields_are_refused_on_any_other_type():
    _, problems = clean_institution({**BED, "type": "meal_point"})
    assert _where(problems) == ["assessed_on", "bed_code", "care_level"]
    clean, problems = clean_institution({**BED, "type": "农村幸福院", "bed_code": "", "care_level": "",
                                         "assessed_on": ""})
    assert problems == [] and clean["type"] == "rural_mutual_aid" and clean["bed_code"] is None


def test_two_beds_of_one_provider_share_its_code_but_not_their_numbers(db, make):
    admin = make.user("bureau_admin")
    home = registry.create(admin, {**BED, "type": "养老机构", "name": "建床服务机构", "bed_code": "",
                                   "care_level": "", "assessed_on": ""})
    first = registry.create(admin, BED)
    second = registry.create(admin, {**BED, "bed_code": "JT-0002", "name": "家庭照护床位 JT-0002"})
    assert home.credit_code == first.credit_code == second.credit_code == PROVIDER
    assert (first.register_code, second.register_code, home.register_code) == ("JT-0001", "JT-0002", PROVIDER)
    with pytest.raises(Invalid) as again:
        registry.create(admin, BED)
    assert [p[0] for p in again.value.problems] == ["bed_code"]
    with pytest.raises(Invalid) as twice:           # the organisation's code stays unique among organisations
        registry.create(admin, {**BED, "type": "助餐点", "name": "另一助餐点", "bed_code": "", "care_level": "",
                                "assessed_on": ""})
    assert [p[0] for p in twice.value.problems] == ["credit_code"]


def test_a_home_care_bed_is_not_on_the_public_api(db, make, client):
    bed = make.institution(type="home_care_bed", bed_code="JT-0009", care_level="2", assessed_on=date(2026, 1, 5),
                           address="东风路9号2单元101室")
    meal = make.institution(type="meal_point")
    listed = client.get("/api/v1/institutions?limit=200").get_json()["items"]
    assert meal.id in {i["id"] for i in listed} and bed.id not in {i["id"] for i in listed}
    assert client.get(f"/api/v1/institutions/{bed.id}").status_code == 404
    assert client.get(f"/public/institutions/{bed.id}").status_code == 404


def test_the_scope_file_locates_unknown_types_and_checklists():
    with pytest.raises(ScopeError) as bad:
        parse_scope({"version": "1", "checklists": {"meal-service": ["meal_point", "canteen"], "x": []},
                     "extra": 1}, "scope.yaml", INSTITUTION_TYPES)
    assert bad.value.problems == [
        "scope.yaml: extra: unknown field",
        "scope.yaml: checklists.meal-service: unknown facility type canteen "
        f"(known: {', '.join(sorted(INSTITUTION_TYPES))})",
        "scope.yaml: checklists.x: expected a non-empty list of facility types"]
    scope = parse_scope({"version": "1", "checklists": {"meal-service": ["meal_point"]}}, "s", INSTITUTION_TYPES)
    assert scope.applies("meal-service", "meal_point") and not scope.applies("meal-service", "nursing_home")
    assert scope.applies("fire-safety", "home_care_bed")          # not named: used at every type
    assert unknown_checklists(scope, ["fire-safety"], "s") == ["s: checklists.meal-service: no checklist has this id"]


def _policy(sampling):
    base = {"version": "1", "deadline_days": {"critical": 3, "major": 10, "minor": 30},
            "ladder": [{"code": "overdue", "kind": "escalation", "offset_days": 0}], "reply": {"window_days": 5},
            "extension": {"max_count": 1, "max_ratio_of_original": 1.0}}
    return parse_policy({**base, "sampling_ratios": sampling})


def test_sampling_ratios_by_type_are_checked_and_chosen_for_a_plan():
    policy = _policy({"default": {"high": "0.3", "low": "0.01"},
                      "by_type": {"meal_point": {"high": "0.5", "low": "0.05"},
                                  "day_care": {"high": "0.5", "low": "0.05"}}})
    assert yearly_ratios(policy, ["meal_point", "day_care"]) == {"high": "0.5", "low": "0.05"}
    assert yearly_ratios(policy, ["meal_point", "nursing_home"]) == {"high": "0.3", "low": "0.01"}
    assert yearly_ratios(policy, []) == {"high": "0.3", "low": "0.01"}
    with pytest.raises(PolicyError) as bad:
        _policy({"default": {"high": "1.5", "severe": "0.1"}, "by_type": {"meal_point": []}})
    assert sorted(p.where for p in bad.value.problems) == [
        "sampling_ratios.by_type.meal_point", "sampling_ratios.default.high", "sampling_ratios.default.severe"]


def test_the_catalogue_shows_where_each_checklist_is_used(db, make, login):
    browser = login(make.user("bureau_admin"))
    page = browser.get("/checklists/meal-service").get_data(as_text=True)
    assert "适用设施" in page and "助餐点" in page and "民发〔2023〕58号" in page and "全文未核实" in page
    index = browser.get("/checklists/").get_data(as_text=True)
    assert "家庭照护床位上门核查表" in index and "农村幸福院" in index


def test_the_plan_form_for_home_care_beds_proposes_their_ratios_and_civil_affairs_only(db, make, login):
    browser = login(make.user("bureau_admin"))
    page = browser.get("/planning/plans/new?type=home_care_bed").get_data(as_text=True)
    assert 'name="ratio_medium" type="text" value="0.05"' in page and 'name="ratio_high" type="text" value="0.3"' in page
    assert 'name="institution_types" type="checkbox" value="home_care_bed" checked' in page
    assert 'name="departments" type="checkbox" value="civil_affairs" checked' in page
    assert 'name="departments" type="checkbox" value="fire" >' in page
