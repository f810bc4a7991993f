"""Admission for CPU-heavy work in a web process: rendering a PDF, parsing an uploaded
spreadsheet, decoding a photo (docs/architecture.md, "SQLite" and "Heavy work").

Each takes from a quarter of a second to seconds of one core. A web process has a few threads
(gunicorn ``--threads``) and shares the machine's cores with the others; sixteen PDF downloads
at once would take every thread and every core, and every other user would wait behind them.
So per process at most ``HEAVY_WORK_SLOTS`` such pieces of work run at once and at most
``HEAVY_WORK_QUEUE`` more wait (up to ``HEAVY_WORK_WAIT`` seconds) for their turn; any other is
refused at once with :class:`Busy` (503 with Retry-After: the user tries again a moment later,
the tablet's outbox does so by itself). Other requests always keep threads and cores.

Heavy work never runs inside a write transaction (``core.database``), so a slot is never held
while holding SQLite's write lock.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

DEFAULTS = {"HEAVY_WORK_SLOTS": 1, "HEAVY_WORK_QUEUE": 1, "HEAVY_WORK_WAIT": 10.0}


class Busy(Exception):
    """The request cannot be served now and changed nothing; the client may send it again
    after ``retry_after`` seconds (answered 503 with Retry-After by ``core.web``)."""

    def __init__(self, what: str, retry_after: int = 5):
        super().__init__(what)
        self.what, self.retry_after = what, retry_after


class _Limiter:
    def __init__(self, slots: int, queue: int):
        self.slots, self.queue = slots, queue
        self.running = self.waiting = 0
        self.changed = threading.Condition()

    def acquire(self, wait: float) -> bool:
        with self.changed:
            if self.running < self.slots:
                self.running += 1
                return True
            if self.waiting >= self.queue:
                return False
            self.waiting += 1
            try:
                if not self.changed.wait_for(lambda: self.running < self.slots, timeout=wait):
                    return False
                self.running += 1
                return True
            finally:
                self.waiting -= 1

    def release(self) -> None:
        with self.changed:
            self.running -= 1
            self.changed.notify()


_limiters: dict[tuple[int, int], _Limiter] = {}
_limiters_lock = threading.Lock()
_inside = threading.local()


def _settings() -> dict:
    from flask import current_app, has_app_context
    config = current_app.config if has_app_context() else {}
    return {key: config.get(key, default) for key, default in DEFAULTS.items()}


@contextmanager
def heavy_work(what: str) -> Iterator[None]:
    """Run the block in one of the process's slots for heavy work, or raise :class:`Busy`
    naming ``what`` (for the log). Nested blocks use the slot their thread already holds."""
    if getattr(_inside, "depth", 0):
        _inside.depth += 1
        try:
            yield
        finally:
            _inside.depth -= 1
        return
    settings = _settings()
    key = (max(1, int(settings["HEAVY_WORK_SLOTS"])), max(0, int(settings["HEAVY_WORK_QUEUE"])))
    with _limiters_lock:
        limiter = _limiters.setdefault(key, _Limiter(*key))
    if not limiter.acquire(float(settings["HEAVY_WORK_WAIT"])):
        raise Busy(what)
    _inside.depth = 1
    try:
        yield
    finally:
        _inside.depth = 0
        limiter.release()
