"""``flask --app wsgi draw --input PATH``: the 双随机 draw from a JSON file (docs/commands.md, "draw"), and
``flask --app wsgi draw verify LISTS INPUT RESULT``: a citizen's check of a published draw.

``draw --input PATH``:
Exit 0: the result on stdout, exactly :meth:`DrawResult.to_json` in UTF-8.
Exit 2: the file cannot be read or the input is invalid; every problem on stderr as
``<path>: <where>: <message>``.
Exit 3: the rules cannot all be met; which rule and where on stderr.
Exit 1: an internal error (a defect), reported in one line; never a traceback.
Nothing is written to stdout unless the draw succeeds.

``draw verify`` (:mod:`inspect_app.domain.draw.verify`): one line per check on stdout, ``PASS``,
``FAIL`` or ``SKIP`` (a value from the page not given), then a summary. Exit 0: every check made
passed; 1: one failed; 2: a file cannot be read or is invalid (located on stderr, nothing on
stdout). Pure Python over the files: no database, nothing specific to one operating system.

``draw`` is a group only so that it can hold ``verify``: any first argument other than a
subcommand's name is parsed exactly as the single command ``draw --input PATH`` always was (the
same option, the same usage line and errors), so the contract's interface is unchanged.
"""
from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click

from inspect_app import __version__
from inspect_app.domain.draw.run import InfeasibleDraw, InvalidDrawInput, load_draw_input, run_draw
from inspect_app.domain.draw.verify import Published, UnreadableDraw, check_draw, read_files

EXIT_INTERNAL = 1
EXIT_INVALID = 2
EXIT_INFEASIBLE = 3
EXIT_CHECK_FAILED = 1


class _DrawGroup(click.Group):
    """``draw verify …`` goes to the subcommand; anything else is the single command ``draw``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] in self.commands:
            ctx.meta["draw.subcommand"] = True
            return super().parse_args(ctx, args)
        ctx.allow_extra_args, ctx.allow_interspersed_args = False, True
        return click.Command.parse_args(self, ctx, args)

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        params = super().get_params(ctx)
        if ctx.meta.get("draw.subcommand"):        # `--input` belongs to the draw itself
            return [p for p in params if p.name != "input_path"]
        return params

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return click.Command.collect_usage_pieces(self, ctx)     # "[OPTIONS]", as before


@click.group("draw", cls=_DrawGroup, invoke_without_command=True)
@click.option("--input", "input_path", required=True, metavar="PATH",
              help="JSON file with the seed, both lists, departments, ratios and limits.")
@click.pass_context
def draw_command(ctx: click.Context, input_path: str | None = None) -> None:
    """Run the 双随机 draw: random targets by risk class, then random inspection teams.

    `draw verify LISTS INPUT RESULT` checks a published draw from its three files."""
    if ctx.invoked_subcommand is not None:
        return
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


@draw_command.command("verify")
@click.argument("lists_path", metavar="LISTS")
@click.argument("input_path", metavar="INPUT")
@click.argument("output_path", metavar="RESULT")
@click.option("--list-digest", help="The list digest published at the freeze.")
@click.option("--commitment", help="The commitment published at the freeze.")
@click.option("--secret", help="The secret revealed at publication.")
@click.option("--third-party-value", help="The third party's value, as it published it.")
@click.option("--output-sha256", help="The result file's SHA-256 published at the draw.")
def verify_command(lists_path: str, input_path: str, output_path: str, **values: str | None) -> None:
    """Check a published draw: the frozen lists, the draw input and the draw result, as
    downloaded from the draw's public page (with the values the page shows, when given)."""
    paths = (lists_path, input_path, output_path)
    try:
        published = Published.parse(**values)
        contents, problems = [], []
        for path in paths:
            try:
                contents.append(Path(path).read_bytes())
            except (OSError, ValueError) as error:
                reason = error.strerror if isinstance(error, OSError) and error.strerror else error
                problems.append(f"{path}: cannot read: {reason}")
        if problems:
            raise UnreadableDraw(problems)
        checks = check_draw(read_files(*contents, names=paths), published)
    except UnreadableDraw as error:
        _fail(EXIT_INVALID, error.problems)
    except Exception as error:  # noqa: BLE001 - a defect is reported, never as a traceback
        _fail(EXIT_CHECK_FAILED, [f"internal error: {type(error).__name__}: {error}"])
    click.echo(f"CareInspect {__version__}: checking a published draw")
    for check in checks:
        mark = {True: "PASS", False: "FAIL", None: "SKIP"}[check.passed]
        click.echo(f"{mark}  {check.title}" + (f": {check.detail}" if check.detail else ""))
    failed = sum(c.passed is False for c in checks)
    passed = sum(c.passed is True for c in checks)
    skipped = len(checks) - failed - passed
    if failed:
        click.echo(f"{failed} of {len(checks)} checks FAILED")
        raise click.exceptions.Exit(EXIT_CHECK_FAILED)
    click.echo(f"all {passed} checks passed" if not skipped else f"{passed} checks passed, {skipped} not checked")
