"""Which checklists are used at which kinds of facility (``policies/checklist-scope.yaml``).

The checklist format has no field for the facility types a checklist applies to, so the
mapping is a policy file: checklist id → the institution types (domain/institution.py) it is
used at. A checklist the file does not name is used at every type (so a checklist added
later works everywhere until the file names it). Pure: plain data in, located problems out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping
from ..policy_fields import head_problems


class ScopeError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ChecklistScope:
    version: str
    types_of: Mapping[str, tuple[str, ...]] = field(default_factory=dict)   # checklist id → types

    def applies(self, checklist_id: str, institution_type: str | None) -> bool:
        """Whether a checklist is used at a facility of ``institution_type`` (None: any type)."""
        if institution_type is None or checklist_id not in self.types_of:
            return True
        return institution_type in self.types_of[checklist_id]

    def named_for(self, checklist_id: str, institution_type: str | None) -> bool:
        """Whether the file names the checklist for this very type (preferred over a checklist
        used everywhere because the file does not name it)."""
        return institution_type is not None and institution_type in self.types_of.get(checklist_id, ())

    def types(self, checklist_id: str) -> tuple[str, ...] | None:
        """The types a checklist is used at, or None when it is used at every type."""
        return self.types_of.get(checklist_id)


def parse_scope(data: Any, source: str, institution_types: Iterable[str]) -> ChecklistScope:
    """The file's data → :class:`ChecklistScope`; ScopeError with every problem located as
    ``<source>: <where>: <message>``."""
    known_types = set(institution_types)
    if not isinstance(data, Mapping):
        raise ScopeError([f"{source}: file: expected a mapping with version and checklists"])
    problems = head_problems(data, source, ("checklists",))
    version = data.get("version")
    raw = data.get("checklists")
    types_of: dict[str, tuple[str, ...]] = {}
    if not isinstance(raw, Mapping) or not raw:
        problems.append(f"{source}: checklists: expected a mapping of checklist id to a list of facility types")
        raw = {}
    for checklist_id, types in raw.items():
        where = f"{source}: checklists.{checklist_id}"
        if not isinstance(types, list) or not types or not all(isinstance(t, str) for t in types):
            problems.append(f"{where}: expected a non-empty list of facility types")
            continue
        unknown = [t for t in types if t not in known_types]
        if unknown:
            problems.append(f"{where}: unknown facility type {', '.join(unknown)} "
                            f"(known: {', '.join(sorted(known_types))})")
        if len(set(types)) != len(types):
            problems.append(f"{where}: a facility type is listed twice")
        types_of[str(checklist_id)] = tuple(types)
    if problems:
        raise ScopeError(problems)
    return ChecklistScope(version.strip(), types_of)


def unknown_checklists(scope: ChecklistScope, checklist_ids: Iterable[str], source: str) -> list[str]:
    """Problems for checklist ids the file names but the catalogue does not hold."""
    ids = set(checklist_ids)
    return [f"{source}: checklists.{cid}: no checklist has this id" for cid in scope.types_of if cid not in ids]
