"""Reading the answers given to ``flask grade`` (docs/commands.md, "grade"), every problem located.

* A responses file is JSON: ``{"checklist": "<id>", "responses": {"<item id>": value}}``.
  Numbers keep their decimal text exactly (``0.1`` is 1/10); an item answered twice in the
  same object is a problem, not a silent overwrite. Other top-level fields are ignored.
* An answers CSV has the header ``target,item,value`` (a UTF-8 byte-order mark is allowed),
  one answer per row, read by pandas' C parser straight into categorical columns. Blank lines
  are skipped. A row with more than three fields stops the fast reader; the file is then read
  with Python's :mod:`csv` module, which also names every row without exactly three fields.
  Cells are taken as written: no spaces are trimmed.

Problems are text of the form ``<path>: <where>: <message>``. Rows are named
``row N (line M)``: N counts data rows from 1, M is the line of the file where the row starts
(the header is line 1).
"""
from __future__ import annotations

import csv
import json
import warnings
from decimal import Decimal
from typing import Any

HEADER = ["target", "item", "value"]


class InputFileError(Exception):
    """An input file cannot be used; ``problems`` lists every problem found, located."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


# Responses (JSON) ---------------------------------------------------------------------------

class _Object(dict):
    """A JSON object that remembers the keys it was given more than once."""
    duplicates: list[str]


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    result = _Object()
    result.duplicates = []
    for key, value in pairs:
        if key in result and key not in result.duplicates:
            result.duplicates.append(key)
        result[key] = value
    return result


def read_responses_file(path: str) -> tuple[str | None, dict | None, list[str]]:
    """``(checklist id, responses, problems)``.

    Raises :class:`InputFileError` when the file cannot be read as JSON or is not an object;
    otherwise returns what it could read (``None`` for a field of the wrong shape) and every
    problem with the document's shape, so the caller can report them with the answers' own.
    """
    try:
        with open(path, encoding="utf-8-sig") as handle:
            document = json.load(handle, parse_float=Decimal, object_pairs_hook=_object)
    except OSError as exc:
        raise InputFileError([f"{path}: file: cannot be read: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError as exc:
        raise InputFileError([f"{path}: file: not UTF-8 text (byte {exc.start})"]) from None
    except json.JSONDecodeError as exc:
        raise InputFileError([f"{path}: line {exc.lineno}: invalid JSON: {exc.msg} "
                              f"(column {exc.colno})"]) from None
    except (ValueError, RecursionError) as exc:
        raise InputFileError([f"{path}: file: invalid JSON: {exc}"]) from None
    if not isinstance(document, dict):
        raise InputFileError([f'{path}: document: expected an object with "checklist" and '
                              f'"responses", got {_kind(document)}'])
    problems = [f"{path}: {key}: given more than once" for key in document.duplicates]
    checklist_id = document.get("checklist")
    if not isinstance(checklist_id, str):
        problems.append(f"{path}: checklist: expected the checklist id as text, "
                        f"got {_kind(checklist_id)}")
        checklist_id = None
    responses = document.get("responses")
    if isinstance(responses, dict):
        problems += [f"{path}: {key}: answered more than once" for key in responses.duplicates]
    else:
        problems.append(f"{path}: responses: expected an object of item id → answer, "
                        f"got {_kind(responses)}")
        responses = None
    return checklist_id, responses, problems


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    names = {dict: "an object", list: "a list", str: "text", bool: "a boolean"}
    return names.get(type(value), "a number")


# Answers (CSV) ------------------------------------------------------------------------------

_CATEGORIES = {name: "category" for name in HEADER}


def read_answers_csv(path: str) -> tuple[Any, CsvRows | None]:
    """A pandas DataFrame of categorical text columns ``target``, ``item``, ``value``.

    When the fast reader refuses the file (a row with extra fields), the file is read with
    :mod:`csv` instead; the frame then holds every row cut or padded to three fields, and the
    :class:`CsvRows` returned alongside names the malformed ones (the caller reports them
    together with whatever else is wrong). Raises :class:`InputFileError` for a bad header or
    a file that is not UTF-8 text.
    """
    _check_header(path)
    import pandas as pd

    try:
        with warnings.catch_warnings():
            # A first row with extra fields is only a warning to pandas: treat it as an error.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(path, engine="c", header=0, index_col=False, dtype=_CATEGORIES,
                                na_filter=False, skip_blank_lines=True, encoding="utf-8")
        return frame, None
    except (ValueError, pd.errors.ParserWarning, UnicodeDecodeError, OSError):
        rows = CsvRows(path, keep_records=True)
    if rows.file_problems:
        raise InputFileError(rows.problems)
    return pd.DataFrame(rows.records, columns=HEADER, dtype=object), rows


def _check_header(path: str) -> None:
    try:
        with open(path, "rb") as handle:
            first = handle.readline()
    except OSError as exc:
        raise InputFileError([f"{path}: file: cannot be read: {exc.strerror or exc}"]) from None
    try:
        text = first.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError:
        raise InputFileError([f"{path}: line 1: the header is not UTF-8 text"]) from None
    fields = next(csv.reader([text]), [])
    if fields != HEADER:
        found = "an empty file" if not first else f"{text!r}"
        raise InputFileError([f"{path}: line 1: expected the header target,item,value, "
                              f"found {found}"])


class CsvRows:
    """The data rows of an answers CSV as Python's :mod:`csv` reads them: where each starts,
    and the rows that do not have exactly three fields. Used only to report problems."""

    def __init__(self, path: str, keep_records: bool = False):
        self.path = path
        self.keep_records = keep_records
        self.records: list[list[str]] = []      # each row cut or padded to three fields
        self.lines: list[int] = []              # line where each data row starts
        self.malformed: dict[int, str] = {}     # row → why it is not a row of three fields
        self.file_problems: list[str] = []
        try:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                self._scan(csv.reader(handle))
        except UnicodeDecodeError as exc:
            self.file_problems.append(f"{path}: file: not UTF-8 text (byte {exc.start})")
        except (csv.Error, OSError) as exc:
            self.file_problems.append(f"{path}: row {len(self.lines) + 1}: {exc}")

    def _scan(self, reader: Any) -> None:
        next(reader, None)
        previous_end = reader.line_num
        for fields in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue        # a blank line is not a row (pandas skips it too)
            self.lines.append(start)
            if self.keep_records:
                self.records.append((fields + ["", "", ""])[:3])
            if len(fields) != 3:
                self.malformed[len(self.lines) - 1] = (
                    f"expected 3 fields (target,item,value), found {len(fields)}")

    @property
    def problems(self) -> list[str]:
        """The file's own problems and its malformed rows, located."""
        return self.file_problems + [f"{self.path}: {self.name(row)}: {message}"
                                     for row, message in sorted(self.malformed.items())]

    def name(self, row: int) -> str:
        """``row N (line M)`` for the row at 0-based position ``row``."""
        if row < len(self.lines):
            return f"row {row + 1} (line {self.lines[row]})"
        return f"row {row + 1}"
