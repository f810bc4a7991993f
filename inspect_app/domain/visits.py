"""The two state machines of a visit (检查任务) and of its department parts (检查).

Visit:       planned ─start─▶ in_progress (its first part is started) ─complete─▶ completed
             (every part submitted); planned / in_progress ─cancel─▶ cancelled.
Inspection:  assigned ─start─▶ draft (the tablet starts it, minting the submission id)
             ─submit─▶ submitted (read-only from then on).

Tables in :mod:`.machine`'s shape; ``inspections.services.state`` applies them.
"""
from __future__ import annotations

from .machine import Machine

# Visit.status
PLANNED, IN_PROGRESS, COMPLETED, CANCELLED = "planned", "in_progress", "completed", "cancelled"
# Inspection.status
ASSIGNED, DRAFT, SUBMITTED = "assigned", "draft", "submitted"

VISIT = Machine.of("visit", [
    (PLANNED, "start", IN_PROGRESS),
    (IN_PROGRESS, "complete", COMPLETED),
    (PLANNED, "cancel", CANCELLED),
    (IN_PROGRESS, "cancel", CANCELLED),
])
INSPECTION = Machine.of("inspection", [
    (ASSIGNED, "start", DRAFT),
    (DRAFT, "submit", SUBMITTED),
])
