"""Checklists as data (checklists/README.md; docs/commands.md, "checklist validate"): the
frozen model of one checklist file, and reading, validating and writing it.

Numbers that take part in scoring are kept as :class:`fractions.Fraction` built from
their decimal text (``Fraction("2.5")``), so comparisons are exact.

Every problem in a file is reported at once as a :class:`Problem` located by file and
``where`` (an item or section id, a top-level field, or ``line N`` for the YAML itself);
:class:`ChecklistError` carries them all. The rules themselves live in
:mod:`.schema`, the YAML reading and writing in :mod:`.yaml_io`.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Iterable

from .schema import (DEPARTMENTS, EVIDENCE, ITEM_TYPES, KINDS, LATER_ITEM_FIELDS,
                     LATER_TOP_FIELDS, NOTE_TRANSLATIONS, SEVERITIES, check)
from .values import Invalid, Issue, identifier, plain_number
from .yaml_io import FlowMapping, YamlError, read_yaml, write_yaml

__all__ = [
    "DEPARTMENTS", "KINDS", "ITEM_TYPES", "SEVERITIES", "EVIDENCE",
    "Item", "Section", "Level", "Checklist", "Problem", "ChecklistError",
    "check_checklist", "parse_checklist", "parse_checklist_yaml", "load_checklist_file",
    "load_catalogue", "checklist_to_dict", "dump_yaml", "content_digest",
]


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    type: str                      # check | scale | measure
    points: Fraction
    text_en: str | None = None
    severity: str = "minor"
    veto: bool = False
    na: bool = True
    evidence: str = "none"
    deadline_days: int | None = None
    basis: str | None = None
    # scale only
    step: Fraction | None = None      # default 1 for scale
    pass_min: Fraction | None = None  # default 0 for scale
    # measure only
    unit: str | None = None
    min: Fraction | None = None
    max: Fraction | None = None
    # what is not law (checklists/README.md, "Legal basis, reference and notes")
    reference: str | None = None      # a local table or practice, printed "参考：", never "依据："
    veto_reason: str | None = None    # why the item is (or is not) a veto, shown to the bureau
    hazard: str | None = None         # the major-hazard catalogue entry the item records
    finding_document: bool = False    # failing records another authority's finding document
    points_note: str | None = None    # where the points come from when no source gives them
    # their English versions, for the English UI (not part of the content fingerprint)
    reference_en: str | None = None
    veto_reason_en: str | None = None
    points_note_en: str | None = None


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    items: tuple[Item, ...]
    title_en: str | None = None

    @property
    def max(self) -> Fraction:
        return sum((i.points for i in self.items), Fraction(0))


@dataclass(frozen=True)
class Level:
    level: int
    min_total: Fraction
    min_sections: dict[str, Fraction] = field(default_factory=dict)


@dataclass(frozen=True)
class Checklist:
    id: str
    version: str
    title: str
    department: str
    kind: str
    sections: tuple[Section, ...]
    title_en: str | None = None
    basis: tuple[str, ...] = ()
    levels: tuple[Level, ...] = ()   # sorted by level, ascending; empty unless kind grading
    levels_note: str | None = None   # the thresholds' source and caveats, shown to the bureau
    points_note: str | None = None   # how the points were split, shown to the bureau
    levels_note_en: str | None = None   # their English versions (not part of the fingerprint)
    points_note_en: str | None = None

    @property
    def max(self) -> Fraction:
        return sum((s.max for s in self.sections), Fraction(0))

    @property
    def items(self) -> tuple[Item, ...]:
        """All items in checklist order."""
        return tuple(i for s in self.sections for i in s.items)


@dataclass(frozen=True)
class Problem:
    path: str      # the file as the caller named it
    where: str     # item or section id, top-level field, or "line N"
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.where}: {self.message}"


class ChecklistError(Exception):
    """One or more checklist files are invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# Reading ------------------------------------------------------------------------------------

def check_checklist(data: Any) -> tuple[Checklist | None, list[Issue]]:
    """The checklist, or None and every issue (each with its path into ``data``)."""
    fields, issues = check(data)
    return (None if fields is None else _build(fields)), issues


def parse_checklist(data: Any, path: str | os.PathLike) -> Checklist:
    """A checklist from plain data (as YAML delivers it); ChecklistError with every problem."""
    checklist, issues = check_checklist(data)
    if checklist is None:
        raise ChecklistError(Problem(os.fspath(path), i.where, i.message) for i in issues)
    return checklist


def parse_checklist_yaml(source: str | bytes, path: str | os.PathLike) -> Checklist:
    """A checklist from YAML text (``path`` names it in problems)."""
    return _parse_yaml(source, os.fspath(path))


def load_checklist_file(path: str | os.PathLike) -> Checklist:
    """A checklist from its YAML file; a file that cannot be read is a problem too."""
    return _load(path)


def load_catalogue(paths: Iterable[str | os.PathLike]) -> dict[str, Checklist]:
    """Every file, by checklist id in the order given; ChecklistError with the problems of
    every file, including two files with the same id."""
    catalogue: dict[str, Checklist] = {}
    first_path: dict[str, str] = {}
    problems: list[Problem] = []
    for path in paths:
        try:
            checklist = _load(path)
            checklist_id: str | None = checklist.id
        except _Invalid as exc:
            problems.extend(exc.problems)
            checklist, checklist_id = None, exc.checklist_id
        if checklist_id is None:
            continue
        if checklist_id in first_path:
            problems.append(Problem(os.fspath(path), "id", f"{checklist_id!r} is already the id "
                                    f"of {first_path[checklist_id]}; a checklist id must be "
                                    "unique across files"))
        else:
            first_path[checklist_id] = os.fspath(path)
            if checklist is not None:
                catalogue[checklist_id] = checklist
    if problems:
        raise ChecklistError(problems)
    return catalogue


class _Invalid(ChecklistError):
    """A file's problems, with its id when that much could be read (to spot duplicate ids)."""

    def __init__(self, problems: Iterable[Problem], checklist_id: str | None):
        super().__init__(problems)
        self.checklist_id = checklist_id


def _load(path: str | os.PathLike) -> Checklist:
    name = os.fspath(path)
    try:
        source = Path(path).read_bytes()
    except OSError as exc:
        raise _Invalid([Problem(name, "file", f"cannot be read: {exc.strerror or exc}")],
                       None) from None
    return _parse_yaml(source, name)


def _parse_yaml(source: str | bytes, name: str) -> Checklist:
    try:
        data, duplicates = read_yaml(source)
    except YamlError as exc:
        raise _Invalid([Problem(name, f"line {exc.line}", exc.message)], None) from None
    checklist, issues = check_checklist(data)
    problems = [Problem(name, f"line {line}", message) for line, message in duplicates]
    problems += [Problem(name, i.where, i.message) for i in issues]
    if problems:
        raise _Invalid(problems, _readable_id(data))
    assert checklist is not None
    return checklist


def _readable_id(data: dict) -> str | None:
    try:
        return identifier(data.get("id"))
    except Invalid:
        return None


def _build(fields: dict[str, Any]) -> Checklist:
    sections = tuple(
        Section(id=s["id"], title=s["title"], title_en=s["title_en"],
                items=tuple(Item(**item) for item in s["items"]))
        for s in fields["sections"])
    levels = tuple(Level(**level) for level in fields["levels"])
    return Checklist(**{**fields, "sections": sections, "levels": levels})


# Writing ------------------------------------------------------------------------------------

ITEM_DEFAULTS: dict[str, Any] = {"text_en": None, "severity": "minor", "veto": False, "na": True,
                                 "evidence": "none", "deadline_days": None, "basis": None,
                                 "step": None, "pass_min": None, "unit": None, "min": None,
                                 "max": None, "reference": None, "veto_reason": None,
                                 "hazard": None, "finding_document": False, "points_note": None,
                                 "reference_en": None, "veto_reason_en": None, "points_note_en": None}
SCALE_DEFAULTS: dict[str, Any] = {"step": 1, "pass_min": 0}


def checklist_to_dict(cl: Checklist, *, explicit: bool = False) -> dict[str, Any]:
    """Plain data in the field order of the file format (checklists/README.md), numbers as int when
    integral and float otherwise; YAML- and JSON-ready, and parsing it gives back ``cl``.

    Fields at their default are left out, unless ``explicit``: then every field is written
    (absent values as null, which reads back as absent).
    """
    out: dict[str, Any] = {"id": cl.id, "version": cl.version, "title": cl.title,
                           "title_en": cl.title_en, "department": cl.department, "kind": cl.kind,
                           "basis": list(cl.basis),
                           "sections": [_section_dict(s, explicit) for s in cl.sections]}
    if cl.levels:
        order = [s.id for s in cl.sections]
        out["levels"] = [_level_dict(level, order, explicit) for level in cl.levels]
    out["levels_note"], out["points_note"] = cl.levels_note, cl.points_note
    out["levels_note_en"], out["points_note_en"] = cl.levels_note_en, cl.points_note_en
    if not explicit:
        out = {k: v for k, v in out.items()
               if not (k in ("title_en", "basis", *LATER_TOP_FIELDS) and not v)}
    return out


def _section_dict(section: Section, explicit: bool) -> dict[str, Any]:
    out = {"id": section.id, "title": section.title, "title_en": section.title_en,
           "items": [_item_dict(item, explicit) for item in section.items]}
    if not explicit and section.title_en is None:
        del out["title_en"]
    return out


def _item_dict(item: Item, explicit: bool) -> dict[str, Any]:
    out = {name: _plain(getattr(item, name)) for name in
           ("id", "text", "text_en", "type", "points", *ITEM_DEFAULTS)}
    if explicit:
        return out
    defaults = {**ITEM_DEFAULTS, **(SCALE_DEFAULTS if item.type == "scale" else {})}
    return {k: v for k, v in out.items() if k not in defaults or v != defaults[k]}


def _level_dict(level: Level, section_order: list[str], explicit: bool) -> dict[str, Any]:
    keys = [k for k in section_order if k in level.min_sections]
    keys += [k for k in level.min_sections if k not in keys]
    out: dict[str, Any] = {"level": level.level, "min_total": _plain(level.min_total),
                           "min_sections": {k: _plain(level.min_sections[k]) for k in keys}}
    if not explicit and not keys:
        del out["min_sections"]
    return out


def _plain(value: Any) -> Any:
    return plain_number(value) if isinstance(value, Fraction) else value


def dump_yaml(cl: Checklist) -> str:
    """The checklist as a YAML file a person would write (defaults left out, fields in the
    order of checklists/README.md)."""
    data = checklist_to_dict(cl)
    for level in data.get("levels", ()):
        if "min_sections" in level:
            level["min_sections"] = FlowMapping(level["min_sections"])
    return write_yaml(data)


def content_digest(cl: Checklist) -> str:
    """SHA-256 of the checklist's canonical JSON: equal checklists, equal digests, however
    their files are formatted; any change of content changes it."""
    canonical = json.dumps(_digest_form(checklist_to_dict(cl, explicit=True)), sort_keys=True,
                           separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _digest_form(data: dict[str, Any]) -> dict[str, Any]:
    """The explicit form without the later optional fields left at their default, so that a
    version stored before they existed keeps its digest (and is not taken for a changed file),
    and without the English versions of the notes (translations, not content)."""
    out = {k: v for k, v in data.items()
           if not (k in LATER_TOP_FIELDS and v is None) and k not in NOTE_TRANSLATIONS}
    out["sections"] = [{**s, "items": [
        {k: v for k, v in item.items()
         if not (k in LATER_ITEM_FIELDS and v == ITEM_DEFAULTS[k]) and k not in NOTE_TRANSLATIONS}
        for item in s["items"]]} for s in data["sections"]]
    return out
