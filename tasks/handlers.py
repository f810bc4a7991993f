"""Which service runs each kind of job row (explicit; no discovery)."""
from __future__ import annotations

from typing import Callable

HANDLERS: dict[str, Callable] = {}
