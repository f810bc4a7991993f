"""The blacklist triggers as data (policies/blacklist.yaml): the file in the repository parses,
each trigger cites a basis, and a broken file is refused with every problem located."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from inspect_app.domain.rectification import blacklist as rules

FILE = Path(__file__).resolve().parents[3] / "policies" / "blacklist.yaml"


def test_the_policy_file_names_each_trigger_and_its_basis():
    policy = rules.parse_policy(yaml.safe_load(FILE.read_text(encoding="utf-8")), "blacklist.yaml")
    by_code = {t.code: t for t in policy.triggers}
    assert set(by_code) == {"subsidy_fraud", "fund_fraud", "rights_violation", "no_annual_report",
                            "refused_inspection", "serious_accident", "fire_major_hazard"}
    assert by_code["subsidy_fraud"].items == ("SERV-29",) and by_code["subsidy_fraud"].veto_only
    assert by_code["fund_fraud"].items == ("MI-01",) and by_code["rights_violation"].items == ("SERV-22",)
    assert by_code["no_annual_report"].items == ("SERV-39",) and not by_code["no_annual_report"].veto_only
    assert all("失信联合惩戒对象名单管理办法" in t.basis for t in policy.triggers)
    assert policy.for_obstruction("refused_entry").code == "refused_inspection"
    assert policy.for_accident(True, "main").code == "serious_accident"
    assert policy.for_accident(True, "shared") is None and policy.for_accident(False, "main") is None


def test_a_broken_file_is_refused_with_every_problem_located():
    data = {"version": "", "colour": "red", "triggers": [
        {"code": "a", "source": "finding", "basis": "x"},                                  # no items
        {"code": "a", "source": "rumour", "basis": " ", "items": ["SERV-1"]},               # twice, bad source
        {"code": "b", "source": "finding", "basis": "x", "items": ["SERV-1"], "veto_only": "yes"},
        {"code": "c", "source": "accident", "basis": "x", "responsibility": ["most"]},
        {"code": "d", "source": "visit_obstruction", "basis": "x", "outcomes": []},
    ]}
    with pytest.raises(rules.BlacklistPolicyError) as caught:
        rules.parse_policy(data, "f")
    assert caught.value.problems == [
        "f: colour: unknown field",
        'f: version: is required (a text such as "2026.1")',
        "f: triggers #1: items: a finding trigger names its checklist items",
        "f: triggers #2: code: 'a' appears twice",
        "f: triggers #2: source: expected one of finding, accident, visit_obstruction, ladder",
        "f: triggers #2: basis: the legal provision is required",
        "f: triggers #3: veto_only: expected true or false",
        "f: triggers #4: responsibility: 'most' is not one of main, shared, none, undetermined",
        "f: triggers #5: outcomes: a visit trigger names the outcomes it reads",
        "f: item SERV-1 is read by both a and b",
    ]


@pytest.mark.parametrize("outcome, note, where", [
    ("refused_entry", "负责人拒绝入内", []),
    ("walked_out", "x", ["outcome"]),
    ("obstructed", "   ", ["note"]),
    ("obstructed", "字" * 4001, ["note"]),
    (None, None, ["outcome", "note"]),
])
def test_a_refused_visits_record_is_checked(outcome, note, where):
    assert [w for w, _ in rules.obstruction_problems(outcome, note)] == where


def test_every_finding_trigger_reads_an_item_of_the_checklists():
    checklists = Path(__file__).resolve().parents[3] / "checklists"
    items = {}
    for path in checklists.glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for section in data.get("sections", []):
            for item in section.get("items", []):
                items[item["id"]] = item
    policy = rules.parse_policy(yaml.safe_load(FILE.read_text(encoding="utf-8")), "blacklist.yaml")
    for trigger in policy.of_source(rules.FINDING):
        for item_id in trigger.items:
            assert item_id in items, item_id
            if trigger.veto_only:
                assert items[item_id].get("veto") is True, item_id
