"""Uploads (docs/security.md, "Uploads are re-encoded"): type by content, re-encoded, size and
pixel limits, random names."""
from __future__ import annotations

import base64
import io

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from inspect_app.core import files
from inspect_app.core.errors import Invalid


def _jpeg(size=(64, 48), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def _upload(data: bytes, name="photo.jpg"):
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type="image/jpeg")


def test_photo_is_reencoded_and_stored_under_a_random_name(app, db):
    payload = b"<script>alert(1)</script>"
    stored = files.store_upload(_upload(_jpeg() + payload, name="../../etc/passwd.jpg"))
    path = files.path_of(stored)
    assert path.parent == files.upload_dir()
    assert stored.token in path.name and "passwd" not in path.name
    data = path.read_bytes()
    assert payload not in data and data[:2] == b"\xff\xd8"
    assert stored.original_name == "passwd.jpg"
    assert (stored.width, stored.height) == (64, 48)
    assert files.path_of(stored, thumbnail=True).exists()


def test_pdf_named_jpg_is_refused(app, db):
    with pytest.raises(Invalid) as err:
        files.store_upload(_upload(b"%PDF-1.7\n1 0 obj <<>> endobj\n", name="scan.jpg"), where="FIRE-01")
    assert err.value.problems[0].startswith("FIRE-01: ")


def test_oversize_file_is_refused(app, db):
    app.config["UPLOAD_MAX_BYTES"] = 1000
    try:
        with pytest.raises(Invalid, match="too large"):
            files.store_upload(_upload(_jpeg((400, 400), (1, 2, 3)) + b"x" * 2000))
    finally:
        app.config["UPLOAD_MAX_BYTES"] = 12 * 1024 * 1024


def test_decompression_bomb_is_refused_before_decoding(app, db):
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG")   # 400 MP, a few kB on disk
    with pytest.raises(Invalid) as err:
        files.store_upload(_upload(out.getvalue(), name="bomb.png"))
    assert "pixels" in err.value.problems[0]


def test_signature_must_show_a_mark(app, db):
    blank = io.BytesIO()
    Image.new("RGBA", (300, 100), (0, 0, 0, 0)).save(blank, "PNG")
    url = "data:image/png;base64," + base64.b64encode(blank.getvalue()).decode()
    with pytest.raises(Invalid, match="empty"):
        files.store_signature(url)
    drawn = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    for x in range(20, 280):
        drawn.putpixel((x, 50), (0, 0, 0, 255))
    out = io.BytesIO()
    drawn.save(out, "PNG")
    stored = files.store_signature("data:image/png;base64," + base64.b64encode(out.getvalue()).decode())
    assert stored.kind == "signature" and stored.content_type == "image/png"
    with pytest.raises(Invalid):
        files.store_signature("data:image/png;base64,@@@")


def _png_url(image: Image.Image, tail: bytes = b"") -> str:
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue() + tail).decode()


def _drawing(mode="RGBA", size=(600, 200), background=(255, 255, 255, 255), ink=(17, 17, 17, 255)):
    from PIL import ImageDraw
    image = Image.new(mode, size, background if mode == "RGBA" else background[:len(mode)])
    ImageDraw.Draw(image).line([(30, 150), (200, 40), (380, 160), (570, 50)],
                               fill=ink if mode == "RGBA" else ink[:len(mode)], width=6)
    return image


def _stored_grey(stored) -> Image.Image:
    with Image.open(files.path_of(stored)) as image:
        image.load()
        return image


def test_signature_is_reencoded_as_a_small_grey_png_with_nothing_appended(app, db):
    payload = b"<script>alert(1)</script>"
    drawing = _drawing()
    stored = files.store_signature(_png_url(drawing, payload))
    data = files.path_of(stored).read_bytes()
    assert payload not in data and data[:8] == b"\x89PNG\r\n\x1a\n"
    back = _stored_grey(stored)
    assert back.format == "PNG" and back.mode == "P" and back.size == (600, 200) == (stored.width, stored.height)
    assert stored.size == len(data) and len(data) < 20_000
    grey = back.convert("L")
    expected = drawing.convert("L")
    # 16 grey levels: every pixel within half a step (8.5) of the drawing's own grey.
    diff = max(abs(a - b) for a, b in zip(grey.tobytes(), expected.tobytes()))
    assert diff <= 9
    assert grey.getpixel((300, 100)) == 255 and grey.getextrema()[0] <= 17


def test_signature_on_a_transparent_canvas_is_put_on_white(app, db):
    drawing = _drawing(background=(0, 0, 0, 0))
    grey = _stored_grey(files.store_signature(_png_url(drawing))).convert("L")
    assert grey.getpixel((5, 5)) == 255                   # transparent black became white
    assert grey.getextrema()[0] <= 17                     # the ink is kept


@pytest.mark.parametrize("mode", ["RGB", "L", "LA"])
def test_signatures_in_other_modes_are_stored_alike(app, db, mode):
    drawing = _drawing().convert(mode)
    grey = _stored_grey(files.store_signature(_png_url(drawing))).convert("L")
    assert grey.getpixel((300, 100)) == 255 and grey.getextrema()[0] <= 17


def test_a_white_or_nearly_white_canvas_is_an_empty_signature(app, db):
    for image in (Image.new("RGBA", (300, 100), (255, 255, 255, 255)), Image.new("RGB", (300, 100), (251, 251, 251)),
                  _drawing(ink=(252, 252, 252, 255))):
        with pytest.raises(Invalid) as err:
            files.store_signature(_png_url(image), where="signatures.inspector")
        assert err.value.problems == ["signatures.inspector: nothing drawn"]


def test_a_signature_that_is_not_a_png_drawing_is_refused_by_name(app, db):
    cases = [("", "not a PNG drawing"), ("data:image/gif;base64,R0lGOD", "not a PNG drawing"),
             ("data:image/png;base64,", "not a readable photo"),
             ("data:image/png;base64,@@", "damaged data")]
    for url, problem in cases:
        with pytest.raises(Invalid) as err:
            files.store_signature(url, where="signatures.representative")
        assert err.value.problems == [f"signatures.representative: {problem}"]
    with pytest.raises(Invalid) as err:
        files.store_signature("data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\nxx").decode(), where="s")
    assert err.value.problems == ["s: not a readable photo"]


def test_signatures_stored_together_are_written_and_flushed_at_once(app, db):
    from sqlalchemy import event
    drawn = {"signatures.inspector": _png_url(_drawing()), "signatures.representative": _png_url(_drawing("RGB"))}
    inserts = []

    def count(conn, cursor, statement, params, context, many):
        if statement.lstrip().upper().startswith("INSERT INTO STORED_FILE"):
            inserts.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        rows = files.store_signatures(drawn)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert list(rows) == list(drawn)
    if db.engine.dialect.name == "postgresql":    # SQLite's driver inserts row by row
        assert len(inserts) == 1
    assert len({row.token for row in rows.values()}) == 2 and all(row.id for row in rows.values())
    for row in rows.values():
        assert files.path_of(row).exists() and row.kind == "signature" and not row.has_thumbnail
    assert not list(files.upload_dir().glob("*.tmp"))


def test_a_bad_signature_among_several_stores_nothing(app, db):
    before = set(files.upload_dir().iterdir())
    with pytest.raises(Invalid) as err:
        files.store_signatures({"a": _png_url(_drawing()), "b": _png_url(Image.new("RGB", (50, 50), "white"))})
    assert err.value.problems == ["b: nothing drawn"]
    assert set(files.upload_dir().iterdir()) == before


def test_files_are_created_under_new_names_only(app, db, monkeypatch):
    """O_EXCL: a token that already names a file is never overwritten."""
    stored = files.store_signature(_png_url(_drawing()))
    original = files.path_of(stored).read_bytes()
    monkeypatch.setattr(files.secrets, "token_hex", lambda n: stored.token)
    with pytest.raises(FileExistsError):
        files.store_signature(_png_url(_drawing("RGB")))
    assert files.path_of(stored).read_bytes() == original


def test_written_files_are_synced_before_the_row_is_written(app, db, monkeypatch):
    order = []
    real_sync = getattr(files.os, "fdatasync", files.os.fsync)
    monkeypatch.setattr(files.os, "fdatasync", lambda fd: (order.append("sync"), real_sync(fd))[1], raising=False)
    monkeypatch.setattr(files.os, "fsync", lambda fd: (order.append("sync"), real_sync(fd))[1])
    from sqlalchemy import event

    def written(conn, cursor, statement, *args):
        if statement.startswith("INSERT INTO stored_file"):
            order.append("insert")
    event.listen(db.engine, "before_cursor_execute", written)
    try:
        files.store_signatures({"a": _png_url(_drawing()), "b": _png_url(_drawing())})
        files.store_upload(_upload(_jpeg()))
    finally:
        event.remove(db.engine, "before_cursor_execute", written)
    if order.count("insert") > 2:           # SQLite: one statement per row (ids in order)
        order = [step for i, step in enumerate(order) if step != "insert" or order[i - 1] != "insert"]
    assert order == ["sync"] * 3 + ["insert"] + ["sync"] * 3 + ["insert"]   # two files + the directory
