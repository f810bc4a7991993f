"""Every ``flask`` command, registered in one place (:func:`register`).

The operations commands are defined here: ``setup`` (migrate + store checklists [+ demo data]),
``seed``, ``audit``, ``jobs``; the features' own commands (``checklist``, ``grade``, ``draw``) are
defined next to their services and only registered here."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext

from . import file_commands
from .core import workcalendar
from .core.types import local_today
from .domain.workdays import WorkCalendar
from .extensions import db
from .checklists.services import sync_catalogue
from .demo import seed_demo
from .domain.audit_chain import AnchorInputError, head_line, parse_expect_head
from .core.audit import head_row, verify
from .core.audit_anchors import export, read_anchors
from .core.jobs import backlog
from .ranking.cli import ranking_cli


@click.command("setup")
@click.option("--demo", is_flag=True, help="Also load the demo data (first run only).")
@with_appcontext
def setup_command(demo: bool) -> None:
    """Bring the database to the latest schema and store the checklist versions."""
    from flask_migrate import upgrade

    upgrade(revision="heads")
    rows, problems = sync_catalogue()
    db.session.commit()
    for message in problems:
        click.echo(f"checklist: {message}", err=True)
    click.echo(f"database ready; {len(rows)} checklist versions stored")
    if demo:
        report = seed_demo()
        db.session.commit()
        click.echo(report)
    if problems:
        sys.exit(1)


@click.command("seed")
@click.option("--seed", "seed_value", default=2026, show_default=True, help="Random seed of the demo data.")
@with_appcontext
def seed_command(seed_value: int) -> None:
    """Load demo data (one district, 8 streets, 60+ institutions, users of every role)."""
    report = seed_demo(seed_value)
    db.session.commit()
    click.echo(report)


audit_cli = AppGroup("audit", help="The audit trail.")


@audit_cli.command("verify")
@click.option("--expect-head", metavar="SEQ:HASH",
              help="A head kept outside the database (from `flask audit head`); the chain must hold it.")
@click.option("--anchors", "anchor_files", multiple=True, metavar="FILE",
              help="A JSON Lines file of anchors kept outside the database (repeatable).")
@click.option("--no-mac", is_flag=True,
              help="Without the key: check continuity, clock and anchors, not the MACs.")
def audit_verify(expect_head: str | None, anchor_files: tuple[str, ...], no_mac: bool) -> None:
    """Check the chain: continuity, each row's hash and MAC, its clock, and every anchor.

    Exit 0 intact, 1 with every problem on stderr (row seq or anchor, what), 2 on unusable
    input (named with its file and line)."""
    from pathlib import Path

    try:
        anchors = [parse_expect_head(expect_head)] if expect_head is not None else []
        for name in anchor_files:
            anchors += read_anchors(Path(name))
    except AnchorInputError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    report = verify(anchors, with_keys=not no_mac)
    for note in report.notes:
        click.echo(note)
    if report.problems:
        for problem in report.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    head = "empty" if report.head is None else f"{report.head[0]}:{report.head[1]}"
    click.echo(f"audit chain intact: {report.rows} rows, head {head}")


@audit_cli.command("head")
def audit_head() -> None:
    """Print the chain's end as `SEQ:HASH TIME`, a line to publish or sign outside the database."""
    row = head_row()
    click.echo("empty" if row is None else head_line(row.seq, row.hash, row.at))


anchors_cli = AppGroup("anchors", help="The daily anchors of the audit chain.")
audit_cli.add_command(anchors_cli)


@anchors_cli.command("export")
@click.argument("path")
def anchors_export(path: str) -> None:
    """Append to PATH (JSON Lines) every stored anchor it does not hold yet; never rewrites it."""
    from pathlib import Path

    try:
        added = export(Path(path))
    except AnchorInputError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    except OSError as exc:
        click.echo(f"{path}: cannot write: {exc.strerror or exc}", err=True)
        sys.exit(2)
    click.echo(f"{added} anchors appended to {path}")


jobs_cli = AppGroup("jobs", help="Background jobs.")


@jobs_cli.command("status")
def jobs_status() -> None:
    """Pending jobs and the oldest one's age; exit 1 when work waits too long (for monitoring)."""
    b = backlog()
    age = "-" if b["oldest_pending_seconds"] is None else b["oldest_pending_seconds"]
    line = f"pending {b['pending']}, oldest {age} s, stalled {b['stalled']}"
    if b["delayed"]:
        click.echo(line + "; delayed: is the broker up and a worker running?", err=True)
        sys.exit(1)
    click.echo(line)


holidays_cli = AppGroup("holidays", help="The holiday calendar (policies/holidays/<year>.yaml).")


@holidays_cli.command("check")
@click.option("--folder", type=click.Path(file_okay=False, exists=True),
              help="Check the files of this folder (say, new files before they replace the loaded ones).")
@click.option("--today", "today_text", metavar="YYYY-MM-DD", help="Check coverage as of this day (default: today).")
def holidays_check(folder: str | None, today_text: str | None) -> None:
    """Check every year file: valid dates, no date listed twice, make-up days on weekends; warn
    when this year or next year has no notice loaded. Exit 1 on any problem."""
    try:
        today = date.fromisoformat(today_text) if today_text else local_today()
    except ValueError:
        raise click.BadParameter(f"expected YYYY-MM-DD, got {today_text!r}", param_hint="--today") from None
    years, problems = workcalendar.read(Path(folder) if folder else None)
    for problem in problems:
        click.echo(f"problem: {problem}", err=True)
    cal = WorkCalendar(tuple(years))
    for year in sorted(years, key=lambda y: y.year):
        total = len(cal.days(date(year.year, 1, 1), date(year.year, 12, 31)))
        click.echo(f"{year.year}: {total} working days, {len(year.days_off)} weekdays off, "
                   f"{len(year.working_weekends)} make-up working days; {year.status}; {year.notice}")
    for missing in (today.year, today.year + 1):
        if not cal.covers(missing):
            click.echo(f"warning: no holiday notice loaded for {missing}: working days in {missing} are "
                       "counted Monday to Friday only and shown as provisional", err=True)
    if problems:
        sys.exit(1)


def register(app) -> None:
    """Add every command to ``app.cli``: the file commands (:mod:`.file_commands`), then the
    operations commands defined here."""
    for name in file_commands.FILE_COMMANDS:
        app.cli.add_command(file_commands.command(name))
    app.cli.add_command(ranking_cli)
    app.cli.add_command(seed_command)
    app.cli.add_command(setup_command)
    app.cli.add_command(audit_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(holidays_cli)
