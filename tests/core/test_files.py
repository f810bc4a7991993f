"""Uploads (TRUST.md finding 4): type by content, re-encoded, size and pixel limits, random names."""
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
