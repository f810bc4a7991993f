"""A submitted part with failed items (a check, a veto check, a measure), a remark and
photos: what the record tests print and show."""
from __future__ import annotations

from tests.inspections.kit import all_pass, new_id

FAILED = {"FIRE-03": "fail", "FIRE-01": "fail", "FIRE-31": "5"}
REMARKS = {"FIRE-03": "现场发现问题，已告知机构负责人",
           "FIRE-01": "消防监督检查记录，某区消防救援大队，2026-11-30"}


def submitted_with_failures(kit, make):
    """(the submitted part, its inspector), through the services."""
    from inspect_app.inspections.services import start, submit
    inspector = make.user("inspector", department="fire")
    visit = kit.visit(make.institution(name="打印检查养老院"), {"fire": [inspector]})
    part = visit.inspections[0]
    sid = new_id()
    start(inspector, part.id, sid)
    answers = all_pass(kit.checklist(part)) | FAILED
    kit.evidence_for_required(inspector, part, answers)
    submit(inspector, part.id, kit.submit_body(part, sid, answers, remarks=REMARKS))
    kit.db.session.flush()
    return part, inspector
