"""Translated labels of the grading codes (record, application, objection and job states,
credit record kinds), shared by the services' messages and the templates."""
from __future__ import annotations

import re

from flask_babel import gettext, lazy_gettext as _l, lazy_pgettext
from markupsafe import Markup

from ..core.labels import user_data
from ..domain.display import one_decimal

STATES = {
    "evaluated": _l("Evaluated"), "publicised": _l("In public notice"),
    "publicity_ended": _l("Notice ended"), "confirmed": _l("Confirmed"), "rejected": lazy_pgettext("grading", "Rejected"),
    "superseded": _l("Superseded"), "lapsed": _l("Lapsed"), "revoked": _l("Revoked"),
    "submitted": _l("Submitted"), "accepted": lazy_pgettext("grading", "Accepted"), "declined": _l("Declined"),
    "withdrawn": lazy_pgettext("grading", "Withdrawn"), "open": lazy_pgettext("grading", "Open"), "upheld": _l("Upheld"),
    "dismissed": _l("Dismissed"), "pending": _l("Waiting"), "running": _l("Running"),
    "done": lazy_pgettext("job", "Done"), "failed": lazy_pgettext("job", "Failed"), "penalty": _l("Administrative or criminal penalty"),
    "blacklist": _l("Credit blacklist entry"), "accident": _l("Serious accident or elder abuse"),
}


SCHEMES = {"star": _l("Star level (GB/T 37276)"), "a_level": _l("Community-centre A-level rating")}


def scheme(code: str | None):
    """The label of a grading scheme (the code itself when unknown)."""
    return SCHEMES.get(code or "star", code)


def state(code: str | None):
    """The label of a state code (the code itself when unknown)."""
    return STATES.get(code, code if code is not None else "")


ACTIONS = {
    "apply": lazy_pgettext("event", "Applied"), "accept": _l("Accepted for evaluation"), "decline": _l("Declined"),
    "withdraw": lazy_pgettext("grading", "Withdrawn"), "evaluate": _l("Evaluated"),
    "schedule_evaluation": _l("On-site evaluation scheduled"),
    "publish": _l("Public notice started"), "end_publicity": _l("Public notice ended"),
    "confirm": _l("Confirmed"), "reject": lazy_pgettext("grading", "Rejected"), "revoke": _l("Revoked"),
    "supersede": _l("Superseded"), "lapse": _l("Lapsed"),
    "objection_upheld": _l("Objection upheld"), "objection_dismissed": _l("Objection dismissed"),
    "regrade_differs": _l("Re-grade gives another result"),
    "regrade_acknowledged": _l("Re-grade difference acknowledged"),
}


def action(code: str | None):
    """The label of a history action (the code itself when unknown)."""
    return ACTIONS.get(code, code if code is not None else "")


#: The fields the grading services name in their problems, where no form is at hand.
FIELDS = {"note": _l("Reason"), "self_assessment": _l("Self-assessment"), "level": _l("Level applied for"),
          "self_score": _l("Self-assessed score"), "assessor_ids": _l("Assessors"), "on": _l("Date"),
          "outcome": _l("Decision")}


#: The notes the system writes on a record's history (stored in English, as the code wrote
#: them) and their messages in the reader's language. Any other note is what a person wrote.
EVENT_NOTES = (
    (re.compile(r"公示 ended (?P<day>\S+)"), "public notice ended %(day)s"),
    (re.compile(r"validity ended (?P<day>\S+)"), "validity ended %(day)s"),
    (re.compile(r"superseded by grade record #(?P<id>\d+)"), "superseded by grade record #%(id)s"),
    (re.compile(r"re-graded score (?P<total>\S+) \(level (?P<level>\S+)\) differs from the decided "
                r"(?P<decided>\S+) \(level (?P<decided_level>\S+)\)"),
     "re-graded score %(total)s (level %(level)s) differs from the decided %(decided)s (level %(decided_level)s)"),
)
_EVENT_NOTE_MESSAGES = (_l("public notice ended %(day)s"), _l("validity ended %(day)s"),
                        _l("superseded by grade record #%(id)s"),
                        _l("re-graded score %(total)s (level %(level)s) differs from the decided %(decided)s "
                           "(level %(decided_level)s)"))   # for the catalogue extraction


def event_note(note: str | None) -> Markup | str:
    if not note:
        return ""
    for pattern, message in EVENT_NOTES:
        match = pattern.fullmatch(note)
        if match:
            params = {k: one_decimal(v) if k in ("total", "decided") else v for k, v in match.groupdict().items()}
            return gettext(message, **params)
    return user_data(note)
