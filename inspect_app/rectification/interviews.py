"""Minutes of the interview (约谈) the escalation ladder calls for: when a finding has passed
a rung marked ``record_minutes`` in the policy, its department records the date, who took
part and what was said. The minutes are a line of the finding's history (audited)."""
from __future__ import annotations

from datetime import date, datetime

from ..auth import policy
from ..core import audit
from ..core.errors import Conflict, Invalid
from ..core.types import utcnow
from ..domain.rectification import ladder as dl
from ..extensions import db
from . import findings as fs
from . import policy as policies
from .models import Finding, FindingEvent
from .translate import t as _

RECORD = "record_interview"


def due_rung(finding: Finding) -> str | None:
    """The rung whose minutes may be recorded on this finding (None: not reached)."""
    done = [e.step for e in finding.events if e.action == "escalate" and e.step]
    return dl.minutes_due(policies.current(), done)


def minutes_of(finding: Finding) -> list[FindingEvent]:
    return [e for e in finding.events if e.action == RECORD]


def record(user, finding_id: int, held_on: date | None, participants: str, summary: str,
           now: datetime | None = None) -> FindingEvent:
    """Record the interview's minutes on the finding (department officers)."""
    policy.require(user, "rectification.decide")
    now = now or utcnow()
    finding = fs.get(user, finding_id, lock=True)
    problems = []
    today = now.astimezone(policies.tz()).date()
    if not isinstance(held_on, date):
        problems.append("held_on: " + _("a date is required"))
    elif held_on > today:
        problems.append("held_on: " + _("cannot be in the future"))
    participants = (participants or "").strip()
    summary = (summary or "").strip()
    for where, value, limit in (("participants", participants, 1000), ("summary", summary, 4000)):
        if not value:
            problems.append(f"{where}: " + _("is required"))
        elif len(value) > limit:
            problems.append(f"{where}: " + _("is too long (at most %(n)s characters)", n=limit))
    if problems:
        raise Invalid("The minutes could not be saved.", problems=problems)
    rung = due_rung(finding)
    if rung is None:
        raise Conflict("No interview is called for on this finding yet.")
    fs.check(finding, RECORD)
    minutes = {"rung": rung, "held_on": held_on.isoformat(), "participants": participants, "summary": summary}
    event = fs.apply(finding, RECORD, user, now, reason=summary, data=minutes)
    db.session.flush()
    audit.record(user, RECORD, "finding", finding.id, after={"event_id": event.id, **minutes})
    return event
