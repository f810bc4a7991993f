"""The shipped checklists say what the regulations say (docs/regulations.md, "Major accident
hazards", "Veto decisions", "Legal basis and reference", "Star grading: levels and points"):
each decision is checked on the files the application loads."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from inspect_app.checklists.catalogue import catalogue_paths, hazard_paths, load, load_hazards
from inspect_app.domain.scoring import single as scoring
from inspect_app.domain.checklist.hazards import index
from tests.inspections.kit import all_pass

DIRECTORY = str(Path(__file__).resolve().parents[2] / "checklists")
CATALOGUE = load(DIRECTORY)
HAZARDS = index(load_hazards(DIRECTORY, CATALOGUE))
ITEMS = {item.id: (cl, item) for cl in CATALOGUE.values() for item in cl.items}
NOT_LAW = ("NMG", "地方规定", "practice", "西安")


def item(item_id):
    return ITEMS[item_id][1]


def test_the_catalogue_loads_with_its_hazard_source():
    assert [p.name for p in hazard_paths(DIRECTORY)] == ["minban-2023-13.yaml"]
    source, entry = HAZARDS["rh13-4-4"]
    assert source.source == "《养老机构重大事故隐患判定标准》（民办发〔2023〕13号）" and source.version == "2023.1"
    assert entry.reasons == ("未取得许可生产", "未经检验", "检验不合格", "国家明令淘汰", "已经报废")
    assert {h.id for _, h in HAZARDS.values() if h.confirmed} == {
        "rh13-4-1", "rh13-4-2", "rh13-4-3", "rh13-4-4", "rh13-5-1", "rh13-5-2", "rh13-5-3"}


def test_every_confirmed_situation_has_exactly_one_veto_item():
    by_hazard = {}
    for cl, it in ITEMS.values():
        if it.hazard:
            by_hazard.setdefault(it.hazard, []).append(it.id)
    confirmed = {hid for hid, (_, h) in HAZARDS.items() if h.confirmed}
    assert {hid: ids for hid, ids in by_hazard.items() if hid in confirmed} == {
        "rh13-4-1": ["SERV-36"], "rh13-4-2": ["FIRE-01"], "rh13-4-3": ["FIRE-02"], "rh13-4-4": ["EQUIP-01"],
        "rh13-5-1": ["HLTH-01"], "rh13-5-2": ["FOOD-01"], "rh13-5-3": ["EQUIP-02"]}
    assert all(item(ids[0]).veto and item(ids[0]).severity == "critical" for hid, ids in by_hazard.items()
               if hid in confirmed)


@pytest.mark.parametrize("item_id", ["FIRE-05", "FIRE-21", "FIRE-25", "SERV-13", "SERV-37"])
def test_a_situation_whose_text_was_not_found_is_not_a_veto(item_id):
    it = item(item_id)
    assert not it.veto and not HAZARDS[it.hazard][1].confirmed
    assert it.veto_reason.startswith("不作否决") and "13号" not in (it.basis or "")


@pytest.mark.parametrize("item_id", ["FIRE-11", "FOOD-12"])
def test_gas_items_are_not_the_formal_finding_of_article_4_2(item_id):
    it = item(item_id)
    assert not it.veto and it.hazard is None and "第四条（二）" not in it.basis
    assert it.veto_reason.startswith("不作否决") and "FIRE-01" in it.veto_reason


def test_every_veto_and_every_hazard_item_states_its_decision():
    for cl, it in ITEMS.values():
        if it.veto or it.hazard or "13号" in (it.basis or ""):
            assert it.veto_reason and it.veto_reason.startswith("否决" if it.veto else "不作否决"), it.id
        if "13号" in (it.basis or ""):
            assert it.hazard and HAZARDS[it.hazard][1].confirmed, it.id


def test_a_basis_names_law_only_and_the_rest_is_a_reference():
    for cl, it in ITEMS.values():
        assert not any(word in (it.basis or "") for word in NOT_LAW), it.id
    assert item("SERV-16").basis == "GB 38600-2019 4.3" and item("SERV-16").reference.startswith("NMG")
    assert item("HLTH-15").basis is None and item("HLTH-15").reference.startswith("NMG")


def test_an_accident_is_no_finding_and_items_sit_with_their_department():
    assert "FIRE-24" not in ITEMS and "FIRE-12" not in ITEMS
    assert ITEMS["EQUIP-01"][0].department == ITEMS["EQUIP-02"][0].department == "market_regulation"
    health = CATALOGUE["health-hygiene"]
    assert {"HLTH-16", "HLTH-23"}.isdisjoint(i.id for i in health.items)
    insurance = CATALOGUE["medical-insurance"]
    assert (insurance.department, insurance.kind) == ("medical_insurance", "inspection")
    assert [i.id for i in insurance.items] == ["MI-01", "MI-04", "MI-02", "MI-03"]
    assert any(not i.na for i in insurance.items)     # a visit always has something applicable


def _score(cl, **answers):
    return scoring.score(cl, {**{k: Fraction(Decimal(v)) if v[0].isdigit() else v
                                 for k, v in all_pass(cl).items()}, **answers})


def test_serv_16_passes_only_when_every_carer_was_trained():
    cl = CATALOGUE["service-safety"]
    assert "SERV-16" not in _score(cl, **{"SERV-16": Fraction(100)}).failed
    assert "SERV-16" in _score(cl, **{"SERV-16": Fraction(999, 10)}).failed
    assert "SERV-16" in _score(cl, **{"SERV-16": Fraction(90)}).failed


def test_over_capacity_fails_above_the_filed_bed_count():
    cl = CATALOGUE["service-safety"]
    assert "SERV-37" not in _score(cl, **{"SERV-37": Fraction(100)}).failed
    assert "SERV-37" in _score(cl, **{"SERV-37": Fraction(101)}).failed


def test_new_items_for_the_building_night_staffing_and_annual_report():
    building = item("SERV-36")
    assert building.finding_document and building.hazard == "rh13-4-1" and not building.na
    assert HAZARDS["rh13-4-1"][1].documents
    assert item("SERV-38").severity == "major" and "夜" in item("SERV-38").text
    assert "年度工作报告" in item("SERV-39").text and not item("SERV-39").veto
    equipment = item("EQUIP-01")
    assert equipment.veto and all(reason in equipment.text for reason in HAZARDS["rh13-4-4"][1].reasons)


def test_grading_prerequisites_are_not_points_and_the_split_holds():
    cl = CATALOGUE["star-grading"]
    assert not [i.id for i in cl.items if i.id.startswith("PRE-")]
    assert cl.max == 1000 and {s.id: s.max for s in cl.sections} == {
        "environment": 120, "facilities": 130, "operations": 150, "services": 600}
    assert {i: item(i).points for i in ("OPS-01", "OPS-05", "OPS-09", "OPS-11", "OPS-15")} == {
        "OPS-01": 10, "OPS-05": 14, "OPS-09": 14, "OPS-11": 12, "OPS-15": 8}
    assert "360" in cl.levels_note and "400" in cl.levels_note and "前置条件" in cl.points_note


def test_every_changed_file_has_a_new_version():
    assert {cl.id: cl.version for cl in CATALOGUE.values()} == {
        "fire-safety": "2026.2", "food-safety": "2026.2", "health-hygiene": "2026.2",
        "medical-insurance": "2026.1", "service-safety": "2026.2", "star-grading": "2026.2",
        "community-day-care": "2026.1", "meal-service": "2026.1", "rural-mutual-aid": "2026.1",
        "home-care-bed": "2026.1", "community-rating": "2026.1"}
    assert len(catalogue_paths(DIRECTORY)) == 11
