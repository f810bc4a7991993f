"""``flask --app wsgi draw --input PATH``: the 双随机 draw from a JSON file (docs/commands.md, "draw").

Exit 0: the result on stdout, exactly :meth:`DrawResult.to_json` in UTF-8.
Exit 2: the file cannot be read or the input is invalid; every problem on stderr as
``<path>: <where>: <message>``.
Exit 3: the rules cannot all be met; which rule and where on stderr.
Exit 1: an internal error (a defect), reported in one line; never a traceback.
Nothing is written to stdout unless the draw succeeds.
"""
from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click

from inspect_app.domain.draw import InfeasibleDraw, InvalidDrawInput, load_draw_input, run_draw

EXIT_INTERNAL = 1
EXIT_INVALID = 2
EXIT_INFEASIBLE = 3


@click.command("draw")
@click.option("--input", "input_path", required=True, metavar="PATH",
              help="JSON file with the seed, both lists, departments, ratios and limits.")
def draw_command(input_path: str) -> None:
    """Run the 双随机 draw: random targets by risk class, then random inspection teams."""
    try:
        data = Path(input_path).read_bytes()
    except (OSError, ValueError) as error:   # ValueError: a NUL byte in the path
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        _fail(EXIT_INVALID, [f"{input_path}: cannot read: {reason}"])
    try:
        result = run_draw(load_draw_input(data))
    except InvalidDrawInput as error:
        _fail(EXIT_INVALID, [f"{input_path}: {problem}" for problem in error.problems])
    except InfeasibleDraw as error:
        _fail(EXIT_INFEASIBLE, [f"{input_path}: infeasible: {line}"
                                for line in error.message.splitlines()])
    except Exception as error:  # noqa: BLE001 - the contract forbids tracebacks
        _fail(EXIT_INTERNAL, [f"{input_path}: internal error: {type(error).__name__}: {error}"])
    click.echo(result.to_json().encode("utf-8"), nl=False)   # bytes: UTF-8 whatever the locale


def _fail(code: int, lines: list[str]) -> NoReturn:
    for line in lines:
        click.echo(line, err=True)
    raise click.exceptions.Exit(code)
