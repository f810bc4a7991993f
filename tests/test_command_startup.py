"""The file commands start without the web application (docs/architecture.md, "Start-up").

``flask --app wsgi grade|checklist|draw`` loads ``wsgi.py`` in a process of its own; each case
runs the real ``flask`` command line that way and lists which heavy modules the process holds
when the command is done. Timings are measured by ``bench/startup.py``, not here."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from inspect_app.file_commands import command_name

ROOT = Path(__file__).resolve().parent.parent
# Modules of the web application that a file command must not import.
WEB_ONLY = ("sqlalchemy", "flask_sqlalchemy", "flask_migrate", "alembic", "celery", "kombu",
            "flask_babel", "flask_login", "flask_wtf", "wtforms", "psycopg", "inspect_app.core.database",
            "inspect_app.checklists.catalogue", "inspect_app.grading.views")

RUN = """
import json, sys
from flask.cli import main
sys.argv = ["flask", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit as exit:
    code = exit.code
sys.stdout.flush()
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def flask(*args: str) -> tuple[int, str, set[str]]:
    done = subprocess.run([sys.executable, "-c", RUN, json.dumps(list(args))], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    *messages, last = done.stderr.strip().splitlines()
    report = json.loads(last)
    return report["code"], done.stdout, set(report["modules"])


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("answers")
    one = folder / "one.json"
    one.write_text(json.dumps({"checklist": "food-safety", "responses": {}}), encoding="utf-8")
    many = folder / "many.csv"
    many.write_text("target,item,value\nA,NOPE,pass\n", encoding="utf-8")
    draw = folder / "draw.json"
    draw.write_text(json.dumps({"seed": "s", "institutions": [], "inspectors": [], "departments": [],
                                "ratios": {}, "team_per_department": 1, "max_per_inspector": 1}))
    return one, many, draw


def test_grade_and_validate_import_nothing_of_the_web_application(answers):
    one, many, draw = answers
    cases = [
        (["--app", "wsgi", "grade", "--checklist", "checklists/food-safety.yaml", "--responses", str(one)], 2),
        (["--app", "wsgi", "grade", "--checklist", "checklists/food-safety.yaml", "--responses-csv", str(many)], 2),
        (["--app", "wsgi", "checklist", "validate", "checklists/food-safety.yaml"], 0),
        (["-A", "wsgi", "draw", "--input", str(draw)], 0),
    ]
    for args, expected in cases:
        code, _, modules = flask(*args)
        assert code == expected, args
        assert not modules & set(WEB_ONLY), (args, sorted(modules & set(WEB_ONLY)))
        assert "inspect_app.commands" not in modules


def test_the_json_path_needs_neither_pandas_nor_numpy(answers):
    code, out, modules = flask("--app", "wsgi", "checklist", "validate", "checklists/fire-safety.yaml")
    assert (code, out.split()[:2]) == (0, ["ok", "fire-safety"])
    one, _, _ = answers
    code, _, modules = flask("--app", "wsgi", "grade", "--checklist", "checklists/food-safety.yaml",
                             "--responses", str(one))
    assert code == 2 and not {"pandas", "numpy"} & modules


def test_every_other_command_gets_the_web_application():
    code, out, modules = flask("--app", "wsgi", "routes")
    assert code == 0 and "/healthz" in out
    assert {"sqlalchemy", "flask_migrate"} <= modules
    code, out, _ = flask("--app", "wsgi", "--help")
    assert code == 0 and all(name in out for name in ("setup", "seed", "audit", "jobs", "grade", "draw"))


@pytest.mark.parametrize("args, name", [
    (["--app", "wsgi", "grade", "--checklist", "x"], "grade"),
    (["-A", "wsgi", "--debug", "checklist", "validate"], "checklist"),
    (["--app=wsgi", "draw", "--input", "x"], "draw"),
    (["-e", ".env", "--app", "wsgi", "setup"], "setup"),
    (["--app", "wsgi", "--help"], None),
    (["--", "grade"], "grade"),
    ([], None),
])
def test_the_command_is_read_past_the_options_of_flask(args, name):
    assert command_name(args) == name
