"""Checklists as Excel workbooks: a lossless round trip, and every problem in an edited
workbook located by sheet, row and column."""
from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings

from inspect_app.checklists.excel import checklist_from_xlsx, checklist_to_xlsx
from inspect_app.domain.checklist.model import (Checklist, ChecklistError, load_checklist_file,
                                          parse_checklist_yaml)
from tests.domain.checklist.examples import GRADING, INSPECTION, checklists

REPO_CHECKLISTS = sorted((Path(__file__).parents[2] / "checklists").glob("*.yaml"))


def workbook_bytes(cl: Checklist) -> bytes:
    stream = io.BytesIO()
    checklist_to_xlsx(cl, stream)
    return stream.getvalue()


def round_trip(cl: Checklist) -> Checklist:
    return checklist_from_xlsx(io.BytesIO(workbook_bytes(cl)), "fire.xlsx")


def edited_workbook(edit, source: str = GRADING) -> io.BytesIO:
    """The example checklist as a workbook, changed by ``edit(workbook)``."""
    workbook = openpyxl.load_workbook(io.BytesIO(workbook_bytes(parse_checklist_yaml(source, "x"))))
    edit(workbook)
    stream = io.BytesIO()
    workbook.save(stream)
    stream.seek(0)
    return stream


def problems_of(edit, source: str = GRADING) -> list[str]:
    with pytest.raises(ChecklistError) as caught:
        checklist_from_xlsx(edited_workbook(edit, source), "fire.xlsx")
    return [str(p) for p in caught.value.problems]


def setting(sheet: str, cell: str, value):
    def edit(workbook):
        workbook[sheet][cell].value = value
    return edit


@given(checklists())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_checklist_survives_the_round_trip(cl: Checklist):
    assert round_trip(cl) == cl


def test_section_ids_with_spaces_keep_their_thresholds():
    """A section id may begin or end with a space; its threshold column on the levels sheet
    names that section, not the one without the space (nor two columns one name)."""
    cl = parse_checklist_yaml(GRADING, "x")
    first, second = cl.sections[0].id, cl.sections[1].id
    renamed = {first: first + " ", second: " " + first}
    sections = tuple(dataclasses.replace(s, id=renamed[s.id]) for s in cl.sections)
    levels = tuple(dataclasses.replace(level, min_sections={renamed[k]: v for k, v in level.min_sections.items()})
                   for level in cl.levels)
    spaced = dataclasses.replace(cl, sections=sections, levels=levels)
    assert any(level.min_sections for level in spaced.levels)
    assert round_trip(spaced) == spaced


@pytest.mark.parametrize("source", [INSPECTION, GRADING], ids=["inspection", "grading"])
def test_example_checklists_survive_the_round_trip(source):
    cl = parse_checklist_yaml(source, "fire.yaml")
    assert round_trip(cl) == cl


@pytest.mark.parametrize("path", REPO_CHECKLISTS, ids=lambda p: p.name)
def test_repository_checklists_survive_the_round_trip(path: Path):
    cl = load_checklist_file(path)
    assert round_trip(cl) == cl


def test_layout_regulators_edit():
    content = workbook_bytes(parse_checklist_yaml(GRADING, "x"))
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["checklist", "items", "levels"]
    rows = [row[:2] for row in workbook["checklist"].iter_rows(values_only=True)]
    assert rows == [("field", "value"), ("id", "fire-safety"), ("version", "2026.1"),
                    ("title", "养老机构消防安全检查表"), ("title_en", None), ("department", "fire"),
                    ("kind", "grading"), ("levels_note", None), ("points_note", None),
                    ("levels_note_en", None), ("points_note_en", None), ("basis", None)]
    items = list(workbook["items"].iter_rows(values_only=True))
    assert items[0][:8] == ("section", "section_title", "section_title_en", "id", "text",
                            "text_en", "type", "points")
    assert items[2][:8] + items[2][14:16] == ("facilities", "消防设施", None, "FIRE-02", "灭火器压力正常",
                                              None, "scale", 5, 1, 0)
    assert list(workbook["levels"].iter_rows(values_only=True)) == [
        ("level", "min_total", "min_sections.facilities", "min_sections.management"),
        (1, 10, None, None), (2, 20, 15, None)]


def test_text_that_looks_like_a_formula_stays_text():
    cl = parse_checklist_yaml(INSPECTION.replace("text: 已明确消防安全责任人", "text: '=1+1'"), "x")
    assert round_trip(cl).items[3].text == "=1+1"


def test_chinese_headers_and_blank_section_cells_are_understood():
    def edit(workbook):
        sheet = workbook["items"]
        sheet["H1"].value, sheet["D1"].value = "分值", "编号"
        sheet["A3"].value = sheet["B3"].value = None      # same section as the row above
    cl = checklist_from_xlsx(edited_workbook(edit), "fire.xlsx")
    assert cl == parse_checklist_yaml(GRADING, "x")


EDITS = [
    pytest.param(setting("items", "H2", 0), ["fire.xlsx: sheet items, row 2, column H: points must "
                 "be a number greater than 0 (found the number 0)"], id="points zero"),
    pytest.param(setting("items", "H2", "10"), ["fire.xlsx: sheet items, row 2, column H: points "
                 "must be a number greater than 0 (found the text '10'; write numbers without "
                 "quotes)"], id="points typed as text"),
    pytest.param(setting("items", "G3", "yesno"), ["fire.xlsx: sheet items, row 3, column G: type "
                 "must be one of check, scale, measure (found the text 'yesno')"], id="bad type"),
    pytest.param(setting("items", "O2", 1), ["fire.xlsx: sheet items, row 2, column O: step is "
                 "only allowed for scale items (this item's type is check)"], id="step on check"),
    pytest.param(setting("items", "D5", "FIRE-01"), ["fire.xlsx: sheet items, row 5, column D: id "
                 "'FIRE-01' is already used by facilities item 1; item ids must be unique within "
                 "the file"], id="duplicate item id"),
    pytest.param(setting("items", "E4", None), ["fire.xlsx: sheet items, row 4, column E: text is "
                 "required"], id="blank text"),
    pytest.param(setting("items", "B3", "消防"), ["fire.xlsx: sheet items, row 3, column B: "
                 "section_title the text '消防' differs from the text '消防设施' given above for the "
                 "same section"], id="section title differs"),
    pytest.param(setting("items", "A3", "management"), [
        "fire.xlsx: sheet items, row 4, column A: the rows of section 'facilities' must be "
        "together (it also has rows further up)",
        "fire.xlsx: sheet items, row 5, column A: the rows of section 'management' must be "
        "together (it also has rows further up)",
        "fire.xlsx: sheet items, row 5, column B: section_title the text '消防管理' differs from "
        "the text '消防设施' given above for the same section"], id="section split"),
    pytest.param(setting("items", "T1", "weight"), ["fire.xlsx: sheet items, row 1, column T: "
                 "unknown column 'weight'; the columns are section, section_title, "
                 "section_title_en, id, text, text_en, type, points, severity, veto, na, evidence, "
                 "deadline_days, basis, step, pass_min, unit, min, max, reference, veto_reason, hazard, "
                 "finding_document, points_note, reference_en, veto_reason_en, points_note_en"], id="unknown column"),
    pytest.param(setting("checklist", "B6", "police"), ["fire.xlsx: sheet checklist, row 6, column "
                 "B: department must be one of civil_affairs, fire, market_regulation, health, "
                 "medical_insurance (found the text 'police')"], id="bad department"),
    pytest.param(setting("checklist", "B4", None), ["fire.xlsx: sheet checklist, row 4, column B: "
                 "title is required"], id="blank title"),
    pytest.param(setting("checklist", "A4", None), [
        "fire.xlsx: sheet checklist, row 4, column A: the field name is missing; write one of id, "
        "version, title, title_en, department, kind, basis, levels_note, points_note, levels_note_en, points_note_en",
        "fire.xlsx: sheet checklist, row 13, column A: title is required"], id="field name erased"),
    pytest.param(setting("checklist", "A9", "colour"), ["fire.xlsx: sheet checklist, row 9, column "
                 "A: unknown field 'colour'; the fields are id, version, title, title_en, "
                 "department, kind, basis, levels_note, points_note, levels_note_en, points_note_en"], id="unknown field"),
    pytest.param(setting("checklist", "A9", "kind"), ["fire.xlsx: sheet checklist, row 9, column "
                 "A: kind is given twice (first on row 7)"], id="field given twice"),
    pytest.param(setting("checklist", "B3", 2026.1), ["fire.xlsx: sheet checklist, row 3, column "
                 'B: version must be a string, not a number (found 2026.1): write it in quotes, '
                 'version: "2026.1"'], id="version as a number"),
    pytest.param(setting("levels", "B3", 31), ["fire.xlsx: sheet levels, row 3, column B: level 2: "
                 "min_total must be a number from 0 to 30, the checklist's maximum (found the "
                 "number 31)"], id="min_total above max"),
    pytest.param(setting("levels", "B3", 10), ["fire.xlsx: sheet levels, row 3, column B: level 2: "
                 "min_total 10 must be greater than level 1's 10: thresholds must rise with the "
                 "level"], id="min_total not rising"),
    pytest.param(setting("levels", "C2", 16), ["fire.xlsx: sheet levels, row 3, column C: level 2: "
                 "min_sections facilities 15 is lower than level 1's 16: a section threshold must "
                 "not fall as the level rises"], id="section threshold falling"),
    pytest.param(lambda wb: wb.remove(wb["levels"]), ["fire.xlsx: sheet levels, row 2, column A: "
                 "levels must be given when kind is grading"], id="levels sheet removed"),
    pytest.param(lambda wb: wb.remove(wb["items"]), ["fire.xlsx: sheet items: is missing (the "
                 "workbook's sheets are: checklist, levels)"], id="items sheet removed"),
    pytest.param(lambda wb: wb["items"].delete_cols(8), ["fire.xlsx: sheet items, row 1, column AA: "
                 "the column points is missing; add it"], id="points column removed"),
]


@pytest.mark.parametrize("edit, expected", EDITS)
def test_problems_in_an_edited_workbook_are_located_by_cell(edit, expected):
    assert problems_of(edit) == expected


def test_an_empty_threshold_column_is_harmless():
    edit = setting("levels", "E1", "min_sections.kitchen")
    assert checklist_from_xlsx(edited_workbook(edit), "x") == parse_checklist_yaml(GRADING, "x")


def test_a_threshold_for_an_unknown_section_is_located():
    def edit(workbook):
        workbook["levels"]["E1"].value, workbook["levels"]["E3"].value = "min_sections.kitchen", 1
    assert problems_of(edit) == [
        "fire.xlsx: sheet levels, row 3, column E: level 2: min_sections kitchen names no section "
        "of this checklist; section ids: facilities, management"]


def test_every_problem_of_a_workbook_is_reported_together():
    def edit(workbook):
        workbook["checklist"]["B6"].value = "police"
        workbook["items"]["H2"].value = -1
        workbook["items"]["T1"].value = "weight"
        workbook["levels"]["B2"].value = "ten"
    assert [p.split(":")[1] for p in problems_of(edit)] == [
        " sheet items, row 1, column T", " sheet checklist, row 6, column B",
        " sheet items, row 2, column H", " sheet levels, row 2, column B"]


def test_levels_on_an_inspection_checklist_are_refused():
    def edit(workbook):
        workbook["levels"]["A2"].value, workbook["levels"]["B2"].value = 1, 0
    assert problems_of(edit, INSPECTION) == [
        "fire.xlsx: sheet levels, row 2, column A: levels must not be given unless kind is "
        "grading (this checklist's kind is inspection)"]


def test_a_file_that_is_not_a_workbook_is_a_problem(tmp_path):
    path = tmp_path / "fire.xlsx"
    path.write_text(INSPECTION, encoding="utf-8")
    with pytest.raises(ChecklistError) as caught:
        checklist_from_xlsx(path, "fire.xlsx")
    assert str(caught.value).startswith("fire.xlsx: file: cannot be read as an .xlsx workbook")
    with pytest.raises(ChecklistError) as caught:
        checklist_from_xlsx(tmp_path / "missing.xlsx", "missing.xlsx")
    assert str(caught.value).startswith("missing.xlsx: file: cannot be read: ")
