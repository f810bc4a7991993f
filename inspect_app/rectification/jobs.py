"""Job handlers of the rectification feature: name → function(payload) run by tasks.jobs (idempotent)."""
from __future__ import annotations

from typing import Callable

HANDLERS: dict[str, Callable[[dict], object]] = {}
