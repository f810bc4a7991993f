"""``flask draw verify LISTS INPUT OUTPUT``: a citizen's one command over the three published files.

Exit 0 when every check made passes, 1 when one fails, 2 when a file cannot be read or is not
what it should be (located on stderr); never a traceback. Pure Python over the files: no
database, no application state.
"""
from __future__ import annotations

import hashlib
import json

import pytest
from click.testing import CliRunner

from inspect_app import __version__
from inspect_app.domain.draw import seed_commit
from inspect_app.domain.draw.run import input_digest, load_draw_input, run_draw
from inspect_app.planning.cli import draw_command

SECRET = "5e" * 32
BEACON = "3312.58"
LISTS = {
    "institutions": [{"id": f"91330100MA{n:08}", "name": f"养老院{n}", "district": "东" if n % 2 else "西",
                      "risk": "high" if n < 4 else "low"} for n in range(12)],
    "inspectors": [{"id": f"U{n:010x}", "department": ("fire", "civil_affairs")[n % 2],
                    "district": "东西"[n % 2], "avoid": []} for n in range(8)],
    "departments": ["civil_affairs", "fire"],
    "ratios": {"high": 0.5, "low": 0.25},
    "team_per_department": 1,
    "max_per_inspector": 5,
    "avoid_own_district": False,
}


def _dumps(document) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


@pytest.fixture
def published(tmp_path):
    """The three files as the public page serves them, and the values the page shows."""
    list_digest = input_digest(LISTS)
    seed = seed_commit.seed(list_digest, SECRET, BEACON)
    input_bytes = _dumps({**LISTS, "seed": seed})
    output_bytes = run_draw(load_draw_input(input_bytes)).to_json().encode("utf-8")
    paths = {}
    for name, data in (("lists", _dumps(LISTS)), ("input", input_bytes), ("output", output_bytes)):
        paths[name] = tmp_path / f"draw-7-2026-Q4-{name}.json"
        paths[name].write_bytes(data)
    values = {"--list-digest": list_digest, "--commitment": seed_commit.commitment(list_digest, SECRET),
              "--secret": SECRET, "--third-party-value": BEACON,
              "--output-sha256": hashlib.sha256(output_bytes).hexdigest()}
    return paths, values


def verify(paths, values=None, order=("lists", "input", "output")):
    args = ["verify", *(str(paths[name]) for name in order)]
    for option, value in (values or {}).items():
        args += [option, value]
    return CliRunner().invoke(draw_command, args, prog_name="flask draw")


def _marks(result) -> list[str]:
    return [line.split()[0] for line in result.stdout.splitlines() if line[:4] in ("PASS", "FAIL", "SKIP")]


def test_honest_files_pass_every_check_and_exit_0(published):
    paths, values = published
    result = verify(paths, values)
    assert result.exit_code == 0, result.output
    assert result.stderr == "" and "Traceback" not in result.output
    assert _marks(result) == ["PASS"] * 7
    assert result.stdout.splitlines()[0] == f"CareInspect {__version__}: checking a published draw"
    assert result.stdout.splitlines()[-1] == "all 7 checks passed"


def test_without_the_page_values_the_file_checks_run_and_the_others_say_what_to_give(published):
    paths, values = published
    result = verify(paths)
    assert result.exit_code == 0, result.output
    assert _marks(result) == ["SKIP", "PASS", "SKIP", "SKIP", "PASS", "PASS", "SKIP"]
    assert values["--list-digest"] in result.stdout and values["--output-sha256"] in result.stdout
    assert "--secret" in result.stdout and "--commitment" in result.stdout
    assert result.stdout.splitlines()[-1] == "3 checks passed, 4 not checked"


def _rewrite(path, change):
    document = json.loads(path.read_bytes())
    change(document)
    path.write_bytes((json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def test_a_result_that_the_input_does_not_give_fails_and_exits_1(published):
    paths, values = published
    _rewrite(paths["output"], lambda doc: doc["selected"][0].update(institution="91330100MA99999999"))
    result = verify(paths, values)
    assert result.exit_code == 1
    assert _marks(result) == ["PASS"] * 5 + ["FAIL", "FAIL"]
    assert "differs from line 6" in result.stdout
    assert result.stdout.splitlines()[-1] == "2 of 7 checks FAILED"


def test_a_list_changed_after_the_freeze_fails(published):
    paths, values = published
    _rewrite(paths["input"], lambda doc: doc["institutions"].pop())
    result = verify(paths, values)
    assert result.exit_code == 1
    assert [line.split()[0] for line in result.stdout.splitlines()[1:3]] == ["PASS", "FAIL"]


def test_a_secret_that_does_not_match_the_commitment_or_another_value_fails(published):
    paths, values = published
    result = verify(paths, {**values, "--secret": "00" * 32})
    assert result.exit_code == 1 and _marks(result)[2:4] == ["FAIL", "FAIL"]
    result = verify(paths, {**values, "--third-party-value": "3312.59"})
    assert result.exit_code == 1 and _marks(result)[2:4] == ["PASS", "FAIL"]


def test_line_endings_changed_by_an_editor_are_named(published):
    paths, values = published
    paths["output"].write_bytes(paths["output"].read_bytes().replace(b"\n", b"\r\n"))
    result = verify(paths, values)
    assert result.exit_code == 1
    assert "only in line endings" in result.stdout


def test_unreadable_or_invalid_files_exit_2_located_without_a_traceback(published, tmp_path):
    paths, values = published
    missing = tmp_path / "missing.json"
    result = verify({**paths, "lists": missing}, values)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == f"{missing}: cannot read: No such file or directory\n"

    paths["output"].write_text('{\n  "seed": "x",\n  "selected": [,]\n}\n', encoding="utf-8")
    result = verify(paths, values)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"{paths['output']}: line 3 column 16: ")

    result = verify(paths, values, order=("input", "lists", "output"))        # files in the wrong order
    assert result.exit_code == 2
    assert f"{paths['input']}: " in result.stderr and "lists" in result.stderr

    paths["input"].write_bytes(_dumps({**LISTS, "seed": "", "team_per_department": 0}))
    result = verify(paths, values)
    assert result.exit_code == 2
    assert f'{paths["input"]}: seed: must be a non-empty string, not ""' in result.stderr.splitlines()
    assert "Traceback" not in result.output


def test_a_malformed_page_value_exits_2_naming_the_option(published):
    paths, values = published
    result = verify(paths, {**values, "--commitment": "abc"})
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == "--commitment: must be 64 hexadecimal digits, not 'abc'\n"


def test_draw_with_input_is_the_single_command_it_always_was(tmp_path):
    """``draw --input`` keeps its usage errors word for word, though ``draw`` now holds ``verify``."""
    runner = CliRunner()
    usage = "Usage: flask draw [OPTIONS]\nTry 'flask draw --help' for help.\n\n"
    cases = {
        (): "Error: Missing option '--input'.\n",
        ("--", "--input"): "Error: Missing option '--input'.\n",
        ("--input", "x.json", "extra"): "Error: Got unexpected extra argument (extra)\n",
        ("extra", "--input", "x.json"): "Error: Got unexpected extra argument (extra)\n",
        ("--bogus",): "Error: No such option '--bogus'.\n",
    }
    for args, error in cases.items():
        result = runner.invoke(draw_command, list(args), prog_name="flask draw")
        assert (result.exit_code, result.stdout_bytes, result.stderr) == (2, b"", usage + error), args
    result = runner.invoke(draw_command, ["--input"], prog_name="flask draw")
    assert (result.exit_code, result.stderr) == (2, "Error: Option '--input' requires an argument.\n")
    named_verify = tmp_path / "verify"                  # a file named like the subcommand is still an input
    named_verify.write_text("{", encoding="utf-8")
    result = runner.invoke(draw_command, ["--input", str(named_verify)], prog_name="flask draw")
    assert (result.exit_code, result.stderr) == (
        2, f"{named_verify}: line 1 column 2: Expecting property name enclosed in double quotes\n")


def test_verify_is_reached_through_the_application_cli(app, published):
    paths, values = published
    result = app.test_cli_runner().invoke(args=["draw", "verify", *(str(paths[n]) for n in ("lists", "input", "output")),
                                                "--secret", values["--secret"]])
    assert result.exit_code == 0, result.output
    assert _marks(result).count("PASS") == 3
