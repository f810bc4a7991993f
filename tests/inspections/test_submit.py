"""Submitting: exactly one record per submission id, a changed body refused, evidence and
signatures required, read-only afterwards, follow-up work enqueued, the visit completed
with its last part, and the record (page and PDF) for those who may see it."""
from __future__ import annotations

from sqlalchemy import func, select

from inspect_app.core.audit import AuditEvent
from inspect_app.core.files import StoredFile
from inspect_app.core.jobs import Job
from inspect_app.inspections.models import Answer, Inspection, Visit
from inspect_app.inspections.services import body_digest, parse_body
from tests.inspections.kit import all_pass, new_id, post_json, signature, upload


def _draft(kit, make, login, departments=None, **kw):
    me = make.user("inspector", department="fire")
    visit = kit.visit(departments=departments or {"fire": [me]}, **kw)
    part = next(p for p in visit.inspections if p.department == "fire")
    browser = login(me)
    sid = new_id()
    assert post_json(browser, f"/inspections/{part.id}/start", {"submission_id": sid}).status_code == 200
    return visit, part, me, browser, sid


def _photos(browser, kit, part, answers):
    for item in kit.checklist(part).items:
        if item.evidence == "photo_always" or (item.evidence == "photo_on_fail" and answers.get(item.id) == "fail"):
            assert upload(browser, part.id, item.id, new_id("photo")).status_code == 201


def _count(db, model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_submit_five_times_makes_one_record(kit, make, login, db):
    visit, part, me, browser, sid = _draft(kit, make, login)
    answers = all_pass(kit.checklist(part))
    answers["FIRE-07"] = "fail"
    _photos(browser, kit, part, answers)
    body = kit.submit_body(part, sid, answers, remarks={"FIRE-07": "灭火器过期"})
    responses = [post_json(browser, f"/inspections/{part.id}/submit", body) for _ in range(5)]
    assert [r.status_code for r in responses] == [200] * 5
    assert all(r.json == responses[0].json for r in responses)
    first = responses[0].json
    assert first["status"] == "submitted" and first["record_url"] == f"/inspections/{part.id}/record"
    assert first["result"]["failed"] == ["FIRE-07"] and first["result"]["checklist"] == "fire-safety"
    assert first["result"]["total"] == 337            # 342 − 5
    db.session.expire_all()
    stored = db.session.get(Inspection, part.id)
    assert stored.status == "submitted" and stored.failed_count == 1 and stored.veto_count == 0
    assert float(stored.total) == 337 and stored.representative_name == "张三"
    assert _count(db, AuditEvent, AuditEvent.action == "submit", AuditEvent.entity_id == str(part.id)) == 1
    assert _count(db, Job, Job.key == f"findings:{part.id}") == 1
    job = db.session.scalar(select(Job).where(Job.key == f"findings:{part.id}"))
    assert job.name == "rectification.open_findings" and job.payload == {"inspection_id": part.id}
    assert _count(db, Answer, Answer.inspection_id == part.id) == len(kit.checklist(part).items)
    assert db.session.scalar(select(Answer.remark).where(Answer.inspection_id == part.id, Answer.item_id == "FIRE-07")) == "灭火器过期"
    assert _count(db, StoredFile, StoredFile.kind == "signature",
                  StoredFile.id.in_([stored.inspector_signature_id, stored.representative_signature_id])) == 2
    assert _count(db, StoredFile, StoredFile.kind == "signature", StoredFile.uploaded_by_id == me.id) == 2
    assert db.session.get(Visit, visit.id).status == "completed"


def test_same_id_with_a_changed_body_is_refused(kit, make, login, db):
    visit, part, me, browser, sid = _draft(kit, make, login)
    answers = all_pass(kit.checklist(part))
    _photos(browser, kit, part, answers)
    assert post_json(browser, f"/inspections/{part.id}/submit", kit.submit_body(part, sid, answers)).status_code == 200
    changed = dict(answers, **{"FIRE-03": "fail"})
    r = post_json(browser, f"/inspections/{part.id}/submit", kit.submit_body(part, sid, changed))
    assert r.status_code == 422 and r.json["problems"] == ["submission_id: already submitted with a different body"]
    r = post_json(browser, f"/inspections/{part.id}/submit", kit.submit_body(part, new_id(), answers))
    assert r.status_code == 422
    db.session.expire_all()
    assert db.session.scalar(select(Answer.value).where(Answer.inspection_id == part.id, Answer.item_id == "FIRE-03")) == "pass"


def test_a_stale_submission_id_is_refused_on_a_draft(kit, make, login):
    visit, part, me, browser, sid = _draft(kit, make, login)
    r = post_json(browser, f"/inspections/{part.id}/submit", kit.submit_body(part, new_id()))
    assert r.status_code == 422 and r.json["problems"] == ["submission_id: unknown or stale for this inspection"]


def test_evidence_and_signatures_are_required(kit, make, login, db):
    visit, part, me, browser, sid = _draft(kit, make, login)
    answers = all_pass(kit.checklist(part))
    answers["FIRE-02"] = "fail"                       # photo_on_fail
    r = post_json(browser, f"/inspections/{part.id}/submit", kit.submit_body(part, sid, answers))
    assert r.status_code == 422
    assert set(r.json["problems"]) == {"FIRE-05: a photo is required", "FIRE-17: a photo is required",
                                       "FIRE-02: a photo is required when the item fails"}
    body = kit.submit_body(part, sid, answers, representative_name="", signatures={"inspector": signature()})
    r = post_json(browser, f"/inspections/{part.id}/submit", body)
    assert r.status_code == 422 and {"signatures.representative: missing or not a PNG drawing",
                                     "representative_name: the institution's representative must be named"} <= set(r.json["problems"])
    incomplete = dict(answers)
    del incomplete["FIRE-30"]
    incomplete["FIRE-01"] = "maybe"
    r = post_json(browser, f"/inspections/{part.id}/submit", kit.submit_body(part, sid, incomplete))
    assert r.status_code == 422 and "FIRE-30: not answered" in r.json["problems"]
    assert any(p.startswith("FIRE-01: expected") for p in r.json["problems"])
    db.session.expire_all()
    assert db.session.get(Inspection, part.id).status == "draft"
    assert _count(db, Job, Job.key == f"findings:{part.id}") == 0


def test_blank_signature_is_refused(kit, make, login, db):
    import base64
    from tests.inspections.kit import png_bytes
    visit, part, me, browser, sid = _draft(kit, make, login)
    answers = all_pass(kit.checklist(part))
    _photos(browser, kit, part, answers)
    blank = "data:image/png;base64," + base64.b64encode(png_bytes((255, 255, 255), mark=False)).decode()
    body = kit.submit_body(part, sid, answers, signatures={"inspector": signature(), "representative": blank})
    r = post_json(browser, f"/inspections/{part.id}/submit", body)
    assert r.status_code == 422 and r.json["problems"] == ["signatures.representative: nothing drawn"]
    db.session.expire_all()
    assert db.session.get(Inspection, part.id).status == "draft"


def test_read_only_after_submit(kit, make, login, db):
    visit, part, me = kit.submitted()
    browser = login(me)
    r = post_json(browser, f"/inspections/{part.id}/answers", {"item_id": "FIRE-01", "value": "fail", "version": 1})
    assert r.status_code == 409
    assert upload(browser, part.id, "FIRE-05", new_id("photo")).status_code == 409
    html = browser.get(f"/inspections/{part.id}/form").get_data(as_text=True)
    assert 'data-status="submitted"' in html and "disabled" in html
    assert db.session.scalar(select(Answer.value).where(Answer.inspection_id == part.id, Answer.item_id == "FIRE-01")) == "pass"


def test_joint_visit_completes_when_every_part_is_submitted(kit, make, login, db):
    fire, civil = make.user("inspector", department="fire"), make.user("inspector", department="civil_affairs")
    visit = kit.visit(departments={"fire": [fire], "civil_affairs": [civil]})
    parts = {p.department: p for p in visit.inspections}
    for dept, who in (("fire", fire), ("civil_affairs", civil)):
        browser, part, sid = login(who), parts[dept], new_id()
        assert post_json(browser, f"/inspections/{part.id}/start", {"submission_id": sid}).status_code == 200
        answers = all_pass(kit.checklist(part))
        _photos(browser, kit, part, answers)
        assert post_json(browser, f"/inspections/{part.id}/submit", kit.submit_body(part, sid, answers)).status_code == 200
        db.session.expire_all()
        expected = "in_progress" if dept == "fire" else "completed"
        assert db.session.get(Visit, visit.id).status == expected
    assert db.session.get(Visit, visit.id).completed_at is not None
    # each inspector fills only their department's part
    assert login(fire).get(f"/inspections/{parts['civil_affairs'].id}/form").status_code == 404


def test_a_tablet_offline_since_before_start_submits_in_one_request(kit, make, login, db):
    me = make.user("inspector", department="fire")
    visit = kit.visit(departments={"fire": [me]})
    part = visit.inspections[0]
    browser, sid = login(me), new_id()
    answers = all_pass(kit.checklist(part))
    _photos(browser, kit, part, answers)              # photos may arrive before the start
    r = post_json(browser, f"/inspections/{part.id}/submit", kit.submit_body(part, sid, answers))
    assert r.status_code == 200, r.json
    db.session.expire_all()
    assert db.session.get(Inspection, part.id).submission_id == sid
    assert db.session.get(Visit, visit.id).status == "completed"
    # the start that was queued before the submit and replayed after it is harmless
    r = post_json(browser, f"/inspections/{part.id}/start", {"submission_id": sid})
    assert r.status_code == 200 and r.json["status"] == "submitted"


def test_grading_evaluation_enqueues_the_grade_record(kit, make, login, db):
    assessor = make.user("inspector", department="civil_affairs")
    visit = kit.visit(departments={"civil_affairs": [assessor]}, kind="grading", purpose="grading",
                      checklist_ids={"civil_affairs": "star-grading"})
    part = visit.inspections[0]
    browser, sid = login(assessor), new_id()
    answers = all_pass(kit.checklist(part))
    r = post_json(browser, f"/inspections/{part.id}/submit", kit.submit_body(part, sid, answers))
    assert r.status_code == 200, r.json
    assert r.json["result"]["level"] == 5
    job = db.session.scalar(select(Job).where(Job.key == f"evaluation:{part.id}"))
    assert job.name == "grading.record_evaluation" and job.payload == {"inspection_id": part.id}
    db.session.expire_all()
    assert db.session.get(Inspection, part.id).level == 5


def test_digest_reads_numbers_as_decimal_text(kit):
    a = parse_body({"submission_id": new_id(), "answers": {"X": 7.5, "Y": "pass"}, "remarks": {"X": " "},
                    "representative_name": "张三 ", "signatures": {}})
    b = parse_body({"submission_id": new_id(), "answers": {"X": "7.50", "Y": "pass"}, "remarks": {},
                    "representative_name": "张三", "signatures": {}})
    assert a.digest == b.digest == body_digest({"X": "7.5", "Y": "pass"}, {}, "张三", {"inspector": "", "representative": ""})


def test_record_is_for_the_institution_only_after_submit(kit, make, login):
    visit, part, me, browser, sid = _draft(kit, make, login)
    staff = login(make.user("institution_staff", institution_id=visit.institution_id))
    assert staff.get(f"/inspections/{part.id}/record").status_code == 404
    assert browser.get(f"/inspections/{part.id}/record").status_code == 404      # no record before submit
    answers = all_pass(kit.checklist(part))
    _photos(browser, kit, part, answers)
    assert post_json(browser, f"/inspections/{part.id}/submit", kit.submit_body(part, sid, answers)).status_code == 200
    page = staff.get(f"/inspections/{part.id}/record")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert visit.institution.name in html and "FIRE-01" in html and 'src="data:image/png;base64,' in html
    assert f"/inspections/{part.id}/evidence/" in html
    assert login(make.user("institution_staff")).get(f"/inspections/{part.id}/record").status_code == 404
    assert login(make.user("inspector", department="fire")).get(f"/inspections/{part.id}/record").status_code == 404
    assert login(make.user("department_admin", department="health")).get(f"/inspections/{part.id}/record").status_code == 404


def test_record_pdf(kit, make, login):
    visit, part, me = kit.submitted(institution=make.institution(name="打印养老院"))
    r = login(me).get(f"/inspections/{part.id}/record.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    assert len(r.data) > 20_000                      # fonts, photos and signatures embedded


def test_submit_refuses_answers_saved_by_someone_else_since_the_tablet_saw_them(kit, make, login, db):
    colleague = make.user("inspector", department="fire")
    me = make.user("inspector", department="fire")
    visit = kit.visit(departments={"fire": [me, colleague]})
    part = visit.inspections[0]
    mine, theirs, sid = login(me), login(colleague), new_id()
    save = f"/inspections/{part.id}/answers"
    assert post_json(mine, f"/inspections/{part.id}/start", {"submission_id": sid}).status_code == 200
    assert post_json(mine, save, {"item_id": "FIRE-03", "value": "pass", "version": 0}).json["version"] == 1
    # the colleague's tablet changes FIRE-03 and answers FIRE-04 after this tablet last saw them
    assert post_json(theirs, save, {"item_id": "FIRE-03", "value": "fail", "remark": "门锁", "version": 1}).status_code == 200
    assert post_json(theirs, save, {"item_id": "FIRE-04", "value": "pass", "version": 0}).status_code == 200
    answers = all_pass(kit.checklist(part))
    _photos(mine, kit, part, answers)
    versions = {item_id: 0 for item_id in answers} | {"FIRE-03": 1}
    body = kit.submit_body(part, sid, answers, versions=versions)
    r = post_json(mine, f"/inspections/{part.id}/submit", body)
    # FIRE-04: stale too, but the colleague gave the same answer — no conflict
    assert r.status_code == 409 and r.json["error"]
    assert r.json["conflicts"] == {"FIRE-03": {"value": "fail", "remark": "门锁", "version": 2}}
    db.session.expire_all()
    assert db.session.get(Inspection, part.id).status == "draft"
    assert _count(db, StoredFile, StoredFile.kind == "signature", StoredFile.uploaded_by_id == me.id) == 0
    assert _count(db, AuditEvent, AuditEvent.action == "submit", AuditEvent.entity_id == str(part.id)) == 0
    assert db.session.scalar(select(Answer.version).where(Answer.inspection_id == part.id, Answer.item_id == "FIRE-03")) == 2
    # resolved ("keep mine" after seeing version 2): the same submission id goes through
    r = post_json(mine, f"/inspections/{part.id}/submit", dict(body, versions=versions | {"FIRE-03": 2}))
    assert r.status_code == 200, r.json
    db.session.expire_all()
    row = db.session.scalar(select(Answer).where(Answer.inspection_id == part.id, Answer.item_id == "FIRE-03"))
    assert (row.value, row.remark, row.version) == ("pass", None, 3)
    assert db.session.scalar(select(Answer.version).where(Answer.inspection_id == part.id, Answer.item_id == "FIRE-04")) == 1
    assert _count(db, Answer, Answer.inspection_id == part.id) == len(answers)
    # the versions are not part of the digest: a retry with other versions replays the result
    again = post_json(mine, f"/inspections/{part.id}/submit", dict(body, versions={}))
    assert again.status_code == 200 and again.json == r.json


def test_submit_without_versions_and_malformed_versions(kit, make, login, db):
    visit, part, me, browser, sid = _draft(kit, make, login)
    r = post_json(browser, f"/inspections/{part.id}/submit", kit.submit_body(part, sid, versions={"FIRE-01": -1}))
    assert r.status_code == 422 and r.json["problems"] == ["versions.FIRE-01: must be a whole number ≥ 0"]
    r = post_json(browser, f"/inspections/{part.id}/submit", kit.submit_body(part, sid, versions=[1]))
    assert r.status_code == 422 and r.json["problems"] == ["versions: expected an object of item id → version"]
    assert post_json(browser, f"/inspections/{part.id}/answers",
                     {"item_id": "FIRE-01", "value": "fail", "version": 0}).status_code == 200
    answers = all_pass(kit.checklist(part))
    _photos(browser, kit, part, answers)
    # an older tablet sends no versions: the submit stores its answers as before
    r = post_json(browser, f"/inspections/{part.id}/submit", kit.submit_body(part, sid, answers))
    assert r.status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(Answer.value).where(Answer.inspection_id == part.id, Answer.item_id == "FIRE-01")) == "pass"
