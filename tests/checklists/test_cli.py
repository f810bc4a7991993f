"""``flask checklist validate | export | import-xlsx`` (docs/commands.md, "checklist validate"):
exit status, stdout and located problems on stderr, never a traceback."""
from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner

from inspect_app.checklists.cli import checklist_cli
from tests.domain.checklist.examples import GRADING, INSPECTION


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A working directory holding the two example checklists."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fire.yaml").write_text(INSPECTION, encoding="utf-8")
    (tmp_path / "fire-grade.yaml").write_text(GRADING.replace("id: fire-safety", "id: fire-grade"),
                                              encoding="utf-8")
    return tmp_path


def run(*args: str):
    result = CliRunner().invoke(checklist_cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_valid_files_print_one_ok_line_each(folder):
    result = run("validate", "fire.yaml", "fire-grade.yaml")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, "ok fire-safety 2026.1 4\nok fire-grade 2026.1 4\n", "")


def test_every_problem_of_every_file_goes_to_stderr(folder):
    (folder / "bad.yaml").write_text(
        INSPECTION.replace("id: fire-safety", "id: fire-bad").replace("points: 10", "points: true")
        .replace('version: "2026.1"', "version: 2026.1"), encoding="utf-8")
    (folder / "broken.yaml").write_text("id: a\nbasis: [x,\ntitle: t\n", encoding="utf-8")
    result = run("validate", "fire.yaml", "bad.yaml", "broken.yaml", "missing.yaml")
    assert (result.exit_code, result.stdout) == (1, "")
    lines = result.stderr.splitlines()
    assert len(lines) == 5
    assert lines[3].startswith("broken.yaml: line 4: invalid YAML: ")   # the YAML reader's own words follow
    assert lines[4].startswith("missing.yaml: file: cannot be read: ")  # and the system's
    assert lines[:3] == [
        'bad.yaml: version: must be a string, not a number (found 2026.1): write it in quotes, '
        'version: "2026.1"',
        "bad.yaml: FIRE-01: points must be a number greater than 0 (found true)",
        "bad.yaml: FIRE-04: points must be a number greater than 0 (found true)",
    ]


def test_two_files_with_the_same_id_are_refused(folder):
    (folder / "copy.yaml").write_text(INSPECTION, encoding="utf-8")
    result = run("validate", "fire.yaml", "copy.yaml")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("copy.yaml: id: 'fire-safety' is already the id of fire.yaml; a "
                             "checklist id must be unique across files\n")


def test_a_directory_or_binary_file_is_a_located_problem(folder):
    (folder / "photo.yaml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    result = run("validate", str(folder), "photo.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{folder}: file: cannot be read: Is a directory",
        "photo.yaml: line 1: the file is not UTF-8 text (byte 0x89 cannot be decoded); save it as "
        "UTF-8 (a file saved as GBK needs converting)",
    ]


def test_validate_needs_at_least_one_path():
    assert run("validate").exit_code == 2


def test_export_then_import_gives_back_the_same_file(folder):
    exported = run("export", "fire-grade.yaml", "fire-grade.xlsx")
    assert (exported.exit_code, exported.stdout) == (
        0, "wrote fire-grade.xlsx: fire-grade 2026.1 4\n")
    imported = run("import-xlsx", "fire-grade.xlsx", "again.yaml")
    assert (imported.exit_code, imported.stdout) == (0, "wrote again.yaml: fire-grade 2026.1 4\n")
    assert run("validate", "again.yaml").stdout == "ok fire-grade 2026.1 4\n"
    assert run("export", "again.yaml", "again.xlsx").exit_code == 0
    assert (folder / "again.yaml").read_text(encoding="utf-8").startswith(
        "id: fire-grade\nversion: '2026.1'\ntitle: 养老机构消防安全检查表\ndepartment: fire\n")


def test_import_refuses_an_invalid_workbook_and_writes_nothing(folder):
    run("export", "fire.yaml", "fire.xlsx")
    workbook = openpyxl.load_workbook(folder / "fire.xlsx")
    workbook["items"]["H3"].value = 0
    workbook["checklist"]["B6"].value = "police"
    workbook.save(folder / "fire.xlsx")
    result = run("import-xlsx", "fire.xlsx", "out.yaml")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        "fire.xlsx: sheet checklist, row 6, column B: department must be one of civil_affairs, "
        "fire, market_regulation, health, medical_insurance (found the text 'police')",
        "fire.xlsx: sheet items, row 3, column H: points must be a number greater than 0 (found "
        "the number 0)",
    ]
    assert not (folder / "out.yaml").exists()


def test_export_refuses_an_invalid_file_and_writes_nothing(folder):
    (folder / "bad.yaml").write_text(INSPECTION.replace("kind: inspection", "kind: audit"),
                                     encoding="utf-8")
    result = run("export", "bad.yaml", "bad.xlsx")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("bad.yaml: kind: must be one of inspection, grading")
    assert not (folder / "bad.xlsx").exists()


def test_unreadable_inputs_and_unwritable_outputs_are_reported(folder):
    missing = run("import-xlsx", "missing.xlsx", "out.yaml")
    assert missing.exit_code == 1 and missing.stderr.startswith("missing.xlsx: file: cannot be read: ")
    not_a_workbook = run("import-xlsx", "fire.yaml", "out.yaml")
    assert not_a_workbook.exit_code == 1
    assert not_a_workbook.stderr.startswith("fire.yaml: file: cannot be read as an .xlsx workbook")
    unwritable = run("export", "fire.yaml", "no-such-folder/fire.xlsx")
    assert unwritable.exit_code == 1
    assert unwritable.stderr.startswith("no-such-folder/fire.xlsx: file: cannot be written: ")


def test_hazard_references_are_checked_against_the_catalogue_beside_the_files(folder):
    from pathlib import Path
    shipped = Path(__file__).resolve().parents[2] / "checklists"
    (folder / "service-safety.yaml").write_text((shipped / "service-safety.yaml").read_text(encoding="utf-8"),
                                                encoding="utf-8")
    assert run("validate", "service-safety.yaml").exit_code == 0          # no catalogue here: not checked
    (folder / "hazards").mkdir()
    catalogue = (shipped / "hazards" / "minban-2023-13.yaml").read_text(encoding="utf-8")
    (folder / "hazards" / "rh13.yaml").write_text(catalogue, encoding="utf-8")
    assert run("validate", "service-safety.yaml").stdout == "ok service-safety 2026.2 39\n"
    (folder / "hazards" / "rh13.yaml").write_text(catalogue.replace("id: rh13-4-1", "id: rh13-4-9"),
                                                  encoding="utf-8")
    result = run("validate", "service-safety.yaml")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("service-safety.yaml: SERV-36: hazard 'rh13-4-1' is no entry")
