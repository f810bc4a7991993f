"""Translated labels of the grading codes (record, application, objection and job states,
credit record kinds), shared by the services' messages and the templates."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l, lazy_pgettext

STATES = {
    "evaluated": _l("Evaluated"), "publicised": _l("In public notice"),
    "publicity_ended": _l("Notice ended"), "confirmed": _l("Confirmed"), "rejected": lazy_pgettext("grading", "Rejected"),
    "superseded": _l("Superseded"), "lapsed": _l("Lapsed"), "revoked": _l("Revoked"),
    "submitted": _l("Submitted"), "accepted": lazy_pgettext("grading", "Accepted"), "declined": _l("Declined"),
    "withdrawn": lazy_pgettext("grading", "Withdrawn"), "open": lazy_pgettext("grading", "Open"), "upheld": _l("Upheld"),
    "dismissed": _l("Dismissed"), "pending": _l("Waiting"), "running": _l("Running"),
    "done": _l("Done"), "failed": lazy_pgettext("job", "Failed"), "penalty": _l("Administrative or criminal penalty"),
    "blacklist": _l("Credit blacklist entry"), "accident": _l("Serious accident or elder abuse"),
}


def state(code: str | None):
    """The label of a state code (the code itself when unknown)."""
    return STATES.get(code, code if code is not None else "")


ACTIONS = {
    "apply": _l("Applied"), "accept": _l("Accepted for evaluation"), "decline": _l("Declined"),
    "withdraw": lazy_pgettext("grading", "Withdrawn"), "evaluate": _l("Evaluated"),
    "schedule_evaluation": _l("On-site evaluation scheduled"),
    "publish": _l("Public notice (公示) started"), "end_publicity": _l("Public notice ended"),
    "confirm": _l("Confirmed"), "reject": lazy_pgettext("grading", "Rejected"), "revoke": _l("Revoked"),
    "supersede": _l("Superseded"), "lapse": _l("Lapsed"),
    "objection_upheld": _l("Objection upheld"), "objection_dismissed": _l("Objection dismissed"),
    "regrade_differs": _l("Re-grade gives another result"),
    "regrade_acknowledged": _l("Re-grade difference acknowledged"),
}


def action(code: str | None):
    """The label of a history action (the code itself when unknown)."""
    return ACTIONS.get(code, code if code is not None else "")
