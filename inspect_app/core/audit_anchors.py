"""Daily anchors of the audit chain, and their copies outside the database.

A hash chain shows that rows were changed only against something the intruder cannot change
too. Once a local day the sweep writes an :class:`~.audit.AuditAnchor` (the head's seq and
hash, with a MAC), then appends every anchor not yet there to ``AUDIT_ANCHOR_DIR``'s
``audit-anchors.jsonl`` and, when ``AUDIT_ANCHOR_MAILTO`` and ``MAIL_SERVER`` are set, mails
them. The file is only ever appended to, so an anchor removed from the database stays in it;
``flask audit verify --anchors`` compares it with the rows (docs/operations.md).
"""
from __future__ import annotations

import os
import smtplib
from datetime import datetime, timezone
from email.message import EmailMessage
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update

from ..domain import audit_chain
from ..domain.audit_chain import Anchor, AnchorInputError
from ..extensions import db
from .audit import AuditAnchor, head_row, keys
from .types import local_today, utcnow

FILE_NAME = "audit-anchors.jsonl"


def write_daily_anchor(now: datetime | None = None) -> AuditAnchor | None:
    """Today's anchor (the bureau's local day): written by the first call of the day, found
    by every later one, also by a concurrent one (a unique day; the INSERT yields). None
    while the chain is empty."""
    now = (now or utcnow()).astimezone(timezone.utc)       # as stored, so the MAC checks out
    day = local_today(now)
    end = head_row()
    if end is not None:
        ring = keys()
        at = now.isoformat(timespec="microseconds")
        values = dict(day=day, seq=end.seq, hash=end.hash, at=now, key_id=ring.signing_id,
                      mac=audit_chain.anchor_mac(ring.signing, day.isoformat(), end.seq, end.hash, at))
        if db.session.get_bind().dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        db.session.execute(dialect_insert(AuditAnchor.__table__).values(**values)
                           .on_conflict_do_nothing(index_elements=["day"]))
    return db.session.scalar(select(AuditAnchor).where(AuditAnchor.day == day))


def read_anchors(path: Path) -> list[Anchor]:
    """The anchors of a file; :class:`AnchorInputError` names the file (and line) if unusable."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise AnchorInputError(f"{path}: cannot read: {reason}") from None
    return audit_chain.parse_anchor_lines(text, str(path))


def export(path: Path) -> int:
    """Append to ``path`` every stored anchor whose day it does not hold yet; lines already
    there are never changed. Returns how many were appended."""
    held = {a.day for a in read_anchors(path)} if path.exists() else set()
    new = [a.as_anchor() for a in db.session.scalars(select(AuditAnchor).order_by(AuditAnchor.day))
           if a.day.isoformat() not in held]
    if new:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.writelines(audit_chain.anchor_line(a) + "\n" for a in new)
            out.flush()
            os.fsync(out.fileno())
    return len(new)


def export_to_folder() -> int:
    """:func:`export` into ``AUDIT_ANCHOR_DIR`` (nothing when it is unset)."""
    folder = current_app.config.get("AUDIT_ANCHOR_DIR")
    return export(Path(folder) / FILE_NAME) if folder else 0


def mail_unsent(now: datetime | None = None) -> int:
    """Mail the anchors not mailed yet to ``AUDIT_ANCHOR_MAILTO`` in one message. They are
    claimed by a conditional UPDATE first, so two sweeps never mail the same anchor; the
    caller commits after sending (a failed send rolls the claim back for the next sweep)."""
    cfg = current_app.config
    to = [a.strip() for a in (cfg.get("AUDIT_ANCHOR_MAILTO") or "").split(",") if a.strip()]
    if not to or not cfg.get("MAIL_SERVER"):
        return 0
    claimed = db.session.scalars(
        update(AuditAnchor).where(AuditAnchor.sent_at.is_(None)).values(sent_at=now or utcnow())
        .returning(AuditAnchor).execution_options(synchronize_session=False)).all()
    if not claimed:
        return 0
    claimed.sort(key=lambda a: a.day)
    lines = [audit_chain.anchor_line(a.as_anchor()) for a in claimed]
    mail = EmailMessage()
    mail["From"] = cfg.get("MAIL_FROM", "careinspect@localhost")
    mail["To"] = ", ".join(to)
    mail["Subject"] = f"【审计锚点】{claimed[-1].day.isoformat()} audit anchor"
    mail.set_content("请将以下各行追加到您保存的 audit-anchors.jsonl，核验时用 "
                     "flask audit verify --anchors 该文件。\n\n" + "\n".join(lines) + "\n")
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg.get("MAIL_PORT", 25), timeout=30) as smtp:
        smtp.send_message(mail)
    return len(claimed)
