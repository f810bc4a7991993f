"""Factory helpers of the grading tests: grading visits with answers, records in a state."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from inspect_app.core.types import utcnow


def star_answers(checklist, fail=(), na=()):
    from inspect_app.domain.scoring.single import number_text
    """Every item of ``checklist`` answered: pass / full marks / in range, except as listed."""
    out = {}
    for item in checklist.items:
        if item.id in na:
            out[item.id] = "na"
        elif item.type == "check":
            out[item.id] = "fail" if item.id in fail else "pass"
        elif item.type == "scale":
            out[item.id] = "0" if item.id in fail else str(item.points)
        else:
            inside = item.min if item.min is not None else item.max
            outside = (item.min - 1) if item.min is not None else (item.max + 1)
            out[item.id] = number_text(outside if item.id in fail else inside)
    return out


class GradingMaker:
    def __init__(self, db, make):
        self.db = db
        self.make = make

    @property
    def checklist(self):
        from inspect_app.checklists import catalogue
        return catalogue.get("star-grading")

    def application(self, institution, level=3, state="accepted"):
        from inspect_app.grading.models import GradeApplication
        row = GradeApplication(institution_id=institution.id, requested_level=level,
                               self_assessment="自评材料", state=state, eligibility=[],
                               checked_on=date.today(), applied_at=utcnow())
        self.db.session.add(row)
        self.db.session.flush()
        return row

    def inspection(self, institution, answers=None, application=None):
        """A submitted grading inspection with answers (not yet a record)."""
        from inspect_app.checklists.services import store_version
        from inspect_app.domain.scoring.single import score, to_contract_dict
        from inspect_app.grading.records import responses_of
        from inspect_app.inspections.models import Answer, Inspection, Visit
        cl = self.checklist
        answers = answers or star_answers(cl)
        now = utcnow()
        visit = Visit(institution_id=institution.id, kind="grading", purpose="grading",
                      scheduled_for=date.today(), status="completed", created_at=now,
                      source=f"application:{application.id}" if application else None)
        inspection = Inspection(department="civil_affairs", status="submitted",
                                checklist_version_id=store_version(cl).id, source="tablet",
                                submitted_at=now)
        visit.inspections.append(inspection)
        self.db.session.add(visit)
        self.db.session.flush()
        self.db.session.add_all([Answer(inspection_id=inspection.id, item_id=k, value=v, updated_at=now)
                                 for k, v in answers.items()])
        self.db.session.flush()
        self.db.session.refresh(inspection)
        result = score(cl, responses_of(inspection))
        contract = to_contract_dict(result, cl)
        inspection.result, inspection.total, inspection.level = contract, contract["total"], result.level
        inspection.failed_count, inspection.veto_count = len(result.failed), len(result.vetoes)
        self.db.session.flush()
        return inspection

    def record(self, institution, answers=None, application=None):
        from inspect_app.grading.records import record_evaluation
        return record_evaluation(self.inspection(institution, answers, application), None)

    def confirmed(self, institution, effective_on=None, answers=None):
        """A confirmed record whose validity started on ``effective_on`` (default today)."""
        from inspect_app.domain.grading.lifecycle import expiry
        record = self.record(institution, answers)
        start = effective_on or date.today()
        record.state, record.effective_on, record.expires_on = "confirmed", start, expiry(start, 3)
        record.publicity_start, record.publicity_end = start - timedelta(days=14), start - timedelta(days=5)
        self.db.session.flush()
        return record

    def publicised(self, institution, today=None):
        record = self.record(institution)
        today = today or date.today()
        record.state, record.publicity_start, record.publicity_end = "publicised", today, today + timedelta(days=9)
        self.db.session.flush()
        return record


@pytest.fixture
def grading(db, make):
    return GradingMaker(db, make)
