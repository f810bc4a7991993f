"""The import rules of docs/architecture.md, checked on the source (no app needed).

* ``inspect_app/domain`` is pure: no Flask, SQLAlchemy, Celery, and nothing else of the project.
* Nothing in ``inspect_app`` imports ``tasks`` (work for later is a row, not a task call).
* Features form a chain: a feature imports only the features before it.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "inspect_app"
CHAIN = ["auth", "registry", "users", "checklists", "inspections", "rectification", "grading", "planning"]
FORBIDDEN_IN_DOMAIN = {"flask", "flask_sqlalchemy", "sqlalchemy", "celery", "flask_babel", "flask_login",
                       "werkzeug", "inspect_app", "tasks"}


def _imports(path: Path) -> list[tuple[str, int]]:
    """Absolute module names imported by ``path`` (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - node.level + 1])
                module = ".".join(base + ([node.module] if node.module else []))
                names = [module] if node.module else [f"{module}.{a.name}" for a in node.names]
                found += [(n, node.lineno) for n in names]
            else:
                found.append((node.module or "", node.lineno))
    return found


def _sources(folder: Path):
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def test_domain_is_pure():
    problems = []
    for path in _sources(PACKAGE / "domain"):
        for module, line in _imports(path):
            top = module.split(".")[0]
            inside_domain = module.startswith("inspect_app.domain")
            if top in FORBIDDEN_IN_DOMAIN and not inside_domain:
                problems.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not problems, problems


def test_the_application_never_imports_tasks():
    problems = [f"{p.relative_to(ROOT)}:{line} imports {m}" for p in _sources(PACKAGE)
                for m, line in _imports(p) if m.split(".")[0] == "tasks"]
    assert not problems, problems


@pytest.mark.parametrize("feature", CHAIN)
def test_features_import_only_earlier_features(feature):
    allowed = set(CHAIN[: CHAIN.index(feature) + 1])
    later = set(CHAIN) - allowed
    problems = []
    for path in _sources(PACKAGE / feature):
        for module, line in _imports(path):
            parts = module.split(".")
            if len(parts) > 1 and parts[0] == "inspect_app" and parts[1] in later:
                problems.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not problems, problems


# The web edge and the operations commands sit on top of every feature; the other core
# mechanisms (errors, audit, jobs, files, types, paging, spreadsheets, PDF) sit below them all.
CORE_EDGES = {"seed.py", "cli.py", "views.py", "web.py"}


def test_core_mechanisms_import_no_feature():
    features = set(CHAIN)
    problems = [f"{p.relative_to(ROOT)}:{line} imports {m}" for p in _sources(PACKAGE / "core")
                if p.name not in CORE_EDGES for m, line in _imports(p)
                if len(m.split(".")) > 1 and m.split(".")[0] == "inspect_app" and m.split(".")[1] in features]
    assert not problems, problems
