"""Several web hosts behind a load balancer (docs/scaling.md): two ``gunicorn`` processes on
different ports, one database and one instance folder, as two hosts with the same environment
would be. A log-in made on one host is valid on the other (sessions are rows, cookies are
signed with the shared ``SECRET_KEY``), a log-out on one ends it on both, and a submit sent to
both hosts at once makes one record: the same result from each, one follow-up job, one
history row; the same submission id with another body is refused on either host."""
from __future__ import annotations

import http.cookiejar
import json
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import func, select

from ..factories import Factory
from ..inspections.kit import Kit, new_id
from .system import ROOT, System

PASSWORD = "several-hosts-Pa55!"
HOSTS = ("host-a", "host-b")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Host:
    """One ``gunicorn wsgi:app`` process of the system."""

    def __init__(self, system: System, name: str):
        self.name, self.port = name, _free_port()
        env = dict(system.env, SECRET_KEY="several-hosts-secret-0123456789abcdef", CAREINSPECT_INSECURE_COOKIES="1")
        self.log = system.tmp / f"{name}.log"
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-w", "1", "-k", "gthread", "--threads", "4",
                 "-b", f"127.0.0.1:{self.port}", "--timeout", "60", "wsgi:app"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_ready(self, timeout: float = 60) -> None:
        until = time.monotonic() + timeout
        while time.monotonic() < until:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn {self.name} exited with {self.process.returncode}:\n"
                            + self.log.read_text(errors="replace")[-3000:])
            try:
                urllib.request.urlopen(self.url("/login"), timeout=5).read()
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        pytest.fail(f"gunicorn {self.name} not answering after {timeout:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One cookie jar (one tablet) that may talk to any host."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def call(self, host: Host, method: str, path: str, body: bytes | None = None,
             headers: dict | None = None) -> tuple[int, bytes]:
        request = urllib.request.Request(host.url(path), data=body, method=method, headers=headers or {})
        try:
            with self.opener.open(request, timeout=60) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as answer:
            return answer.code, answer.read()

    def log_in(self, host: Host, username: str) -> None:
        status, page = self.call(host, "GET", "/login")
        token = re.search(rb'name="csrf-token" content="([^"]+)"', page).group(1).decode()
        form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrf_token": token}).encode()
        status, _ = self.call(host, "POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302, f"log-in on {host.name} answered {status}"

    def csrf(self, host: Host) -> tuple[int, str | None]:
        status, body = self.call(host, "GET", "/inspections/csrf-token", headers={"Accept": "application/json"})
        return status, (json.loads(body)["csrf_token"] if status == 200 else None)

    def submit(self, host: Host, token: str, inspection_id: int, body: dict) -> tuple[int, dict]:
        status, answer = self.call(host, "POST", f"/inspections/{inspection_id}/submit",
                                   json.dumps(body, ensure_ascii=False).encode("utf-8"),
                                   {"Content-Type": "application/json", "Accept": "application/json",
                                    "X-CSRFToken": token})
        return status, json.loads(answer)


@pytest.fixture(scope="module")
def hosts(tmp_path_factory):
    system = System(tmp_path_factory.mktemp("hosts"))
    started = []
    try:
        started = [Host(system, name) for name in HOSTS]
        for host in started:
            host.wait_ready()
        yield system, started
    finally:
        for host in started:
            host.stop()
        system.close()


def _world(system: System):
    """An inspector with a started fire part (its draft id), its body as the tablet sends it."""
    from inspect_app.extensions import db
    from inspect_app.inspections.services import start
    with system.session():
        make = Factory(db, PASSWORD)
        kit = Kit(make, db)
        inspector = make.user("inspector", department="fire")
        visit = kit.visit(None, {"fire": [inspector]})
        part = visit.inspections[0]
        sid = new_id("hosts")
        start(inspector, part.id, sid)
        body = kit.submit_body(part, sid)
        kit.evidence_for_required(inspector, part, body["answers"])
        return inspector.username, part.id, body


def test_a_session_made_on_one_host_is_valid_on_the_other_and_ends_on_both(hosts):
    system, (a, b) = hosts
    username, _, _ = _world(system)
    tablet = Browser()
    tablet.log_in(a, username)
    assert tablet.csrf(b)[0] == 200                 # signed in on A, served by B
    assert tablet.csrf(a)[0] == 200
    stranger = Browser()
    assert stranger.csrf(b)[0] in (302, 401)        # no session: not served
    _, token = tablet.csrf(b)
    form = urllib.parse.urlencode({"csrf_token": token}).encode()
    status, _ = tablet.call(b, "POST", "/logout", form, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status in (302, 303)
    assert tablet.csrf(a)[0] in (302, 401)          # logged out on B: A no longer serves the session


def test_one_submit_sent_to_both_hosts_at_once_makes_one_record(hosts):
    from inspect_app.core.audit import AuditEvent
    from inspect_app.core.jobs import Job
    from inspect_app.inspections.models import SUBMITTED, Inspection

    system, (a, b) = hosts
    username, part_id, body = _world(system)
    tablet = Browser()
    tablet.log_in(a, username)
    token = tablet.csrf(a)[1]
    answers: dict[str, tuple[int, dict]] = {}
    gate = threading.Barrier(2)

    def send(host):
        gate.wait()
        answers[host.name] = tablet.submit(host, token, part_id, body)

    threads = [threading.Thread(target=send, args=(host,)) for host in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    statuses = sorted(status for status, _ in answers.values())
    # Both acknowledged with the same record, or one acknowledged while the other found it
    # in flight (409: the tablet retries and gets the first result).
    assert statuses in ([200, 200], [200, 409]), answers
    results = [answer["result"] for status, answer in answers.values() if status == 200]
    assert all(r == results[0] for r in results)
    for host in (a, b):                              # a retry on either host: the first result
        status, answer = tablet.submit(host, token, part_id, body)
        assert status == 200 and answer["result"] == results[0]
    changed = dict(body, representative_name="李四")
    for host in (a, b):                              # the same id with another body: refused
        assert tablet.submit(host, token, part_id, changed)[0] == 422
    with system.session() as s:
        part = s.get(Inspection, part_id)
        assert part.status == SUBMITTED and part.submission_id == body["submission_id"]
        assert part.representative_name == body["representative_name"]
        assert s.scalar(select(func.count()).select_from(Job).where(Job.key == f"findings:{part_id}")) == 1
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.entity == "inspection", AuditEvent.entity_id == str(part_id),
            AuditEvent.action == "submit")) == 1
