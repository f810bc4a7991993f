"""The operations of the inspections feature (authorization, state changes; they flush,
never commit). Split by concern:

* :mod:`.visits`     — creating visits (``create_visit``, used by later features) and listing them
* :mod:`.filling`    — start a draft, save answers one by one, progress and live score
* :mod:`.evidence`   — photos per item
* :mod:`.submission` — the idempotent submit
* :mod:`.records`    — the read-only record (检查记录)
* :mod:`.state`      — moves a visit or inspection by its machine (``domain.visits``)
"""
from __future__ import annotations

from .evidence import by_item as evidence_by_item, delete as delete_evidence, get_evidence, upload as upload_evidence
from . import obstruction
from .filling import answers_of, for_filling, save_answer, start, summary
from .records import ON_SPOT_NOTE_MAX, Record, get_record, on_spot_items, on_spot_marks
from .submission import body_digest, parse_body, submit
from .visits import (AD_HOC_PURPOSES, GROUPS, can_cancel, cancel_visit, checklists_for, create_visit,
                     inspector_choices,
                     institution_choices, my_work, on_team, visible_parts, visit_detail)

__all__ = [
    "AD_HOC_PURPOSES", "ON_SPOT_NOTE_MAX", "GROUPS", "obstruction", "Record", "answers_of", "can_cancel", "cancel_visit", "body_digest", "checklists_for", "create_visit",
    "delete_evidence", "evidence_by_item", "for_filling", "get_evidence", "get_record", "inspector_choices",
    "institution_choices", "my_work", "on_spot_items", "on_spot_marks", "on_team", "parse_body", "save_answer", "start", "submit", "summary",
    "upload_evidence", "visible_parts", "visit_detail",
]
