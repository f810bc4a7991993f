"""Loading ``policies/checklist-scope.yaml`` (which checklists are used at which facility
types; :mod:`inspect_app.domain.checklist.scope`). Read when first used and cached until the
file changes; the application checks it against the catalogue when it starts.
``CHECKLIST_SCOPE`` in the config names another file."""
from __future__ import annotations

from ..config import PROJECT_ROOT
from ..core.policyfiles import PolicyFile
from ..domain.checklist.model import Checklist
from ..domain.checklist.scope import ChecklistScope, ScopeError, parse_scope, unknown_checklists
from ..domain.institution import INSTITUTION_TYPES
from . import catalogue

DEFAULT_PATH = PROJECT_ROOT / "policies" / "checklist-scope.yaml"

FILE = PolicyFile.of_yaml("CHECKLIST_SCOPE", DEFAULT_PATH,
                          lambda data, name: parse_scope(data, name, INSTITUTION_TYPES),
                          lambda name, where, message: ScopeError([f"{name}: {where}: {message}"]))


def current() -> ChecklistScope:
    return FILE.get()


def check_against_catalogue() -> None:
    """Raise ScopeError when the file names a checklist the catalogue does not hold."""
    problems = unknown_checklists(current(), catalogue.all_checklists(), str(FILE.path()))
    if problems:
        raise ScopeError(problems)


def checklists_for(department: str, kind: str, institution_type: str | None = None) -> list[Checklist]:
    """The catalogue's checklists of a department and kind used at ``institution_type`` (any
    type when None): those the scope file names for the type first, then those it names for
    no type, each group by id."""
    scope = current()
    found = [cl for cl in catalogue.all_checklists().values()
             if cl.department == department and cl.kind == kind and scope.applies(cl.id, institution_type)]
    return sorted(found, key=lambda cl: (not scope.named_for(cl.id, institution_type), cl.id))


def types_of(checklist_id: str) -> tuple[str, ...] | None:
    """The facility types a checklist is used at (None: every type)."""
    return current().types(checklist_id)
