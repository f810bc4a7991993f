"""The import rules of docs/architecture.md, checked on the source (no app needed).

* ``inspect_app/domain`` is pure: no Flask, SQLAlchemy, Celery, and nothing else of the project.
* Nothing in ``inspect_app`` imports ``tasks`` (work for later is a row, not a task call).
* Features form a chain: a feature imports only the features before it.
* ``core`` holds mechanisms below every feature: it imports no feature.
* ``demo`` sits on top of the chain: no production package imports it (only the commands).
* Views decide access through the permission table, never by comparing roles.

Each rule's checker takes source text, so a planted violation shows that the rule can fail.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "inspect_app"
CHAIN = ["auth", "registry", "users", "checklists", "inspections", "rectification", "grading", "planning",
         "ranking"]
FORBIDDEN_IN_DOMAIN = {"flask", "flask_sqlalchemy", "sqlalchemy", "celery", "flask_babel", "flask_login",
                       "werkzeug", "inspect_app", "tasks"}


def _imports(path: Path, source: str | None = None) -> list[tuple[str, int]]:
    """Absolute module names imported by ``path`` (relative imports resolved); ``source``
    stands in for the file's text (a planted violation)."""
    tree = ast.parse(path.read_text(encoding="utf-8") if source is None else source)
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


def _imported_packages(path: Path, source: str | None = None) -> list[tuple[str, str, int]]:
    """(package under inspect_app, module, line) for each project import of ``path``."""
    out = []
    for module, line in _imports(path, source):
        parts = module.split(".")
        if parts[0] == "inspect_app" and len(parts) > 1:
            out.append((parts[1], module, line))
    return out


def core_problems(path: Path, source: str | None = None) -> list[str]:
    """Imports of a feature (or of the demo data) by a ``core`` module."""
    return [f"{path.relative_to(ROOT)}:{line} imports {module}"
            for package, module, line in _imported_packages(path, source)
            if package in set(CHAIN) | {"demo", "home", "commands"}]


def demo_problems(path: Path, source: str | None = None) -> list[str]:
    """Imports of ``inspect_app.demo`` by a production module (the commands module may)."""
    if path == PACKAGE / "commands.py" or PACKAGE / "demo" in path.parents:
        return []
    return [f"{path.relative_to(ROOT)}:{line} imports {module}"
            for package, module, line in _imported_packages(path, source) if package == "demo"]


ROLE_NAMES = {"inspector", "department_admin", "bureau_admin", "institution_staff"}


def _names_a_role(node: ast.AST) -> bool:
    """``Role.X``, ``Role("…")`` or a role's name as a string, also inside a tuple, list or set."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Role":
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Role":
        return True
    if isinstance(node, ast.Constant) and node.value in ROLE_NAMES:
        return True
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return any(_names_a_role(e) for e in node.elts)
    return False


def role_comparisons(source: str) -> list[int]:
    """Lines of a view module that compare something with a role (access decided by role
    instead of by a permission of the table)."""
    return sorted({node.lineno for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Compare)
                   and any(_names_a_role(n) for n in [node.left, *node.comparators])})


def test_core_imports_no_feature():
    problems = [problem for p in _sources(PACKAGE / "core") for problem in core_problems(p)]
    assert not problems, problems


def test_no_production_package_imports_the_demo_data():
    problems = [problem for p in _sources(PACKAGE) for problem in demo_problems(p)]
    assert not problems, problems


def test_no_view_compares_roles():
    views = [p for p in _sources(PACKAGE) if p.name == "views.py"]
    assert len(views) >= 9
    problems = [f"{p.relative_to(ROOT)}:{line}" for p in views
                for line in role_comparisons(p.read_text(encoding="utf-8"))]
    assert not problems, problems


# The rules fail on planted violations.

def test_core_rule_reports_a_feature_import():
    path = PACKAGE / "core" / "planted.py"
    assert core_problems(path, "from ..grading import records\n") == [
        "inspect_app/core/planted.py:1 imports inspect_app.grading"]
    assert core_problems(path, "x = 1\nimport inspect_app.auth.policy\n") == [
        "inspect_app/core/planted.py:2 imports inspect_app.auth.policy"]
    assert core_problems(path, "from .demo_like import x\nfrom ..domain import draw\n") == []


def test_demo_rule_reports_a_production_import():
    planted = PACKAGE / "planning" / "planted.py"
    assert demo_problems(planted, "from ..demo import seed_demo\n") == [
        "inspect_app/planning/planted.py:1 imports inspect_app.demo"]
    assert demo_problems(PACKAGE / "core" / "planted.py", "from inspect_app.demo import grading\n")
    assert demo_problems(PACKAGE / "commands.py", "from .demo import seed_demo\n") == []


@pytest.mark.parametrize("source", [
    'if current_user.role == "bureau_admin":\n    pass\n',
    "x = current_user.role != Role.INSTITUTION_STAFF\n",
    "ok = user.role in (Role.BUREAU_ADMIN, Role.DEPARTMENT_ADMIN)\n",
    'ok = "inspector" == user.role\n',
    'ok = user.role not in {"department_admin"}\n',
])
def test_role_rule_reports_a_role_comparison(source):
    assert role_comparisons(source) == [1 + source.count("\n", 0, source.index("="))]


def test_role_rule_lets_a_permission_check_pass():
    assert role_comparisons('if can(current_user, "audit.view"):\n    role = "bureau_admin"\n') == []


def _literals_of_all_departments(source: str) -> list[int]:
    from inspect_app.domain.bureau import DEPARTMENTS
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, (ast.Tuple, ast.List, ast.Set))
            and set(DEPARTMENTS) <= {e.value for e in node.elts if isinstance(e, ast.Constant)}]


def test_the_bureau_names_are_defined_once():
    """The departments and the time zone live in ``domain/bureau.py``; the labels table names
    exactly those departments."""
    from inspect_app.core import labels
    from inspect_app.domain.bureau import DEPARTMENTS
    zones, departments = [], []
    for path in _sources(PACKAGE):
        text = path.read_text(encoding="utf-8")
        zones += [f"{path.relative_to(ROOT)}"] * text.count('"Asia/Shanghai"')
        departments += [f"{path.relative_to(ROOT)}:{n}" for n in _literals_of_all_departments(text)]
    assert zones == ["inspect_app/domain/bureau.py"]
    assert departments == ["inspect_app/domain/bureau.py:7"]
    assert tuple(labels.DEPARTMENTS) == DEPARTMENTS
    assert _literals_of_all_departments(
        'X = ["medical_insurance", "health", "fire", "market_regulation", "civil_affairs"]') == [1]

