"""An institution's change history as people read it: field names and coded values in words
(the audit rows keep the column names and codes)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l

from ..core import labels

#: The form's labels (registry/forms.py), one per column shown.
FIELDS = {
    "name": _l("Name"), "credit_code": _l("Unified social credit code"), "type": _l("Type"),
    "district": _l("District"), "street": _l("Street"), "address": _l("Address"), "beds": _l("Beds"),
    "nursing_beds": _l("Nursing-type beds"), "operator_type": _l("Operator type"),
    "medical_integration": _l("Medical integration"),
    "ltc_designated": _l("Long-term-care insurance designated"), "status": _l("Status"),
    "filed_on": _l("Filing date"), "contact_phone": _l("Contact phone"),
}
CODED = {"type": labels.INSTITUTION_TYPES, "operator_type": labels.OPERATOR_TYPES,
         "medical_integration": labels.MEDICAL_INTEGRATION, "status": labels.STATUSES}
ACTIONS = {"create": _l("Registered"), "update": _l("Edited"), "import": _l("Imported"),
           "export": _l("Exported")}


@dataclass
class Entry:
    at: datetime
    actor: str
    action: str
    changes: list[tuple[str, object, object]] = field(default_factory=list)


def value(column: str, raw):
    """A stored value in words: codes by their label, yes/no, dates as dates; the rest is data."""
    if raw is None or raw == "":
        return "—"
    if column in CODED:
        return CODED[column].get(raw, raw)
    if isinstance(raw, bool):
        return _l("Yes") if raw else _l("No")
    if column == "filed_on":
        return str(raw)[:10]
    return raw if isinstance(raw, int) else labels.user_data(raw)


def entries(events) -> list[Entry]:
    out = []
    for e in events:
        entry = Entry(at=e.at, actor=e.actor, action=ACTIONS.get(e.action, e.action))
        if e.before and e.after:
            entry.changes = [(FIELDS[k], value(k, e.before.get(k)), value(k, v))
                             for k, v in e.after.items() if k in FIELDS and e.before.get(k) != v]
        out.append(entry)
    return out
