"""``flask ranking refresh``: store this month's standings now (the beat does it hourly)."""
from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from ..extensions import db
from .standing import refresh

ranking_cli = AppGroup("ranking", help="Rankings and the supervision index.")


@ranking_cli.command("refresh")
def refresh_command() -> None:
    """Compute every institution's standing for the current month (replacing this month's)."""
    started = time.perf_counter()
    n = refresh()
    db.session.commit()
    click.echo(f"{n} standings stored in {time.perf_counter() - started:.1f} s")
