"""The form page (DOM of the contract), start and answer-by-answer saving with versions."""
from __future__ import annotations

import re

from sqlalchemy import select

from inspect_app.core.audit import AuditEvent
from inspect_app.inspections.models import Answer, Inspection, Visit
from tests.inspections.kit import new_id, post_json


def _fire_visit(kit, make, **kw):
    me = make.user("inspector", department="fire")
    visit = kit.visit(departments={"fire": [me]}, **kw)
    return visit, visit.inspections[0], me


def test_form_renders_the_contract_dom(kit, make, login):
    visit, part, me = _fire_visit(kit, make)
    html = login(me).get(f"/inspections/{part.id}/form").get_data(as_text=True)
    assert re.search(rf'<form id="inspection-form"[^>]*data-inspection-id="{part.id}"', html)
    for attr in ("data-submission-id=\"\"", 'data-status="assigned"', "data-start-url=", "data-save-url=",
                 "data-submit-url=", "data-evidence-url=", "data-csrf-url=", "data-record-url="):
        assert attr in html
    assert '<nav class="steps"' in html and 'href="#section-building" data-step="1"' in html
    assert '<section class="step" id="section-building" data-step="1">' in html
    assert re.search(r'<fieldset class="item veto" data-item-id="FIRE-01" data-type="check"\s+data-version="0" '
                     r'data-evidence="none"\s+data-na="false"', html)
    assert 'name="answer-FIRE-01" type="radio" value="pass"' in html
    assert 'name="answer-FIRE-01" type="radio" value="na"' not in html          # N/A not allowed there
    assert 'name="answer-FIRE-11" type="radio" value="na"' in html              # …but here
    assert re.search(r'<input[^>]*name="answer-FIRE-31"[^>]*type="number"', html)  # measure
    assert 'name="remark-FIRE-01"' in html and 'name="photo-FIRE-01" accept="image/*" capture="environment"' in html
    assert '<ul class="photos">' in html and '<p class="item-status" aria-live="polite"></p>' in html
    assert 'id="section-sign" data-step="last"' in html and 'name="representative_name"' in html
    assert 'data-signature="inspector"' in html and 'data-clear="representative"' in html
    assert 'id="submit-inspection"' in html and 'class="live-score" data-score' in html
    assert '<p id="sync-status" aria-live="polite"></p>' in html
    assert '/static/js/signature-pad.js" defer' in html


def _form_modules() -> list[str]:
    from pathlib import Path
    import inspect_app
    return sorted(p.name for p in (Path(inspect_app.__file__).parent / "static/js/form").glob("*.js"))


def test_form_script_is_native_modules_preloaded_with_no_inline_script(kit, make, login):
    _visit, part, me = _fire_visit(kit, make)
    html = login(me).get(f"/inspections/{part.id}/form").get_data(as_text=True)
    assert '<script type="module" src="/static/js/form/main.js"></script>' in html
    assert "inspection-form.js" not in html
    preloaded = re.findall(r'<link rel="modulepreload" href="/static/js/form/([\w-]+\.js)">', html)
    assert sorted(preloaded) == _form_modules() and len(preloaded) == len(set(preloaded))
    for tag in re.findall(r"<script\b[^>]*>", html):      # CSP script-src 'self': nothing inline runs
        assert " src=" in tag or 'type="application/json"' in tag, tag


def test_every_module_is_imported_and_every_import_exists():
    from pathlib import Path
    import inspect_app
    folder = Path(inspect_app.__file__).parent / "static/js/form"
    seen, todo = set(), ["main.js"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        source = (folder / name).read_text(encoding="utf-8")
        for target in re.findall(r'^(?:import|export)\b[^;]*?from "\./([\w-]+\.js)";', source, re.M | re.S):
            assert (folder / target).is_file(), f"{name} imports a missing {target}"
            todo.append(target)
    assert sorted(seen) == _form_modules(), "a module nobody imports"


def test_the_pure_modules_touch_no_page():
    """Outbox order, back-off, conflict merge and the submit rules run in Node (tests/js)."""
    from pathlib import Path
    import inspect_app
    folder = Path(inspect_app.__file__).parent / "static/js/form"
    for name in ("outbox.js", "backoff.js", "merge.js", "rules.js"):
        source = (folder / name).read_text(encoding="utf-8")
        code = re.sub(r"/\*.*?\*/|//[^\n]*", "", source, flags=re.S)
        found = re.findall(r"\b(document|window|navigator|indexedDB|fetch|localStorage|location)\b", code)
        assert not found, (name, found)
        assert not re.findall(r'^import\b', code, re.M), f"{name} imports nothing"


def test_form_is_only_for_the_team(kit, make, login):
    _visit, part, _me = _fire_visit(kit, make)
    stranger = make.user("inspector", department="fire")
    assert login(stranger).get(f"/inspections/{part.id}/form").status_code == 404
    assert login(make.user("department_admin", department="fire")).get(f"/inspections/{part.id}/form").status_code == 403
    health = make.user("inspector", department="health")
    assert login(health).get(f"/inspections/{part.id}/form").status_code == 404


def test_start_is_idempotent_and_a_second_id_gets_the_stored_one(kit, make, login, db):
    visit, part, me = _fire_visit(kit, make)
    browser = login(me)
    sid = new_id()
    first = post_json(browser, f"/inspections/{part.id}/start", {"submission_id": sid})
    assert first.status_code == 200 and first.json == {"submission_id": sid, "status": "draft"}
    assert post_json(browser, f"/inspections/{part.id}/start", {"submission_id": sid}).status_code == 200
    other = post_json(browser, f"/inspections/{part.id}/start", {"submission_id": new_id()})
    assert other.status_code == 409 and other.json["submission_id"] == sid and other.json["error"]
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).status == "in_progress"
    assert post_json(browser, f"/inspections/{part.id}/start", {"submission_id": "x"}).status_code == 422
    html = browser.get(f"/inspections/{part.id}/form").get_data(as_text=True)
    assert f'data-submission-id="{sid}"' in html and 'data-status="draft"' in html


def _started(kit, make, login):
    visit, part, me = _fire_visit(kit, make)
    browser = login(me)
    assert post_json(browser, f"/inspections/{part.id}/start", {"submission_id": new_id()}).status_code == 200
    return part, me, browser


def test_save_answer_returns_version_progress_and_live_score(kit, make, login, db):
    part, me, browser = _started(kit, make, login)
    url = f"/inspections/{part.id}/answers"
    r = post_json(browser, url, {"item_id": "FIRE-01", "value": "pass", "remark": "", "version": 0})
    assert r.status_code == 200, r.json
    assert r.json["version"] == 1 and r.json["item_id"] == "FIRE-01"
    assert r.json["progress"]["answered"] == 1 and r.json["progress"]["sections"]["building"]["answered"] == 1
    assert r.json["score"]["total"] == r.json["score"]["max"] == 342 and r.json["score"]["percent"] == 100
    r = post_json(browser, url, {"item_id": "FIRE-02", "value": "fail", "remark": "通道堵塞", "version": 0})
    # 20 of 35 applicable points, scaled to the 342 of the checklist; FIRE-02 is a veto item
    assert r.json["score"]["total"] == round(20 / 35 * 342, 4)
    assert r.json["score"]["failed"] == ["FIRE-02"] and r.json["score"]["vetoes"] == ["FIRE-02"]
    r = post_json(browser, url, {"item_id": "FIRE-31", "value": 4.5, "remark": None, "version": 0})
    assert r.status_code == 200
    assert db.session.scalar(select(Answer.value).where(Answer.inspection_id == part.id, Answer.item_id == "FIRE-31")) == "4.5"
    html = browser.get(f"/inspections/{part.id}/form").get_data(as_text=True)
    assert re.search(r'data-item-id="FIRE-02" data-type="check"\s+data-version="1"', html)
    assert re.search(r'checked[^>]*name="answer-FIRE-02"[^>]*value="fail"|name="answer-FIRE-02"[^>]*value="fail"[^>]*checked', html)
    assert "通道堵塞" in html and 'value="4.5"' in html
    answers = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "answer",
                                                          AuditEvent.entity_id == str(part.id))
                                 .order_by(AuditEvent.id)).all()     # rows come back in no set order
    assert len(answers) == 3 and answers[1].after["value"] == "fail"


def test_stale_save_is_refused_and_the_stored_answer_is_unchanged(kit, make, login, db):
    part, me, browser = _started(kit, make, login)
    colleague = make.user("inspector", department="fire")
    from inspect_app.inspections.models import InspectionInspector
    db.session.add(InspectionInspector(inspection_id=part.id, user_id=colleague.id))
    db.session.flush()
    url = f"/inspections/{part.id}/answers"
    assert post_json(browser, url, {"item_id": "FIRE-03", "value": "pass", "version": 0}).status_code == 200
    theirs = login(colleague)
    stale = post_json(theirs, url, {"item_id": "FIRE-03", "value": "fail", "remark": "看错了", "version": 0})
    assert stale.status_code == 409
    assert stale.json["current"] == {"value": "pass", "remark": None, "version": 1}
    row = db.session.scalar(select(Answer).where(Answer.inspection_id == part.id, Answer.item_id == "FIRE-03")
                            .execution_options(populate_existing=True))
    assert (row.value, row.remark, row.version) == ("pass", None, 1)
    # with the version they were shown, the change goes through
    assert post_json(theirs, url, {"item_id": "FIRE-03", "value": "fail", "version": 1}).json["version"] == 2
    # a replay of the first save (its response was lost) is not a conflict when it changes nothing
    assert post_json(theirs, url, {"item_id": "FIRE-03", "value": "fail", "version": 1}).status_code == 200


def test_insert_race_is_a_conflict_not_a_server_error(kit, make, login, db, monkeypatch):
    part, me, browser = _started(kit, make, login)
    url = f"/inspections/{part.id}/answers"
    assert post_json(browser, url, {"item_id": "FIRE-04", "value": "pass", "version": 0}).status_code == 200
    # the second request read "no answer yet" just before the first one's insert committed
    from inspect_app.inspections.services import filling
    monkeypatch.setattr(filling, "_answer_row", lambda inspection_id, item_id: None)
    r = post_json(browser, url, {"item_id": "FIRE-04", "value": "fail", "version": 0})
    assert r.status_code == 409 and r.json["current"]["value"] == "pass"


def test_invalid_answers_are_located(kit, make, login):
    part, me, browser = _started(kit, make, login)
    url = f"/inspections/{part.id}/answers"
    r = post_json(browser, url, {"item_id": "FIRE-01", "value": "na", "version": 0})
    assert r.status_code == 422 and r.json["problems"] == ['FIRE-01: "na" is not allowed for this item']
    r = post_json(browser, url, {"item_id": "FIRE-31", "value": "abc", "version": 0})
    assert r.status_code == 422 and r.json["problems"][0].startswith("FIRE-31:")
    r = post_json(browser, url, {"item_id": "NOPE", "value": "pass", "version": 0})
    assert r.status_code == 422 and r.json["problems"] == ["NOPE: unknown item"]
    r = post_json(browser, url, {"item_id": "FIRE-31", "value": "1e-90", "version": 0})
    assert r.status_code == 422 and "too many digits" in r.json["problems"][0]
    r = browser._fresh("post", url, data="not json", headers={"X-CSRFToken": browser.token("/inspections/"),
                                                              "Content-Type": "application/json"})
    assert r.status_code == 422 and r.is_json


def test_saving_before_start_or_as_a_stranger(kit, make, login):
    _visit, part, me = _fire_visit(kit, make)
    r = post_json(login(me), f"/inspections/{part.id}/answers", {"item_id": "FIRE-01", "value": "pass", "version": 0})
    assert r.status_code == 409 and r.is_json
    stranger = login(make.user("inspector", department="fire"))
    r = post_json(stranger, f"/inspections/{part.id}/answers", {"item_id": "FIRE-01", "value": "pass", "version": 0})
    assert r.status_code == 404 and r.is_json and "error" in r.json


def test_csrf_token_endpoint_and_missing_token(kit, make, login):
    _visit, part, me = _fire_visit(kit, make)
    browser = login(me)
    assert browser.get("/inspections/csrf-token").json["csrf_token"]
    r = browser._fresh("post", f"/inspections/{part.id}/start", json={"submission_id": new_id()},
                       headers={"Accept": "application/json"})
    assert r.status_code == 400 and r.is_json
    assert Inspection  # the model stays importable from tests


def test_service_worker_is_served_for_the_inspections_scope(client):
    r = client.get("/inspections/sw.js")
    assert r.status_code == 200 and r.headers["Service-Worker-Allowed"] == "/inspections/"
    assert r.headers["Cache-Control"] == "no-cache" and "javascript" in r.mimetype


def test_service_worker_precaches_every_module_under_a_new_cache_name(client):
    source = client.get("/inspections/sw.js").get_data(as_text=True)
    cache = re.search(r'^const CACHE = "(careinspect-form-v\d+)";', source, re.M)
    assert cache and cache.group(1) != "careinspect-form-v1", "v1 cached the single-file script"
    listed = re.search(r"^const PRECACHE = \[(.*?)\];", source, re.M | re.S)
    assert listed
    precached = set(re.findall(r'"([^"]+)"', listed.group(1)))
    assert {f"/static/js/form/{name}" for name in _form_modules()} <= precached
    assert {"/static/js/signature-pad.js", "/static/app.css", "/static/inspections.css"} <= precached
    for url in precached:
        assert client.get(url).status_code == 200, url


def _texts_used_by_the_script() -> set[str]:
    """The text keys the modules use: ``t("key", …)`` calls and ``key: "…"`` of the rules."""
    from pathlib import Path
    import inspect_app
    used = set()
    for path in (Path(inspect_app.__file__).parent / "static/js/form").glob("*.js"):
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'\bt\("(\w+)"', source)) | set(re.findall(r'\bkey: "(\w+)"', source))
    return used


def test_the_script_texts_come_only_from_the_page_translated(kit, make, login, app):
    import json
    from pathlib import Path
    from flask_babel import force_locale
    import inspect_app
    from inspect_app.inspections.form_texts import FORM_TEXTS, form_texts
    used = _texts_used_by_the_script()
    assert len(used) >= 35 and "conflict" in used and "not_answered" in used
    assert used == set(FORM_TEXTS), "every text the script shows is rendered, and every text rendered is shown"
    _visit, part, me = _fire_visit(kit, make)
    html = login(me).get(f"/inspections/{part.id}/form").get_data(as_text=True)
    found = re.search(r'<script type="application/json" id="form-texts">(.*?)</script>', html, re.S)
    assert found and "<" not in found.group(1)
    rendered = json.loads(found.group(1))
    assert set(rendered) == used
    assert rendered["conflict"] == "他人已作答：{value}{remark}。以哪个答案为准？"      # Chinese by default
    with app.test_request_context(), force_locale("en"):
        english = form_texts()
    assert english["conflict"].startswith("Someone else answered")
    for key, text in rendered.items():         # the placeholders survive translation
        assert set(re.findall(r"\{\w+\}", text)) == set(re.findall(r"\{\w+\}", english[key])), key
    # Nothing is copied into the script: no English text of the catalogue appears in a module.
    # (Texts of one word, such as "pass", are also answer values: only longer ones are looked for.)
    sources = "\n".join(re.sub(r"/\*.*?\*/|//[^\n]*", "", p.read_text(encoding="utf-8"), flags=re.S)
                        for p in (Path(inspect_app.__file__).parent / "static/js").rglob("*.js"))
    copied = [text for text in english.values()
              if " " in text.strip() and any(q + text + q in sources for q in "\"'`")]
    assert not copied, copied
