"""Job handlers of the rectification feature: name → function(job) run by tasks.jobs (idempotent)."""
from __future__ import annotations

from typing import Callable


def open_findings(job) -> dict:
    """After an inspection is submitted: its findings, numbered notice and messages (a second
    run finds the notice and does nothing)."""
    from .findings import open_findings as run
    from .hazards import list_major_hazards
    notice = run(int(job.payload["inspection_id"]))
    listed = list_major_hazards(notice)          # veto findings: listed supervision (挂牌督办)
    return {"notice_id": notice.id if notice else None,
            "findings": len(notice.findings) if notice else 0, "listed": len(listed)}


def propose_blacklist(job) -> dict:
    """After a refused visit or an accident is recorded: the blacklist proposals now due (a
    second run writes nothing: one proposal per source)."""
    from .blacklist import propose_due
    return {"proposals": propose_due()}


def send_mail(job) -> dict:
    from .messages import send_mail as run
    return run(job)


HANDLERS: dict[str, Callable] = {
    "rectification.open_findings": open_findings,
    "rectification.send_mail": send_mail,
    "rectification.propose_blacklist": propose_blacklist,
}
