"""Checklists as Excel workbooks, for regulators who edit them in a spreadsheet.

Layout (described for users in ``checklists/README.md``):

* sheet ``checklist``: one field per row (``field`` | ``value`` | ``说明``): id, version, title,
  title_en, department, kind, and one ``basis`` row per reference;
* sheet ``items``: one row per item; the columns ``section``, ``section_title`` and
  ``section_title_en`` place it in its section (blank = as the row above), the other
  columns are the item's fields; blank cells are absent fields;
* sheet ``levels``: one row per level (``level``, ``min_total``), and a column
  ``min_sections.<section id>`` per section threshold.

Headers may be the English field name or its Chinese label. Importing applies exactly the
rules of a YAML file and locates every problem as ``sheet S, row R, column C``.
"""
from __future__ import annotations

import io
import os
import warnings
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Iterator


from ..core.heavy import heavy_work
from ..core.spreadsheet import Bounds, TooLarge, check_xlsx
from ..domain.checklist.model import (Checklist, ChecklistError, Problem, check_checklist,
                                checklist_to_dict)
from ..domain.checklist.schema import (DEPARTMENTS, EVIDENCE, ITEM_FIELDS, ITEM_TYPES, KINDS,
                                       SEVERITIES)
from ..domain.checklist.values import Issue, Loc, describe

if TYPE_CHECKING:   # openpyxl is imported where a workbook is made or read (not at start-up)
    from openpyxl.worksheet.worksheet import Worksheet

CHECKLIST_SHEET, ITEMS_SHEET, LEVELS_SHEET = "checklist", "items", "levels"
CHECKLIST_ROWS = ("id", "version", "title", "title_en", "department", "kind", "basis",
                  "levels_note", "points_note", "levels_note_en", "points_note_en")
ITEM_COLUMNS = ("section", "section_title", "section_title_en") + ITEM_FIELDS
REQUIRED_ITEM_COLUMNS = ("section", "section_title", "id", "text", "type", "points")
LEVEL_COLUMNS = ("level", "min_total")
THRESHOLD_PREFIX = "min_sections."
LABELS = {
    "field": "字段", "value": "值", "id": "编号", "version": "版本", "title": "标题",
    "title_en": "英文标题", "department": "部门", "kind": "类别", "basis": "依据",
    "section": "分项编号", "section_title": "分项名称", "section_title_en": "分项英文名称",
    "text": "检查内容", "text_en": "英文检查内容", "type": "题型", "points": "分值",
    "severity": "严重程度", "veto": "否决项", "na": "可合理缺项", "evidence": "取证要求",
    "deadline_days": "整改期限（天）", "step": "步长", "pass_min": "合格最低分", "unit": "单位",
    "min": "下限", "max": "上限", "level": "等级", "min_total": "总分下限",
    "reference": "参考（非法律规定）", "veto_reason": "否决说明", "hazard": "重大事故隐患目录条目",
    "finding_document": "记录正式判定文书", "points_note": "分值说明", "levels_note": "等级门槛说明",
    "reference_en": "英文参考", "veto_reason_en": "英文否决说明", "points_note_en": "英文分值说明",
    "levels_note_en": "英文等级门槛说明",
}
CHOICES = {"department": DEPARTMENTS, "kind": KINDS, "type": ITEM_TYPES,
           "severity": SEVERITIES, "evidence": EVIDENCE}
TEXT_FORMAT = "@"
VALIDATED_ROWS = 1000   # drop-down lists cover this many item rows
# Checked before a workbook is parsed (core.spreadsheet): openpyxl's full mode creates every
# cell up to the last row and column, so both are bounded (a checklist has tens of items).
BOUNDS = Bounds(rows=2000, columns=64, cells=60_000, file_bytes=5 * 1024 * 1024,
                xml_bytes=32 * 1024 * 1024)


# Writing ------------------------------------------------------------------------------------

def checklist_to_xlsx(cl: Checklist, target: str | os.PathLike | IO[bytes]) -> None:
    """Write ``cl`` as a workbook (a path or a binary stream); every field explicit."""
    from openpyxl import Workbook
    data = checklist_to_dict(cl, explicit=True)
    workbook = Workbook()
    _write_checklist(workbook.active, data)
    _write_items(workbook.create_sheet(ITEMS_SHEET), data)
    _write_levels(workbook.create_sheet(LEVELS_SHEET), data)
    workbook.save(target)


def _put(ws: Worksheet, row: int, column: int, value: Any, text_format: bool = False) -> None:
    cell = ws.cell(row, column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"               # text, even when it starts with "=": never a formula
    if text_format:
        cell.number_format = TEXT_FORMAT   # what is typed here stays text (version "2026.10")


def _header(ws: Worksheet, names: list[str], widths: dict[str, int]) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    for column, name in enumerate(names, 1):
        _put(ws, 1, column, name)
        ws.cell(1, column).font = Font(bold=True)
        if name.startswith(THRESHOLD_PREFIX):
            label = f"分项 {name.removeprefix(THRESHOLD_PREFIX)} 的最低得分"
        else:
            label = LABELS.get(name)
        if label:
            ws.cell(1, column).comment = Comment(label, "CareInspect")
        ws.column_dimensions[get_column_letter(column)].width = widths.get(name, 12)
    ws.freeze_panes = "A2"


def _choices(ws: Worksheet, column: int, options: tuple[str, ...], first: int, last: int) -> None:
    """A drop-down list of the allowed values on rows ``first``..``last`` of ``column``."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation
    validation = DataValidation(type="list", formula1=f'"{",".join(options)}"', allow_blank=True)
    ws.add_data_validation(validation)
    letter = get_column_letter(column)
    validation.add(f"{letter}{first}:{letter}{last}")


def _write_checklist(ws: Worksheet, data: dict[str, Any]) -> None:
    ws.title = CHECKLIST_SHEET
    _header(ws, ["field", "value", "说明"], {"value": 50, "说明": 40})
    rows = [(name, data[name]) for name in CHECKLIST_ROWS if name != "basis"]
    rows += [("basis", ref) for ref in data["basis"]] or [("basis", None)]
    for row, (name, value) in enumerate(rows, 2):
        _put(ws, row, 1, name)
        _put(ws, row, 2, value, text_format=name in ("id", "version"))
        hint = LABELS[name] + (f"：{' | '.join(CHOICES[name])}" if name in CHOICES else "")
        _put(ws, row, 3, hint)
        if name in CHOICES:
            _choices(ws, 2, CHOICES[name], row, row)


def _write_items(ws: Worksheet, data: dict[str, Any]) -> None:
    _header(ws, list(ITEM_COLUMNS), {"section_title": 24, "text": 50, "text_en": 40,
                                      "basis": 24, "reference": 24, "veto_reason": 40,
                                      "points_note": 30})
    row = 1
    for section in data["sections"]:
        for item in section["items"]:
            row += 1
            values = [section["id"], section["title"], section["title_en"],
                      *(item[name] for name in ITEM_FIELDS)]
            for column, (name, value) in enumerate(zip(ITEM_COLUMNS, values), 1):
                _put(ws, row, column, value, text_format=name in ("section", "id"))
    for name, options in CHOICES.items():
        if name in ITEM_COLUMNS:
            _choices(ws, ITEM_COLUMNS.index(name) + 1, options, 2, VALIDATED_ROWS)


def _write_levels(ws: Worksheet, data: dict[str, Any]) -> None:
    section_ids = [s["id"] for s in data["sections"]]
    _header(ws, [*LEVEL_COLUMNS, *(THRESHOLD_PREFIX + sid for sid in section_ids)],
            {THRESHOLD_PREFIX + sid: max(12, len(sid) + 14) for sid in section_ids})
    for row, level in enumerate(data.get("levels") or (), 2):
        values = [level["level"], level["min_total"],
                  *(level["min_sections"].get(sid) for sid in section_ids)]
        for column, value in enumerate(values, 1):
            _put(ws, row, column, value)


# Reading ------------------------------------------------------------------------------------

class _Blocked(Exception):
    """The workbook's shape is wrong (missing sheet or column): its fields cannot be read."""


class _Reader:
    """Reads a workbook into the plain data a YAML file would give, remembering which cell
    each value came from so that every issue can be located."""

    def __init__(self, name: str):
        self.name = name
        self.problems: list[Problem] = []
        self.cells: dict[Loc, tuple[str, int, int]] = {}
        # where a missing field would go: top-level fields, the sections, the levels
        self.fallback = {CHECKLIST_SHEET: (CHECKLIST_SHEET, 2, 1), "sections": (ITEMS_SHEET, 2, 1),
                         "levels": (LEVELS_SHEET, 2, 1)}

    def fail(self, sheet: str, row: int, column: int, message: str) -> None:
        self.problems.append(Problem(self.name, _where(sheet, row, column), message))

    def locate(self, loc: Loc) -> str:
        """The cell a value at ``loc`` came from, or the nearest enclosing one."""
        for end in range(len(loc), 0, -1):
            if loc[:end] in self.cells:
                return _where(*self.cells[loc[:end]])
        return _where(*self.fallback.get(loc[0] if loc else "", self.fallback[CHECKLIST_SHEET]))

    def problem(self, issue: Issue) -> Problem:
        """An issue as a cell's problem; a section's own fields are named as such."""
        message = issue.standalone
        if len(issue.loc) == 3 and issue.loc[0] == "sections":
            message = f"section {message}"
        return Problem(self.name, self.locate(issue.loc), message)

    def sheet(self, workbook: Any, title: str, required: bool = True) -> Worksheet | None:
        if title in workbook.sheetnames:
            return workbook[title]
        if required:
            self.problems.append(Problem(self.name, f"sheet {title}", "is missing (the "
                                 f"workbook's sheets are: {', '.join(workbook.sheetnames)})"))
        return None

    def columns(self, ws: Worksheet, known: tuple[str, ...], prefix: str = "") -> dict[str, int]:
        """Field name -> column index (0-based), from the header row; unknown headers, headers
        given twice and values under no header are problems."""
        from openpyxl.utils import get_column_letter
        rows = list(ws.iter_rows(values_only=True))
        header = rows[0] if rows else ()
        found: dict[str, int] = {}
        for index, title in enumerate(header):
            name = _field_name(title, known, prefix)
            if title is None:
                if any(index < len(row) and row[index] is not None for row in rows[1:]):
                    self.fail(ws.title, 1, index + 1, "this column has values but no header; "
                                                      f"name it ({', '.join(known)}) or delete it")
            elif name is None:
                allowed = ", ".join(known) + (f", {prefix}<section id>" if prefix else "")
                self.fail(ws.title, 1, index + 1, f"unknown column {_shown(title)}; the columns "
                                                  f"are {allowed}")
            elif name in found:
                self.fail(ws.title, 1, index + 1, f"the column {name} appears twice (also "
                                                  f"column {get_column_letter(found[name] + 1)})")
            else:
                found[name] = index
        return found

    def read_checklist(self, ws: Worksheet, data: dict[str, Any]) -> None:
        has_header = _field_name(ws.cell(1, 1).value, ("field",)) is not None
        self.fallback[CHECKLIST_SHEET] = (ws.title, ws.max_row + 1, 1)
        seen: dict[str, int] = {}
        for row, (key, value) in _rows(ws, 2 if has_header else 1, width=2):
            name = _field_name(key, CHECKLIST_ROWS)
            if key is None:
                self.fail(ws.title, row, 1, "the field name is missing; write one of "
                                            f"{', '.join(CHECKLIST_ROWS)}")
            elif name is None:
                self.fail(ws.title, row, 1, f"unknown field {_shown(key)}; the fields are "
                                            f"{', '.join(CHECKLIST_ROWS)}")
            elif name == "basis":
                if value is not None:
                    self.cells[("basis", len(data.setdefault("basis", [])))] = (ws.title, row, 2)
                    self.cells.setdefault(("basis",), (ws.title, row, 2))
                    data["basis"].append(value)
            elif name in seen:
                self.fail(ws.title, row, 1, f"{name} is given twice (first on row {seen[name]})")
            else:
                seen[name] = row
                self.cells[(name,)] = (ws.title, row, 2)
                if value is not None:
                    data[name] = value

    def read_items(self, ws: Worksheet, data: dict[str, Any]) -> None:
        columns = self.columns(ws, ITEM_COLUMNS)
        missing = [name for name in REQUIRED_ITEM_COLUMNS if name not in columns]
        for name in missing:
            self.fail(ws.title, 1, ws.max_column + 1, f"the column {name} is missing; add it")
        if missing:
            raise _Blocked
        sections: list[dict[str, Any]] = []
        index: dict[Any, int] = {}
        current: int | None = None       # the section of the previous item row
        for row, values in _rows(ws, 2, width=ws.max_column):
            cells = {name: (values[i], i + 1) for name, i in columns.items()}
            if all(value is None for value, _ in cells.values()):
                continue                            # values only under refused headers
            section_id, column = cells.pop("section")
            if section_id is None and current is not None:
                position = current                  # blank: the section of the row above
            elif section_id is not None and section_id in index:
                position = index[section_id]
                if position != current:
                    self.fail(ws.title, row, column, f"the rows of section {section_id!r} must be "
                                                     "together (it also has rows further up)")
            else:
                position = len(sections)
                sections.append({"items": []} if section_id is None else
                                {"id": section_id, "items": []})
                if section_id is not None:
                    index[section_id] = position
                for loc in (("sections", position), ("sections", position, "id")):
                    self.cells[loc] = (ws.title, row, column)
            current = position
            self._add_item(ws.title, row, sections[position], position, cells)
        if sections:
            data["sections"] = sections

    def _add_item(self, sheet: str, row: int, section: dict[str, Any], position: int,
                  cells: dict[str, tuple[Any, int]]) -> None:
        for name in ("title", "title_en"):
            value, column = cells.pop(f"section_{name}", (None, None))
            if column is None:
                continue
            self.cells.setdefault(("sections", position, name), (sheet, row, column))
            if value is None:
                continue
            if name not in section:
                section[name] = value
                self.cells[("sections", position, name)] = (sheet, row, column)
            elif value != section[name]:
                self.fail(sheet, row, column, f"section_{name} {describe(value)} differs from "
                                              f"{describe(section[name])} given above for the "
                                              "same section")
        loc = ("sections", position, "items", len(section["items"]))
        self.cells[loc] = (sheet, row, cells["id"][1])
        for name, (_, column) in cells.items():
            self.cells[loc + (name,)] = (sheet, row, column)
        section["items"].append({name: value for name, (value, _) in cells.items()
                                 if value is not None})

    def read_levels(self, ws: Worksheet, data: dict[str, Any]) -> None:
        columns = self.columns(ws, LEVEL_COLUMNS, THRESHOLD_PREFIX)
        levels = []
        for row, values in _rows(ws, 2, width=ws.max_column):
            loc = ("levels", len(levels))
            level, thresholds = {}, {}
            for name, i in columns.items():
                section_id = name.removeprefix(THRESHOLD_PREFIX)
                at = ("min_sections", section_id) if name.startswith(THRESHOLD_PREFIX) else (name,)
                self.cells[loc + at] = (ws.title, row, i + 1)
                if values[i] is not None and name.startswith(THRESHOLD_PREFIX):
                    thresholds[section_id] = values[i]
                elif values[i] is not None:
                    level[name] = values[i]
            if not level and not thresholds:
                continue
            if thresholds:
                level["min_sections"] = thresholds
            self.cells[loc] = self.cells.get(loc + ("level",), (ws.title, row, 1))
            levels.append(level)
        if levels:
            data["levels"] = levels


def _rows(ws: Worksheet, first: int, width: int) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row number, the row's first ``width`` values) for each row from ``first`` that is
    not blank."""
    for row, values in enumerate(ws.iter_rows(min_row=first, values_only=True), first):
        values = tuple(values[:width]) + (None,) * (width - len(values))
        if any(value is not None for value in values):
            yield row, values


def _shown(header: Any) -> str:
    return repr(header) if isinstance(header, str) else describe(header)


def _where(sheet: str, row: int, column: int) -> str:
    from openpyxl.utils import get_column_letter
    return f"sheet {sheet}, row {row}, column {get_column_letter(max(column, 1))}"


def _field_name(header: Any, known: tuple[str, ...], prefix: str = "") -> str | None:
    """The field a header names: its English name or Chinese label (surrounding spaces
    ignored), or a threshold column ``min_sections.<section id>`` when ``prefix`` allows it."""
    if not isinstance(header, str):
        return None
    # A threshold column keeps its section id as written, spaces inside it included (a
    # section id may end in a space; stripping it would name another section or none).
    threshold = header.lstrip()
    if prefix and threshold.startswith(prefix) and threshold[len(prefix):].strip():
        return threshold
    header = header.strip()
    if header in known:
        return header
    return next((name for name in known if LABELS.get(name) == header), None)


def checklist_from_xlsx(source: str | os.PathLike | IO[bytes], name: str) -> Checklist:
    """Read a workbook written by :func:`checklist_to_xlsx` (and edited); ``name`` names it in
    problems. Raises ChecklistError with every problem, located by sheet, row and column.
    The workbook is bounded (BOUNDS) before it is parsed, in a slot for heavy work (core.heavy)."""
    with heavy_work("spreadsheet"):
        return _checklist_from_xlsx(source, name)


def _checklist_from_xlsx(source: str | os.PathLike | IO[bytes], name: str) -> Checklist:
    from openpyxl import load_workbook
    try:
        content = source.read() if hasattr(source, "read") else Path(source).read_bytes()
    except OSError as exc:
        raise ChecklistError([Problem(name, "file", f"cannot be read: {exc.strerror or exc}")])
    try:
        check_xlsx(content, BOUNDS)
    except TooLarge as exc:
        raise ChecklistError([Problem(name, exc.where, exc.message)]) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")       # openpyxl warns about unsupported extensions
            workbook = load_workbook(io.BytesIO(content), data_only=True)
    except Exception as exc:  # openpyxl reports a damaged or foreign file in many ways
        raise ChecklistError([Problem(name, "file", "cannot be read as an .xlsx workbook "
                                                    f"({type(exc).__name__}: {exc})")]) from None
    reader, data = _Reader(name), {}
    try:
        sheets = [reader.sheet(workbook, CHECKLIST_SHEET), reader.sheet(workbook, ITEMS_SHEET),
                  reader.sheet(workbook, LEVELS_SHEET, required=False)]
        if None in sheets[:2]:
            raise _Blocked
        reader.read_checklist(sheets[0], data)
        reader.read_items(sheets[1], data)
        if sheets[2] is not None:
            reader.read_levels(sheets[2], data)
    except _Blocked:
        raise ChecklistError(reader.problems) from None
    checklist, issues = check_checklist(data)
    problems = reader.problems + [reader.problem(issue) for issue in issues]
    if problems:
        raise ChecklistError(problems)
    assert checklist is not None
    return checklist
