"""The application: ``gunicorn wsgi:app`` serves it, ``flask --app wsgi …`` runs its commands.

When the ``flask`` command line loads this module to run a command that works on files alone
(``checklist``, ``grade``, ``draw``: docs/commands.md), ``app`` is the small command-line
application holding that command, so it starts at once; for everything else it is the web
application (docs/architecture.md, "Start-up")."""
from inspect_app import create_app, create_command_app
from inspect_app.file_commands import requested

_file_command = requested()
app = create_app() if _file_command is None else create_command_app(_file_command)
