"""Translated labels of the complaint codes (states, channels, kinds, categories, satisfaction,
history events), shared by the pages and the services' refusals."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l, lazy_pgettext

STATES = {
    "received": _l("Received, awaiting acceptance"), "accepted": _l("Accepted, being handled"),
    "declined": _l("Not accepted"), "replied": _l("Replied, awaiting follow-up call"),
    "closed": lazy_pgettext("complaint", "Closed"),
}
CHANNELS = {
    "phone": _l("Telephone"), "hotline_12349": _l("12349 hotline"), "letter": _l("Letter"),
    "walk_in": _l("In person"), "online": _l("Online form"),
}
KINDS = {
    "opinion": _l("Suggestion or opinion"), "accusation": _l("Report of wrongdoing"),
    "claim": _l("Request or grievance"),
}
CATEGORIES = {
    "care_service": _l("Care and services"), "fees": _l("Fees and charges"),
    "fire_safety": _l("Fire safety"), "food_safety": _l("Food safety"),
    "medical_care": _l("Medical care"), "insurance": _l("Medical and care insurance"),
}
SATISFACTION = {
    "satisfied": _l("Satisfied"), "basically": _l("Basically satisfied"), "dissatisfied": _l("Dissatisfied"),
}
EVENTS = {
    "intake": _l("Taken in"), "reroute": _l("Sent to another department"), "accept": _l("Accepted"),
    "decline": _l("Not accepted"), "acceptance_overdue": _l("Acceptance time limit passed"),
    "make_visit": _l("Visit made from the case"), "extend": _l("Time limit extended"),
    "closure_overdue": _l("Handling time limit passed"), "reply": _l("Reply to the complainant"),
    "follow_up": _l("Follow-up call"), "reopen": _l("Reopened after the follow-up call"),
    "follow_up_overdue": _l("Follow-up time limit passed"),
}
OUTCOME = {True: _l("Substantiated"), False: _l("Not substantiated"), None: _l("Not decided")}


def label(table: dict, code):
    return table.get(code, code if code is not None else "")


def state(code: str | None):
    return label(STATES, code)
