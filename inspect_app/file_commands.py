"""The commands that work on files alone (docs/commands.md): ``checklist``, ``grade``, ``draw``.

They touch no database, broker or server, and bureau scripts run them over thousands of files,
so their start-up is the product's: when the ``flask`` command line is about to run one of them,
``wsgi.py`` builds the command-line application (:func:`inspect_app.create_command_app`) that
holds that one command, and not the web application (no SQLAlchemy engine, Alembic, blueprints,
checklist catalogue, Babel or Celery). Every other command, and ``gunicorn wsgi:app``, get the
web application (docs/architecture.md, "Start-up").

Each command is named here by its module, so registering one imports that module alone; the web
application registers all three from the same table (:mod:`inspect_app.commands`).
"""
from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

import click
from flask.cli import FlaskGroup

# name → (module, attribute): where each file command is defined, next to its feature's services.
FILE_COMMANDS: dict[str, tuple[str, str]] = {
    "checklist": ("inspect_app.checklists.cli", "checklist_cli"),
    "grade": ("inspect_app.grading.cli", "grade_command"),
    "draw": ("inspect_app.planning.cli", "draw_command"),
}

# The options of the ``flask`` command line itself that take a value (``flask --help``).
_VALUED_OPTIONS = {"-A", "--app", "-e", "--env-file"}


def command(name: str) -> click.Command:
    """The file command ``name``, its module imported now."""
    module, attribute = FILE_COMMANDS[name]
    return getattr(importlib.import_module(module), attribute)


def command_name(args: Sequence[str]) -> str | None:
    """The command a ``flask`` command line names: its first argument that is neither an option
    of ``flask`` nor that option's value (``flask --app wsgi grade …`` → ``grade``)."""
    args = list(args)
    while args:
        arg = args.pop(0)
        if arg == "--":
            return args[0] if args else None
        if arg.startswith("-"):
            if arg in _VALUED_OPTIONS and args:
                args.pop(0)
            continue
        return arg
    return None


def requested() -> str | None:
    """The file command the running ``flask`` command line is loading the application for, or
    ``None`` (another command, ``flask --help``, or not the ``flask`` command line at all:
    gunicorn, Celery, tests)."""
    from_flask = _running_under_flask()
    name = command_name(sys.argv[1:]) if from_flask else None
    return name if name in FILE_COMMANDS else None


def _running_under_flask() -> bool:
    """True while the ``flask`` command line (Flask's ``FlaskGroup``, run on this process's own
    arguments) is resolving a command."""
    ctx = click.get_current_context(silent=True)
    return ctx is not None and ctx.parent is None and isinstance(ctx.command, FlaskGroup)
