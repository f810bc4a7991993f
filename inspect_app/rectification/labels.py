"""Translated labels of the rectification codes (finding states, history actions, ladder
rungs, credit records), shared by the services' messages and the templates."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l, lazy_pgettext
from .policy import current

STATES = {
    "open": lazy_pgettext("finding", "Open"), "reopened": _l("Reopened"), "responded": _l("Answered, awaiting verification"),
    "contested": _l("Reply made, awaiting decision"), "closed": lazy_pgettext("finding", "Closed"), "withdrawn": lazy_pgettext("finding", "Withdrawn"),
    "unresolved": _l("Not closed"),
}
ACTIONS = {
    "issue": lazy_pgettext("event", "Issued"), "rectify_on_spot": _l("Rectified on the spot"), "respond": _l("Answered by the institution"),
    "request_extension": _l("Extension requested"), "grant_extension": _l("Extension granted"),
    "refuse_extension": _l("Extension refused"), "reply": _l("Reply made"),
    "contest": _l("Reply made"),     # the same act, as the audit trail wrote it before it was "reply"
    "uphold_reply": _l("Reply upheld"), "dismiss_reply": _l("Reply dismissed"),
    "accept": _l("Verified and closed"), "reject": _l("Verification rejected"),
    "remind": _l("Reminder sent"), "escalate": _l("Escalated"),
    "schedule_reinspection": _l("Re-inspection scheduled"),
    "record_interview": _l("Interview minutes recorded"),
    "decide_blacklist": _l("Blacklist proposal decided by the bureau"),
    "list_hazard": _l("Listed for supervision as a major hazard"),
    "approve_hazard_plan": _l("Remediation plan approved: deadline set to its end date"),
    "remove_hazard": _l("Hazard found removed on site: closed"),
}
# Rungs by code, and by kind for codes a bureau adds; %(days)s comes from the policy file.
RUNGS = {
    "reminder": _l("Reminder %(days)s day(s) before the deadline"),
    "overdue": _l("Overdue notice to the institution and the department head"),
    "interview": _l("Interview recorded, %(days)s days after the deadline"),
    "bureau": _l("Report to the bureau and credit record, %(days)s days after the deadline"),
    "escalation": _l("Escalation %(days)s days after the deadline"),
}
CREDIT_KINDS = {
    "overdue_rectification": _l("Overdue rectification reported to the bureau"),
    "blacklist_proposal": _l("Blacklist proposal"),
}
# Blacklist triggers (policies/blacklist.yaml, by code).
TRIGGERS = {
    "subsidy_fraud": _l("Subsidy fraud"), "fund_fraud": _l("Medical-insurance fund fraud"),
    "rights_violation": _l("Violation of older people's rights"), "no_annual_report": _l("No annual report"),
    "refused_inspection": _l("Inspection refused or obstructed"), "serious_accident": _l("Serious accident, main responsibility"),
    "fire_major_hazard": _l("Fire major hazard not removed by the deadline"),
}
OBSTRUCTIONS = {"refused_entry": _l("The institution refused entry"),
                "obstructed": _l("The institution obstructed the inspection")}
DECISIONS = {
    None: _l("Awaiting the bureau's decision"), "confirmed": _l("Confirmed by the bureau"),
    "dismissed": _l("Dismissed by the bureau"),
}


def rung_days(code: str) -> tuple[str, int] | None:
    """(kind, days from the deadline) of the policy's rung ``code``, or None if it has none."""
    for rung in current().ladder:
        if rung.code == code:
            return rung.kind, abs(rung.offset_days)
    return None


def rung(code: str) -> str:
    """A rung's label, its number of days read from the policy in force."""
    found = rung_days(code)
    if found is None:
        return code or ""
    kind, days = found
    return str(RUNGS.get(code) or RUNGS[kind]) % {"days": days}


def label(table: dict, code):
    """The label of ``code`` in ``table`` (the code itself when unknown)."""
    return table.get(code, code if code is not None else "")


def state(code: str | None):
    return label(STATES, code)


# The finding and notice lists' filters
NOT_ESCALATED = _l("Not escalated")
NOTICE_STATES = {"open": _l("Findings still open"), "closed": _l("Every finding resolved")}
