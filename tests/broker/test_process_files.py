"""The process definitions production uses (docs/operations.md): the supervisord file of the demo
and small installs, and the systemd units of servers, run the same three processes and restart
each one that dies."""
from __future__ import annotations

import configparser
import shutil
import subprocess
import sys

import pytest

from .system import ROOT

DEPLOY = ROOT / "deploy"
COMMANDS = {"web": "wsgi:app", "worker": "-A tasks.worker worker", "beat": "-A tasks.worker beat"}


def _read(path) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=True, delimiters=("=",))
    parser.optionxform = str
    parser.read(path, encoding="utf-8")
    return parser


def test_supervisord_restarts_each_process_that_dies():
    conf = _read(DEPLOY / "supervisord.conf")
    programs = {s.split(":", 1)[1]: conf[s] for s in conf.sections() if s.startswith("program:")}
    assert set(programs) == set(COMMANDS)
    for name, program in programs.items():
        assert COMMANDS[name] in program["command"], name
        assert program["autorestart"] == "true" and program["killasgroup"] == "true", name
    # The worker gets a warm shutdown (TERM to its main process only) and time to finish.
    assert "stopasgroup" not in programs["worker"] and int(programs["worker"]["stopwaitsecs"]) >= 30


def test_systemd_units_restart_each_process_that_dies():
    target = _read(DEPLOY / "systemd" / "careinspect.target")
    wanted = target["Unit"]["Wants"].split()
    assert wanted == [f"careinspect-{name}.service" for name in ("web", "worker", "beat")]
    for name, command in COMMANDS.items():
        unit = _read(DEPLOY / "systemd" / f"careinspect-{name}.service")
        service = unit["Service"]
        assert command in service["ExecStart"], name
        assert service["Restart"] == "always" and unit["Unit"]["StartLimitIntervalSec"] == "0", name
        assert service["KillMode"] == "mixed" and unit["Unit"]["PartOf"] == "careinspect.target", name


def test_systemd_accepts_the_units(tmp_path):
    """``systemd-analyze verify`` on copies whose programs and user exist on this machine."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    for unit in (DEPLOY / "systemd").glob("careinspect*"):
        text = unit.read_text(encoding="utf-8")
        for program in ("gunicorn", "celery"):
            text = text.replace(f"/opt/careinspect/.venv/bin/{program}", sys.executable)
        text = text.replace("User=careinspect", "User=root").replace("Group=careinspect", "Group=root")
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
    result = subprocess.run(["systemd-analyze", "verify", *sorted(map(str, tmp_path.iterdir()))],
                            capture_output=True, text=True, timeout=60)
    problems = [line for line in (result.stdout + result.stderr).splitlines() if "careinspect" in line]
    assert result.returncode == 0 and not problems, result.stdout + result.stderr
