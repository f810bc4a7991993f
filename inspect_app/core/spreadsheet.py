"""Spreadsheets: writing the ones users open in Excel (formula-safe cells, one function for
every export), and bounding the ones they upload before anything parses them."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Iterable, Sequence

from ..domain.plain_text import writable
from .heavy import heavy_work
from ..domain.bureau import LOCAL_ZONE

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
    """Build an .xlsx from (sheet title, header, rows) triples; every cell passes safe_cell.
    A large export takes a core for seconds: it runs in a slot for heavy work (core.heavy)."""

    with heavy_work("spreadsheet export"):
        return _write_xlsx(sheets)


def _write_xlsx(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
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


def write_csv(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """RFC 4180 CSV in UTF-8 with a BOM (so Excel reads it as UTF-8): one header row, then the
    rows as given (the caller makes each cell safe, :func:`safe_cell`)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv; charset=utf-8"


def download_response(data: bytes, filename: str, fallback: str, mimetype: str):
    """A download named ``filename`` (may be Chinese: RFC 5987 ``filename*``, with ``fallback``
    for old clients); never cached, since it holds what this viewer may see."""
    from urllib.parse import quote

    from flask import Response
    ascii_name = filename if filename.isascii() else fallback
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = (f"attachment; filename=\"{ascii_name}\"; "
                                               f"filename*=UTF-8''{quote(filename)}")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def xlsx_response(data: bytes, filename: str, fallback: str = "export.xlsx"):
    """An .xlsx download (see :func:`download_response`)."""
    return download_response(data, filename, fallback, XLSX_MIMETYPE)


def csv_response(data: bytes, filename: str, fallback: str = "export.csv"):
    """A .csv download (see :func:`download_response`)."""
    return download_response(data, filename, fallback, CSV_MIMETYPE)


# Reading: bounds checked before a spreadsheet is parsed ------------------------------------
#
# openpyxl keeps every cell as an object (about 0.5–1.5 KB in memory); a 243 KB .xlsx can
# hold a million cells (held 1.5 GB and 51 s of a worker). And in full mode it creates every
# cell of the rectangle up to the farthest one named, merged or linked. So before a file is
# parsed, its parts are read once as a stream (nothing is kept) and the file is refused at the
# first place that crosses a bound: its size, the size its parts unpack to, the last row and
# column, the number of cells (a merged or linked range counts every cell it covers) and of
# XML elements. A CSV file is checked the same way by Python's csv reader.

@dataclass(frozen=True)
class Bounds:
    """How large an uploaded spreadsheet may be; each reader names its own."""

    rows: int                              # the last row, the header included
    columns: int                           # the last column
    cells: int                             # cells in the whole file
    file_bytes: int = 10 * 1024 * 1024     # the file as uploaded
    xml_bytes: int = 64 * 1024 * 1024      # .xlsx: what all its parts unpack to

    @property
    def elements(self) -> int:
        """XML elements in the whole workbook: a cell takes two or three (``c``, ``v``,
        ``is``/``t``), a shared string two; the rest of a workbook a few thousand."""
        return 8 * self.cells + 100_000


class TooLarge(Exception):
    """A spreadsheet beyond its bounds, located at the first place found."""

    def __init__(self, message: str, sheet: str | None = None, row: int | None = None,
                 column: str | None = None):
        self.message, self.sheet, self.row, self.column = message, sheet, row, column
        super().__init__(f"{self.where}: {message}")

    @property
    def where(self) -> str:
        parts = [f"sheet {self.sheet}" if self.sheet else "file"]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        return ", ".join(parts)


def check_file_size(size: int, bounds: Bounds) -> None:
    if size > bounds.file_bytes:
        raise TooLarge(f"the file is larger than {_megabytes(bounds.file_bytes)} (at most "
                       f"{_megabytes(bounds.file_bytes)})")


def check_csv(text: str, bounds: Bounds) -> None:
    """Refuse (:class:`TooLarge`) CSV text with more rows, columns or cells than ``bounds``
    allow; blank lines do not count (the readers skip them)."""
    import csv

    rows = cells = 0
    reader = csv.reader(io.StringIO(text))
    try:
        for fields in reader:
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue
            rows += 1
            cells += len(fields)
            if rows > bounds.rows:
                raise TooLarge(f"more than {bounds.rows:,} rows (at most {bounds.rows - 1:,} "
                               "below the header)", row=reader.line_num)
            if len(fields) > bounds.columns:
                raise TooLarge(f"{len(fields):,} columns (at most {bounds.columns:,})",
                               row=reader.line_num, column=_column_letters(bounds.columns + 1))
            if cells > bounds.cells:
                raise TooLarge(f"more than {bounds.cells:,} cells (at most {bounds.cells:,} per file)",
                               row=reader.line_num)
    except csv.Error:
        return                              # malformed: the reader reports it, located


def check_xlsx(data: bytes, bounds: Bounds) -> None:
    """Refuse (:class:`TooLarge`) an .xlsx workbook beyond ``bounds`` without parsing it into
    cells: each XML part is streamed once through expat and forgotten. A file that is not a
    workbook at all passes; the reader then reports it."""
    import zipfile

    check_file_size(len(data), bounds)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with archive:
        parts = archive.infolist()
        if len(parts) > _MAX_PARTS:
            raise TooLarge(f"the workbook has more than {_MAX_PARTS:,} parts")
        declared = sum(p.file_size for p in parts)
        if declared > bounds.xml_bytes:
            raise TooLarge(f"the workbook unpacks to {_megabytes(declared)} "
                           f"(at most {_megabytes(bounds.xml_bytes)})")
        scan = _Scan(bounds, _sheet_names(archive))
        for part in parts:
            if part.filename.lower().endswith((".xml", ".rels", ".vml")):
                scan.part(archive, part)


_MAX_PARTS = 2000
_LOCAL: dict[str, str] = {}          # tag → its local name (a workbook uses a few dozen tags)
_CHUNK = 64 * 1024


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def _column_letters(index: int) -> str:
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index


def _split_ref(ref: str) -> tuple[int, int] | None:
    """``"AB12"`` → (column 28, row 12); ``"$A$1"`` too; None when it is not a cell reference."""
    ref = ref.replace("$", "").upper()
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters):]
    if not letters or not digits or not letters.isalpha() or not letters.isascii():
        return None
    return _column_index(letters), int(digits)


def _local(name: str) -> str:
    """A tag's name without its prefix (``x:c``) or namespace (``{…}sheet``)."""
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _sheet_names(archive) -> dict[str, str]:
    """Part name → the sheet's name as the user sees it (from the workbook and its
    relationships; both small, read with the part-size check above already done)."""
    import posixpath
    import xml.etree.ElementTree as ET

    def read(name):
        try:
            return ET.fromstring(archive.read(name))
        except (KeyError, ET.ParseError, ValueError, OSError):
            return None

    def target(base_dir, value):
        return value.lstrip("/") if value.startswith("/") else posixpath.normpath(posixpath.join(base_dir, value))

    workbook = "xl/workbook.xml"
    rels = read("_rels/.rels")
    for rel in (rels if rels is not None else []):
        if rel.get("Type", "").endswith("/officeDocument") and rel.get("Target"):
            workbook = target("", rel.get("Target"))
    folder, base = posixpath.split(workbook)
    links = read(posixpath.join(folder, "_rels", base + ".rels"))
    book = read(workbook)
    if links is None or book is None:
        return {}
    by_id = {rel.get("Id"): target(folder, rel.get("Target", "")) for rel in links}
    names = {}
    for element in book.iter():
        if _local(element.tag) == "sheet":
            rel_id = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            if rel_id in by_id:
                names[by_id[rel_id]] = element.get("name") or by_id[rel_id]
    return names


class _Scan:
    """Counts, across the workbook's parts, what the bounds limit; raises at the first excess.
    A part that is damaged or not XML is left for the reader to report (it stops there too)."""

    def __init__(self, bounds: Bounds, names: dict[str, str]):
        self.bounds, self.names = bounds, names
        self.max_elements = bounds.elements
        self.unpacked = self.elements = self.cells = self.strings = 0

    def part(self, archive, info) -> None:
        import pyexpat
        import zipfile

        self.sheet = self.names.get(info.filename, info.filename)
        self.root = None
        self.row = self.column = 0
        parser = pyexpat.ParserCreate()
        parser.StartElementHandler = self.start
        parser.StartDoctypeDeclHandler = self.doctype
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    self.unpacked += len(chunk)
                    if self.unpacked > self.bounds.xml_bytes:
                        raise TooLarge("the workbook unpacks to more than "
                                       f"{_megabytes(self.bounds.xml_bytes)}", self.sheet)
                    parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except (pyexpat.ExpatError, zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
            return

    def doctype(self, *args) -> None:
        raise TooLarge("declares a DTD, which a spreadsheet program never writes", self.sheet)

    def start(self, name: str, attrs: dict) -> None:
        # Called for every element of every part: kept short (about 2 µs a cell).
        self.elements += 1
        if self.elements > self.max_elements:
            raise TooLarge(f"more than {self.max_elements:,} XML elements: more than a file of "
                           f"{self.bounds.cells:,} cells can have", self.sheet, self.row or None)
        tag = _LOCAL.get(name) or _LOCAL.setdefault(name, _local(name))
        if tag == "c" and self.root == "worksheet":
            ref = attrs.get("r")
            split = _split_ref(ref) if ref else None
            self.column, row = split if split else (self.column + 1, self.row)
            self._cells(1, row, self.column)
        elif self.root is None:
            self.root = tag
        elif self.root == "worksheet":
            self._worksheet(tag, attrs)
        elif self.root == "sst" and tag == "si":
            # Shared strings are kept whole for the cells that use them: no more than cells.
            self.strings += 1
            if self.strings > self.bounds.cells:
                raise TooLarge(f"more than {self.bounds.cells:,} shared strings (at most "
                               f"{self.bounds.cells:,} per file)", self.sheet)

    def _worksheet(self, tag: str, attrs: dict) -> None:
        if tag == "row":
            number = attrs.get("r")
            self.row = int(number) if number and number.isdigit() else self.row + 1
            self.column = 0
            if self.row > self.bounds.rows:
                raise TooLarge(f"beyond the last row allowed ({self.bounds.rows:,}, the header "
                               "included)", self.sheet, self.row)
        elif tag in ("mergeCell", "hyperlink"):
            # openpyxl creates a cell object for every cell a merged or linked range covers.
            first, _, last = attrs.get("ref", "").partition(":")
            a, b = _split_ref(first), _split_ref(last or first)
            if a and b:
                area = (abs(b[0] - a[0]) + 1) * (abs(b[1] - a[1]) + 1)
                self._cells(area, max(a[1], b[1]), max(a[0], b[0]))

    def _cells(self, count: int, row: int, column: int) -> None:
        self.cells += count
        bounds = self.bounds
        if row <= bounds.rows and column <= bounds.columns and self.cells <= bounds.cells:
            return
        where = (self.sheet, row, _column_letters(column))
        if row > bounds.rows:
            raise TooLarge(f"beyond the last row allowed ({bounds.rows:,}, the header included)", *where)
        if column > bounds.columns:
            raise TooLarge(f"beyond the last column allowed ({_column_letters(bounds.columns)})", *where)
        raise TooLarge(f"more than {bounds.cells:,} cells (at most {bounds.cells:,} per file)", *where)
