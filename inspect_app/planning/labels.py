"""Translated labels of the planning codes, shared by the services' messages and the pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

RUN_STATES = {
    "frozen": _l("Lists frozen"), "seeded": _l("Seed fixed"), "drawn": _l("Drawn"),
    "published": _l("Published"), "infeasible": _l("Infeasible"),
}


def run_state(code: str | None):
    """The label of a run state (the code itself when unknown)."""
    return RUN_STATES.get(code, code if code is not None else "")


# The messages of domain.risk's reasons, listed here so the catalogue extraction finds them.
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
