"""The later optional checklist fields (reference, veto_reason, hazard, finding_document,
points_note, levels_note) and the major-hazard catalogue as versioned data."""
from __future__ import annotations

import pytest

from inspect_app.domain.checklist.model import (ChecklistError, checklist_to_dict, content_digest,
                                          dump_yaml, parse_checklist_yaml)
from inspect_app.domain.checklist.hazards import check_hazards, check_references, load_hazard_files

TINY = '''id: tiny
version: "1"
title: 小表
department: fire
kind: inspection
sections:
  - id: s
    title: 甲
    items:
      - {id: A-1, text: 条目, type: check, points: 10, severity: critical, veto: true, basis: "某法"}
      - {id: A-2, text: 条目二, type: measure, unit: "%", min: 100, points: 5}
'''
# The digest this file had before the later fields existed (computed by the earlier code):
# a version stored then must not look changed now.
TINY_DIGEST = "3ee64220a78379881e69714993458f87c25dc2fddc7dbe4059aa8bd69bceceb9"

WITH_FIELDS = TINY.replace('basis: "某法"}', 'basis: "某法", reference: "地方评分表 #1", '
                           'veto_reason: "否决：第四条（一）", hazard: rh13-4-1, finding_document: true, '
                           'points_note: "本系统自定"}')


def test_a_version_stored_before_the_new_fields_keeps_its_digest():
    assert content_digest(parse_checklist_yaml(TINY, "x")) == TINY_DIGEST


def test_the_new_fields_are_read_written_and_change_the_digest():
    cl = parse_checklist_yaml(WITH_FIELDS, "x")
    item = cl.items[0]
    assert (item.reference, item.veto_reason, item.hazard, item.finding_document, item.points_note) == (
        "地方评分表 #1", "否决：第四条（一）", "rh13-4-1", True, "本系统自定")
    assert cl.items[1].reference is None and cl.items[1].finding_document is False
    assert parse_checklist_yaml(dump_yaml(cl), "y") == cl
    assert content_digest(cl) != TINY_DIGEST
    plain = checklist_to_dict(cl)["sections"][0]["items"]
    assert "reference" in plain[0] and "reference" not in plain[1]


@pytest.mark.parametrize("change, where, message", [
    ('hazard: rh13-4-1', "A-1", "hazard must be made of lower-case letters"),
    ('finding_document: true', "A-1", "finding_document must be true or false"),
    ('reference: "地方评分表 #1"', "A-1", "reference must be"),
])
def test_bad_values_of_the_new_fields_are_located(change, where, message):
    bad = {"hazard: rh13-4-1": "hazard: 'RH 4'", "finding_document: true": 'finding_document: "yes"',
           'reference: "地方评分表 #1"': "reference: 12"}[change]
    with pytest.raises(ChecklistError) as caught:
        parse_checklist_yaml(WITH_FIELDS.replace(change, bad), "x")
    assert [(p.where, p.message.startswith(message)) for p in caught.value.problems] == [(where, True)]


def test_a_levels_note_belongs_to_a_grading_checklist_and_unknown_fields_stay_errors():
    with pytest.raises(ChecklistError) as caught:
        parse_checklist_yaml(TINY + 'levels_note: "门槛来源"\n', "x")
    assert [p.where for p in caught.value.problems] == ["levels_note"]
    with pytest.raises(ChecklistError) as caught:
        parse_checklist_yaml(TINY.replace('basis: "某法"}', 'basis: "某法", weight: 2}'), "x")
    assert "is not a known item field" in caught.value.problems[0].message


HAZARDS = '''id: test-source
version: "1"
title: 判定标准
source: 《判定标准》（某号）
issued_by: 某部
issued_on: 2023-11-27
in_force_from: 2023-12-01
entries:
  - {id: t-1, clause: 第一条, category: 设施, text: 危房, status: confirmed, documents: [鉴定报告]}
  - {id: t-2, clause: 第二条, category: 设施, text: 特种设备, status: confirmed, reasons: [未检验, 已报废]}
'''


def test_a_hazard_catalogue_is_read_with_its_source_and_entries():
    cat, issues = check_hazards(__import__("yaml").safe_load(HAZARDS))
    assert issues == [] and cat.source == "《判定标准》（某号）" and cat.in_force_from.isoformat() == "2023-12-01"
    assert cat.get("t-1").documents == ("鉴定报告",) and cat.get("t-2").reasons == ("未检验", "已报废")


def test_hazard_catalogue_problems_are_all_located():
    import yaml
    data = yaml.safe_load(HAZARDS.replace("status: confirmed, reasons", "status: maybe, reasons")
                          .replace("source: 《判定标准》（某号）\n", "").replace("id: t-2", "id: t-1"))
    cat, issues = check_hazards(data)
    assert cat is None
    assert sorted((i.where, i.message.split(" ")[0]) for i in issues) == [
        ("source", "is"), ("t-1", "id"), ("t-1", "status")]


def test_items_must_name_a_known_entry_and_record_formal_findings(tmp_path):
    path = tmp_path / "h.yaml"
    path.write_text(HAZARDS, encoding="utf-8")
    catalogues, problems = load_hazard_files([path])
    assert problems == []
    cl = parse_checklist_yaml(WITH_FIELDS.replace("rh13-4-1", "t-1"), "x")
    assert check_references([("c.yaml", cl)], catalogues) == []
    unknown = parse_checklist_yaml(WITH_FIELDS, "x")
    assert [p.where for p in check_references([("c.yaml", unknown)], catalogues)] == ["A-1"]
    no_document = parse_checklist_yaml(WITH_FIELDS.replace("rh13-4-1", "t-1").replace(
        "finding_document: true", "finding_document: false"), "x")
    [problem] = check_references([("c.yaml", no_document)], catalogues)
    assert "formal finding" in problem.message


def test_an_entry_id_belongs_to_one_source(tmp_path):
    (tmp_path / "a.yaml").write_text(HAZARDS, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(HAZARDS.replace("id: test-source", "id: newer"), encoding="utf-8")
    _, problems = load_hazard_files(sorted(tmp_path.glob("*.yaml")))
    assert {p.where for p in problems} == {"t-1", "t-2"}
