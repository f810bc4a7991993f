"""Writing spreadsheets users open in Excel: formula-safe cells, one function for every export."""
from __future__ import annotations

import io
from typing import Iterable, Sequence

from ..domain.plain_text import writable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text that Excel would run as a formula is stored as text (CSV/formula injection); a
    control character XML cannot carry (stored before the edge refused them) becomes U+FFFD
    instead of breaking the whole file."""
    value = writable(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_xlsx(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """Build an .xlsx from (sheet title, header, rows) triples; every cell passes safe_cell."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    for title, header, rows in sheets:
        ws = wb.create_sheet(title=title[:31])
        bold = []
        for h in header:
            cell = WriteOnlyCell(ws, value=h)
            cell.font = Font(bold=True)
            bold.append(cell)
        ws.append(bold)
        for row in rows:
            ws.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ----------------------------------------------------------------------------- formatted tables

TEXT, DATE, DATETIME, NUMBER = "text", "date", "datetime", "number"
_FORMATS = {DATE: "yyyy-mm-dd", DATETIME: "yyyy-mm-dd hh:mm", NUMBER: "General"}


class Column:
    """One column of an exported table: its header, width (in characters) and kind (dates and
    times are written as Excel dates, numbers as numbers, everything else as text)."""

    __slots__ = ("header", "width", "kind")

    def __init__(self, header: str, width: float = 14, kind: str = TEXT):
        self.header, self.width, self.kind = header, width, kind


def _letter(n: int) -> str:
    from openpyxl.utils import get_column_letter
    return get_column_letter(n)


def write_table(title: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> bytes:
    """One sheet people filter and sort in Excel: bold header row frozen at the top, an
    auto-filter over the rows written, the columns' widths, dates and times as real dates
    (aware datetimes shown in the bureau's time zone), and every text cell formula-safe
    (:func:`safe_cell`). Rows are streamed (write-only workbook)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from .types import LOCAL_ZONE

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    ws.freeze_panes = "A2"
    for n, column in enumerate(columns, start=1):
        ws.column_dimensions[_letter(n)].width = column.width
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=column.header)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    count = 0
    for row in rows:
        cells = []
        for column, value in zip(columns, row):
            if column.kind in (DATE, DATETIME, NUMBER) and value is not None and value != "":
                if column.kind == DATETIME and getattr(value, "tzinfo", None) is not None:
                    value = value.astimezone(LOCAL_ZONE).replace(tzinfo=None)
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = _FORMATS[column.kind]
                cells.append(cell)
            else:
                cells.append(safe_cell("" if value is None else value))
        ws.append(cells)
        count += 1
    ws.auto_filter.ref = f"A1:{_letter(max(1, len(columns)))}{count + 1}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str, fallback: str = "export.xlsx"):
    """An .xlsx download named ``filename`` (may be Chinese: RFC 5987 ``filename*``, with
    ``fallback`` for old clients); never cached, since it holds what this viewer may see."""
    from urllib.parse import quote

    from flask import Response
    ascii_name = filename if filename.isascii() else fallback
    response = Response(data, mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = (f"attachment; filename=\"{ascii_name}\"; "
                                               f"filename*=UTF-8''{quote(filename)}")
    response.headers["Cache-Control"] = "private, no-store"
    return response
