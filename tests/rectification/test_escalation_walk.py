"""A finding walked through every rung of the ladder with controlled time."""
from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from inspect_app.rectification import escalation
from inspect_app.rectification.models import CreditRecord, FindingEvent, Message

from .conftest import T0


def _events(db, finding, action):
    return list(db.session.scalars(select(FindingEvent.step).where(
        FindingEvent.finding_id == finding.id, FindingEvent.action == action).order_by(FindingEvent.id)))


def _sweep(db, now):
    total = 0
    while True:
        result = escalation.sweep_deadlines(now)
        db.session.flush()
        total += result.done
        if not result.more:
            return total


def test_major_finding_climbs_every_rung_exactly_once(db, make, rect):
    _, found = rect.findings(now=T0, failed=("FIRE-03",))
    finding = found["FIRE-03"]           # major: 10 days → due at the end of 2026-03-12 (Beijing)
    assert finding.deadline_days == 10
    assert finding.deadline_at.isoformat() == "2026-03-12T16:00:00+00:00"
    assert finding.next_due_at == finding.deadline_at - timedelta(days=3)
    assert finding.policy_version == "2026.2"

    assert _sweep(db, T0 + timedelta(days=1)) == 0          # nothing due yet
    moments = [finding.deadline_at - timedelta(days=3), finding.deadline_at - timedelta(days=1),
               finding.deadline_at, finding.deadline_at + timedelta(days=7),
               finding.deadline_at + timedelta(days=30)]
    for moment in moments:
        with time_machine.travel(moment, tick=False):
            assert _sweep(db, moment) == 1
            assert _sweep(db, moment) == 0                  # the same tick again: nothing more
    db.session.refresh(finding)
    assert _events(db, finding, "remind") == ["reminder_3d", "reminder_1d"]
    assert _events(db, finding, "escalate") == ["overdue", "interview", "bureau"]
    assert finding.next_due_at is None and finding.escalation_level == 3
    assert _sweep(db, finding.deadline_at + timedelta(days=400)) == 0
    kinds = db.session.execute(select(Message.kind, Message.audience).where(Message.finding_id == finding.id)
                               .order_by(Message.id)).all()
    assert ("overdue", "department") in kinds and ("bureau", "bureau") in kinds
    assert [r.kind for r in db.session.scalars(select(CreditRecord).where(CreditRecord.finding_id == finding.id))] \
        == ["overdue_rectification"]


def test_late_sweep_skips_stale_reminders_but_not_escalations(db, rect):
    _, found = rect.findings(now=T0, failed=("FIRE-03",))
    finding = found["FIRE-03"]
    late = finding.deadline_at + timedelta(days=8)          # beat was down for weeks
    assert _sweep(db, late) == 2                            # overdue notice and interview
    db.session.refresh(finding)
    assert _events(db, finding, "remind") == []
    assert _events(db, finding, "escalate") == ["overdue", "interview"]


def test_critical_veto_fire_finding_reaches_blacklist_proposal(db, rect):
    _, found = rect.findings(now=T0, failed=("FIRE-01",))
    finding = found["FIRE-01"]
    # Issued 10:00 on 2 March with 3 days: due by the end of 5 March; the 3-day reminder
    # falls at the end of the issue day.
    assert finding.deadline_at.isoformat() == "2026-03-05T16:00:00+00:00"
    assert finding.next_due_at == finding.deadline_at - timedelta(days=3)
    _sweep(db, finding.deadline_at + timedelta(days=31))
    kinds = sorted(db.session.scalars(select(CreditRecord.kind).where(CreditRecord.finding_id == finding.id)))
    assert kinds == ["blacklist_proposal", "overdue_rectification"]


def test_idle_sweep_does_nothing(db, rect):
    rect.findings(now=T0)
    assert escalation.sweep_deadlines(T0).due == 0
    assert db.session.scalar(select(func.count()).select_from(FindingEvent).where(
        FindingEvent.action.in_(("remind", "escalate")))) == 0


def test_sweep_mails_exactly_the_messages_of_its_rungs_when_mail_is_set_up(app, db, rect):
    """With SMTP configured, each rung's messages are handed to one mail job by id (the
    claim, its history rows and its messages are one statement on PostgreSQL)."""
    from inspect_app.core.jobs import Job
    from inspect_app.rectification.messages import MAIL_JOB

    _, found = rect.findings(now=T0, failed=("FIRE-03",))
    finding = found["FIRE-03"]
    app.config["MAIL_SERVER"] = "smtp.example.invalid"
    try:
        # Overdue by a day: the overdue notice (department and institution) is due.
        assert _sweep(db, finding.deadline_at + timedelta(days=1)) == 1
    finally:
        app.config.pop("MAIL_SERVER")
    made = set(db.session.scalars(select(Message.id).where(Message.finding_id == finding.id)))
    assert len(made) == 2
    mailed = [set(j.payload["message_ids"]) for j in db.session.scalars(select(Job).where(Job.name == MAIL_JOB))]
    assert mailed == [made]
    assert _events(db, finding, "escalate") == ["overdue"]
