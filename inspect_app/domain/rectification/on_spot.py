"""On-the-spot rectification (当场整改): which failed items the inspector may close during the
visit, and what the mark needs (docs/regulations.md, "On-the-spot rectification").

* A minor item (severity ``minor``) may be rectified on the spot. In the food checklist the
  general items (一般项目) of SAMR 令第49号 are the minor ones and its key items (重点项目) are
  critical or major (checklists/food-safety.yaml), so this one rule covers both.
* A critical item, a major item and a veto item never may: a veto or critical failure is a
  hazard that goes to a written deadline, re-inspection or investigation.
* The mark carries a short note of what was done and at least one photo taken after the
  fix (an "after" photo); the finding is created closed, counts as rectified on time, and no
  notice item or deadline is issued for it.

Pure: the item is any object with ``severity`` and ``veto``."""
from __future__ import annotations

from ..translatable import N_

NOTE_MAX = 500                       # characters of the on-the-spot note
SEVERITIES = ("minor",)              # the severities that may be rectified on the spot

REFUSED_VETO = N_("a veto item cannot be rectified on the spot")
REFUSED_CRITICAL = N_("a critical item cannot be rectified on the spot")
REFUSED_MAJOR = N_("only minor (general) items can be rectified on the spot")


def refusal(item) -> str | None:
    """Why ``item`` may not be rectified on the spot (a message id), or None when it may."""
    if getattr(item, "veto", False):
        return REFUSED_VETO
    severity = getattr(item, "severity", "minor") or "minor"
    if severity == "critical":
        return REFUSED_CRITICAL
    if severity not in SEVERITIES:
        return REFUSED_MAJOR
    return None


def allowed(item) -> bool:
    return refusal(item) is None


def problems(marks: dict[str, str], items: dict, failed, after_photos: dict[str, int]) -> list[str]:
    """Every problem of the on-the-spot marks of one submission, located by item id, in the
    checklist's order (unknown ids last).

    ``marks``: item id → note; ``items``: item id → item, in checklist order; ``failed``: the
    failed item ids; ``after_photos``: item id → number of "after" photos held."""
    failed = set(failed)
    order = {item_id: n for n, item_id in enumerate(items)}
    out = []
    for item_id in sorted(marks, key=lambda i: (order.get(i, len(order)), i)):
        note = marks[item_id]
        item = items.get(item_id)
        if item is None:
            out.append(f"{item_id}: on-the-spot rectification of an unknown item")
            continue
        reason = refusal(item)
        if reason:
            out.append(f"{item_id}: {reason}")
            continue
        if item_id not in failed:
            out.append(f"{item_id}: only a failed item can be rectified on the spot")
            continue
        note = (note or "").strip()
        if not note:
            out.append(f"{item_id}: say in a short note what was put right on the spot")
        elif len(note) > NOTE_MAX:
            out.append(f"{item_id}: the on-the-spot note is longer than {NOTE_MAX} characters")
        if not after_photos.get(item_id):
            out.append(f"{item_id}: an on-the-spot rectification needs at least one photo taken after the fix")
    return out
