"""The structure of a checklist file (checklists/README.md, "The format"): fields, sections, items and levels.

:func:`check` takes the data as YAML or a spreadsheet delivers it, never raises on
malformed input, and returns either the normalised constructor arguments of a checklist or
every broken rule as an :class:`~.checklist_values.Issue`, in file order.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..bureau import DEPARTMENTS
from .values import (
    INVALID, Fields, Invalid, Issue, between, boolean, choice, describe, identifier, number,
    number_text, positive, positive_int, text, valid, version,
)

KINDS = ("inspection", "grading")
ITEM_TYPES = ("check", "scale", "measure")
SEVERITIES = ("critical", "major", "minor")
EVIDENCE = ("none", "photo_on_fail", "photo_always")

TOP_FIELDS = ("id", "version", "title", "title_en", "department", "kind", "basis", "sections",
              "levels", "levels_note", "points_note", "levels_note_en", "points_note_en")
SECTION_FIELDS = ("id", "title", "title_en", "items")
ITEM_FIELDS = ("id", "text", "text_en", "type", "points", "severity", "veto", "na", "evidence",
               "deadline_days", "basis", "step", "pass_min", "unit", "min", "max",
               "reference", "veto_reason", "hazard", "finding_document", "points_note",
               "reference_en", "veto_reason_en", "points_note_en")
# Optional fields added after the first file format (checklists/README.md, "Legal basis,
# reference and notes"): absent, they leave a checklist's content digest as it was.
LATER_TOP_FIELDS = ("levels_note", "points_note", "levels_note_en", "points_note_en")
LATER_ITEM_FIELDS = ("reference", "veto_reason", "hazard", "finding_document", "points_note",
                     "reference_en", "veto_reason_en", "points_note_en")
# The English versions of the notes (checklists/README.md, "Legal basis, reference and notes"),
# as ``text_en`` is of ``text``: each needs the text it translates. They are translations for
# the English UI, not content: they are left out of the content fingerprint, so adding or
# correcting one needs no new version.
NOTE_TRANSLATIONS = {"reference_en": "reference", "veto_reason_en": "veto_reason",
                     "points_note_en": "points_note", "levels_note_en": "levels_note"}
LEVEL_FIELDS = ("level", "min_total", "min_sections")
TYPE_ONLY_FIELDS = {"step": "scale", "pass_min": "scale",
                    "unit": "measure", "min": "measure", "max": "measure"}
LEVEL_NUMBERS = range(1, 6)


@dataclass
class _Section:
    id: Any                     # INVALID when the section has no usable id
    max: Fraction | None        # None while any item's points are invalid
    fields: dict[str, Any]


@dataclass
class _Level:
    level: Any
    index: int
    min_total: Any
    min_sections: dict[str, Any] = field(default_factory=dict)


def check(data: Any) -> tuple[dict[str, Any] | None, list[Issue]]:
    """The checklist's constructor arguments (sections, items and levels as nested dicts of
    their own), or None and every issue found."""
    issues: list[Issue] = []
    if not isinstance(data, dict):
        issues.append(Issue((), "line 1", "a checklist file must be a mapping of fields (id, "
                                          f"version, title, …), found {describe(data)}"))
        return None, issues
    top = Fields(data, (), None, issues)
    top.reject_unknown(TOP_FIELDS, "field")
    result = {
        "id": top.get("id", identifier, required=True),
        "version": top.get("version", version, required=True),
        "title": top.get("title", text, required=True),
        "title_en": top.get("title_en", text),
        "department": top.get("department", choice(DEPARTMENTS), required=True),
        "kind": top.get("kind", choice(KINDS), required=True),
        "basis": _basis(top),
        "levels_note": top.get("levels_note", text),
        "points_note": top.get("points_note", text),
        "levels_note_en": top.get("levels_note_en", text),
        "points_note_en": top.get("points_note_en", text),
    }
    _translations(top, result, ("levels_note_en", "points_note_en"))
    sections = _sections(top)
    result["sections"] = [s.fields for s in sections]
    result["levels"] = _levels(top, result["kind"], sections)
    if result["levels_note"] is not None and result["kind"] == "inspection":
        top.fail("levels_note", "must not be given unless kind is grading (it describes the levels)")
    return (None if issues else result), issues


def _translations(f: Fields, fields: dict[str, Any], names: tuple[str, ...]) -> None:
    """An English version (``*_en``) given without the text it translates is an error."""
    for name in names:
        original = NOTE_TRANSLATIONS[name]
        if fields.get(name) is not None and valid(fields[name]) and fields.get(original) is None \
                and f.data.get(original) is None:
            f.fail(name, f"is the English version of {original}, which is not given")


def _basis(top: Fields) -> tuple[str, ...]:
    value = top.data.get("basis")
    if value is None:
        return ()
    if not isinstance(value, list):
        top.fail("basis", f"must be a list of strings (found {describe(value)})")
        return ()
    for n, entry in enumerate(value):
        try:
            text(entry)
        except Invalid as exc:
            top.fail("basis", f"entry {n + 1} {exc}", at=("basis", n))
    return tuple(value)


def _usable_id(value: Any) -> bool:
    try:
        text(value)
    except Invalid:
        return False
    return True


def _sections(top: Fields) -> list[_Section]:
    value = top.data.get("sections")
    if value is None:
        top.fail("sections", "is required")
        return []
    if not isinstance(value, list) or not value:
        top.fail("sections", f"must be a non-empty list of sections (found {describe(value)})")
        return []
    seen_sections: dict[str, int] = {}
    seen_items: dict[str, str] = {}
    return [_section(raw, n, top.issues, seen_sections, seen_items)
            for n, raw in enumerate(value)]


def _section(raw: Any, n: int, issues: list[Issue], seen_sections: dict[str, int],
             seen_items: dict[str, str]) -> _Section:
    loc, label = ("sections", n), f"section {n + 1}"
    if not isinstance(raw, dict):
        issues.append(Issue(loc, label, "must be a mapping with id, title and items "
                                        f"(found {describe(raw)})"))
        return _Section(INVALID, None, {})
    where = raw["id"] if _usable_id(raw.get("id")) else label
    f = Fields(raw, loc, where, issues)
    f.reject_unknown(SECTION_FIELDS, "section field")
    section_id = f.get("id", text, required=True)
    if valid(section_id):
        if section_id in seen_sections:
            f.fail("id", f"{section_id!r} is already used by section {seen_sections[section_id]}; "
                         "section ids must be unique")
            section_id = INVALID
        else:
            seen_sections[section_id] = n + 1
    fields = {"id": section_id, "title": f.get("title", text, required=True),
              "title_en": f.get("title_en", text)}
    raw_items = raw.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        f.fail("items", "is required" if raw_items is None else
               f"must be a non-empty list of items (found {describe(raw_items)})")
        return _Section(section_id, None, fields)
    items = [_item(entry, loc + ("items", m), f"{where} item {m + 1}", issues, seen_items)
             for m, entry in enumerate(raw_items)]
    fields["items"] = items
    points = [item.get("points", INVALID) for item in items]
    return _Section(section_id, sum(points, Fraction(0)) if valid(*points) else None, fields)


def _item(raw: Any, loc: tuple, label: str, issues: list[Issue],
          seen_items: dict[str, str]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        issues.append(Issue(loc, label, "must be a mapping of item fields "
                                        f"(found {describe(raw)})"))
        return {}
    f = Fields(raw, loc, raw["id"] if _usable_id(raw.get("id")) else label, issues)
    f.reject_unknown(ITEM_FIELDS, "item field")
    item_id = f.get("id", text, required=True)
    if valid(item_id):
        if item_id in seen_items:
            f.fail("id", f"{item_id!r} is already used by {seen_items[item_id]}; "
                         "item ids must be unique within the file")
        else:
            seen_items[item_id] = label
    fields = {
        "id": item_id,
        "text": f.get("text", text, required=True),
        "text_en": f.get("text_en", text),
        "type": f.get("type", choice(ITEM_TYPES), required=True),
        "points": f.get("points", positive, required=True),
        "severity": f.get("severity", choice(SEVERITIES), default="minor"),
        "veto": f.get("veto", boolean, default=False),
        "na": f.get("na", boolean, default=True),
        "evidence": f.get("evidence", choice(EVIDENCE), default="none"),
        "deadline_days": f.get("deadline_days", positive_int),
        "basis": f.get("basis", text),
        "reference": f.get("reference", text),
        "veto_reason": f.get("veto_reason", text),
        "hazard": f.get("hazard", identifier),
        "finding_document": f.get("finding_document", boolean, default=False),
        "points_note": f.get("points_note", text),
        "reference_en": f.get("reference_en", text),
        "veto_reason_en": f.get("veto_reason_en", text),
        "points_note_en": f.get("points_note_en", text),
    }
    _translations(f, fields, ("reference_en", "veto_reason_en", "points_note_en"))
    fields.update(_type_fields(f, fields["type"], fields["points"]))
    return fields


def _type_fields(f: Fields, kind: Any, points: Any) -> dict[str, Any]:
    """step and pass_min (scale), unit, min and max (measure); when the type itself is
    invalid their values are still checked, without the rules that depend on the type."""
    out: dict[str, Any] = dict.fromkeys(TYPE_ONLY_FIELDS)
    for name, owner in TYPE_ONLY_FIELDS.items():
        if valid(kind) and kind != owner and f.data.get(name) is not None:
            f.fail(name, f"is only allowed for {owner} items (this item's type is {kind})")
    scale, measure, unknown = kind == "scale", kind == "measure", not valid(kind)
    if scale or unknown:
        out["step"] = f.get("step", positive, default=Fraction(1) if scale else None)
        item_max = points if valid(points) else None
        out["pass_min"] = f.get("pass_min", between(item_max, "the item's points"),
                                default=Fraction(0) if scale else None)
    if measure or unknown:
        if measure and f.data.get("unit") is None:
            f.fail("unit", "is required for a measure item (the unit of the measured value)")
        out["unit"] = f.get("unit", text)
        low, high = f.get("min", number), f.get("max", number)
        if measure and low is None and high is None:
            f.fail("min", "or max is required for a measure item: give at least one bound")
        elif valid(low, high) and low is not None and high is not None and low > high:
            f.fail("min", f"must not be greater than max (found min {number_text(low)}, "
                          f"max {number_text(high)})")
        out["min"], out["max"] = low, high
    return out


def level_number(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value not in LEVEL_NUMBERS:
        raise Invalid(f"must be a whole number from {LEVEL_NUMBERS[0]} to {LEVEL_NUMBERS[-1]} "
                      f"(found {describe(value)})")
    return value


def _levels(top: Fields, kind: Any, sections: list[_Section]) -> tuple[dict[str, Any], ...]:
    value = top.data.get("levels")
    if value is None:
        if kind == "grading":
            top.fail("levels", "must be given when kind is grading")
        return ()
    if kind == "inspection":
        top.fail("levels", "must not be given unless kind is grading (this checklist's kind "
                           "is inspection)")
        return ()
    if not isinstance(value, list) or not value:
        top.fail("levels", f"must be a non-empty list of levels (found {describe(value)})")
        return ()
    maxima = {s.id: s.max for s in sections} if sections and valid(*(s.id for s in sections)) \
        else None
    total = sum(maxima.values(), Fraction(0)) if maxima and None not in maxima.values() else None
    levels, seen = [], set()
    for n, raw in enumerate(value):
        level = _level(raw, n, top.issues, maxima, total)
        if level is not None and valid(level.level):
            if level.level in seen:
                Fields(raw, ("levels", n), "levels", top.issues, f"level {level.level}: ").fail(
                    "level", "is defined more than once; each level may appear once")
            else:
                seen.add(level.level)
                levels.append(level)
    levels.sort(key=lambda lv: lv.level)
    _check_rise(levels, top.issues)
    return tuple({"level": lv.level, "min_total": lv.min_total, "min_sections": lv.min_sections}
                 for lv in levels)


def _level(raw: Any, n: int, issues: list[Issue], maxima: dict[str, Fraction | None] | None,
           total: Fraction | None) -> _Level | None:
    loc = ("levels", n)
    if not isinstance(raw, dict):
        issues.append(Issue(loc, "levels", f"entry {n + 1}: must be a mapping with level, "
                                           f"min_total and min_sections (found {describe(raw)})"))
        return None
    try:
        label = f"level {level_number(raw.get('level'))}: "
    except Invalid:
        label = f"entry {n + 1}: "
    f = Fields(raw, loc, "levels", issues, label)
    f.reject_unknown(LEVEL_FIELDS, "level field")
    level = _Level(f.get("level", level_number, required=True), n,
                   f.get("min_total", between(total, "the checklist's maximum"), required=True))
    thresholds = raw.get("min_sections")
    if thresholds is None:
        return level
    if not isinstance(thresholds, dict):
        f.fail("min_sections", "must be a mapping of section id to minimum score "
                               f"(found {describe(thresholds)})")
        return level
    for key, threshold in thresholds.items():
        name = f"min_sections {key}"
        if maxima is not None and key not in maxima:
            f.fail(name, f"names no section of this checklist; section ids: {', '.join(maxima)}",
                   at=("min_sections", key))
            continue
        rule = between(maxima.get(key) if maxima else None, f"the maximum of section {key}")
        try:
            level.min_sections[key] = rule(threshold)
        except Invalid as exc:
            f.fail(name, str(exc), at=("min_sections", key))
            level.min_sections[key] = INVALID
    return level


def _check_rise(levels: list[_Level], issues: list[Issue]) -> None:
    """min_total strictly rises with the level, and no section threshold (missing = 0) falls.
    Each level is compared with the highest valid value of the levels below it."""
    top_total: _Level | None = None
    top_sections: dict[str, tuple[_Level, Fraction]] = {}
    for level in levels:
        here = f"level {level.level}: "
        if valid(level.min_total):
            if top_total is not None and level.min_total <= top_total.min_total:
                issues.append(Issue(("levels", level.index, "min_total"), "levels",
                                    f"{here}min_total {number_text(level.min_total)} must be "
                                    f"greater than level {top_total.level}'s "
                                    f"{number_text(top_total.min_total)}: thresholds must "
                                    "rise with the level"))
            else:
                top_total = level
        for key, (lower, threshold) in top_sections.items():
            mine = level.min_sections.get(key, Fraction(0))
            if valid(mine) and mine < threshold:
                found = (number_text(mine) if key in level.min_sections
                         else "is not set (counts as 0),")
                issues.append(Issue(("levels", level.index, "min_sections", key), "levels",
                                    f"{here}min_sections {key} {found} is lower than level "
                                    f"{lower.level}'s {number_text(threshold)}: a section "
                                    "threshold must not fall as the level rises"))
        for key, threshold in level.min_sections.items():
            if valid(threshold) and (key not in top_sections or threshold > top_sections[key][1]):
                top_sections[key] = (level, threshold)
