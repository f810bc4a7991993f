"""``flask grade``: score answers against a checklist file (docs/commands.md, "grade").

``--responses PATH`` scores one JSON responses file and prints one JSON object;
``--responses-csv PATH`` scores a ``target,item,value`` CSV and prints one JSON object per
target (JSON Lines, ordered by target). Exit 0 with the result on stdout; exit 2 with every
problem on stderr and nothing on stdout when the checklist, the file or any answer is invalid.

The batch path is timed as a whole process, so pandas and numpy are imported only when a
CSV is graded, and the output is written in one piece.
"""
from __future__ import annotations

import importlib
import json
import sys

import click

from ..domain.checklist.model import Checklist, ChecklistError, load_checklist_file
from ..domain.scoring.single import InvalidResponses, score, to_contract_dict
from .answer_files import (
    CsvRows, InputFileError, read_answers_csv, read_responses_file)

# The batch path needs numpy and pandas (about half a second to import): it is loaded by name
# when a CSV is graded, so grading one JSON file starts at once (docs/architecture.md, "Start-up").
BATCH_SCORING = "inspect_app.domain.scoring.batch"


@click.command("grade")
@click.option("--checklist", "checklist_path", required=True, type=click.Path(dir_okay=False),
              help="Checklist file (YAML, format in checklists/README.md).")
@click.option("--responses", "responses_path", type=click.Path(dir_okay=False),
              help='One set of answers (JSON): {"checklist": id, "responses": {item: answer}}.')
@click.option("--responses-csv", "csv_path", type=click.Path(dir_okay=False),
              help="Many targets' answers (CSV with header target,item,value).")
def grade_command(checklist_path: str, responses_path: str | None, csv_path: str | None) -> None:
    """Score answers against a checklist: total, percent, level, vetoes, failed items."""
    if (responses_path is None) == (csv_path is None):
        raise click.UsageError("give exactly one of --responses or --responses-csv")
    try:
        checklist = load_checklist_file(checklist_path)
    except ChecklistError as exc:
        _fail([str(problem) for problem in exc.problems])
    try:
        if responses_path is not None:
            output = _grade_one(checklist, responses_path)
        else:
            output = _grade_batch(checklist, csv_path)
    except InputFileError as exc:
        _fail(exc.problems)
    _write(output)


def _grade_one(checklist: Checklist, path: str) -> str:
    """The output object for one responses file; every problem of the file and its answers."""
    checklist_id, responses, problems = read_responses_file(path)
    if checklist_id is not None and checklist_id != checklist.id:
        problems.append(f"{path}: checklist: the responses are for checklist "
                        f"{json.dumps(checklist_id, ensure_ascii=False)}, "
                        f"not {json.dumps(checklist.id)}")
    elif responses is not None:
        try:
            result = score(checklist, responses)
        except InvalidResponses as exc:
            problems += [f"{path}: {problem}" for problem in exc.problems]
        else:
            if not problems:
                return json.dumps(to_contract_dict(result, checklist), ensure_ascii=False) + "\n"
    raise InputFileError(problems)


def _grade_batch(checklist: Checklist, path: str) -> str:
    """JSON Lines for an answers CSV, one object per target; every problem, located."""
    scoring = importlib.import_module(BATCH_SCORING)
    frame, rows = read_answers_csv(path)
    try:
        batch = scoring.score_long_frame(checklist, frame)
    except scoring.InvalidAnswerRows as exc:
        raise InputFileError(_located(exc, rows or CsvRows(path), path)) from None
    if rows is not None and rows.problems:
        raise InputFileError(rows.problems)
    return batch.json_lines()


def _located(exc, rows: CsvRows, path: str) -> list[str]:
    """Every row problem as ``<path>: row N (line M): …`` (a malformed row once, by its shape),
    then every target problem."""
    found = [(row, f"{path}: {rows.name(row)}: {message}") for row, message in rows.malformed.items()]
    for p in exc.row_problems:
        if p.row not in rows.malformed:
            first = "" if p.first_row is None else f" (first given on {rows.name(p.first_row)})"
            found.append((p.row, f"{path}: {rows.name(p.row)}: {p.message}{first}"))
    found.sort(key=lambda pair: pair[0])
    targets = [f"{path}: target {json.dumps(p.target, ensure_ascii=False)}: {p.message}"
               for p in exc.target_problems]
    return rows.file_problems + [text for _, text in found] + targets


def _write(output: str) -> None:
    """Write the whole result at once, as UTF-8 whatever the locale."""
    stdout = getattr(sys.stdout, "buffer", None)
    if stdout is None:
        click.echo(output, nl=False)
        return
    sys.stdout.flush()
    stdout.write(output.encode("utf-8"))
    stdout.flush()


def _fail(problems: list[str]) -> None:
    click.echo("\n".join(problems), err=True)
    raise click.exceptions.Exit(2)
