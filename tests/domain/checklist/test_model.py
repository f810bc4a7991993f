"""Checklist files (checklists/README.md; docs/commands.md, "checklist validate"): every schema
rule reported where it is broken, exact numbers, and lossless round trips through plain data
and YAML."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from inspect_app.domain.checklist.model import (
    Checklist, ChecklistError, Problem, checklist_to_dict, content_digest, dump_yaml,
    load_catalogue, load_checklist_file, parse_checklist, parse_checklist_yaml,
)
from tests.domain.checklist.examples import GRADING, INSPECTION, checklists, junk

REPO_CHECKLISTS = sorted((Path(__file__).parents[3] / "checklists").glob("*.yaml"))

CHECK, SCALE, MEASURE = (("sections", 0, "items", n) for n in range(3))
LEVEL_1, LEVEL_2 = ("levels", 0), ("levels", 1)
DROP = object()


def edited(base: str, *edits: tuple[tuple, object]) -> dict:
    """The base file's data with each (path, value) set, or removed when value is DROP."""
    data = yaml.safe_load(base)
    for path, value in edits:
        *parents, last = path
        target = data
        for key in parents:
            target = target[key]
        if value is DROP:
            del target[last]
        else:
            target[last] = value
    return data


def rule(name: str, edits: list, where: str, message: str, base: str = INSPECTION):
    return pytest.param(base, edits, where, message, id=name)


RULES = [
    # top level
    rule("unknown top-level field", [(("colour",), "red")], "colour", "is not a known field"),
    rule("id missing", [(("id",), DROP)], "id", "is required"),
    rule("id with capitals", [(("id",), "Fire-Safety")], "id", "must be made of lower-case"),
    rule("id with underscore", [(("id",), "fire_safety")], "id", "must be made of lower-case"),
    rule("id with trailing newline", [(("id",), "fire\n")], "id", "must be made of lower-case"),
    rule("id not a string", [(("id",), 12)], "id", "must be made of lower-case"),
    rule("version missing", [(("version",), DROP)], "version", "is required"),
    rule("version as float", [(("version",), 2026.1)], "version",
         'must be a string, not a number (found 2026.1): write it in quotes, version: "2026.1"'),
    rule("version as int", [(("version",), 2026)], "version", "must be a string, not a number"),
    rule("version empty", [(("version",), " ")], "version", "must not be empty"),
    rule("title missing", [(("title",), DROP)], "title", "is required"),
    rule("title empty", [(("title",), "")], "title", "must not be empty"),
    rule("title a number", [(("title",), 7)], "title", "must be a string (found the number 7"),
    rule("title_en empty", [(("title_en",), "")], "title_en", "must not be empty"),
    rule("title with a control character", [(("title",), "消防\x07")], "title",
         "must not contain control characters or line separators (found U+0007 at character "
         "3)"),
    rule("title with a carriage return", [(("title",), "消防\r\n检查")], "title",
         "must not contain control characters or line separators (found U+000D"),
    rule("department unknown", [(("department",), "police")], "department",
         "must be one of civil_affairs, fire, market_regulation, health, medical_insurance "
         "(found the text 'police')"),
    rule("department missing", [(("department",), DROP)], "department", "is required"),
    rule("kind unknown", [(("kind",), "audit")], "kind", "must be one of inspection, grading"),
    rule("kind missing", [(("kind",), DROP)], "kind", "is required"),
    rule("basis a string", [(("basis",), "GB 38600-2019")], "basis", "must be a list of strings"),
    rule("basis entry a number", [(("basis",), ["GB 38600-2019", 5])], "basis",
         "entry 2 must be a string"),
    rule("sections missing", [(("sections",), DROP)], "sections", "is required"),
    rule("sections empty", [(("sections",), [])], "sections",
         "must be a non-empty list of sections (found an empty list)"),
    rule("sections a mapping", [(("sections",), {"id": "a"})], "sections",
         "must be a non-empty list"),
    # sections
    rule("section not a mapping", [(("sections", 1), "management")], "section 2",
         "must be a mapping with id, title and items"),
    rule("unknown section field", [(("sections", 1, "weight"), 2)], "management",
         "weight is not a known section field"),
    rule("section id missing", [(("sections", 1, "id"), DROP)], "section 2", "id is required"),
    rule("section id duplicated", [(("sections", 1, "id"), "facilities")], "facilities",
         "id 'facilities' is already used by section 1"),
    rule("section title missing", [(("sections", 1, "title"), DROP)], "management",
         "title is required"),
    rule("section items missing", [(("sections", 1, "items"), DROP)], "management",
         "items is required"),
    rule("section items empty", [(("sections", 1, "items"), [])], "management",
         "items must be a non-empty list of items (found an empty list)"),
    # items
    rule("item not a mapping", [(CHECK, "FIRE-01")], "facilities item 1",
         "must be a mapping of item fields"),
    rule("unknown item field", [(CHECK + ("weight",), 3)], "FIRE-01",
         "weight is not a known item field"),
    rule("item id missing", [(CHECK + ("id",), DROP)], "facilities item 1", "id is required"),
    rule("item id duplicated across sections", [(("sections", 1, "items", 0, "id"), "FIRE-01")],
         "FIRE-01", "id 'FIRE-01' is already used by facilities item 1"),
    rule("item text missing", [(CHECK + ("text",), DROP)], "FIRE-01", "text is required"),
    rule("item text_en empty", [(CHECK + ("text_en",), "")], "FIRE-01",
         "text_en must not be empty"),
    rule("item type unknown", [(CHECK + ("type",), "yesno")], "FIRE-01",
         "type must be one of check, scale, measure (found the text 'yesno')"),
    rule("item type missing", [(CHECK + ("type",), DROP)], "FIRE-01", "type is required"),
    rule("points missing", [(CHECK + ("points",), DROP)], "FIRE-01", "points is required"),
    rule("points zero", [(CHECK + ("points",), 0)], "FIRE-01",
         "points must be a number greater than 0 (found the number 0)"),
    rule("points negative", [(CHECK + ("points",), -1.5)], "FIRE-01",
         "points must be a number greater than 0 (found the number -1.5)"),
    rule("points a boolean", [(CHECK + ("points",), True)], "FIRE-01",
         "points must be a number greater than 0 (found true)"),
    rule("points quoted", [(CHECK + ("points",), "10")], "FIRE-01",
         "points must be a number greater than 0 (found the text '10'; write numbers without "
         "quotes)"),
    rule("points infinite", [(CHECK + ("points",), float("inf"))], "FIRE-01",
         "points must be a number greater than 0"),
    rule("severity unknown", [(CHECK + ("severity",), "fatal")], "FIRE-01",
         "severity must be one of critical, major, minor"),
    rule("veto not a boolean", [(CHECK + ("veto",), "true")], "FIRE-01",
         "veto must be true or false (found the text 'true')"),
    rule("na not a boolean", [(CHECK + ("na",), 1)], "FIRE-01", "na must be true or false"),
    rule("evidence unknown", [(CHECK + ("evidence",), "video")], "FIRE-01",
         "evidence must be one of none, photo_on_fail, photo_always"),
    rule("deadline_days zero", [(CHECK + ("deadline_days",), 0)], "FIRE-01",
         "deadline_days must be a whole number greater than 0"),
    rule("deadline_days fractional", [(CHECK + ("deadline_days",), 7.0)], "FIRE-01",
         "deadline_days must be a whole number greater than 0 (found the number 7.0)"),
    rule("deadline_days a boolean", [(CHECK + ("deadline_days",), True)], "FIRE-01",
         "deadline_days must be a whole number greater than 0 (found true)"),
    rule("item basis a list", [(CHECK + ("basis",), ["GB 38600-2019"])], "FIRE-01",
         "basis must be a string (found a list)"),
    rule("step on a check item", [(CHECK + ("step",), 1)], "FIRE-01",
         "step is only allowed for scale items (this item's type is check)"),
    rule("pass_min on a measure item", [(MEASURE + ("pass_min",), 1)], "FIRE-03",
         "pass_min is only allowed for scale items (this item's type is measure)"),
    rule("unit on a scale item", [(SCALE + ("unit",), "分")], "FIRE-02",
         "unit is only allowed for measure items (this item's type is scale)"),
    rule("min on a check item", [(CHECK + ("min",), 1)], "FIRE-01",
         "min is only allowed for measure items"),
    rule("max on a scale item", [(SCALE + ("max",), 1)], "FIRE-02",
         "max is only allowed for measure items"),
    rule("step zero", [(SCALE + ("step",), 0)], "FIRE-02",
         "step must be a number greater than 0 (found the number 0)"),
    rule("pass_min above points", [(SCALE + ("pass_min",), 6)], "FIRE-02",
         "pass_min must be a number from 0 to 5, the item's points (found the number 6)"),
    rule("pass_min negative", [(SCALE + ("pass_min",), -1)], "FIRE-02",
         "pass_min must be a number from 0 to 5"),
    rule("measure without unit", [(MEASURE + ("unit",), DROP)], "FIRE-03",
         "unit is required for a measure item"),
    rule("measure unit empty", [(MEASURE + ("unit",), "")], "FIRE-03", "unit must not be empty"),
    rule("measure without bounds", [(MEASURE + ("min",), DROP)], "FIRE-03",
         "min or max is required for a measure item"),
    rule("measure min above max", [(MEASURE + ("max",), 1.2)], "FIRE-03",
         "min must not be greater than max (found min 1.4, max 1.2)"),
    rule("measure bound not a number", [(MEASURE + ("max",), "2m")], "FIRE-03",
         "max must be a finite number (found the text '2m')"),
    # levels
    rule("grading without levels", [], "levels", "must be given when kind is grading",
         base=GRADING.split("levels:")[0]),
    rule("inspection with levels", [(("levels",), [{"level": 1, "min_total": 0}])], "levels",
         "must not be given unless kind is grading"),
    rule("levels empty", [(("levels",), [])], "levels", "must be a non-empty list of levels",
         base=GRADING),
    rule("level not a mapping", [(LEVEL_1, 1)], "levels", "entry 1: must be a mapping",
         base=GRADING),
    rule("unknown level field", [(LEVEL_1 + ("name",), "合格")], "levels",
         "level 1: name is not a known level field", base=GRADING),
    rule("level zero", [(LEVEL_1 + ("level",), 0)], "levels",
         "entry 1: level must be a whole number from 1 to 5 (found the number 0)", base=GRADING),
    rule("level six", [(LEVEL_2 + ("level",), 6)], "levels", "entry 2: level must be a whole "
         "number from 1 to 5", base=GRADING),
    rule("level a boolean", [(LEVEL_1 + ("level",), True)], "levels",
         "entry 1: level must be a whole number from 1 to 5 (found true)", base=GRADING),
    rule("level duplicated", [(LEVEL_2 + ("level",), 1)], "levels",
         "level 1: level is defined more than once", base=GRADING),
    rule("min_total missing", [(LEVEL_1 + ("min_total",), DROP)], "levels",
         "level 1: min_total is required", base=GRADING),
    rule("min_total above the checklist max", [(LEVEL_2 + ("min_total",), 31)], "levels",
         "level 2: min_total must be a number from 0 to 30, the checklist's maximum "
         "(found the number 31)", base=GRADING),
    rule("min_total negative", [(LEVEL_1 + ("min_total",), -1)], "levels",
         "level 1: min_total must be a number from 0 to 30", base=GRADING),
    rule("min_total not rising", [(LEVEL_2 + ("min_total",), 10)], "levels",
         "level 2: min_total 10 must be greater than level 1's 10: thresholds must rise",
         base=GRADING),
    rule("min_total falling, listed high to low",
         [(("levels",), [{"level": 2, "min_total": 10}, {"level": 1, "min_total": 20}])],
         "levels", "level 2: min_total 10 must be greater than level 1's 20", base=GRADING),
    rule("min_sections not a mapping", [(LEVEL_2 + ("min_sections",), [15])], "levels",
         "level 2: min_sections must be a mapping of section id to minimum score", base=GRADING),
    rule("min_sections names no section", [(LEVEL_2 + ("min_sections", "kitchen"), 1)], "levels",
         "level 2: min_sections kitchen names no section of this checklist; section ids: "
         "facilities, management", base=GRADING),
    rule("min_sections above the section max", [(LEVEL_2 + ("min_sections", "facilities"), 21)],
         "levels", "level 2: min_sections facilities must be a number from 0 to 20, the maximum "
         "of section facilities (found the number 21)", base=GRADING),
    rule("section threshold falling", [(LEVEL_1 + ("min_sections",), {"facilities": 16})],
         "levels", "level 2: min_sections facilities 15 is lower than level 1's 16: a section "
         "threshold must not fall", base=GRADING),
    rule("section threshold dropped", [(LEVEL_1 + ("min_sections",), {"management": 5})],
         "levels", "level 2: min_sections management is not set (counts as 0), is lower than "
         "level 1's 5", base=GRADING),
]


@pytest.mark.parametrize("base, edits, where, message", RULES)
def test_each_broken_rule_is_reported_once_where_it_is_broken(base, edits, where, message):
    with pytest.raises(ChecklistError) as caught:
        parse_checklist(edited(base, *edits), "fire.yaml")
    [problem] = caught.value.problems
    assert (problem.path, problem.where) == ("fire.yaml", where)
    assert problem.message.startswith(message), problem.message


YAML_CASES = [
    pytest.param(b"", "line 1", "the file is empty", id="empty file"),
    pytest.param(b"# nothing yet\n", "line 1", "the file is empty", id="comments only"),
    pytest.param(b"- id: a\n", "line 1", "the top level must be a mapping of fields (id, "
                 "version, title, …), found a list", id="top level a list"),
    pytest.param(b"\n\nfire-safety\n", "line 3", "the top level must be a mapping of fields",
                 id="top level a scalar"),
    pytest.param(b"id: a\nbasis: [x,\ntitle: t\n", "line 4", "invalid YAML: ",
                 id="syntax error"),
    pytest.param(b"id: a\n\ttitle: t\n", "line 2", "invalid YAML", id="tab indentation"),
    pytest.param(INSPECTION.encode("gbk"), "line 3", "the file is not UTF-8 text (byte 0xd1 cannot "
                 "be decoded); save it as UTF-8", id="GBK encoded"),
    pytest.param(b"id: a\ntitle: \x07\n", "line 2", "the file contains the character U+0007",
                 id="control character"),
    pytest.param(INSPECTION.encode() + b"---\nid: b\n", "line 31", "invalid YAML: ",
                 id="two documents"),
    pytest.param(b"id: a\nversion: 2026-13-45\n", "line 2", "cannot read '2026-13-45' as "
                 "timestamp", id="impossible date"),
    pytest.param(b"id: a\npoints: !!int ''\n", "line 2", "cannot read '' as int",
                 id="explicit tag that does not fit"),
    pytest.param(b"id: a\npoints: 1" + b"0" * 5000 + b"\n", "line 2",
                 "cannot read a number of 5001 characters (at most 4000 can be read)",
                 id="huge integer"),
    pytest.param(b"id: a\n? [a, b]\n: 1\n", "line 2", "invalid YAML", id="unhashable key"),
]


@pytest.mark.parametrize("source, where, message", YAML_CASES)
def test_unreadable_yaml_is_located_by_line(source, where, message):
    with pytest.raises(ChecklistError) as caught:
        parse_checklist_yaml(source, "fire.yaml")
    [problem] = caught.value.problems
    assert problem.where == where
    assert problem.message.startswith(message), problem.message


@pytest.mark.parametrize("depth", [100, 5000])
def test_deeply_nested_yaml_is_a_problem_not_a_crash(depth):
    """Refused with one located problem, whichever YAML library version reads it: at the field
    (when the nesting is read and then refused) or at a line up to the one that nests."""
    source = INSPECTION.replace("department: fire", "department: " + "[" * depth + "]" * depth)
    nesting_line = source.splitlines().index("department: " + "[" * depth + "]" * depth) + 1
    with pytest.raises(ChecklistError) as caught:
        parse_checklist_yaml(source, "f.yaml")
    [problem] = caught.value.problems
    assert problem.where in ("department", *(f"line {n}" for n in range(1, nesting_line + 1)))
    assert problem.message and "Traceback" not in problem.message and "Error" not in problem.message


def test_duplicate_keys_are_reported_with_every_other_problem():
    twice = "        points: 10\n        points: 0\n"
    source = INSPECTION.replace("        points: 10\n", twice, 1)
    with pytest.raises(ChecklistError) as caught:
        parse_checklist_yaml(source.replace("department: fire", "department: police"), "f.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "f.yaml: line 14: duplicate key 'points': it is already given on line 13; each key may "
        "appear once",
        "f.yaml: department: must be one of civil_affairs, fire, market_regulation, health, "
        "medical_insurance (found the text 'police')",
        "f.yaml: FIRE-01: points must be a number greater than 0 (found the number 0)",
    ]


def test_every_problem_is_reported_in_file_order():
    data = edited(INSPECTION, ((CHECK + ("points",)), 0), (("sections", 1, "items", 0, "na"), 2),
                  (("version",), 2.5))
    with pytest.raises(ChecklistError) as caught:
        parse_checklist(data, "f.yaml")
    assert [p.where for p in caught.value.problems] == ["version", "FIRE-01", "FIRE-04"]
    assert str(caught.value).splitlines()[1].startswith("f.yaml: FIRE-01: points must be")


def test_problem_reads_path_where_message():
    problem = Problem("a.yaml", "FIRE-01", "points must be …")
    assert str(problem) == "a.yaml: FIRE-01: points must be …"


def test_minimal_inspection_checklist_with_defaults():
    cl = parse_checklist_yaml(INSPECTION, "fire.yaml")
    assert (cl.id, cl.version, cl.kind, cl.levels, cl.basis, cl.title_en) == \
        ("fire-safety", "2026.1", "inspection", (), (), None)
    assert [s.id for s in cl.sections] == ["facilities", "management"]
    assert [i.id for i in cl.items] == ["FIRE-01", "FIRE-02", "FIRE-03", "FIRE-04"]
    check, scale, measure, _ = cl.items
    assert (check.severity, check.veto, check.na, check.evidence, check.deadline_days) == \
        ("minor", False, True, "none", None)
    assert (check.step, check.pass_min, check.unit, check.min, check.max) == (None,) * 5
    assert (scale.step, scale.pass_min) == (1, 0)
    assert (measure.unit, measure.min, measure.max) == ("m", Fraction(7, 5), None)
    assert (cl.max, cl.sections[0].max) == (30, 20)


def test_grading_levels_are_sorted_by_level_whatever_their_order_in_the_file():
    data = edited(GRADING)
    data["levels"].reverse()
    cl = parse_checklist(data, "fire.yaml")
    assert [(lv.level, lv.min_total, lv.min_sections) for lv in cl.levels] == \
        [(1, 10, {}), (2, 20, {"facilities": 15})]


def test_null_optional_fields_are_absent():
    cl = parse_checklist(edited(INSPECTION, (("title_en",), None), (("basis",), None),
                                (CHECK + ("deadline_days",), None), (CHECK + ("step",), None)),
                         "f.yaml")
    assert cl == parse_checklist_yaml(INSPECTION, "f.yaml")


def test_decimal_numbers_are_exact_fractions():
    source = (GRADING.replace("points: 10\n", "points: 0.1\n", 1)
              .replace("points: 5\n", "points: 0.2\n", 1).replace("points: 5\n", "points: 0.4\n", 1)
              .replace("min_total: 20", "min_total: 10.7")
              .replace("{facilities: 15}", "{facilities: 0.7}"))
    cl = parse_checklist_yaml(source, "f.yaml")
    assert cl.items[0].points == Fraction(1, 10)
    assert cl.sections[0].max == Fraction(7, 10)        # in floats 0.7000000000000001
    # thresholds equal to the maxima are allowed: compared exactly, not in floating point
    assert cl.levels[1].min_total == cl.max == Fraction(107, 10)
    assert cl.levels[1].min_sections == {"facilities": Fraction(7, 10)}


def test_load_checklist_file_reports_a_missing_file(tmp_path):
    with pytest.raises(ChecklistError) as caught:
        load_checklist_file(tmp_path / "missing.yaml")
    assert str(caught.value) == f"{tmp_path / 'missing.yaml'}: file: cannot be read: No such " \
                                "file or directory"


def test_catalogue_refuses_two_files_with_the_same_id(tmp_path):
    (tmp_path / "a.yaml").write_text(INSPECTION, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(INSPECTION.replace("points: 5\n", "points: 0\n", 1),
                                     encoding="utf-8")
    (tmp_path / "c.yaml").write_text(GRADING.replace("fire-safety", "fire-grade"),
                                     encoding="utf-8")
    a, b = str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")
    with pytest.raises(ChecklistError) as caught:
        load_catalogue([a, b, tmp_path / "c.yaml"])
    assert [str(p) for p in caught.value.problems] == [
        f"{b}: FIRE-02: points must be a number greater than 0 (found the number 0)",
        f"{b}: id: 'fire-safety' is already the id of {a}; a checklist id must be unique "
        "across files",
    ]
    assert list(load_catalogue([a, tmp_path / "c.yaml"])) == ["fire-safety", "fire-grade"]


def test_dump_yaml_is_readable_and_leaves_defaults_out():
    text = dump_yaml(parse_checklist_yaml(GRADING, "f.yaml"))
    assert text.startswith("id: fire-safety\nversion: '2026.1'\ntitle: 养老机构消防安全检查表\n")
    assert "severity" not in text and "step" not in text
    assert "      - id: FIRE-03\n        text: 疏散通道净宽度\n        type: measure\n" \
           "        points: 5\n        unit: m\n        min: 1.4\n" in text


def test_digest_ignores_formatting_and_sees_every_change():
    cl = parse_checklist_yaml(GRADING, "f.yaml")
    reformatted = "# 消防\n" + GRADING.replace("type: check\n", "type: check\n        veto: false\n")
    assert content_digest(parse_checklist_yaml(reformatted, "f.yaml")) == content_digest(cl)
    changed = GRADING.replace("min_total: 20", "min_total: 20.5")
    assert content_digest(parse_checklist_yaml(changed, "f.yaml")) != content_digest(cl)
    assert len(content_digest(cl)) == 64


@given(checklists())
def test_plain_data_and_yaml_round_trips_give_an_equal_checklist(cl: Checklist):
    assert parse_checklist(checklist_to_dict(cl), "x.yaml") == cl
    assert parse_checklist(checklist_to_dict(cl, explicit=True), "x.yaml") == cl
    again = parse_checklist_yaml(dump_yaml(cl), "x.yaml")
    assert again == cl
    assert content_digest(again) == content_digest(cl)


@pytest.mark.parametrize("path", REPO_CHECKLISTS, ids=lambda p: p.name)
def test_repository_checklists_round_trip(path: Path):
    cl = load_checklist_file(path)
    assert parse_checklist_yaml(dump_yaml(cl), path) == cl


@given(junk)
def test_arbitrary_data_gives_problems_never_a_crash(data):
    with pytest.raises(ChecklistError):
        parse_checklist(data, "x.yaml")


@given(checklists(), st.data())
def test_a_valid_checklist_with_any_value_replaced_never_crashes(cl: Checklist, data):
    plain = checklist_to_dict(cl, explicit=True)
    target, key = plain, None
    while True:
        keys = list(target) if isinstance(target, dict) else list(range(len(target)))
        key = data.draw(st.sampled_from(keys))
        if not isinstance(target[key], (dict, list)) or not target[key] or data.draw(st.booleans()):
            break
        target = target[key]
    target[key] = data.draw(junk)
    try:
        parse_checklist(plain, "x.yaml")
    except ChecklistError as error:
        assert all(p.where and p.message for p in error.problems)


@given(st.text(max_size=200) | st.binary(max_size=200))
def test_arbitrary_text_gives_problems_never_a_crash(source):
    with pytest.raises(ChecklistError):
        parse_checklist_yaml(source, "x.yaml")
