"""Read replicas (docs/scaling.md, "Read replicas"): the public pages' plain reads go to a
PostgreSQL streaming replica when ``DATABASE_REPLICA_URL`` names one.

* :func:`configure` adds the replica as the ``replica`` bind (its own pool and options).
* A view marked :func:`reads_replica` sets a flag for its GET and HEAD requests; the session
  (``extensions.Session``) then sends a statement to the replica only if it is a plain SELECT
  (no ``FOR UPDATE``/``FOR SHARE``) issued outside a flush. Inserts, updates, deletes, locks,
  text statements and everything of an unmarked view go to the primary, so a write never
  meets the read-only replica, whatever the marked page does.
* Without ``DATABASE_REPLICA_URL`` nothing changes: every statement goes to the primary.

A replica is behind the primary by its replication lag (milliseconds on a LAN, more under a
heavy write burst): a marked page may show a grade confirmed a moment ago as not yet there.
Only pages whose readers tolerate that are marked — public grades, the open-data download,
the published notices and draws — never a page a user reads right after their own write.
"""
from __future__ import annotations

from functools import wraps

from flask import Flask, g, request

BIND = "replica"


def configure(app: Flask) -> None:
    """Before ``db.init_app``: the ``replica`` bind from ``DATABASE_REPLICA_URL`` (if set)."""
    url = app.config.get("DATABASE_REPLICA_URL") or ""
    if not url:
        return
    options: dict = {"url": url}
    if url.startswith("sqlite"):
        options["connect_args"] = {"check_same_thread": False}
    else:
        options["pool_pre_ping"] = True
    app.config["SQLALCHEMY_BINDS"] = {**(app.config.get("SQLALCHEMY_BINDS") or {}), BIND: options}


def reads_replica(view):
    """Mark a view whose GET/HEAD requests read from the replica (when one is configured)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        g.read_replica = request.method in ("GET", "HEAD")
        return view(*args, **kwargs)
    return wrapped


__all__ = ["BIND", "configure", "reads_replica"]
