"""The complaints sweep with a controlled clock: each passed time limit (acceptance, handling,
follow-up call) is marked exactly once, on the first day after its last day (Beijing time),
and a new limit (extension, reopening, a new reply) is a new step marked once again."""
from __future__ import annotations

from datetime import date, datetime, timezone

import time_machine
from sqlalchemy import func, select

from inspect_app.complaints import services
from inspect_app.complaints.sweep import sweep
from inspect_app.complaints.models import ComplaintEvent
from inspect_app.core.audit import AuditEvent
from tasks.complaints import sweep_time_limits
from tests.complaints.conftest import T0, at, take_in


def _marks(db, case, event):
    return db.session.scalar(select(func.count()).select_from(ComplaintEvent)
                             .where(ComplaintEvent.case_id == case.id, ComplaintEvent.event == event))



def test_acceptance_limit_is_marked_once_after_its_last_day(db, make):
    bureau, civil = make.user("bureau_admin"), make.user("department_admin", department="civil_affairs")
    case = take_in(bureau, make.institution()).case
    assert case.acceptance_due == date(2026, 3, 17)
    assert sweep(datetime(2026, 3, 17, 15, 59, tzinfo=timezone.utc)) == {}        # 23:59 Beijing, last day
    first = sweep(datetime(2026, 3, 17, 16, 1, tzinfo=timezone.utc))               # 00:01 Beijing, 03-18
    assert first == {"acceptance_overdue": [case.id]}
    assert sweep(datetime(2026, 3, 18, 9, 0, tzinfo=timezone.utc)) == {}           # the same step: nothing
    assert _marks(db, case, "acceptance_overdue") == 1
    db.session.refresh(case)
    assert case.state == "received" and case.acceptance_overdue_at is not None
    # late acceptance is still possible; then the handling clock runs
    services.accept(civil, case.id, "", at(date(2026, 3, 19)))
    assert case.closure_due == date(2026, 5, 18)                                   # 03-19 + 60
    assert sweep(at(date(2026, 5, 18), 23)) == {}
    assert sweep(at(date(2026, 5, 19), 9)) == {"closure_overdue": [case.id]}
    assert sweep(at(date(2026, 5, 20), 9)) == {}
    # the extension is a new limit: marked once more when it passes
    services.extend(civil, case.id, "调取证据", at(date(2026, 5, 20)))
    assert case.closure_due == date(2026, 6, 17) and case.closure_overdue_at is None   # 05-18 + 30
    assert sweep(at(date(2026, 6, 17), 23)) == {}
    assert sweep(at(date(2026, 6, 18), 9)) == {"closure_overdue": [case.id]}
    assert _marks(db, case, "closure_overdue") == 2
    # the follow-up call: 3 working days after the reply
    services.reply(civil, case.id, "已处理", True, at(date(2026, 6, 19)))          # Friday before 端午 (06-19..21)
    assert case.follow_up_due == date(2026, 6, 24)                                  # Mon 22, Tue 23, Wed 24
    assert sweep(at(date(2026, 6, 24), 23)) == {}
    assert sweep(at(date(2026, 6, 25), 9)) == {"follow_up_overdue": [case.id]}
    assert sweep(at(date(2026, 6, 26), 9)) == {}
    audit_rows = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                   .where(AuditEvent.entity == "complaint_case", AuditEvent.entity_id.like("sweep:%")))
    assert audit_rows == 4


def test_closed_and_declined_cases_are_never_marked(db, make):
    bureau, civil = make.user("bureau_admin"), make.user("department_admin", department="civil_affairs")
    declined = take_in(bureau, make.institution()).case
    services.decline(civil, declined.id, "不属于本部门职责", T0)
    closed = take_in(bureau, make.institution()).case
    services.accept(civil, closed.id, "", T0)
    services.reply(civil, closed.id, "已处理", False, T0)
    services.follow_up(civil, closed.id, "satisfied", "", False, T0)
    assert sweep(at(date(2026, 12, 1))) == {}


def test_the_beat_task_run_twice_marks_once(db, make):
    bureau = make.user("bureau_admin")
    case = take_in(bureau, make.institution()).case
    with time_machine.travel(at(date(2026, 3, 18)), tick=False):
        assert sweep_time_limits() == {"acceptance_overdue": 1}
        assert sweep_time_limits() == {}
    assert _marks(db, case, "acceptance_overdue") == 1
