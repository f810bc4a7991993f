"""The import rules of docs/architecture.md, checked on the source (no app needed).

* ``inspect_app/domain`` is pure: no Flask, SQLAlchemy, Celery, and nothing else of the project;
  its modules (the subject packages too) import only the domain, the standard library and the
  pure libraries (yaml, numpy, pandas).
* Nothing in ``inspect_app`` imports ``tasks`` (work for later is a row, not a task call).
* Features form a chain: a feature imports only the features before it.
* ``core`` holds mechanisms below every feature: it imports no feature.
* ``demo`` sits on top of the chain: no production package imports it (only the commands).
* Views decide access through the permission table, never by comparing roles.
* No import cycle inside a package (imports inside functions count).
* No project import inside a function, except in the factory (``inspect_app/__init__.py``) and
  the job-handler tables (a feature's ``jobs.py``).
* State machines are tables in the domain: no machine is made, and no transition table kept,
  outside ``inspect_app/domain``.

Each rule's checker takes source text (the cycle rule: a folder), so a planted violation shows
that the rule can fail.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "inspect_app"
CHAIN = ["auth", "registry", "users", "checklists", "inspections", "rectification", "complaints", "grading",
         "planning", "agreements",
         "ranking", "overview"]
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



# Import cycles, function-local imports, the domain's own imports -----------------------------

PURE_LIBRARIES = {"yaml", "numpy", "pandas"}   # parse and compute; no I/O, no framework
FACTORY = PACKAGE / "__init__.py"             # create_app wires every package, late by design


def domain_problems(path: Path, source: str | None = None) -> list[str]:
    """Imports of a domain module outside the domain, the standard library and the pure
    libraries."""
    problems = []
    for module, line in _imports(path, source):
        top = module.split(".")[0]
        if top == "inspect_app":
            allowed = module == "inspect_app.domain" or module.startswith("inspect_app.domain.")
        else:
            allowed = top in sys.stdlib_module_names or top in PURE_LIBRARIES or top == "__future__"
        if not allowed:
            problems.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return problems


def _function_local(node: ast.AST, function: str | None = None):
    """(innermost function's name, import node) for each import inside a function body."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield from _function_local(child, child.name)
        elif isinstance(child, (ast.Import, ast.ImportFrom)):
            if function is not None:
                yield function, child
        else:
            yield from _function_local(child, function)


def local_import_problems(path: Path, source: str | None = None) -> list[str]:
    """Project modules imported inside a function: each hides a dependency (often a cycle).
    The application factory and the job-handler tables (a feature's ``jobs.py``) may."""
    if path == FACTORY or (path.name == "jobs.py" and path.parent.name in CHAIN):
        return []
    tree = ast.parse(path.read_text(encoding="utf-8") if source is None else source)
    problems = []
    for name, node in _function_local(tree):
        project = getattr(node, "level", 0) > 0 or any(
            n.split(".")[0] in {"inspect_app", "tasks"}
            for n in ([a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]))
        if project:
            problems.append(f"{path.relative_to(ROOT)}:{node.lineno} imports inside {name}()")
    return problems


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_cycles(package: Path, root: Path = ROOT) -> list[list[str]]:
    """The import cycles among the modules of ``package`` (module-level and function-local
    imports alike), each as a path ``[a, b, …, a]``. ``from p import m`` is an edge to the
    module ``p.m`` when there is one, else to ``p``."""
    modules = {_module_name(p, root): p for p in _sources(package)}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        inside = list(path.relative_to(root).with_suffix("").parts[:-1])
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = ".".join(inside[: len(inside) - node.level + 1] + ([node.module] if node.module else [])) \
                    if node.level else node.module or ""
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            else:
                continue
            graph[name] |= {t for t in targets if t in modules and t != name}
    cycles, done = [], set()

    def visit(module: str, trail: list[str]) -> None:
        for target in sorted(graph[module]):
            if target in trail:
                cycle = trail[trail.index(target):] + [target]
                if frozenset(cycle) not in done:
                    done.add(frozenset(cycle))
                    cycles.append(cycle)
            elif target not in finished:
                visit(target, trail + [target])
        finished.add(module)

    finished: set[str] = set()
    for module in sorted(graph):
        if module not in finished:
            visit(module, [module])
    return cycles


def test_the_domain_imports_only_the_domain_and_pure_libraries():
    problems = [problem for p in _sources(PACKAGE / "domain") for problem in domain_problems(p)]
    assert not problems, problems


@pytest.mark.parametrize("package", ["core", "domain", *CHAIN, "home", "demo"])
def test_no_import_cycle_inside_a_package(package):
    assert import_cycles(PACKAGE / package) == []


def test_no_function_local_project_imports():
    problems = [problem for p in _sources(PACKAGE) for problem in local_import_problems(p)]
    assert not problems, problems


# … and fail on planted violations.

@pytest.mark.parametrize("source, module", [
    ("from ...core.errors import Invalid\n", "inspect_app.core.errors"),
    ("from inspect_app.grading import records\n", "inspect_app.grading"),
    ("import flask\n", "flask"),
    ("import requests\n", "requests"),
    ("from sqlalchemy import select\n", "sqlalchemy"),
])
def test_domain_rule_reports_an_import_from_outside(source, module):
    path = PACKAGE / "domain" / "draw" / "planted.py"
    assert domain_problems(path, source) == [f"inspect_app/domain/draw/planted.py:1 imports {module}"]


def test_domain_rule_lets_the_domain_and_pure_libraries_pass():
    path = PACKAGE / "domain" / "scoring" / "planted.py"
    source = ("from __future__ import annotations\nimport re\nfrom fractions import Fraction\n"
              "import numpy as np\nfrom ..checklist.model import Checklist\nfrom .. import bureau\n"
              "from inspect_app.domain.translatable import N_\n")
    assert domain_problems(path, source) == []


def test_local_import_rule_reports_a_project_import_inside_a_function():
    path = PACKAGE / "grading" / "planted.py"
    source = ("import json\n\ndef f():\n    import pandas\n    from .records import get_record\n"
              "    return get_record\n\nclass Planted:\n    def g(self):\n"
              "        import inspect_app.planning.runs\n")
    assert local_import_problems(path, source) == [
        "inspect_app/grading/planted.py:5 imports inside f()",
        "inspect_app/grading/planted.py:10 imports inside g()"]
    assert local_import_problems(PACKAGE / "grading" / "jobs.py", source) == []
    assert local_import_problems(FACTORY, source) == []


def test_cycle_rule_reports_a_cycle_hidden_in_a_function(tmp_path):
    feature = tmp_path / "inspect_app" / "feature"
    feature.mkdir(parents=True)
    (feature / "__init__.py").write_text('"""A planted feature."""\n')
    (feature / "a.py").write_text("from . import b\n")
    (feature / "b.py").write_text("def f():\n    from .c import g\n    return g\n")
    (feature / "c.py").write_text("from .a import x\n")
    (feature / "d.py").write_text("from inspect_app.feature import a, c\n")
    assert import_cycles(feature, tmp_path) == [
        ["inspect_app.feature.a", "inspect_app.feature.b", "inspect_app.feature.c", "inspect_app.feature.a"]]
    (feature / "b.py").write_text("X = 1\n")
    assert import_cycles(feature, tmp_path) == []


# State machines are tables in the domain (docs/architecture.md, "State machines"): a machine is
# made (Machine.of, Machine, Transition) only in inspect_app/domain, and no module elsewhere
# keeps a transition table of its own (a dict keyed by (state, event) pairs of strings).

MACHINE_NAMES = {"Machine", "Transition"}


def _is_state_pair(node: ast.AST) -> bool:
    return (isinstance(node, ast.Tuple) and len(node.elts) == 2 and all(
        isinstance(e, ast.Constant) and (e.value is None or isinstance(e.value, str)) for e in node.elts))


def machine_problems(path: Path, source: str | None = None) -> list[str]:
    """Machines made, or transition tables kept, outside the domain."""
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"))
    where = path.relative_to(ROOT)
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                else func.id if isinstance(func, ast.Name) else None
            if name in MACHINE_NAMES:
                problems.append(f"{where}:{node.lineno} makes a {name}")
    for node in tree.body:
        value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        if isinstance(value, ast.Dict) and value.keys and all(_is_state_pair(k) for k in value.keys):
            problems.append(f"{where}:{node.lineno} keeps a transition table")
    return problems


def test_state_machines_are_tables_in_the_domain():
    problems = [problem for p in _sources(PACKAGE) if "domain" not in p.relative_to(PACKAGE).parts
                for problem in machine_problems(p)]
    assert not problems, problems


def test_machine_rule_reports_a_machine_or_table_outside_the_domain():
    path = PACKAGE / "complaints" / "planted.py"
    assert machine_problems(path, "from ..domain.machine import Machine\nCASE = Machine.of('case', [])\n") == [
        "inspect_app/complaints/planted.py:2 makes a Machine"]
    assert machine_problems(path, "TABLE = {('open', 'close'): 'closed', (None, 'open'): 'open'}\n") == [
        "inspect_app/complaints/planted.py:1 keeps a transition table"]
    assert machine_problems(path, "from ..domain.visits import VISIT\nLABELS = {'open': 'x'}\n") == []
