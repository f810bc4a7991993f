"""``flask checklist …``: validate checklist files and move them to and from Excel.

The commands read and write files only (no database, no application context), so a
bureau's batch jobs can run them anywhere. Problems go to stderr as
``<path>: <where>: <message>`` with exit status 1; nothing is written then.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import NoReturn

import click
from flask.cli import AppGroup

from ..domain.checklist.model import (Checklist, ChecklistError, Problem, dump_yaml, load_catalogue,
                                load_checklist_file)
from ..domain.checklist.hazards import check_references, load_hazard_files
from .excel import checklist_from_xlsx, checklist_to_xlsx

checklist_cli = AppGroup("checklist", help="Validate checklist files and convert them to and "
                                           "from Excel workbooks (.xlsx).")


@checklist_cli.command("validate", with_appcontext=False)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def validate(paths: tuple[str, ...]) -> None:
    """Check the checklist files PATHS (and that no two share an id). When all are valid,
    print "ok <id> <version> <items>" for each; otherwise print every problem and exit 1."""
    try:
        catalogue = load_catalogue(paths)
    except ChecklistError as error:
        _fail(error.problems)
    problems = _hazard_problems(paths)
    if problems:
        _fail(problems)
    for checklist in catalogue.values():
        click.echo(f"ok {_summary(checklist)}")


@checklist_cli.command("export", with_appcontext=False)
@click.argument("path", type=click.Path())
@click.argument("out", type=click.Path(dir_okay=False))
def export(path: str, out: str) -> None:
    """Write the checklist file PATH as the Excel workbook OUT (.xlsx)."""
    try:
        checklist = load_checklist_file(path)
    except ChecklistError as error:
        _fail(error.problems)
    workbook = io.BytesIO()
    checklist_to_xlsx(checklist, workbook)
    _write(out, workbook.getvalue())
    click.echo(f"wrote {out}: {_summary(checklist)}")


@checklist_cli.command("import-xlsx", with_appcontext=False)
@click.argument("source", metavar="IN", type=click.Path())
@click.argument("out", type=click.Path(dir_okay=False))
def import_xlsx(source: str, out: str) -> None:
    """Check the Excel workbook IN by the rules of a checklist file and write it as the YAML
    file OUT; on any problem, print them all and write nothing."""
    try:
        checklist = checklist_from_xlsx(source, source)
    except ChecklistError as error:
        _fail(error.problems)
    _write(out, dump_yaml(checklist).encode("utf-8"))
    click.echo(f"wrote {out}: {_summary(checklist)}")


def _hazard_problems(paths: tuple[str, ...]) -> list[Problem]:
    """Items naming a major-hazard entry are checked against the catalogue beside their file
    (``hazards/*.yaml`` in the same folder, checklists/README.md) when that folder exists; the
    application checks them against its own catalogue when it starts in any case."""
    problems: list[Problem] = []
    for folder in sorted({Path(p).parent for p in paths}):
        hazard_files = sorted((folder / "hazards").glob("*.yaml"))
        if not hazard_files:
            continue
        catalogues, found = load_hazard_files(hazard_files)
        problems += found
        problems += check_references(((p, load_checklist_file(p)) for p in paths if Path(p).parent == folder),
                                     catalogues)
    return problems


def _summary(checklist: Checklist) -> str:
    return f"{checklist.id} {checklist.version} {len(checklist.items)}"


def _write(path: str, content: bytes) -> None:
    try:
        Path(path).write_bytes(content)
    except OSError as exc:
        _fail([Problem(path, "file", f"cannot be written: {exc.strerror or exc}")])


def _fail(problems: list[Problem]) -> NoReturn:
    for problem in problems:
        click.echo(str(problem), err=True)
    raise SystemExit(1)
