"""Small hand-built worlds for the ranking tests: visits, inspections and findings written as
rows with exactly the fields the measures read (severity, state, deadlines, closing times)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

# 2026-06-15 10:00 Beijing time
NOW = datetime(2026, 6, 15, 2, 0, tzinfo=timezone.utc)


class World:
    def __init__(self, make, db):
        self.make, self.db = make, db
        self._version_id = None

    def version_id(self):
        from sqlalchemy import select
        from inspect_app.checklists.models import ChecklistVersion
        if self._version_id is None:
            self._version_id = self.db.session.scalar(select(ChecklistVersion.id).order_by(ChecklistVersion.id).limit(1))
        return self._version_id

    def visit(self, institution, on: date, department="fire", purpose="routine", failed_count=None,
              status="submitted"):
        """A completed visit with one department part (an inspection)."""
        from inspect_app.inspections.models import Inspection, Visit
        at = datetime(on.year, on.month, on.day, 2, 0, tzinfo=timezone.utc)
        visit = Visit(institution_id=institution.id, kind="inspection", purpose=purpose, scheduled_for=on,
                      status="completed" if status == "submitted" else "planned", created_at=at,
                      completed_at=at if status == "submitted" else None)
        self.db.session.add(visit)
        self.db.session.flush()
        part = Inspection(visit_id=visit.id, department=department, checklist_version_id=self.version_id(),
                          status=status, submitted_at=at if status == "submitted" else None,
                          failed_count=failed_count)
        self.db.session.add(part)
        self.db.session.flush()
        return part

    def part(self, visit_id, department):
        from inspect_app.inspections.models import Inspection
        part = Inspection(visit_id=visit_id, department=department, checklist_version_id=self.version_id(),
                          status="submitted", submitted_at=NOW, failed_count=0)
        self.db.session.add(part)
        self.db.session.flush()
        return part

    def finding(self, part, severity="minor", state="open", created: datetime | None = None,
                deadline: datetime | None = None, closed: datetime | None = None, rejections=0, item=None):
        from inspect_app.inspections.models import Visit
        from inspect_app.rectification.models import Finding, FindingEvent
        visit = self.db.session.get(Visit, part.visit_id)
        created = created or datetime(visit.scheduled_for.year, visit.scheduled_for.month,
                                      visit.scheduled_for.day, 3, 0, tzinfo=timezone.utc)
        deadline = deadline or created + timedelta(days=10)
        n = len(part.__dict__.setdefault("_items", []))
        part._items.append(n)
        f = Finding(inspection_id=part.id, visit_id=part.visit_id, institution_id=visit.institution_id,
                    department=part.department, checklist_id="fire-safety", checklist_version="1",
                    item_id=item or f"X-{part.id}-{n}", item_text="问题", severity=severity, deadline_days=10,
                    original_deadline_at=deadline, deadline_at=deadline, state=state,
                    policy_version="t", created_at=created, closed_at=closed)
        self.db.session.add(f)
        self.db.session.flush()
        for _ in range(rejections):
            self.db.session.add(FindingEvent(finding_id=f.id, at=created, action="reject",
                                             from_state="responded", to_state="reopened"))
        self.db.session.flush()
        return f

    def grade(self, institution, level, total, effective=date(2026, 1, 1)):
        from inspect_app.grading.models import GradeRecord
        part = self.visit(institution, date(2025, 12, 1), department="civil_affairs")
        part.visit.kind = "grading"
        record = GradeRecord(institution_id=institution.id, inspection_id=part.id, state="confirmed",
                             level=level, total=total, percent=total / 10, explanation={},
                             evaluated_at=NOW - timedelta(days=200), effective_on=effective,
                             expires_on=date(effective.year + 3, effective.month, effective.day),
                             policy_version="2026.1")
        self.db.session.add(record)
        self.db.session.flush()
        return record


@pytest.fixture
def world(make, db):
    return World(make, db)
