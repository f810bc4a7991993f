"""Which service runs each kind of job row (explicit; no discovery)."""
from __future__ import annotations

from typing import Callable

from inspect_app.grading.jobs import HANDLERS as GRADING
from inspect_app.inspections.jobs import HANDLERS as INSPECTIONS
from inspect_app.planning.jobs import HANDLERS as PLANNING
from inspect_app.rectification.jobs import HANDLERS as RECTIFICATION

HANDLERS: dict[str, Callable] = {**INSPECTIONS, **RECTIFICATION, **GRADING, **PLANNING}
