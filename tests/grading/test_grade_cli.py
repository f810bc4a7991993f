"""``flask grade`` (docs/commands.md, "grade"): one responses file or a CSV batch; exit 2 with every problem
on stderr and nothing on stdout for anything invalid."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from inspect_app.grading.cli import grade_command

STAR_YAML = """\
id: star
version: "2026.1"
title: 养老机构等级评定
department: civil_affairs
kind: grading
sections:
  - id: env
    title: 环境
    items:
      - {id: E1, text: 选址安全, type: check, points: 10, veto: true, na: false}
      - {id: E2, text: 无障碍设施, type: scale, points: 20, step: 2.5, pass_min: 10}
  - id: srv
    title: 服务
    items:
      - {id: S1, text: 护理员培训率, type: measure, points: 30, unit: "%", min: 90}
      - {id: S2, text: 健康档案, type: check, points: 40}
levels:
  - {level: 1, min_total: 30}
  - {level: 2, min_total: 60, min_sections: {srv: 50}}
  - {level: 3, min_total: 90, min_sections: {srv: 60}}
"""
GOOD = {"E1": "pass", "E2": 7.5, "S1": 95, "S2": "na"}
GOOD_RESULT = {
    "checklist": "star", "version": "2026.1", "total": 79.1667, "max": 100, "percent": 79.1667,
    "level": 2, "vetoes": [], "failed": ["E2"],
    "sections": [{"id": "env", "score": 17.5, "max": 30, "applicable_max": 30},
                 {"id": "srv", "score": 70, "max": 70, "applicable_max": 30}]}
VETOED_RESULT = {
    "checklist": "star", "version": "2026.1", "total": 60, "max": 100, "percent": 60,
    "level": None, "vetoes": ["E1"], "failed": ["E1", "S1"],
    "sections": [{"id": "env", "score": 20, "max": 30, "applicable_max": 30},
                 {"id": "srv", "score": 40, "max": 70, "applicable_max": 70}]}
CSV_ROWS = ["b,E1,pass", "b,E2,7.5", "b,S1,95", "b,S2,na",
            "a,E1,fail", "a,E2,20", "a,S1,89.99", "a,S2,pass"]


@pytest.fixture
def checklist(tmp_path):
    path = tmp_path / "star.yaml"
    path.write_text(STAR_YAML, encoding="utf-8")
    return str(path)


def grade(checklist, tmp_path, *, responses=None, csv=None, raw=None, extra=()):
    """Run the command on a responses document or CSV lines written to a file."""
    args = ["--checklist", checklist, *extra]
    if responses is not None or raw is not None:
        path = tmp_path / "responses.json"
        path.write_bytes(raw if raw is not None else json.dumps(responses).encode())
        args += ["--responses", str(path)]
    if csv is not None:
        path = tmp_path / "answers.csv"
        path.write_bytes(csv if isinstance(csv, bytes) else "\n".join(csv).encode() + b"\n")
        args += ["--responses-csv", str(path)]
    return CliRunner().invoke(grade_command, args, catch_exceptions=False)


def refused(result) -> list[str]:
    """Exit 2, nothing on stdout, no traceback; the problems printed on stderr."""
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    return result.stderr.splitlines()


def test_one_responses_file_prints_the_contract_object(checklist, tmp_path):
    result = grade(checklist, tmp_path, responses={"checklist": "star", "responses": GOOD})
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == GOOD_RESULT
    assert list(json.loads(result.stdout)) == list(GOOD_RESULT)


def test_csv_batch_prints_one_line_per_target_in_target_order(checklist, tmp_path):
    result = grade(checklist, tmp_path, csv=["target,item,value", *CSV_ROWS])
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines == [{"target": "a", **VETOED_RESULT}, {"target": "b", **GOOD_RESULT}]


def test_csv_with_byte_order_mark_crlf_and_blank_lines_is_accepted(checklist, tmp_path):
    body = "\r\n".join(["target,item,value", *CSV_ROWS[:4], "", *CSV_ROWS[4:]]) + "\r\n"
    result = grade(checklist, tmp_path, csv=b"\xef\xbb\xbf" + body.encode())
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2


def test_csv_with_only_a_header_grades_nothing(checklist, tmp_path):
    result = grade(checklist, tmp_path, csv=["target,item,value"])
    assert (result.exit_code, result.stdout) == (0, "")


def test_invalid_checklist_file_prints_its_located_problems(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(STAR_YAML.replace("kind: grading", "kind: grading\ncolour: red"), encoding="utf-8")
    lines = refused(grade(str(path), tmp_path, responses={"checklist": "star", "responses": GOOD}))
    assert lines and all(line.startswith(f"{path}: ") for line in lines)


def test_missing_checklist_file_is_refused(tmp_path):
    refused(grade(str(tmp_path / "nope.yaml"), tmp_path, responses={"checklist": "star", "responses": GOOD}))


@pytest.mark.parametrize("extra", [(), ("--responses-csv", "x.csv")])
def test_exactly_one_answers_option_is_required(checklist, tmp_path, extra):
    responses = {"checklist": "star", "responses": GOOD} if extra else None
    refused(grade(checklist, tmp_path, responses=responses, extra=extra))


@pytest.mark.parametrize("raw, expected", [
    (b'{"checklist": "star", "responses": {', "line 1: invalid JSON"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b'["star"]', "document: expected an object"),
    (b'{"responses": {}}', "checklist: expected the checklist id as text"),
    (b'{"checklist": "star", "responses": [1, 2]}', "responses: expected an object"),
    (b'{"checklist": "fire-safety", "responses": {}}', 'checklist: the responses are for checklist "fire-safety"'),
])
def test_unreadable_or_misshapen_responses_are_refused(checklist, tmp_path, raw, expected):
    lines = refused(grade(checklist, tmp_path, raw=raw))
    assert any(expected in line for line in lines), lines


def test_every_invalid_answer_is_listed(checklist, tmp_path):
    raw = (b'{"checklist": "star", "responses": {"E1": "na", "E2": 7.4, "S1": NaN, '
           b'"S2": "pass", "S2": "fail", "X": 1}}')
    lines = refused(grade(checklist, tmp_path, raw=raw))
    path = tmp_path / "responses.json"
    assert lines == [f"{path}: S2: answered more than once",
                     f'{path}: E1: "na" is not allowed for this item',
                     f"{path}: E2: 7.4 is not a multiple of the step 2.5",
                     f"{path}: S1: nan is not a finite number",
                     f"{path}: X: unknown item"]


def test_decimal_answers_are_exact(checklist, tmp_path):
    # 7.50000000000000000001 is not a multiple of 2.5, although as a float it would be.
    raw = b'{"checklist": "star", "responses": {"E1": "pass", "E2": 7.50000000000000000001, "S1": 95, "S2": "na"}}'
    assert any("not a multiple" in line for line in refused(grade(checklist, tmp_path, raw=raw)))


@pytest.mark.parametrize("header", ["target,item", "target,item,answer", "item,target,value", ""])
def test_csv_with_a_wrong_header_is_refused(checklist, tmp_path, header):
    csv = f"{header}\n".encode() if header else b""
    lines = refused(grade(checklist, tmp_path, csv=csv))
    assert "line 1: expected the header target,item,value" in lines[0]


def test_csv_invalid_rows_are_named_by_row_and_line(checklist, tmp_path):
    rows = ["target,item,value", "b,E1,pass", "b,E2,7.4", "", "b,S1,95", '"b', '2",S2,na',
            "b,S2,maybe", "a,E1,pass", "a,E2,20", "a,S1,95", "a,S2,na", "a,ZZ,1"]
    lines = refused(grade(checklist, tmp_path, csv=rows))
    path = tmp_path / "answers.csv"
    assert lines == [
        f"{path}: row 2 (line 3): E2: 7.4 is not a multiple of the step 2.5",
        f'{path}: row 5 (line 8): S2: expected "pass", "fail" or "na", got "maybe"',
        f'{path}: row 10 (line 13): "ZZ": unknown item',
        f'{path}: target "b\\n2": missing items E1, E2, S1',
        f'{path}: target "b\\n2": no applicable item (every answer is "na" or invalid)',
    ]


def test_csv_duplicate_and_missing_answers_are_refused(checklist, tmp_path):
    rows = ["target,item,value", *CSV_ROWS[:3], "b,E1,fail", *CSV_ROWS[4:]]
    lines = refused(grade(checklist, tmp_path, csv=rows))
    path = tmp_path / "answers.csv"
    assert lines == [
        f'{path}: row 4 (line 5): E1: duplicate answer for target "b" (first given on row 1 (line 2))',
        f"{path}: target \"b\": missing items S2"]


@pytest.mark.parametrize("bad_row, at", [(0, 1), (5, 6)])
def test_csv_rows_with_the_wrong_number_of_fields_are_refused(checklist, tmp_path, bad_row, at):
    rows = ["target,item,value", *CSV_ROWS]
    rows[bad_row + 1] += ",extra"
    rows.append("c,E1")
    lines = refused(grade(checklist, tmp_path, csv=rows))
    path = tmp_path / "answers.csv"
    assert f"{path}: row {at} (line {at + 1}): expected 3 fields (target,item,value), found 4" in lines
    assert f"{path}: row 9 (line 10): expected 3 fields (target,item,value), found 2" in lines


def test_csv_that_is_not_utf8_is_refused(checklist, tmp_path):
    lines = refused(grade(checklist, tmp_path, csv=b"target,item,value\nb,E1,\xff\n"))
    assert any("not UTF-8" in line for line in lines)


def test_csv_target_with_nothing_applicable_is_refused(checklist, tmp_path):
    rows = ["target,item,value", "c,E1,pass", "c,E2,na", "c,S1,na", "c,S2,na",
            "d,E1,na", "d,E2,na", "d,S1,na", "d,S2,na"]
    lines = refused(grade(checklist, tmp_path, csv=rows))
    assert lines[0].endswith('row 5 (line 6): E1: "na" is not allowed for this item')
    assert lines[1].endswith('target "d": no applicable item (every answer is "na" or invalid)')
