"""Files received from users (evidence photos, signatures): checked, re-encoded, stored safely.

TRUST.md finding 4 and its upload tests decide the rules:

* The type is decided by the content (Pillow opens it), never by the name or the header.
* Images are **re-encoded** (``PIL.Image.verify`` accepted a JPEG with a script appended):
  the stored file is a fresh JPEG (photos) or PNG (signatures) made from the decoded pixels,
  so anything appended or embedded is gone; EXIF orientation is applied, metadata dropped.
* Size is limited in bytes (``UPLOAD_MAX_BYTES``) and in pixels (``UPLOAD_MAX_PIXELS``), and a
  decompression bomb is refused before decoding.
* Files are stored under a random name in ``UPLOAD_DIR`` (outside ``static``); the user's
  file name is kept only as a label. They are served by :func:`send_stored`, which a view
  calls only after authorizing the record the file belongs to.

Services call :func:`store_upload` / :func:`store_signature` inside their transaction; the
row is flushed, the bytes are on disk before it (an orphan file after a rollback is harmless
and never served, because nothing points at it).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import io
import os
import secrets
from pathlib import Path

from datetime import datetime

from flask import current_app, send_file
from sqlalchemy import Boolean, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .errors import Invalid
from .types import UTCDateTime, utcnow

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

    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            width, height = probe.size
        if fmt not in ALLOWED_FORMATS:
            raise Invalid("Only photos can be uploaded.", problems=[f"{where}: not a photo ({fmt})"])
        if width * height > max_pixels:
            raise Invalid("The photo has too many pixels.", problems=[
                f"{where}: {width}×{height} pixels is more than allowed"])
        image = Image.open(io.BytesIO(data))
        image.load()
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


def _write(token: str, data: bytes, suffix: str = "") -> None:
    path = upload_dir() / f"{token}{suffix}"
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _store(kind: str, image, fmt: str, user, original_name: str | None, thumbnail: bool = True):
    from PIL import Image

    data = _encode(image, fmt)
    token = secrets.token_hex(16)
    _write(token, data)
    if thumbnail:
        thumb = image.copy()
        thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
        _write(token, _encode(thumb, fmt), ".thumb")
    row = StoredFile(
        token=token, kind=kind, content_type="image/jpeg" if fmt == "JPEG" else "image/png",
        size=len(data), sha256=hashlib.sha256(data).hexdigest(), width=image.width,
        height=image.height, original_name=(original_name or "")[:200] or None,
        has_thumbnail=thumbnail, uploaded_by_id=getattr(user, "id", None), uploaded_at=utcnow())
    db.session.add(row)
    db.session.flush()
    return row


def store_upload(storage, *, kind: str = "photo", user=None, where: str = "file"):
    """Check and store an uploaded photo (a werkzeug ``FileStorage``); return its row.

    Raises :class:`Invalid` with a located message (``where``: what is wrong) for anything
    that is not a photo, is too large, or has too many pixels.
    """
    from PIL import Image

    if storage is None or not getattr(storage, "filename", None) and not getattr(storage, "stream", None):
        raise Invalid("Choose a photo.", problems=[f"{where}: no file"])
    max_bytes, max_pixels = _limits()
    data = _read_limited(storage.stream, max_bytes, where)
    image = _flatten(_decode_image(data, where, max_pixels))
    if max(image.size) > PHOTO_MAX_SIDE:
        image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE), Image.Resampling.LANCZOS)
    name = os.path.basename((storage.filename or "").replace("\\", "/"))
    return _store(kind, image, "JPEG", user, name)


def store_signature(data_url: str, user=None, where: str = "signature"):
    """Store a signature drawn on screen, given as a ``data:image/png;base64,…`` URL."""
    prefix = "data:image/png;base64,"
    if not isinstance(data_url, str) or not data_url.startswith(prefix):
        raise Invalid("The signature is missing.", problems=[f"{where}: not a PNG drawing"])
    max_bytes, max_pixels = _limits()
    try:
        data = base64.b64decode(data_url[len(prefix):], validate=True)
    except (binascii.Error, ValueError):
        raise Invalid("The signature could not be read.", problems=[f"{where}: damaged data"]) from None
    if len(data) > max_bytes:
        raise Invalid("The signature is too large.", problems=[f"{where}: too large"])
    image = _decode_image(data, where, min(max_pixels, 4_000_000))
    if image.getbbox() is None or _is_blank(image):
        raise Invalid("The signature is empty.", problems=[f"{where}: nothing drawn"])
    # A signature is shown at its own size: no thumbnail.
    return _store("signature", _flatten(image), "PNG", user, None, thumbnail=False)


def _is_blank(image) -> bool:
    """True when the drawing has no mark (every pixel transparent or white)."""
    flat = _flatten(image).convert("L")
    lo, _hi = flat.getextrema()
    return lo >= 250


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
        from .errors import NotFound
        raise NotFound("The file was not found.")
    response = send_file(path, mimetype=stored.content_type, conditional=True, max_age=3600,
                         download_name=f"{stored.token}{'.jpg' if stored.content_type == 'image/jpeg' else '.png'}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["Content-Disposition"] = "inline"
    return response
