"""Translated labels of the major-hazard track (listing states, plan statuses, history actions)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATES = {
    "listed": _l("Listed, plan owed"), "plan_submitted": _l("Plan awaiting decision"),
    "remediating": _l("Remediation under way"), "delisted": _l("Delisted (hazard removed)"),
    "withdrawn": _l("Withdrawn (the finding was annulled on reply)"),
}
PLAN_STATUSES = {
    "submitted": _l("Awaiting decision"), "approved": _l("Approved"), "returned": _l("Sent back"),
}
MILESTONE_STATES = {"pending": _l("Not yet reported"), "reported": _l("Reported")}
ACTIONS = {
    "list": _l("Listed for supervision"), "assign": _l("Responsible staff named"),
    "submit_plan": _l("Remediation plan submitted"), "approve_plan": _l("Plan approved"),
    "return_plan": _l("Plan sent back"), "report_milestone": _l("Milestone reported"),
    "remind": _l("Milestone reminder sent"), "escalate": _l("Milestone overdue: escalated"),
    "reinspect_fail": _l("Re-inspected on site: hazard still present"),
    "reinspect_pass": _l("Re-inspected on site: hazard removed, delisted"),
    "withdraw": _l("Withdrawn: the reply on the finding was upheld"),
}


def state(code: str | None):
    """The state's label (lazy: translated where it is shown)."""
    return STATES.get(code, code or "")
