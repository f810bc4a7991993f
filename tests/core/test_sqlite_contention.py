"""SQLite under contention (docs/architecture.md, "SQLite"): reading never takes the write
lock, heavy work (parsing, decoding, rendering) runs outside it, and a write that cannot get
the lock in time is answered 503 with Retry-After, having written nothing.

Real concurrency: this module runs its own app on a database file of its own; each request
runs in its own thread, with its own connection, and commits for real."""
from __future__ import annotations

import io
import os
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from tests.conftest import DEMO_PASSWORD, Browser, WakeRecorder

pytestmark = pytest.mark.skipif((os.environ.get("DATABASE_URL") or "").startswith("postgres"),
                                reason="SQLite's single write lock (PostgreSQL locks rows)")

LOCK_WAIT = 0.5          # the app's SQLITE_BUSY_TIMEOUT here (seconds)
QUICK = 2.0              # a request that does not wait for the lock answers well within this


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("contention")
    from inspect_app import create_app
    app = create_app({
        "TESTING": True, "SERVER_NAME": "localhost",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'live.db'}",
        "SQLITE_BUSY_TIMEOUT": LOCK_WAIT,
        "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False,
        "ARGON2_MEMORY_KIB": 1024, "ARGON2_TIME_COST": 1,
        "UPLOAD_DIR": str(tmp / "uploads"),
    })
    app.extensions["job_waker"] = WakeRecorder()
    app.config["TEST_DB_PATH"] = str(tmp / "live.db")
    with app.app_context():
        from flask_migrate import upgrade
        from inspect_app.checklists.services import sync_catalogue
        from inspect_app.extensions import db
        upgrade(revision="heads")
        sync_catalogue()
        db.session.commit()
    yield app
    with app.app_context():
        from inspect_app.extensions import db
        db.engine.dispose()


@dataclass
class World:
    admin: object            # department admin (checklists), browser
    bureau: object           # bureau admin (registry import), browser
    printer: object          # inspector of a submitted inspection (its PDF), browser
    photographer: object     # inspector uploading photos to their own draft, browser
    saver: tuple             # two browsers of one inspector, saving into the same draft
    other: object            # another inspector's browser, saving into their own draft
    draft_id: int
    other_draft_id: int
    photo_draft_id: int
    printed_id: int
    item_id: str
    names: dict              # role in the world → username


def _world(app) -> World:
    from inspect_app.auth.models import LoginSession
    from inspect_app.core.types import utcnow
    from inspect_app.extensions import db
    from inspect_app.inspections import services
    from tests.factories import Factory
    from tests.inspections.kit import Kit, new_id
    with app.app_context():
        make = Factory(db, DEMO_PASSWORD)
        kit = Kit(make, db)
        people = {name: make.user(role, department="fire") for name, role in (
            ("admin", "department_admin"), ("printer", "inspector"), ("photographer", "inspector"),
            ("saver", "inspector"), ("other", "inspector"))}
        people["bureau"] = make.user("bureau_admin")
        drafts = {}
        for name in ("saver", "other", "photographer"):
            part = kit.visit(departments={"fire": [people[name]]}).inspections[0]
            services.start(people[name], part.id, new_id())
            drafts[name] = part.id
        _visit, printed, _ = kit.submitted(inspector=people["printer"])
        item_id = kit.checklist(printed).items[0].id
        names = {k: u.username for k, u in people.items()}
        ids = {k: u.id for k, u in people.items()}
        printed_id = printed.id
        db.session.commit()

    def browser(name):
        b = Browser(app.test_client())
        b.login(type("U", (), {"username": names[name]}))
        return b

    browsers = {name: browser(name) for name in ("admin", "bureau", "printer", "photographer", "other")}
    saver = (browser("saver"), browser("saver"))
    with app.app_context():
        # The heavy requests' users were last seen 10 minutes ago: their sign-in is noted
        # (last_seen_at) on this request, which must not take the write lock either.
        db.session.execute(update(LoginSession).where(LoginSession.user_id.in_(
            [ids[n] for n in ("admin", "bureau", "printer", "photographer")])).values(
            last_seen_at=utcnow() - timedelta(minutes=10)))
        db.session.commit()
    return World(browsers["admin"], browsers["bureau"], browsers["printer"], browsers["photographer"],
                 saver, browsers["other"], drafts["saver"], drafts["other"], drafts["photographer"],
                 printed_id, item_id, names)


def _json_post(browser, token, path, body):
    return browser._fresh("post", path, json=body, headers={"X-CSRFToken": token, "Accept": "application/json"})


def _stored(app, inspection_id, item_id):
    from inspect_app.extensions import db
    from inspect_app.inspections.models import Answer
    with app.app_context():
        return db.session.execute(select(Answer.value, Answer.version).where(
            Answer.inspection_id == inspection_id, Answer.item_id == item_id)).first()


class Gate:
    """Stands in for slow work (a 50-second parse, a long render): blocks until released."""

    def __init__(self):
        self.entered, self.released = threading.Event(), threading.Event()

    def wait(self):
        self.entered.set()
        assert self.released.wait(20), "the test never released the gate"


def _heavy_convert(world, monkeypatch, gate):
    from inspect_app.checklists import views as checklist_views
    from inspect_app.domain.checklist.model import ChecklistError, Problem

    def slow(source, name):
        gate.wait()
        raise ChecklistError([Problem(name, "file", "not a checklist")])
    monkeypatch.setattr(checklist_views, "checklist_from_xlsx", slow)
    return lambda: world.admin.post("/checklists/convert", {"file": (io.BytesIO(b"PK"), "big.xlsx")},
                                    token_from="/checklists/", content_type="multipart/form-data"), 422


def _heavy_pdf(world, monkeypatch, gate):
    from inspect_app.core import pdf

    def slow(*args, **kwargs):           # the page to print, then WeasyPrint renders it
        gate.wait()
        return "<p>检查记录</p>"
    monkeypatch.setattr(pdf, "render_template", slow)
    return lambda: world.printer.get(f"/inspections/{world.printed_id}/record.pdf"), 200


def _heavy_photo(world, monkeypatch, gate):
    from inspect_app.core import files
    from tests.inspections.kit import jpeg_bytes, new_id
    decode = files._decode_image

    def slow(*args, **kwargs):
        gate.wait()
        return decode(*args, **kwargs)
    monkeypatch.setattr(files, "_decode_image", slow)
    token = world.photographer.token("/inspections/")
    return lambda: world.photographer._fresh(
        "post", f"/inspections/{world.photo_draft_id}/evidence",
        data={"item_id": world.item_id, "client_id": new_id("photo"), "file": (io.BytesIO(jpeg_bytes()), "p.jpg")},
        headers={"X-CSRFToken": token, "Accept": "application/json"},
        content_type="multipart/form-data"), 201


def _heavy_import(world, monkeypatch, gate):
    from inspect_app.registry import importing
    from tests.factories import credit_code
    read = importing.read_table

    def slow(*args, **kwargs):
        gate.wait()
        return read(*args, **kwargs)
    monkeypatch.setattr(importing, "read_table", slow)
    text = ("机构名称,统一社会信用代码,机构类型,区,街道,地址,床位数,护理型床位数,运营方式,状态,长护险定点\n"
            f"并发导入院,{credit_code(880001)},养老机构,示范区,东风街道,东风路1号,100,10,民办,运营中,否\n")
    return lambda: world.bureau.post("/institutions/import", {"file": (io.BytesIO(text.encode()), "i.csv")},
                                     token_from="/institutions/import", content_type="multipart/form-data"), 302


@pytest.mark.parametrize("heavy", [_heavy_convert, _heavy_pdf, _heavy_photo, _heavy_import],
                         ids=["spreadsheet-convert", "pdf-render", "photo-decode", "registry-parse"])
def test_a_long_request_does_not_hold_up_another_users_answers(live, monkeypatch, heavy):
    world = _world(live)
    gate = Gate()
    send_heavy, heavy_status = heavy(world, monkeypatch, gate)
    tokens = [b.token("/inspections/") for b in (*world.saver, world.other)]
    path = f"/inspections/{world.draft_id}/answers"
    with ThreadPoolExecutor(4) as pool:
        slow = pool.submit(send_heavy)
        try:
            assert gate.entered.wait(10), "the heavy request never reached its slow part"
            began = time.monotonic()
            # Two saves of one item from the same version, at once: one is stored, the other
            # is refused with the stored answer (409); another inspector's save goes through.
            same = [pool.submit(_json_post, b, t, path, {"item_id": world.item_id, "value": v, "version": 0})
                    for b, t, v in zip(world.saver, tokens, ("pass", "fail"))]
            other = pool.submit(_json_post, world.other, tokens[2], f"/inspections/{world.other_draft_id}/answers",
                                {"item_id": world.item_id, "value": "pass", "version": 0})
            answers = [f.result(timeout=QUICK + 3) for f in (*same, other)]
            elapsed = time.monotonic() - began
        finally:
            gate.released.set()
        assert slow.result(timeout=20).status_code == heavy_status
    assert elapsed < QUICK, f"answers waited {elapsed:.1f} s behind the heavy request"
    assert sorted(r.status_code for r in answers[:2]) == [200, 409]
    assert answers[2].status_code == 200
    won = answers[0] if answers[0].status_code == 200 else answers[1]
    lost = answers[1] if won is answers[0] else answers[0]
    stored = _stored(live, world.draft_id, world.item_id)
    assert lost.get_json()["current"]["value"] == stored.value
    assert (stored.value, stored.version) == ("pass" if won is answers[0] else "fail", 1)
    assert _stored(live, world.other_draft_id, world.item_id) == ("pass", 1)
    # The heavy request's user was noted as seen with its own commit (the import commits;
    # the others commit nothing, as before), not by the user loader.
    who = {_heavy_convert: "admin", _heavy_pdf: "printer", _heavy_photo: "photographer", _heavy_import: "bureau"}
    minutes = _minutes_since_seen(live, world.names[who[heavy]])
    assert minutes < 1 if heavy in (_heavy_import, _heavy_photo) else minutes > 9


def _minutes_since_seen(app, username: str) -> float:
    from inspect_app.auth.models import LoginSession, User
    from inspect_app.core.types import utcnow
    from inspect_app.extensions import db
    with app.app_context():
        seen = db.session.scalar(select(func.max(LoginSession.last_seen_at)).join(
            User, User.id == LoginSession.user_id).where(User.username == username))
        return (utcnow() - seen).total_seconds() / 60


class LockHolder:
    """Another process's writer: holds SQLite's write lock on a connection of its own until the
    block ends, or ``seconds`` at most (a writer that never waited would get it then)."""

    def __init__(self, path: str, seconds: float):
        self.path, self.seconds = path, seconds
        self.held, self.done = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=10)
        try:
            conn.execute("BEGIN IMMEDIATE")
            self.held.set()
            self.done.wait(self.seconds)
            conn.execute("ROLLBACK")
        finally:
            conn.close()

    def __enter__(self):
        self.thread.start()
        assert self.held.wait(10)
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join(self.seconds + 5)


class WriterInThisProcess(LockHolder):
    """Another request of this process in the middle of a write transaction."""

    def __init__(self, app, seconds: float):
        super().__init__("", seconds)
        self.app = app

    def _run(self):
        from inspect_app.auth.models import User
        from inspect_app.extensions import db
        with self.app.app_context():
            db.session.execute(update(User).where(User.id == -1).values(name="x"))   # takes the lock
            self.held.set()
            self.done.wait(self.seconds)
            db.session.rollback()


@pytest.mark.parametrize("holder", ["another process", "this process"])
def test_an_answer_save_that_cannot_get_the_lock_is_503_and_saves_nothing(live, holder):
    from inspect_app.core.audit import AuditEvent
    from inspect_app.extensions import db
    world = _world(live)
    browser = world.saver[0]
    token = browser.token("/inspections/")
    path = f"/inspections/{world.draft_id}/answers"
    body = {"item_id": world.item_id, "value": "fail", "remark": "灭火器过期", "version": 0}
    writer = (LockHolder(live.config["TEST_DB_PATH"], seconds=3) if holder == "another process"
              else WriterInThisProcess(live, seconds=3))
    with writer:
        began = time.monotonic()
        response = _json_post(browser, token, path, body)
        elapsed = time.monotonic() - began
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert elapsed < LOCK_WAIT + 1.5
    assert int(response.headers["Retry-After"]) >= 1
    assert "繁忙" in response.get_json()["error"]               # the Chinese message, not a traceback
    assert _stored(live, world.draft_id, world.item_id) is None
    with live.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.entity == "inspection", AuditEvent.entity_id == str(world.draft_id),
            AuditEvent.action == "answer")) == 0
    # The tablet keeps the answer and sends it again: stored once, as sent.
    again = _json_post(browser, token, path, body)
    assert again.status_code == 200 and again.get_json()["version"] == 1
    assert _stored(live, world.draft_id, world.item_id) == ("fail", 1)


def test_an_import_that_cannot_get_the_lock_is_503_and_imports_nothing(live):
    from inspect_app.extensions import db
    from inspect_app.registry.models import Institution
    from tests.factories import credit_code
    world = _world(live)
    names = [f"锁等待院{n}" for n in range(30)]
    text = "机构名称,统一社会信用代码,机构类型,区,街道,地址,床位数,护理型床位数,运营方式,状态,长护险定点\n" + "".join(
        f"{name},{credit_code(890000 + n)},养老机构,示范区,东风街道,东风路{n}号,100,10,民办,运营中,否\n"
        for n, name in enumerate(names))
    token = world.bureau.token("/institutions/import")
    with LockHolder(live.config["TEST_DB_PATH"], seconds=3):
        began = time.monotonic()
        response = world.bureau._fresh("post", "/institutions/import", data={
            "csrf_token": token, "file": (io.BytesIO(text.encode()), "i.csv")}, content_type="multipart/form-data")
        elapsed = time.monotonic() - began
    html = response.get_data(as_text=True)
    assert response.status_code == 503, html[:300]
    assert elapsed < LOCK_WAIT + 1.5
    assert int(response.headers["Retry-After"]) >= 1
    assert "繁忙" in html and "Traceback" not in html
    with live.app_context():
        assert db.session.scalar(select(func.count()).select_from(Institution).where(
            Institution.name.in_(names))) == 0


def test_heavy_work_beyond_its_slots_is_refused_at_once_and_others_go_on(live, monkeypatch):
    """One PDF renders, a second one in the same process finds no slot (none may wait here):
    503 with Retry-After at once, instead of taking another thread and core."""
    monkeypatch.setitem(live.config, "HEAVY_WORK_QUEUE", 0)
    world = _world(live)
    gate = Gate()
    send_heavy, _status = _heavy_pdf(world, monkeypatch, gate)
    token = world.other.token("/inspections/")
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(send_heavy)
        try:
            assert gate.entered.wait(10), "the first PDF never started rendering"
            began = time.monotonic()
            second = pool.submit(lambda: world.printer.get(f"/inspections/{world.printed_id}/record.pdf"))
            refused = second.result(timeout=QUICK + 3)
            save = _json_post(world.other, token, f"/inspections/{world.other_draft_id}/answers",
                              {"item_id": world.item_id, "value": "pass", "version": 0})
            elapsed = time.monotonic() - began
        finally:
            gate.released.set()
        printed = first.result(timeout=20)
    assert elapsed < QUICK
    assert refused.status_code == 503 and int(refused.headers["Retry-After"]) >= 1
    assert "繁忙" in refused.get_data(as_text=True)
    assert save.status_code == 200
    assert printed.status_code == 200 and printed.data.startswith(b"%PDF")
