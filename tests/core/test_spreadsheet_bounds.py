"""Uploaded spreadsheets are bounded before they are parsed (core.spreadsheet): a small file
that unpacks to a million cells is refused at once, located, in little memory."""
from __future__ import annotations

import io
import threading
import time
import tracemalloc
import zipfile

import pytest

from inspect_app.core import spreadsheet as sp

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def sheet_xml(rows: int, columns: int, extra: str = "", prefix: str = "") -> str:
    """``rows`` × ``columns`` number cells, written as compactly as Excel allows (no ``r``)."""
    p = f"{prefix}:" if prefix else ""
    row = f"<{p}c><{p}v>1</{p}v></{p}c>" * columns
    body = "".join(f'<{p}row r="{r}">{row}</{p}row>' for r in range(1, rows + 1))
    ns = f'xmlns{":" + prefix if prefix else ""}="{MAIN}"'
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><{p}worksheet {ns}>'
            f"<{p}sheetData>{body}</{p}sheetData>{extra}</{p}worksheet>")


def workbook(sheet: str, name: str = "数据") -> bytes:
    """A minimal .xlsx (openpyxl reads it) with one sheet of the given XML."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
                   '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels", f'<?xml version="1.0"?><Relationships xmlns="{RELS}"><Relationship Id="rId1" '
                   f'Type="{DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{DOC}"><sheets>'
                   f'<sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0"?><Relationships xmlns="{RELS}">'
                   f'<Relationship Id="rId1" Type="{DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
                   "</Relationships>")
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


@pytest.fixture(scope="module")
def million():
    """1,000,000 number cells (25,000 rows of 40) in a file of some 40 KB."""
    return workbook(sheet_xml(25_000, 40))


def test_a_million_cells_in_a_small_workbook_are_refused_at_once_in_little_memory(million):
    assert len(million) < 243_000                 # the size of the file in the finding
    bounds = sp.Bounds(rows=5000, columns=2000, cells=100_000)
    began = time.perf_counter()
    with pytest.raises(sp.TooLarge) as refused:
        sp.check_xlsx(million, bounds)
    elapsed = time.perf_counter() - began
    assert (refused.value.sheet, refused.value.row, refused.value.column) == ("数据", 2501, "A")
    assert "more than 100,000 cells" in refused.value.message
    assert str(refused.value).startswith("sheet 数据, row 2501, column A: ")
    assert elapsed < 2.0
    tracemalloc.start()
    with pytest.raises(sp.TooLarge):
        sp.check_xlsx(million, bounds)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 4 * 1024 * 1024              # a 64 KB chunk at a time, nothing kept


def test_the_farthest_cell_bounds_the_rectangle_a_reader_would_fill():
    """One cell at XFD1048576: openpyxl's full mode would create 17 billion empty cells."""
    far = sheet_xml(0, 0).replace("<sheetData></sheetData>",
                                  '<sheetData><row r="3"><c r="XFD3"><v>1</v></c></row></sheetData>')
    with pytest.raises(sp.TooLarge) as refused:
        sp.check_xlsx(workbook(far), sp.Bounds(rows=100, columns=30, cells=1000))
    assert (refused.value.row, refused.value.column) == (3, "XFD") and "last column" in refused.value.message
    deep = far.replace('r="3"', 'r="1048576"').replace("XFD3", "A1048576")
    with pytest.raises(sp.TooLarge) as refused:
        sp.check_xlsx(workbook(deep), sp.Bounds(rows=100, columns=30, cells=1000))
    assert refused.value.row == 1048576 and "last row" in refused.value.message


@pytest.mark.parametrize("element", ['<mergeCells count="1"><mergeCell ref="A1:Z500"/></mergeCells>',
                                     '<hyperlinks><hyperlink ref="A1:Z500" display="x"/></hyperlinks>'])
def test_a_merged_or_linked_range_counts_every_cell_it_covers(element):
    with pytest.raises(sp.TooLarge) as refused:
        sp.check_xlsx(workbook(sheet_xml(2, 2, element)), sp.Bounds(rows=1000, columns=30, cells=10_000))
    assert "more than 10,000 cells" in refused.value.message and refused.value.column == "Z"


def test_prefixed_tags_count_like_plain_ones():
    with pytest.raises(sp.TooLarge) as refused:
        sp.check_xlsx(workbook(sheet_xml(50, 50, prefix="x")), sp.Bounds(rows=1000, columns=100, cells=1000))
    assert refused.value.row == 21                 # 50 cells a row: the 1,001st is on row 21


def test_what_a_workbook_unpacks_to_is_bounded():
    padded = sheet_xml(1, 1).replace("<sheetData>", "<sheetData>" + " " * (3 * 1024 * 1024))
    with pytest.raises(sp.TooLarge) as refused:
        sp.check_xlsx(workbook(padded), sp.Bounds(rows=10, columns=10, cells=100, xml_bytes=1024 * 1024))
    assert "unpacks to" in refused.value.message


def test_a_dtd_is_refused_before_any_entity_is_expanded():
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
              f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c t="inlineStr"><is><t>&lol2;</t></is></c>'
              "</row></sheetData></worksheet>")
    with pytest.raises(sp.TooLarge) as refused:
        sp.check_xlsx(workbook(laughs), sp.Bounds(rows=10, columns=10, cells=100))
    assert "DTD" in refused.value.message


def test_csv_rows_columns_and_cells_are_bounded_by_line():
    bounds = sp.Bounds(rows=3, columns=4, cells=10)
    sp.check_csv("a,b\n1,2\n\n3,4\n", bounds)                       # blank lines do not count
    with pytest.raises(sp.TooLarge) as refused:
        sp.check_csv("a,b\n1,2\n3,4\n5,6\n", bounds)
    assert refused.value.row == 4 and "more than 3 rows" in refused.value.message
    with pytest.raises(sp.TooLarge) as refused:
        sp.check_csv("a,b\n1,2,3,4,5\n", bounds)
    assert (refused.value.row, refused.value.column) == (2, "E")


def test_the_workbooks_this_system_writes_pass_their_readers_bounds():
    from inspect_app.checklists import excel
    from inspect_app.domain.checklist.model import load_checklist_file
    from inspect_app.domain.institution import FIELDS
    from inspect_app.registry import importing
    from pathlib import Path
    out = io.BytesIO()
    excel.checklist_to_xlsx(load_checklist_file(Path("checklists/star-grading.yaml")), out)   # the largest
    sp.check_xlsx(out.getvalue(), excel.BOUNDS)
    rows = ([f"院{n}"] + [f"值{n}-{k}" for k in range(len(FIELDS) - 1)] for n in range(300))
    sp.check_xlsx(sp.write_xlsx([("机构名录", list(FIELDS.values()), rows)]), importing.BOUNDS)


# ----------------------------------------------------------------------------- at the edges

def _in_time(send, seconds: float):
    """The response of ``send()``, which must come within ``seconds`` (the unbounded reader
    took 51 s and 1.5 GB for such a file)."""
    done: list = []
    worker = threading.Thread(target=lambda: done.append(send()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert done, f"no answer within {seconds} s: the file was parsed"
    return done[0]


def test_a_million_cell_checklist_workbook_is_refused_quickly_and_located(make, login, million):
    browser = login(make.user("department_admin", department="fire"))
    token = browser.token("/checklists/")
    response = _in_time(lambda: browser._fresh("post", "/checklists/convert", data={
        "csrf_token": token, "file": (io.BytesIO(million), "checklist.xlsx")},
        content_type="multipart/form-data"), 5)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "checklist.xlsx: sheet 数据, row 1501, column A: more than 60,000 cells" in html


def test_a_million_cell_registry_workbook_is_refused_quickly_and_located(make, login, db, million):
    from sqlalchemy import func, select
    from inspect_app.registry.models import Institution
    browser = login(make.user("bureau_admin"))
    before = db.session.scalar(select(func.count()).select_from(Institution))
    token = browser.token("/institutions/import")
    response = _in_time(lambda: browser._fresh("post", "/institutions/import", data={
        "csrf_token": token, "file": (io.BytesIO(million), "registry.xlsx")},
        content_type="multipart/form-data"), 5)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "sheet 数据: more than 300,015 cells" in html and "<td>7501</td>" in html
    assert db.session.scalar(select(func.count()).select_from(Institution)) == before
