"""Factory helpers of the rectification tests: a submitted inspection with failed items."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from inspect_app.core.types import utcnow


class RectMake:
    def __init__(self, make, db):
        self.make = make
        self.db = db

    def submitted_inspection(self, institution=None, *, failed=("FIRE-01", "FIRE-03"), department="fire",
                             checklist="fire-safety", inspectors=(), submitted_at: datetime | None = None):
        from sqlalchemy import select

        from inspect_app.checklists.models import ChecklistVersion
        from inspect_app.inspections.models import (Answer, Inspection, InspectionInspector, Visit)
        institution = institution or self.make.institution()
        at = submitted_at or utcnow()
        version = self.db.session.scalar(select(ChecklistVersion).where(ChecklistVersion.checklist_id == checklist)
                                         .order_by(ChecklistVersion.id.desc()).limit(1))
        visit = Visit(institution_id=institution.id, kind="inspection", purpose="routine",
                      scheduled_for=at.date(), status="completed", created_at=at, completed_at=at)
        self.db.session.add(visit)
        self.db.session.flush()
        inspection = Inspection(visit_id=visit.id, department=department, checklist_version_id=version.id,
                                status="submitted", submitted_at=at,
                                result={"checklist": checklist, "version": version.version, "total": 50,
                                        "max": 100, "percent": 50, "level": None,
                                        "vetoes": [f for f in failed if f in ("FIRE-01", "FIRE-02")],
                                        "failed": list(failed), "sections": []},
                                failed_count=len(failed))
        self.db.session.add(inspection)
        self.db.session.flush()
        for n, user in enumerate(inspectors):
            self.db.session.add(InspectionInspector(inspection_id=inspection.id, user_id=user.id, lead=n == 0))
        for item in failed:
            self.db.session.add(Answer(inspection_id=inspection.id, item_id=item, value="fail",
                                       remark=f"{item} 不合格", updated_at=at))
        self.db.session.flush()
        return inspection

    def findings(self, institution=None, *, now: datetime | None = None, **kw):
        from inspect_app.rectification.findings import open_findings
        inspection = self.submitted_inspection(institution, submitted_at=now, **kw)
        notice = open_findings(inspection.id, now=now)
        return notice, {f.item_id: f for f in notice.findings}


@pytest.fixture
def rect(make, db):
    return RectMake(make, db)


# A fixed instant: 2026-03-02 10:00 Beijing time (a Monday).
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
