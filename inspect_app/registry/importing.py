"""Importing institutions from Excel or CSV: validate every row, then write all or nothing.

Problems are reported as (row, column, message) with spreadsheet row numbers (the header is
row 1). A file with any problem changes nothing. A credit code already in the registry updates
that institution; the same code twice in one file is an error.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import select

from ..auth import policy
from ..core import audit
from ..core.errors import Invalid
from ..core.heavy import heavy_work
from ..core.spreadsheet import Bounds, TooLarge, check_csv, check_file_size, check_xlsx
from ..core.types import utcnow
from ..domain.institution import FIELDS, HOME_CARE_BED, REQUIRED, clean_institution
from ..domain.translatable import N_, Message
from ..extensions import db
from .models import Institution

HEADER_TO_FIELD = {**{k: k for k in FIELDS}, **{v: k for k, v in FIELDS.items()}}
MAX_ROWS = 20000
# Checked before a file is parsed (core.spreadsheet): the header and MAX_ROWS rows of the
# registry's columns, with room for a few extra columns (reported as unknown).
BOUNDS = Bounds(rows=MAX_ROWS + 1, columns=40, cells=(MAX_ROWS + 1) * 15, file_bytes=10 * 1024 * 1024)


FILE = Message(N_("file"))         # the column of a problem of the whole file


@dataclass(frozen=True)
class ImportProblem:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[ImportProblem] = field(default_factory=list)


def read_table(stream: bytes, filename: str, bounds: Bounds | None = None):
    """The uploaded file as a DataFrame of text; Invalid for unreadable files and for files
    beyond ``bounds`` (checked before parsing: size, rows, columns, cells). Parsed in a slot
    for heavy work (core.heavy), before the import takes any lock."""
    import pandas as pd

    bounds = bounds or BOUNDS
    name = (filename or "").lower()
    with heavy_work("spreadsheet"):
        try:
            if name.endswith((".xlsx", ".xlsm")):
                check_xlsx(stream, bounds)
                frame = pd.read_excel(io.BytesIO(stream), dtype=str, keep_default_na=False, engine="openpyxl")
            elif name.endswith(".csv"):
                check_file_size(len(stream), bounds)
                text = _decode(stream)
                if "\x00" in text:
                    raise Invalid("The file was not imported; nothing was changed.", problems=_nul_cells(text))
                check_csv(text, bounds)
                frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
            else:
                raise Invalid("Upload an .xlsx or .csv file.", problems=[ImportProblem(0, FILE, Message(
                    N_("'%(name)s' is neither .xlsx nor .csv"), name=filename))])
        except TooLarge as exc:
            message = f"sheet {exc.sheet}: {exc.message}" if exc.sheet else exc.message
            raise Invalid("The file was not imported; nothing was changed.",
                          problems=[ImportProblem(exc.row or 0, exc.column or FILE, message)]) from None
        except Invalid:
            raise
        except Exception as exc:  # pandas/openpyxl raise many kinds for broken files
            raise Invalid("The file could not be read.", problems=[ImportProblem(0, FILE, Message(N_("unreadable: %(error)s"), error=str(exc)))])
    return frame


def _nul_cells(text: str) -> list[ImportProblem]:
    """Where a CSV holds NUL characters, which pandas' reader silently cuts the cell at."""
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0] if rows else []
    problems = []
    for row_no, row in enumerate(rows, start=1):
        for index, cell in enumerate(row):
            if "\x00" in cell:
                column = header[index].replace("\x00", "").strip() if index < len(header) else f"#{index + 1}"
                problems.append(ImportProblem(row_no, column, "contains a control character (U+0000)"))
    return problems or [ImportProblem(0, "file", "contains a control character (U+0000)")]


def _decode(stream: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return stream.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Invalid("The file could not be read.", problems=[ImportProblem(0, FILE, Message(N_("not UTF-8 or GB18030 text")))])


def validate_table(frame) -> tuple[list[tuple[int, dict]], list[ImportProblem]]:
    problems: list[ImportProblem] = []
    columns: dict[str, str] = {}
    for header in frame.columns:
        key = HEADER_TO_FIELD.get(str(header).strip())
        if key is None:
            problems.append(ImportProblem(1, str(header), Message(
                N_("unknown column; expected one of: %(columns)s"),
                columns=", ".join(f"{v} ({k})" for k, v in FIELDS.items()))))
        elif key in columns.values():
            problems.append(ImportProblem(1, str(header), Message(N_("column %(column)s appears twice"), column=key)))
        else:
            columns[str(header)] = key
    for required in REQUIRED:
        if required not in columns.values():
            problems.append(ImportProblem(1, FIELDS[required], Message(
                N_("required column %(key)s (%(name)s) is missing"), key=required, name=FIELDS[required])))
    if problems:
        return [], problems
    if len(frame) == 0:
        return [], [ImportProblem(2, FILE, Message(N_("the file has no rows")))]
    if len(frame) > MAX_ROWS:
        return [], [ImportProblem(0, FILE, Message(N_("at most %(n)s rows per file"), n=MAX_ROWS))]
    rows: list[tuple[int, dict]] = []
    seen: dict[str, int] = {}
    renamed = frame.rename(columns=columns)
    for index, record in enumerate(renamed.to_dict("records")):
        row_no = index + 2
        if not any(str(v).strip() for v in record.values()):
            continue  # blank line
        values, row_problems = clean_institution(record)
        problems.extend(ImportProblem(row_no, FIELDS.get(p.column, p.column), p.message) for p in row_problems)
        code = row_key(values)
        if code:
            if code in seen:
                problems.append(ImportProblem(row_no, FIELDS[code[0]], Message(
                    N_("duplicate of row %(row)s"), row=seen[code])))
            else:
                seen[code] = row_no
        rows.append((row_no, values))
    return rows, problems


def row_key(values: dict) -> tuple[str, str] | None:
    """What names a row's registry entry: a home-care bed's bed number, else the credit code."""
    field = "bed_code" if values.get("type") == HOME_CARE_BED else "credit_code"
    return (field, values[field]) if values.get(field) else None


def import_institutions(user, stream: bytes, filename: str) -> ImportResult:
    """Validate the whole file, then write every row in the caller's transaction, or raise
    :class:`Invalid` with every problem and write nothing."""
    policy.require(user, "registry.import")
    frame = read_table(stream, filename)
    rows, problems = validate_table(frame)
    if problems:
        raise Invalid("The file was not imported; nothing was changed.", problems=problems)
    codes = [values["credit_code"] for _, values in rows if values["type"] != HOME_CARE_BED]
    beds = [values["bed_code"] for _, values in rows if values["type"] == HOME_CARE_BED]
    existing = {("credit_code", i.credit_code): i for i in db.session.scalars(
        select(Institution).where(Institution.credit_code.in_(codes), Institution.type != HOME_CARE_BED))}
    existing.update({("bed_code", i.bed_code): i for i in db.session.scalars(
        select(Institution).where(Institution.bed_code.in_(beds)))})
    result = ImportResult()
    now = utcnow()
    for _, values in rows:
        inst = existing.get(row_key(values))
        if inst is None:
            inst = Institution(**values, created_at=now, updated_at=now)
            db.session.add(inst)
            db.session.flush()
            audit.record(user, "import", "institution", inst.id, after=audit.snapshot(inst),
                         reason=f"import {filename}")
            result.created += 1
            continue
        before = audit.snapshot(inst)
        for key, value in values.items():
            setattr(inst, key, value)
        if db.session.is_modified(inst):
            inst.updated_at = now
            db.session.flush()
            audit.record(user, "import", "institution", inst.id, before=before,
                         after=audit.snapshot(inst), reason=f"import {filename}")
            result.updated += 1
        else:
            result.unchanged += 1
    return result
