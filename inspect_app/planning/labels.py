"""Translated labels of the planning codes, shared by the services' messages and the pages."""
from __future__ import annotations

import re

from flask_babel import gettext, lazy_gettext as _l

RUN_STATES = {
    "frozen": _l("Lists frozen"), "seeded": _l("Seed fixed"), "drawn": _l("Drawn"),
    "published": _l("Published"), "infeasible": _l("Infeasible"),
}


def run_state(code: str | None):
    """The label of a run state (the code itself when unknown)."""
    return RUN_STATES.get(code, code if code is not None else "")


# The messages of domain.planning.risk's reasons, listed here so the catalogue extraction finds them.
RISK_REASONS = (
    _l("veto findings ≥ %(n)s"), _l("overdue findings ≥ %(n)s"), _l("complaints ≥ %(n)s"),
    _l("open findings ≥ %(n)s"), _l("grade ≤ %(n)s stars"), _l("grade ≥ %(n)s stars, clean record"),
    _l("no grade"), _l("default"),
)

PART_STATUSES = {"assigned": _l("Not started"), "draft": _l("In progress"), "submitted": _l("Submitted")}


def risk_reason(reason) -> str:
    """A frozen risk reason in the reader's language ([message, params]; older runs kept text)."""
    from flask_babel import gettext
    if isinstance(reason, str):
        return reason
    message, params = reason
    return gettext(message, **params)


#: The notes the system writes on a run's history (stored in English, as the code wrote them)
#: and their messages in the reader's language; a note of another shape is shown as it is.
RUN_NOTES = (
    (re.compile(r"period (?P<key>\S+)"), "period %(key)s"),
    (re.compile(r"(?P<n>\d+) visits scheduled"), "%(n)s visits scheduled"),
    (re.compile(r"beacon value entered"), "third-party value entered"),
    (re.compile(r"the rules cannot all be met"), "the rules cannot all be met"),
)
_RUN_NOTE_MESSAGES = (_l("period %(key)s"), _l("%(n)s visits scheduled"), _l("third-party value entered"),
                      _l("the rules cannot all be met"))   # for the catalogue extraction


def run_note(note: str | None) -> str:
    if not note:
        return ""
    for pattern, message in RUN_NOTES:
        match = pattern.fullmatch(note)
        if match:
            return gettext(message, **match.groupdict())
    return note
