"""Published data sets (open data, docs/open-data.md): one table, the same bytes for every
visitor, typed columns, a dated file name and a licence.

A data set is described once (:class:`DataSet`: its columns with their Chinese names, kinds
and descriptions, and the codes of its code columns); the CSV, the XLSX with its README sheet
(说明) and the about page are all read from that description. Values never depend on the
visitor's language: the caller passes plain values (Chinese words, codes, dates, numbers).
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Iterable, Mapping, Sequence

from .spreadsheet import safe_cell, write_csv
from .types import LOCAL_ZONE

# The kinds a column can have, as the README sheet and the about page name them.
KINDS = {
    "text": "文本",
    "code": "代码（英文小写，含义见代码表）",
    "integer": "整数",
    "decimal": "小数",
    "date": "日期（yyyy-mm-dd）",
}
DATE_FORMAT = "yyyy-mm-dd"


@dataclass(frozen=True)
class Column:
    name: str                         # the header, in Chinese
    kind: str                         # a key of KINDS
    description: str                  # in Chinese
    width: int = 12                   # characters, in the spreadsheet
    codes: Mapping[str, str] = field(default_factory=dict)     # code → its Chinese word
    key: str = ""                     # the field's name in the JSON file and the API (ASCII)


@dataclass(frozen=True)
class DataSet:
    stem: str                         # the file name before the date: grades → grades-2026-12-04.csv
    title: str                        # in Chinese: the data sheet's name and the README's title
    description: str
    updates: str                      # how often it changes (in Chinese)
    columns: tuple[Column, ...]

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]

    def filename(self, made_on: date, extension: str) -> str:
        return f"{self.stem}-{made_on.isoformat()}.{extension}"


@dataclass(frozen=True)
class Publication:
    """What is said about one download: when it was made, under which licence, from where."""
    made_at: datetime                 # aware, local time
    licence: str
    licence_url: str
    about_url: str
    selection: str = ""               # the filter the visitor chose, "" for everything


def _text(value) -> str:
    """A value as CSV text: dates as yyyy-mm-dd, numbers without trailing zeros."""
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (float, Decimal)):
        return format(Decimal(repr(value) if isinstance(value, float) else value).normalize(), "f")
    return str(value)


def csv_bytes(dataset: DataSet, rows: Iterable[Sequence]) -> bytes:
    """RFC 4180 CSV in UTF-8 with a BOM (so Excel reads it as UTF-8), a plain table: one
    header row, then the rows; dates as yyyy-mm-dd; text that a spreadsheet would run as a
    formula starts with an apostrophe."""
    return write_csv(dataset.header, ([safe_cell(_text(v)) if c.kind in ("text", "code") else _text(v)
                                       for c, v in zip(dataset.columns, row)] for row in rows))


def xlsx_bytes(dataset: DataSet, rows: Sequence[Sequence], about: Publication) -> bytes:
    """The data sheet (typed cells, frozen header, auto-filter, column widths) and a README
    sheet (说明) with the time it was made, the licence and the columns and codes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = dataset.title[:31]
    sheet.append(dataset.header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(c, v) for c, v in zip(dataset.columns, row)])
    for number, column in enumerate(dataset.columns, start=1):
        letter = get_column_letter(number)
        sheet.column_dimensions[letter].width = column.width
        if column.kind == "date":
            for (cell,) in sheet.iter_rows(min_row=2, min_col=number, max_col=number):
                cell.number_format = DATE_FORMAT
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(dataset.columns))}{len(rows) + 1}"

    readme = book.create_sheet("说明")
    facts = [
        ("数据集", dataset.title),
        ("说明", dataset.description),
        ("生成时间", about.made_at.isoformat(timespec="seconds")),
        ("许可协议", f"{about.licence} {about.licence_url}".strip()),
        ("更新频率", dataset.updates),
        ("筛选条件", about.selection or "全部"),
        ("行数", len(rows)),
        ("数据说明页", about.about_url),
    ]
    bold = Font(bold=True)
    for key, value in facts:
        readme.append([key, safe_cell(value)])
        readme.cell(readme.max_row, 1).font = bold
    tables = [(("列名", "类型", "说明"), [(c.name, KINDS[c.kind], c.description) for c in dataset.columns])]
    tables += [((c.name, "含义"), list(c.codes.items())) for c in dataset.columns if c.codes]
    for heading, lines in tables:
        readme.append([])
        readme.append(list(heading))
        for cell in readme[readme.max_row]:
            cell.font = bold
        for line in lines:
            readme.append([safe_cell(v) for v in line])
    for row in readme.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABC", (16, 44, 60)):
        readme.column_dimensions[letter].width = width
    made_utc = about.made_at.astimezone(timezone.utc).replace(tzinfo=None)    # the file's own dates: UTC
    book.properties.created = book.properties.modified = made_utc
    book.properties.title = dataset.title
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(column: Column, value):
    if value is None:
        return None
    if column.kind == "date":
        return value
    if column.kind == "integer":
        return int(value)
    if column.kind == "decimal":
        return float(value)
    return safe_cell(str(value))


def _json_value(column: Column, value):
    if value is None:
        return None
    if column.kind == "date":
        return value.isoformat()
    if column.kind == "integer":
        return int(value)
    if column.kind == "decimal":
        return format(Decimal(repr(value) if isinstance(value, float) else value).normalize(), "f")
    return str(value)


JSON_KINDS = {"text": "string", "code": "string", "integer": "integer", "decimal": "string", "date": "string"}


def json_schema(dataset: DataSet) -> dict:
    """The JSON Schema (draft 2020-12) of one row of the data set's JSON file: the fields by
    their ``key``, each with its Chinese column name, kind and codes."""
    properties = {}
    for c in dataset.columns:
        prop: dict = {"type": [JSON_KINDS[c.kind], "null"], "title": c.name, "description": c.description}
        if c.kind == "date":
            prop["format"] = "date"
        if c.kind == "decimal":
            prop["pattern"] = r"^-?[0-9]+(\.[0-9]+)?$"
        if c.codes:
            prop["enum"] = [*c.codes, None]
        properties[c.key] = prop
    return {"type": "object", "additionalProperties": False, "required": [c.key for c in dataset.columns],
            "properties": properties}


def json_bytes(dataset: DataSet, rows: Iterable[Sequence], about: Publication) -> bytes:
    """The data set as one JSON document: what it is, when it was made, its licence, the
    schema of a row and the rows as objects keyed by each column's ``key``. Decimals are
    strings (exact), dates ``yyyy-mm-dd``; UTF-8, keys in the columns' order."""
    import json
    document = {
        "dataset": dataset.stem,
        "title": dataset.title,
        "description": dataset.description,
        "updates": dataset.updates,
        "made_at": about.made_at.isoformat(timespec="seconds"),
        "licence": about.licence,
        "licence_url": about.licence_url,
        "about": about.about_url,
        "selection": about.selection,
        "schema": json_schema(dataset),
        "rows": [{c.key: _json_value(c, v) for c, v in zip(dataset.columns, row)} for row in rows],
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# ----------------------------------------------------------------------------- the web edge

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def publication(now: datetime, about_url: str, selection: str = "") -> Publication:
    """The facts of a download made ``now``: the licence comes from the settings
    OPEN_DATA_LICENCE and OPEN_DATA_LICENCE_URL (docs/open-data.md)."""
    from flask import current_app

    config = current_app.config
    return Publication(made_at=now.astimezone(LOCAL_ZONE), licence=config["OPEN_DATA_LICENCE"],
                       licence_url=config["OPEN_DATA_LICENCE_URL"], about_url=about_url,
                       selection=selection)


def download(dataset: DataSet, extension: str, rows: Sequence[Sequence], about: Publication):
    """The CSV, JSON or XLSX as an attachment named with the day it was made, linking its licence
    and its description (RFC 8288 ``Link``: ``license``, ``describedby``)."""
    from flask import Response

    if extension == "csv":
        body, content_type = csv_bytes(dataset, rows), "text/csv; charset=utf-8"
    elif extension == "json":
        body, content_type = json_bytes(dataset, rows, about), "application/json"
    else:
        body, content_type = xlsx_bytes(dataset, rows, about), XLSX_TYPE
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = \
        f'attachment; filename="{dataset.filename(about.made_at.date(), extension)}"'
    links = [f'<{about.about_url}>; rel="describedby"']
    if about.licence_url:
        links.append(f'<{about.licence_url}>; rel="license"')
    response.headers["Link"] = ", ".join(links)
    return response
