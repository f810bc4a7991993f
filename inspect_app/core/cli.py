"""Operations commands: ``setup`` (migrate + store checklists [+ demo data]), ``seed``, ``audit``,
``jobs``."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup, with_appcontext

from ..extensions import db


@click.command("setup")
@click.option("--demo", is_flag=True, help="Also load the demo data (first run only).")
@with_appcontext
def setup_command(demo: bool) -> None:
    """Bring the database to the latest schema and store the checklist versions."""
    from flask_migrate import upgrade

    from ..checklists.services import sync_catalogue
    upgrade(revision="heads")
    rows, problems = sync_catalogue()
    db.session.commit()
    for message in problems:
        click.echo(f"checklist: {message}", err=True)
    click.echo(f"database ready; {len(rows)} checklist versions stored")
    if demo:
        from .seed import seed_demo
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
    from .seed import seed_demo
    report = seed_demo(seed_value)
    db.session.commit()
    click.echo(report)


audit_cli = AppGroup("audit", help="The audit trail.")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Recompute the hash chain; exit 1 naming every row that was altered or removed."""
    from .audit import verify_chain
    bad = verify_chain()
    if bad:
        click.echo("audit rows failing the chain: " + ", ".join(map(str, bad)), err=True)
        sys.exit(1)
    click.echo("audit chain intact")


@audit_cli.command("head")
def audit_head() -> None:
    """Print the latest row id and hash, to keep outside the database."""
    from .audit import head
    row = head()
    click.echo("empty" if row is None else f"{row[0]} {row[1]}")


jobs_cli = AppGroup("jobs", help="Background jobs.")


@jobs_cli.command("status")
def jobs_status() -> None:
    """Pending jobs and the oldest one's age; exit 1 when work waits too long (for monitoring)."""
    from .jobs import backlog
    b = backlog()
    age = "-" if b["oldest_pending_seconds"] is None else b["oldest_pending_seconds"]
    line = f"pending {b['pending']}, oldest {age} s, stalled {b['stalled']}"
    if b["delayed"]:
        click.echo(line + "; delayed: is the broker up and a worker running?", err=True)
        sys.exit(1)
    click.echo(line)
