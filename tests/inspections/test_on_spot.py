"""On-the-spot rectification (当场整改) from the tablet's submit to the finding: a failed minor
item marked with a note and an "after" photo becomes a finding created closed (history, audit
chain), counted as failed and as rectified on time, on no notice; critical and veto items are
refused with a located message (docs/regulations.md, "On-the-spot rectification")."""
from __future__ import annotations

from sqlalchemy import func, select

from inspect_app.core.audit import AuditEvent
from inspect_app.core.types import utcnow
from inspect_app.domain.rectification.on_time import ON_TIME, verdict
from inspect_app.inspections.models import Evidence, Inspection, OnSpotRectification
from inspect_app.rectification import on_time as on_time_sql
from inspect_app.rectification.findings import open_findings
from inspect_app.rectification.models import Finding, RectificationNotice
from tests.inspections.kit import all_pass, new_id, post_json, upload


def _draft(kit, make, login):
    me = make.user("inspector", department="fire")
    visit = kit.visit(departments={"fire": [me]})
    part = visit.inspections[0]
    browser = login(me)
    sid = new_id()
    assert post_json(browser, f"/inspections/{part.id}/start", {"submission_id": sid}).status_code == 200
    return part, me, browser, sid


def _submit(kit, browser, part, sid, failed, on_spot, after=(), remarks=None):
    answers = all_pass(kit.checklist(part))
    for item_id in failed:
        answers[item_id] = "fail"
    for item in kit.checklist(part).items:
        if item.evidence == "photo_always" or (item.evidence == "photo_on_fail" and item.id in failed):
            assert upload(browser, part.id, item.id, new_id("photo")).status_code == 201
    for item_id in after:
        r = upload(browser, part.id, item_id, new_id("after"), stage="after")
        assert r.status_code == 201 and r.json["stage"] == "after"
    body = kit.submit_body(part, sid, answers, on_spot=on_spot, remarks=remarks or {})
    return post_json(browser, f"/inspections/{part.id}/submit", body)


def test_a_minor_item_rectified_on_the_spot_is_closed_at_once_and_still_counted(kit, make, login, db):
    part, me, browser, sid = _draft(kit, make, login)
    # FIRE-15 (minor) put right on the spot; FIRE-03 (major) goes to a written deadline.
    r = _submit(kit, browser, part, sid, ["FIRE-03", "FIRE-15"], {"FIRE-15": "已当场清除通道杂物"},
                after=["FIRE-15"])
    assert r.status_code == 200, r.json
    assert r.json["result"]["failed"] == ["FIRE-03", "FIRE-15"]     # still a failed item of the record
    marks = db.session.scalars(select(OnSpotRectification).where(OnSpotRectification.inspection_id == part.id)).all()
    assert [(m.item_id, m.note) for m in marks] == [("FIRE-15", "已当场清除通道杂物")]

    db.session.expire_all()
    notice = open_findings(part.id)
    db.session.flush()
    findings = {f.item_id: f for f in db.session.scalars(select(Finding).where(Finding.inspection_id == part.id))}
    assert set(findings) == {"FIRE-03", "FIRE-15"}
    assert [f.item_id for f in notice.findings] == ["FIRE-03"]      # no notice item for the one put right
    spot = findings["FIRE-15"]
    inspection = db.session.get(Inspection, part.id)
    assert spot.state == "closed" and spot.on_spot and spot.notice_id is None
    assert spot.closed_at == inspection.submitted_at and spot.next_due_at is None
    assert [(e.action, e.from_state, e.to_state, e.actor_id, e.reason) for e in spot.events] == [
        ("rectify_on_spot", "", "closed", me.id, "已当场清除通道杂物")]
    after_ids = db.session.scalars(select(Evidence.id).where(Evidence.inspection_id == part.id,
                                                             Evidence.stage == "after")).all()
    assert spot.events[0].data["after_photos"] == list(after_ids)
    assert findings["FIRE-03"].state == "open" and not findings["FIRE-03"].on_spot
    # counted as rectified on time, by the rule and by its SQL twin
    now = utcnow()
    assert verdict(spot.state, spot.deadline_at, spot.closed_at, now) == ON_TIME
    assert db.session.scalar(select(on_time_sql.verdict(now)).where(Finding.id == spot.id)) == ON_TIME
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "rectify_on_spot",
                                                       AuditEvent.entity_id == str(spot.id)))
    assert audit is not None and audit.actor_id == me.id
    # the finding page says so instead of a deadline; the record marks the item and prints the note
    browser = login(make.user("bureau_admin"))
    page = browser.get(f"/rectification/findings/{spot.id}").get_data(as_text=True)
    assert "检查时当场整改，未下达整改期限" in page and "当场整改" in page
    record = browser.get(f"/inspections/{part.id}/record").get_data(as_text=True)
    assert "当场整改：" in record and "已当场清除通道杂物" in record
    # a second run of the job changes nothing
    assert open_findings(part.id).id == notice.id
    assert db.session.scalar(select(func.count()).select_from(Finding).where(Finding.inspection_id == part.id)) == 2


def test_every_failed_item_rectified_on_the_spot_issues_no_notice(kit, make, login, db):
    part, me, browser, sid = _draft(kit, make, login)
    r = _submit(kit, browser, part, sid, ["FIRE-15", "FIRE-20"],
                {"FIRE-15": "已清理", "FIRE-20": "已补齐标识"}, after=["FIRE-15", "FIRE-20"])
    assert r.status_code == 200, r.json
    db.session.expire_all()
    assert open_findings(part.id) is None
    db.session.flush()
    assert db.session.scalar(select(func.count()).select_from(RectificationNotice).where(
        RectificationNotice.inspection_id == part.id)) == 0
    states = db.session.execute(select(Finding.item_id, Finding.state).where(Finding.inspection_id == part.id)
                                .order_by(Finding.item_id)).all()
    assert [tuple(s) for s in states] == [("FIRE-15", "closed"), ("FIRE-20", "closed")]
    assert open_findings(part.id) is None                            # idempotent without a notice
    assert db.session.scalar(select(func.count()).select_from(Finding).where(Finding.inspection_id == part.id)) == 2


def test_critical_and_veto_items_are_refused_with_a_located_message(kit, make, login, db):
    part, me, browser, sid = _draft(kit, make, login)
    r = _submit(kit, browser, part, sid, ["FIRE-01", "FIRE-05", "FIRE-03"],
                {"FIRE-01": "已修复", "FIRE-05": "已清理", "FIRE-03": "已整改"},
                after=["FIRE-01", "FIRE-05", "FIRE-03"], remarks={"FIRE-01": "消防检查意见书 2026-03 号"})
    assert r.status_code == 422
    assert r.json["problems"] == ["FIRE-01: a veto item cannot be rectified on the spot",
                                  "FIRE-03: only minor (general) items can be rectified on the spot",
                                  "FIRE-05: a critical item cannot be rectified on the spot"]
    db.session.expire_all()
    assert db.session.get(Inspection, part.id).status != "submitted"
    assert db.session.scalar(select(func.count()).select_from(OnSpotRectification)
                             .where(OnSpotRectification.inspection_id == part.id)) == 0


def test_the_mark_needs_a_note_an_after_photo_and_a_failed_item(kit, make, login, db):
    part, me, browser, sid = _draft(kit, make, login)
    r = _submit(kit, browser, part, sid, ["FIRE-15", "FIRE-09"], {"FIRE-15": "  ", "FIRE-09": "已整改", "FIRE-20": "x"},
                after=["FIRE-15"])
    assert r.status_code == 422
    assert r.json["problems"] == [                  # in the checklist's order
        "FIRE-09: an on-the-spot rectification needs at least one photo taken after the fix",
        "FIRE-20: only a failed item can be rectified on the spot",
        "FIRE-15: say in a short note what was put right on the spot"]
    # a photo of the state found does not stand for the after-photo (FIRE-09 has one: photo_on_fail)
    assert db.session.scalar(select(func.count()).select_from(Evidence).where(
        Evidence.inspection_id == part.id, Evidence.item_id == "FIRE-09", Evidence.stage == "found")) == 1


def test_an_unknown_photo_stage_and_a_malformed_mark_are_refused(kit, make, login):
    part, me, browser, sid = _draft(kit, make, login)
    r = upload(browser, part.id, "FIRE-15", new_id("photo"), stage="before-ish")
    assert r.status_code == 422 and r.json["problems"] == ["stage: expected found or after"]
    body = kit.submit_body(part, sid, on_spot=["FIRE-15"])
    r = post_json(browser, f"/inspections/{part.id}/submit", body)
    assert r.status_code == 422 and "on_spot: expected an object of item id → note" in r.json["problems"]
    body = kit.submit_body(part, sid, on_spot={"FIRE-15": 3})
    r = post_json(browser, f"/inspections/{part.id}/submit", body)
    assert r.status_code == 422 and "FIRE-15: the on-the-spot note must be text" in r.json["problems"]


def test_the_mark_is_part_of_the_submission_digest_only_when_given(kit, make, login):
    from inspect_app.inspections.services import parse_body
    part, me, browser, sid = _draft(kit, make, login)
    plain = kit.submit_body(part, sid)
    assert parse_body(plain).digest == parse_body(dict(plain, on_spot={})).digest
    assert parse_body(plain).digest != parse_body(dict(plain, on_spot={"FIRE-15": "已清理"})).digest
