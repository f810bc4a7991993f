"""Files received from users (evidence photos, signatures): checked, re-encoded, stored safely.

docs/security.md, "Uploads are re-encoded", and its upload tests decide the rules:

* The type is decided by the content (Pillow opens it), never by the name or the header.
* Images are **re-encoded** (``PIL.Image.verify`` accepted a JPEG with a script appended):
  the stored file is a fresh JPEG (photos) or PNG (signatures) made from the decoded pixels,
  so anything appended or embedded is gone; EXIF orientation is applied, metadata dropped.
* Size is limited in bytes (``UPLOAD_MAX_BYTES``) and in pixels (``UPLOAD_MAX_PIXELS``), and a
  decompression bomb is refused before decoding.
* Files are stored under a random name in ``UPLOAD_DIR`` (outside ``static``); the user's
  file name is kept only as a label. They are served by :func:`send_stored`, which a view
  calls only after authorizing the record the file belongs to.

Services call :func:`store_upload` / :func:`store_signature` / :func:`store_signatures` inside
their transaction; the row is flushed, the bytes are on disk before it: each file is created
under its final random name (``O_EXCL``), written, ``fdatasync``'d, and the directory synced
once per call, so a row that commits never points at a lost file (nothing reads a file before
its row commits, so no temporary name is needed). An orphan file after a rollback is harmless
and never served, because nothing points at it.

Decoding and re-encoding take a quarter of a second for a 12 MP photo. A service that locks a
record before it stores a file (and on SQLite any write takes the one write lock) does that
part first, before the lock: :func:`prepare_upload` / :func:`prepare_signatures` check,
re-encode and write the files, :func:`record` / :func:`record_all` then add their rows.

Signatures are line drawings: stored as 16-level grey PNGs (4 bits a pixel, a fixed grey
palette, ``compress_level`` 1): about 0.3 ms to encode a 480×150 drawing, 1.5 ms at 1200×400,
against 1 ms and 7 ms for the RGB PNG they used to be; the grey levels keep the strokes'
anti-aliasing.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import io
import os
import secrets
from pathlib import Path

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, send_file
from sqlalchemy import Boolean, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .errors import Invalid, NotFound
from .heavy import heavy_work
from . import rows as new_rows
from .types import UTCDateTime, utcnow

SIGNATURE_MAX_PIXELS = 4_000_000
SIGNATURE_BLANK_LEVEL = 250    # a drawing whose darkest pixel is this light or lighter is blank
_GREY16_PALETTE = [level for k in range(16) for level in (k * 17,) * 3]
_TO_GREY16 = [value >> 4 for value in range(256)]   # 0..255 → palette index 0..15 (k × 17)
PHOTO_MAX_SIDE = 2560          # long side of a stored photo (a 12 MP photo becomes ~5 MP)
THUMB_SIDE = 320
JPEG_QUALITY = 85
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "HEIC", "HEIF", "GIF", "BMP"}
DEFAULT_MAX_PIXELS = 50_000_000


class StoredFile(db.Model):
    """A file received from a user: re-encoded, stored under a random name, never in static."""

    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(40), unique=True)       # random storage name
    kind: Mapped[str] = mapped_column(String(16))                       # photo | signature | document
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    original_name: Mapped[str | None] = mapped_column(String(200))
    has_thumbnail: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


def _limits() -> tuple[int, int]:
    config = current_app.config
    return int(config.get("UPLOAD_MAX_BYTES", 12 * 1024 * 1024)), int(
        config.get("UPLOAD_MAX_PIXELS", DEFAULT_MAX_PIXELS))


def upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def _read_limited(stream, max_bytes: int, where: str) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise Invalid("The file is too large.", problems=[
            f"{where}: larger than {max_bytes // (1024 * 1024)} MB"])
    if not data:
        raise Invalid("The file is empty.", problems=[f"{where}: empty file"])
    return data


def _decode_image(data: bytes, where: str, max_pixels: int):
    """Open and fully decode an image, refusing anything that is not one or is too big."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    # The limit is checked below on the header alone (no pixel is decoded before it); Pillow's
    # own process-wide bomb guard stays as it is, so concurrent uploads never change each other's.
    try:
        image = Image.open(io.BytesIO(data))      # reads the header only: format and size
        fmt = image.format
        width, height = image.size
        if fmt not in ALLOWED_FORMATS:
            raise Invalid("Only photos can be uploaded.", problems=[f"{where}: not a photo ({fmt})"])
        if width * height > max_pixels:
            raise Invalid("The photo has too many pixels.", problems=[
                f"{where}: {width}×{height} pixels is more than allowed"])
        image.load()                              # decodes the pixels (only now)
        image = ImageOps.exif_transpose(image)
    except Invalid:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError,
            SyntaxError) as exc:
        kind = "too many pixels" if isinstance(exc, Image.DecompressionBombError) else "not a readable photo"
        raise Invalid("Only photos can be uploaded.", problems=[f"{where}: {kind}"]) from None
    return image


def _flatten(image, background=(255, 255, 255)):
    from PIL import Image

    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, background)
        flat.paste(rgba, mask=rgba.split()[-1])
        return flat
    return image.convert("RGB")


def _encode(image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        image.save(out, "PNG", compress_level=3)   # signatures: small line drawings, fast
    return out.getvalue()


def _write_files(files: list[tuple[str, bytes]]) -> None:
    """Write new files (``(name, data)``) into the upload directory and make them durable:
    each created under its final name (``O_EXCL``: a name is never reused), written and
    ``fdatasync``'d, then the directory synced once, so the names survive a crash too."""
    directory = upload_dir()
    sync = getattr(os, "fdatasync", os.fsync)
    opened: list[int] = []
    try:
        for name, data in files:
            fd = os.open(directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
            opened.append(fd)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        for fd in opened:
            sync(fd)
    finally:
        for fd in opened:
            os.close(fd)
    if hasattr(os, "O_DIRECTORY"):
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@dataclass(frozen=True)
class PreparedFile:
    """A received file checked, re-encoded and written under its random name; no row yet."""
    kind: str
    token: str
    content_type: str
    size: int
    sha256: str
    width: int
    height: int
    original_name: str | None
    has_thumbnail: bool


def _prepared(kind: str, token: str, data: bytes, content_type: str, width: int, height: int,
              original_name: str | None, thumbnail: bool) -> PreparedFile:
    return PreparedFile(kind, token, content_type, len(data), hashlib.sha256(data).hexdigest(), width,
                        height, (original_name or "")[:200] or None, thumbnail)


def _row(prepared: PreparedFile, user) -> StoredFile:
    row = StoredFile(
        token=prepared.token, kind=prepared.kind, content_type=prepared.content_type,
        size=prepared.size, sha256=prepared.sha256, width=prepared.width, height=prepared.height,
        original_name=prepared.original_name, has_thumbnail=prepared.has_thumbnail,
        uploaded_by_id=getattr(user, "id", None), uploaded_at=utcnow())
    db.session.add(row)
    return row


def record(prepared: PreparedFile, user=None) -> StoredFile:
    """The row of a prepared file, flushed (in the caller's transaction)."""
    row = _row(prepared, user)
    db.session.flush()
    return row


def record_all(prepared: dict[str, PreparedFile], user=None) -> dict[str, StoredFile]:
    """The rows of several prepared files (``{where: prepared}``), flushed in one go."""
    rows = {where: _row(p, user) for where, p in prepared.items()}
    new_rows.insert(db.session, list(rows.values()))      # one INSERT, no flush
    return rows


def _prepare(kind: str, image, fmt: str, original_name: str | None, thumbnail: bool = True) -> PreparedFile:
    from PIL import Image

    data = _encode(image, fmt)
    token = secrets.token_hex(16)
    files = [(token, data)]
    if thumbnail:
        thumb = image.copy()
        thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
        files.append((f"{token}.thumb", _encode(thumb, fmt)))
    _write_files(files)
    return _prepared(kind, token, data, "image/jpeg" if fmt == "JPEG" else "image/png", image.width,
                     image.height, original_name, thumbnail)


def prepare_upload(storage, *, kind: str = "photo", where: str = "file") -> PreparedFile:
    """Check an uploaded photo (a werkzeug ``FileStorage``), re-encode it and write it; no
    database work (call it before taking locks; :func:`record` adds the row).

    Raises :class:`Invalid` with a located message (``where``: what is wrong) for anything
    that is not a photo, is too large, or has too many pixels.
    """
    from PIL import Image

    if storage is None or not getattr(storage, "filename", None) and not getattr(storage, "stream", None):
        raise Invalid("Choose a photo.", problems=[f"{where}: no file"])
    max_bytes, max_pixels = _limits()
    data = _read_limited(storage.stream, max_bytes, where)
    with heavy_work("photo"):                     # a 12 MP photo takes a core for 0.25 s
        image = _flatten(_decode_image(data, where, max_pixels))
        if max(image.size) > PHOTO_MAX_SIDE:
            image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE), Image.Resampling.LANCZOS)
        name = os.path.basename((storage.filename or "").replace("\\", "/"))
        return _prepare(kind, image, "JPEG", name)


def store_upload(storage, *, kind: str = "photo", user=None, where: str = "file"):
    """Check and store an uploaded photo; return its row (:func:`prepare_upload`, then
    :func:`record`)."""
    return record(prepare_upload(storage, kind=kind, where=where), user)


def store_signature(data_url: str, user=None, where: str = "signature"):
    """Store a signature drawn on screen, given as a ``data:image/png;base64,…`` URL."""
    return store_signatures({where: data_url}, user)[where]


def prepare_signatures(drawings: dict[str, str]) -> dict[str, PreparedFile]:
    """Check and re-encode several signatures (``{where: data URL}``), writing the files and
    syncing them together; no database work (:func:`record_all` adds the rows). Raises
    :class:`Invalid` (located by ``where``) for the first one that is not a PNG drawing, is
    too large, or shows no mark."""
    max_bytes, max_pixels = _limits()
    made = {where: _signature_png(data_url, where, max_bytes, min(max_pixels, SIGNATURE_MAX_PIXELS))
            for where, data_url in drawings.items()}
    tokens = {where: secrets.token_hex(16) for where in made}
    _write_files([(tokens[where], data) for where, (data, _size) in made.items()])
    # A signature is shown at its own size: no thumbnail.
    return {where: _prepared("signature", tokens[where], data, "image/png", size[0], size[1], None, False)
            for where, (data, size) in made.items()}


def store_signatures(drawings: dict[str, str], user=None) -> dict:
    """Store several signatures at once (``{where: data URL}`` → ``{where: StoredFile}``):
    each checked and re-encoded as :func:`store_signature` does, the files written and synced
    together, the rows flushed in one statement."""
    return record_all(prepare_signatures(drawings), user)


def _signature_png(data_url: str, where: str, max_bytes: int, max_pixels: int) -> tuple[bytes, tuple[int, int]]:
    """The drawing decoded, checked and re-encoded: (PNG bytes, (width, height))."""
    prefix = "data:image/png;base64,"
    if not isinstance(data_url, str) or not data_url.startswith(prefix):
        raise Invalid("The signature is missing.", problems=[f"{where}: not a PNG drawing"])
    try:
        data = base64.b64decode(data_url[len(prefix):], validate=True)
    except (binascii.Error, ValueError):
        raise Invalid("The signature could not be read.", problems=[f"{where}: damaged data"]) from None
    if len(data) > max_bytes:
        raise Invalid("The signature is too large.", problems=[f"{where}: too large"])
    image = _decode_image(data, where, max_pixels)
    grey = None if image.getbbox() is None else _grey_on_white(image)
    if grey is None or grey.getextrema()[0] >= SIGNATURE_BLANK_LEVEL:
        raise Invalid("The signature is empty.", problems=[f"{where}: nothing drawn"])
    return _encode_grey16(grey), grey.size


def _grey_on_white(image):
    """The drawing in grey ("L"), transparent parts on white (as :func:`_flatten`, in one channel)."""
    from PIL import Image

    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        with_alpha = image.convert("LA")
        grey, alpha = with_alpha.getchannel("L"), with_alpha.getchannel("A")
        if alpha.getextrema()[0] == 255:          # opaque (a canvas exported on white): nothing to blend
            return grey
        flat = Image.new("L", image.size, 255)
        flat.paste(grey, mask=alpha)
        return flat
    return image.convert("L")


def _encode_grey16(grey) -> bytes:
    """A grey image as a 4-bit PNG with 16 evenly spaced greys (0, 17, …, 255)."""
    indexed = grey.point(_TO_GREY16)
    indexed.putpalette(_GREY16_PALETTE)           # "L" → "P": the values are the palette indexes
    out = io.BytesIO()
    indexed.save(out, "PNG", bits=4, compress_level=1)
    return out.getvalue()


def signature_digest(data_url: str) -> str:
    """SHA-256 of a signature's decoded bytes (part of a submission's body digest)."""
    prefix = "data:image/png;base64,"
    if not isinstance(data_url, str) or not data_url.startswith(prefix):
        return ""
    try:
        return hashlib.sha256(base64.b64decode(data_url[len(prefix):], validate=True)).hexdigest()
    except (binascii.Error, ValueError):
        return ""


def path_of(stored, thumbnail: bool = False) -> Path:
    suffix = ".thumb" if thumbnail and stored.has_thumbnail else ""
    return upload_dir() / f"{stored.token}{suffix}"


def data_uri(stored, thumbnail: bool = False) -> str:
    """The file inline, for PDFs (WeasyPrint) — never for pages (CSP)."""
    try:
        data = path_of(stored, thumbnail).read_bytes()
    except OSError:
        return ""
    return f"data:{stored.content_type};base64,{base64.b64encode(data).decode('ascii')}"


def send_stored(stored, thumbnail: bool = False):
    """A response with the file. Call only after authorizing the record that owns it."""
    path = path_of(stored, thumbnail)
    if not path.exists():
        raise NotFound("The file was not found.")
    response = send_file(path, mimetype=stored.content_type, conditional=True, max_age=3600,
                         download_name=f"{stored.token}{'.jpg' if stored.content_type == 'image/jpeg' else '.png'}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["Content-Disposition"] = "inline"
    return response
