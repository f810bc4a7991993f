"""``flask draw --input PATH`` (docs/commands.md, "draw"): exit codes, streams and the published bytes."""
from __future__ import annotations

import hashlib
import json

import pytest
from click.testing import CliRunner
from flask import Flask

from inspect_app.planning.cli import draw_command


def draw_input(**fields) -> dict:
    doc = {
        "seed": "2026-Q1-黄浦区",
        "institutions": [{"id": f"I{n:03}", "district": "东" if n % 2 else "西",
                          "risk": "high" if n < 6 else "low"} for n in range(30)],
        "inspectors": [{"id": f"U{n:02}", "department": ("fire", "civil_affairs")[n % 2],
                        "district": "东西南"[n % 3], "avoid": [f"I{n:03}"]} for n in range(12)],
        "departments": ["civil_affairs", "fire"],
        "ratios": {"high": 0.5, "low": 0.07},
        "team_per_department": 1,
        "max_per_inspector": 5,
        "avoid_own_district": True,
    }
    doc.update(fields)
    return doc


@pytest.fixture
def run(tmp_path):
    def invoke(content: dict | bytes | str, name: str = "draw.json"):
        path = tmp_path / name
        if isinstance(content, dict):
            content = json.dumps(content, ensure_ascii=False, indent=1)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return CliRunner().invoke(draw_command, ["--input", str(path)]), path
    return invoke


def test_a_feasible_draw_prints_the_result_and_exits_0(run):
    result, _ = run(draw_input())
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    out = json.loads(result.stdout_bytes.decode("utf-8"))
    assert list(out) == ["seed", "digest", "selected"]
    assert out["seed"] == "2026-Q1-黄浦区"
    assert len(out["selected"]) == 3 + 2       # ceil(0.5 × 6) + ceil(0.07 × 24)
    assert all(len(s["team"]) == 2 for s in out["selected"])


def test_output_is_utf8_with_one_trailing_newline_and_byte_identical_on_rerun(run):
    first, _ = run(draw_input())
    second, _ = run(draw_input(), name="again.json")
    assert first.stdout_bytes == second.stdout_bytes
    assert first.stdout_bytes.endswith(b"}\n") and not first.stdout_bytes.endswith(b"\n\n")
    assert "黄浦区".encode("utf-8") in first.stdout_bytes      # not \\u escapes


def test_anyone_can_recompute_the_digest_from_the_published_file(run):
    result, path = run(draw_input())
    published = json.loads(path.read_bytes())
    text = json.dumps(published, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert json.loads(result.stdout)["digest"] == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_invalid_input_lists_every_problem_and_exits_2(run):
    result, path = run(draw_input(seed="", team_per_department=1.0))
    assert result.exit_code == 2
    assert result.stdout_bytes == b""
    assert result.stderr.splitlines() == [
        f'{path}: seed: must be a non-empty string, not ""',
        f"{path}: team_per_department: must be a positive integer, not 1.0",
    ]


def test_bad_json_is_located_by_line_and_column(run):
    result, path = run('{\n  "seed": "x",\n  "ratios": {"high": 0.5,}\n}')
    assert result.exit_code == 2
    assert result.stdout_bytes == b""
    assert result.stderr.startswith(f"{path}: line 3 column 26: ")   # the JSON reader's own words follow
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_an_unreadable_file_exits_2(tmp_path):
    missing = tmp_path / "missing.json"
    result = CliRunner().invoke(draw_command, ["--input", str(missing)])
    assert result.exit_code == 2
    assert result.stdout_bytes == b""
    assert result.stderr.startswith(f"{missing}: cannot read: ") and result.stderr.count("\n") == 1


def test_infeasible_rules_exit_3_saying_which_rule_and_where(run):
    result, path = run(draw_input(max_per_inspector=1, ratios={"high": 1, "low": 1}))
    assert result.exit_code == 3
    assert result.stdout_bytes == b""
    assert result.stderr.splitlines()[0] == (
        f'{path}: infeasible: department "civil_affairs": not enough inspectors: 30 selected '
        "institutions × team_per_department 1 need 30 assignments, but 6 inspectors × "
        "max_per_inspector 1 give at most 6")
    assert "Traceback" not in result.output


def test_registered_on_a_flask_app_as_draw(run, tmp_path):
    app = Flask(__name__)
    app.cli.add_command(draw_command)
    _, path = run(draw_input())
    result = app.test_cli_runner().invoke(args=["draw", "--input", str(path)])
    assert result.exit_code == 0
    assert result.stdout_bytes == run(draw_input(), name="again.json")[0].stdout_bytes
