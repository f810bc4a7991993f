"""The major-hazard catalogue (重大事故隐患判定标准) as versioned data (checklists/README.md,
"The major-hazard catalogue"; docs/regulations.md, "Major accident hazards").

A catalogue file names its source (document, number, issuer, dates) and lists its
situations (entries), each with the clause it comes from, whether its text was read in the
source (``confirmed``) or is only widely cited (``recalled``), and, where the source makes a
situation count only on another authority's formal finding, the kinds of document that
establish it. Checklist items refer to entries by id (``hazard:``); a new source (a national
standard replacing 民办发〔2023〕13号) is a new file, not a code change.

:func:`parse_hazards` never raises on malformed input; it returns the catalogue or every
problem located as ``<where>: <message>``, like the checklist files.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from .model import Checklist, Problem
from .values import Fields, Invalid, Issue, describe, identifier, text, valid, version
from .yaml_io import YamlError, read_yaml

STATUSES = ("confirmed", "recalled")
TOP_FIELDS = ("id", "version", "title", "title_en", "source", "issued_by", "issued_on",
              "in_force_from", "note", "note_en", "entries")
ENTRY_FIELDS = ("id", "clause", "category", "text", "text_en", "status", "documents", "reasons",
                "note", "note_en")


@dataclass(frozen=True)
class Hazard:
    id: str
    clause: str
    category: str
    text: str
    status: str                        # confirmed | recalled
    text_en: str | None = None
    documents: tuple[str, ...] = ()    # formal findings that establish it; empty: the inspector judges
    reasons: tuple[str, ...] = ()      # alternatives that each make the situation (第四条（四）: five)
    note: str | None = None
    note_en: str | None = None

    @property
    def confirmed(self) -> bool:
        return self.status == "confirmed"


@dataclass(frozen=True)
class HazardCatalogue:
    id: str
    version: str
    title: str
    source: str
    issued_by: str
    issued_on: dt.date
    in_force_from: dt.date
    entries: tuple[Hazard, ...]
    title_en: str | None = None
    note: str | None = None
    note_en: str | None = None

    def get(self, hazard_id: str) -> Hazard | None:
        return next((h for h in self.entries if h.id == hazard_id), None)


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        raise Invalid(f"must be a date such as 2023-12-01 (found {describe(value)})")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise Invalid(f"must be a date such as 2023-12-01 (found {describe(value)})")


def _texts(f: Fields, name: str) -> tuple[str, ...]:
    value = f.data.get(name)
    if value is None:
        return ()
    if not isinstance(value, list) or not value:
        f.fail(name, f"must be a non-empty list of texts (found {describe(value)})")
        return ()
    out = []
    for n, entry in enumerate(value):
        try:
            out.append(text(entry))
        except Invalid as exc:
            f.fail(name, f"entry {n + 1} {exc}", at=(name, n))
    return tuple(out)


def check_hazards(data: Any) -> tuple[HazardCatalogue | None, list[Issue]]:
    issues: list[Issue] = []
    if not isinstance(data, dict):
        return None, [Issue((), "line 1", "a hazard catalogue must be a mapping of fields (id, "
                                          f"version, source, entries, …), found {describe(data)}")]
    top = Fields(data, (), None, issues)
    top.reject_unknown(TOP_FIELDS, "field")
    fields: dict[str, Any] = {
        "id": top.get("id", identifier, required=True),
        "version": top.get("version", version, required=True),
        "title": top.get("title", text, required=True),
        "title_en": top.get("title_en", text),
        "source": top.get("source", text, required=True),
        "issued_by": top.get("issued_by", text, required=True),
        "issued_on": top.get("issued_on", _date, required=True),
        "in_force_from": top.get("in_force_from", _date, required=True),
        "note": top.get("note", text),
        "note_en": top.get("note_en", text),
    }
    raw_entries = data.get("entries")
    entries: list[Hazard] = []
    if not isinstance(raw_entries, list) or not raw_entries:
        top.fail("entries", "is required" if raw_entries is None else
                 f"must be a non-empty list of situations (found {describe(raw_entries)})")
    else:
        seen: set[str] = set()
        for n, raw in enumerate(raw_entries):
            loc = ("entries", n)
            if not isinstance(raw, dict):
                issues.append(Issue(loc, f"entry {n + 1}", f"must be a mapping (found {describe(raw)})"))
                continue
            where = raw["id"] if isinstance(raw.get("id"), str) else f"entry {n + 1}"
            f = Fields(raw, loc, where, issues)
            f.reject_unknown(ENTRY_FIELDS, "entry field")
            entry = {
                "id": f.get("id", identifier, required=True),
                "clause": f.get("clause", text, required=True),
                "category": f.get("category", text, required=True),
                "text": f.get("text", text, required=True),
                "text_en": f.get("text_en", text),
                "status": f.get("status", _choice_status, required=True),
                "documents": _texts(f, "documents"),
                "reasons": _texts(f, "reasons"),
                "note": f.get("note", text),
                "note_en": f.get("note_en", text),
            }
            if valid(entry["id"]) and entry["id"] is not None:
                if entry["id"] in seen:
                    f.fail("id", f"{entry['id']!r} is used twice; entry ids must be unique")
                seen.add(entry["id"])
            if valid(*entry.values()):
                entries.append(Hazard(**entry))
    if issues:
        return None, issues
    return HazardCatalogue(entries=tuple(entries), **fields), issues


def _choice_status(value: Any) -> str:
    if value not in STATUSES:
        raise Invalid(f"must be one of {', '.join(STATUSES)} (found {describe(value)})")
    return value


def load_hazard_files(paths: Iterable[str | os.PathLike]) -> tuple[list[HazardCatalogue], list[Problem]]:
    """Every catalogue file (any order), and the problems of all of them; an entry id may be
    used by one file only, so an item's ``hazard`` names one situation of one source."""
    catalogues, problems, owner = [], [], {}
    for path in paths:
        name = os.fspath(path)
        try:
            data, duplicates = read_yaml(Path(path).read_bytes())
        except OSError as exc:
            problems.append(Problem(name, "file", f"cannot be read: {exc.strerror or exc}"))
            continue
        except YamlError as exc:
            problems.append(Problem(name, f"line {exc.line}", exc.message))
            continue
        cat, issues = check_hazards(data)
        problems += [Problem(name, f"line {line}", message) for line, message in duplicates]
        problems += [Problem(name, i.where, i.message) for i in issues]
        if cat is None:
            continue
        for entry in cat.entries:
            if entry.id in owner:
                problems.append(Problem(name, entry.id, f"is already an entry of {owner[entry.id]}; "
                                                        "entry ids must be unique across sources"))
            owner[entry.id] = name
        catalogues.append(cat)
    return sorted(catalogues, key=lambda c: (c.in_force_from, c.id)), problems


def index(catalogues: Iterable[HazardCatalogue]) -> dict[str, tuple[HazardCatalogue, Hazard]]:
    return {h.id: (c, h) for c in catalogues for h in c.entries}


def check_references(checklists: Iterable[tuple[str, Checklist]],
                     catalogues: Iterable[HazardCatalogue]) -> list[Problem]:
    """Every item's ``hazard`` names an entry; an item recording a situation that counts only
    on a formal finding (``documents``) is marked ``finding_document``."""
    known = index(catalogues)
    problems = []
    for path, cl in checklists:
        for item in cl.items:
            if item.hazard is None:
                continue
            found = known.get(item.hazard)
            if found is None:
                problems.append(Problem(path, item.id, f"hazard {item.hazard!r} is no entry of the "
                                        "major-hazard catalogue (checklists/hazards/)"))
            elif found[1].documents and not item.finding_document:
                problems.append(Problem(path, item.id, f"hazard {item.hazard!r} counts only on a formal "
                                        "finding: set finding_document: true so the inspector records "
                                        "the finding's document"))
    return problems
