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
