"""Load benchmark of the tablet endpoints: a city's peak on PostgreSQL + gunicorn.

200 simulated tablets, open loop: each saves one answer every 10 s and submits a whole
200-answer inspection every 30 s (about 20 + 7 requests/s), for ``--duration`` seconds;
beside them, in the same run, a bare Flask endpoint doing one INSERT (the floor of this
stack: gunicorn + Flask + SQLAlchemy + PostgreSQL). Reports p50/p95/p99 of save, submit and
the bare INSERT, errors, and the answers lost — every acknowledged save and submit is
checked in the database afterwards (must be 0). Then a saturation step: submits/s with 4, 8,
16, 32 tablets submitting back to back (closed loop).

Everything is set up here: a fresh database ``careinspect_bench_load`` (dropped and created
on 127.0.0.1 as user postgres, or ``--admin-url``), the schema by the real migrations, a
generated 200-item checklist (``bench-200``, department fire, in a temporary checklist
directory next to the real catalogue: CHECKLIST_DIR is a create_app override), 200 inspector
accounts signed in through the real log-in page, and the visits by direct inserts (drafts
already started, as a tablet's first answer does). The server runs as
``gunicorn -w 2 -k gthread`` on this machine, the load generator (asyncio, raw HTTP/1.1
keep-alive, standard library only) on the same cores.

Targets: save p95 ≤ 100 ms, submit p95 ≤ 300 ms, saturation ≥ 200 submits/s, 0 lost.

Run from the project root: ``.venv/bin/python bench/inspection_load.py [--duration 60]``
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import io
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_NAME = os.environ.get("BENCH_DB_PREFIX", "careinspect_bench") + "_load"
RUN_ALL: list[str] = []          # bench/run_all.py runs it with the defaults
CHECKLIST_ID = "bench-200"
PASSWORD = "bench-password-1"
TARGETS = {"save_p95_ms": 100, "submit_p95_ms": 300, "saturation_per_s": 200}


# ----------------------------------------------------------------------------- the app gunicorn runs

def bench_app():
    """The real app (checklists from the bench's directory) plus one bare endpoint that does
    a single INSERT — the baseline measured in the same run. gunicorn calls this factory."""
    from flask import request
    from sqlalchemy import text

    from inspect_app import create_app
    from inspect_app.extensions import csrf, db

    app = create_app({"CHECKLIST_DIR": os.environ["BENCH_CHECKLIST_DIR"]})

    def bare_insert():
        db.session.execute(text("INSERT INTO bench_ping (at, payload) VALUES (now(), :p)"),
                           {"p": request.get_data(as_text=True)[:200]})
        db.session.commit()
        return {"ok": True}

    bare_insert.public = True
    app.add_url_rule("/bench/insert", "bench_insert", csrf.exempt(bare_insert), methods=["POST"])
    return app


# ----------------------------------------------------------------------------- set-up

def checklist_yaml(items: int) -> str:
    sections = 10
    per = items // sections
    lines = ['id: bench-200', 'version: "1"', 'title: 压测检查表（200项）', 'department: fire',
             'kind: inspection', 'sections:']
    n = 0
    for s in range(sections):
        lines += [f'  - id: s{s:02}', f'    title: 第{s + 1}部分', '    items:']
        for _ in range(per if s < sections - 1 else items - per * (sections - 1)):
            n += 1
            lines += [f'      - id: B-{n:03}', f'        text: 压测检查项{n}', '        type: check',
                      '        points: 5', '        na: true']
    return "\n".join(lines) + "\n"


def item_ids(items: int) -> list[str]:
    return [f"B-{n:03}" for n in range(1, items + 1)]


def recreate_database(admin_url: str) -> None:
    import psycopg
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


@dataclass
class Plan:
    users: list[str]                       # usernames, one per tablet
    drafts: list[int]                      # the draft each tablet saves answers into
    submits: list[list[tuple[int, str]]]   # per tablet: (inspection id, submission id) to submit
    saturation: dict[int, list[list[tuple[int, str]]]]   # level → per worker: the same


def build_world(app, args) -> Plan:
    """Users, institutions, visits and started drafts, by direct inserts (fast, one commit)."""
    from sqlalchemy import insert, select, text

    from inspect_app.auth.models import User
    from inspect_app.auth.services import hash_password
    from inspect_app.checklists.models import ChecklistVersion
    from inspect_app.checklists.services import sync_catalogue
    from inspect_app.core.types import utcnow
    from inspect_app.domain.institution import CODE_ALPHABET, credit_code_check_char
    from inspect_app.extensions import db
    from inspect_app.inspections.models import DRAFT, IN_PROGRESS, Inspection, InspectionInspector, Visit
    from inspect_app.registry.models import Institution

    with app.app_context():
        from flask_migrate import upgrade
        upgrade(revision="heads")
        sync_catalogue()
        db.session.execute(text("CREATE TABLE bench_ping (id bigserial PRIMARY KEY, at timestamptz, payload text)"))
        version_id = db.session.scalar(select(ChecklistVersion.id).where(ChecklistVersion.checklist_id == CHECKLIST_ID))
        now = utcnow()
        rng = random.Random(7)
        password_hash = hash_password(PASSWORD)
        n = args.tablets
        users = [f"bench{i:03}" for i in range(n)]
        user_ids = db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), [
            dict(username=u, name=f"压测检查员{i}", role="inspector", department="fire",
                 password_hash=password_hash, created_at=now) for i, u in enumerate(users)]).all()

        def code(i):
            body = "52" + "".join(rng.choice(CODE_ALPHABET) for _ in range(15))
            return body + credit_code_check_char(body)

        inst_ids = db.session.scalars(insert(Institution).returning(Institution.id, sort_by_parameter_order=True), [
            dict(name=f"压测养老院{i}", credit_code=code(i), type="nursing_home", district="压测区", street="压测街道",
                 address=f"压测路{i}号", beds=100, nursing_beds=40, operator_type="private",
                 medical_integration="none", ltc_designated=False, status="operating", created_at=now,
                 updated_at=now) for i in range(n)]).all()

        # How many drafts each tablet needs: one to save into, one per submit slot (+2 spare),
        # and the saturation pools (each worker capped at args.sat_cap submits/s overall).
        per_tablet = int(args.duration / args.submit_every) + 3
        owners: list[int] = []                    # tablet index per inspection to create
        for t in range(n):
            owners += [t] * (1 + per_tablet)
        sat_sizes = {}
        for level in args.levels:
            size = max(1, int(args.sat_cap * args.sat_seconds / level) + 1)
            sat_sizes[level] = size
            for w in range(level):
                owners += [w % n] * size
        visit_ids = db.session.scalars(insert(Visit).returning(Visit.id, sort_by_parameter_order=True), [
            dict(institution_id=inst_ids[t], kind="inspection", purpose="routine", scheduled_for=now.date(),
                 status=IN_PROGRESS, created_at=now, version=1) for t in owners]).all()
        subs = [str(uuid.uuid4()) for _ in owners]
        insp_ids = db.session.scalars(insert(Inspection).returning(Inspection.id, sort_by_parameter_order=True), [
            dict(visit_id=v, department="fire", checklist_version_id=version_id, status=DRAFT, submission_id=s,
                 source="tablet", started_at=now, version=1) for v, s in zip(visit_ids, subs)]).all()
        db.session.execute(insert(InspectionInspector), [
            dict(inspection_id=i, user_id=user_ids[t], lead=True) for i, t in zip(insp_ids, owners)])
        db.session.commit()

    rows = list(zip(insp_ids, subs))
    drafts, submits, k = [], [], 0
    for t in range(n):
        drafts.append(rows[k][0])
        submits.append(rows[k + 1:k + 1 + per_tablet])
        k += 1 + per_tablet
    saturation = {}
    for level in args.levels:
        pools = []
        for w in range(level):
            pools.append(rows[k:k + sat_sizes[level]])
            k += sat_sizes[level]
        saturation[level] = pools
    return Plan(users, drafts, submits, saturation)


def signature_png() -> str:
    from PIL import Image, ImageDraw
    image = Image.new("RGB", (480, 150), "white")
    draw = ImageDraw.Draw(image)
    draw.line([(30, 110), (120, 40), (200, 120), (300, 30), (440, 100)], fill="black", width=4)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def answers_for(inspection_id: int, items: list[str]) -> dict[str, str]:
    """A deterministic answer set per inspection: mostly pass, some fail and na."""
    rng = random.Random(inspection_id)
    return {i: rng.choices(("pass", "fail", "na"), weights=(90, 7, 3))[0] for i in items}


# ----------------------------------------------------------------------------- a small HTTP client

class HTTPError(Exception):
    pass


class Connection:
    """One keep-alive HTTP/1.1 connection (Content-Length or chunked responses)."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None
        self.used = 0

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def close(self):
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    async def request(self, method: str, path: str, headers: dict, body: bytes):
        if self.writer is None:
            await self.open()
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(body)}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        await self.writer.drain()
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        response_headers: dict[str, list[str]] = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                response_headers.setdefault(k.strip().lower(), []).append(v.strip())
        if "chunked" in ",".join(response_headers.get("transfer-encoding", [])).lower():
            chunks = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                chunks.append(chunk[:-2])
            data = b"".join(chunks)
        else:
            data = await self.reader.readexactly(int(response_headers.get("content-length", ["0"])[0]))
        self.used += 1
        if "close" in ",".join(response_headers.get("connection", [])).lower():
            self.close()
        return status, response_headers, data


class Client:
    """A tablet's HTTP side: its session cookie, CSRF token and a small connection pool
    (open loop: a request never waits for the previous one)."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.idle: list[Connection] = []
        self.cookies: dict[str, str] = {}
        self.token = ""

    async def call(self, method: str, path: str, body: bytes = b"", content_type: str | None = None,
                   accept: str = "application/json"):
        headers = {"Accept": accept}
        if content_type:
            headers["Content-Type"] = content_type
        if self.token:
            headers["X-CSRFToken"] = self.token
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            conn = self.idle.pop() if self.idle else Connection(self.host, self.port)
            reused = conn.used > 0
            try:
                status, response_headers, data = await conn.request(method, path, headers, body)
            except (ConnectionError, asyncio.IncompleteReadError, OSError):
                conn.close()
                if reused and attempt == 0:
                    continue            # the server closed an idle keep-alive connection: reconnect
                raise
            if conn.writer is not None:
                self.idle.append(conn)
            for cookie in response_headers.get("set-cookie", []):
                name, _, value = cookie.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value.strip()
            return status, data
        raise HTTPError("unreachable")

    async def sign_in(self, username: str):
        status, html = await self.call("GET", "/login", accept="text/html")
        token = re.search(rb'name="csrf-token" content="([^"]+)"', html).group(1).decode()
        form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrf_token": token}).encode()
        status, _ = await self.call("POST", "/login", form, "application/x-www-form-urlencoded", accept="text/html")
        if status != 302:
            raise HTTPError(f"log-in of {username} answered {status}")
        status, data = await self.call("GET", "/inspections/csrf-token")
        if status != 200:
            raise HTTPError(f"csrf-token answered {status}")
        self.token = json.loads(data)["csrf_token"]

    def close(self):
        for conn in self.idle:
            conn.close()
        self.idle.clear()


# ----------------------------------------------------------------------------- measuring

@dataclass
class Series:
    name: str
    latencies: list[float] = field(default_factory=list)     # seconds, successful requests
    errors: dict[str, int] = field(default_factory=dict)

    def ok(self, seconds: float):
        self.latencies.append(seconds)

    def error(self, what: str):
        self.errors[what] = self.errors.get(what, 0) + 1

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        values = sorted(self.latencies)
        return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def line(self) -> str:
        return (f"{self.name:<22} {len(self.latencies):>7} {self.error_count:>6} "
                f"{self.pct(50):>8.1f} {self.pct(95):>8.1f} {self.pct(99):>8.1f} {self.pct(100):>8.1f}")


class Load:
    def __init__(self, args, plan: Plan, clients: list[Client], baseline: Client):
        self.args, self.plan, self.clients, self.baseline = args, plan, clients, baseline
        self.items = item_ids(args.items)
        self.save = Series("save answer")
        self.submit = Series("submit (200 answers)")
        self.bare = Series("bare INSERT endpoint")
        self.acked_saves: dict[tuple[int, str], str] = {}
        self.acked_submits: dict[int, str] = {}
        self.sent_saves: dict[tuple[int, str], str] = {}
        self.versions: dict[tuple[int, str], int] = {}
        self.signature = signature_png()
        self.tasks: set[asyncio.Task] = set()

    def submit_body(self, inspection_id: int, submission_id: str) -> bytes:
        answers = answers_for(inspection_id, self.items)
        remarks = {k: "现场发现问题" for k, v in answers.items() if v == "fail"}
        return json.dumps({"submission_id": submission_id, "answers": answers, "remarks": remarks,
                           "representative_name": "压测代表",
                           "signatures": {"inspector": self.signature, "representative": self.signature}},
                          ensure_ascii=False).encode("utf-8")

    async def timed(self, series: Series, scheduled: float, coro):
        try:
            status, data = await coro
        except Exception as exc:                      # noqa: BLE001 - every failure is counted
            series.error(type(exc).__name__)
            return None
        if status >= 300:
            series.error(str(status))
            return None
        series.ok(time.perf_counter() - scheduled)
        return data

    async def one_save(self, t: int, k: int, scheduled: float):
        draft = self.plan.drafts[t]
        item = self.items[k % len(self.items)]
        value = ("pass", "fail", "na")[k % 3]
        key = (draft, item)
        self.sent_saves[key] = value
        body = json.dumps({"item_id": item, "value": value, "remark": "",
                           "version": self.versions.get(key, 0)}).encode()
        data = await self.timed(self.save, scheduled,
                                self.clients[t].call("POST", f"/inspections/{draft}/answers", body, "application/json"))
        if data is not None:
            self.versions[key] = json.loads(data)["version"]
            self.acked_saves[key] = value

    async def one_submit(self, t: int, k: int, scheduled: float):
        pool = self.plan.submits[t]
        if k >= len(pool):
            self.submit.error("no draft left")
            return
        inspection_id, submission_id = pool[k]
        body = self.submit_body(inspection_id, submission_id)
        data = await self.timed(self.submit, scheduled, self.clients[t].call(
            "POST", f"/inspections/{inspection_id}/submit", body, "application/json"))
        if data is not None:
            self.acked_submits[inspection_id] = submission_id

    async def one_bare(self, k: int, scheduled: float):
        await self.timed(self.bare, scheduled, self.baseline.call("POST", "/bench/insert", f"ping {k}".encode(),
                                                                  "text/plain"))

    def launch(self, coro):
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def run(self):
        """Open loop: every request starts at its scheduled time, whatever the others do."""
        args = self.args
        rng = random.Random(11)
        events = []                       # (time offset, kind, tablet, k)
        for t in range(len(self.clients)):
            offset = rng.uniform(0, args.save_every)
            k = 0
            while offset < args.duration:
                events.append((offset, "save", t, k))
                offset += args.save_every
                k += 1
            offset = rng.uniform(0, args.submit_every)
            k = 0
            while offset < args.duration:
                events.append((offset, "submit", t, k))
                offset += args.submit_every
                k += 1
        interval = 1 / args.bare_rate
        offset, k = rng.uniform(0, interval), 0
        while offset < args.duration:
            events.append((offset, "bare", -1, k))
            offset += interval
            k += 1
        events.sort()
        start = time.perf_counter()
        for offset, kind, t, k in events:
            delay = start + offset - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            scheduled = start + offset
            if kind == "save":
                self.launch(self.one_save(t, k, scheduled))
            elif kind == "submit":
                self.launch(self.one_submit(t, k, scheduled))
            else:
                self.launch(self.one_bare(k, scheduled))
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)
        return len(events), time.perf_counter() - start


async def saturation(args, plan: Plan, clients: list[Client], load: Load) -> list[tuple[int, int, float, Series]]:
    """Closed loop: ``level`` tablets submit back to back for ``sat_seconds`` each."""
    results = []
    spy = start_py_spy(args)
    waits = None
    if args.pg_waits:
        waits = PgWaits(args.admin_url.rsplit("/", 1)[0] + f"/{DB_NAME}")
        waits.start()
    for level in args.levels:
        if waits is not None:
            waits.take()
        cpu_before = cpu_snapshot(args)
        series = Series(f"{level} concurrent")
        done = 0
        stop_at = time.perf_counter() + args.sat_seconds
        bodies = {w: [(i, s, load.submit_body(i, s)) for i, s in plan.saturation[level][w]] for w in range(level)}

        async def worker(w: int):
            nonlocal done
            client = clients[w % len(clients)]
            for inspection_id, submission_id, body in bodies[w]:
                if time.perf_counter() >= stop_at:
                    return
                began = time.perf_counter()
                data = await load.timed(series, began, client.call(
                    "POST", f"/inspections/{inspection_id}/submit", body, "application/json"))
                if data is not None:
                    done += 1
                    load.acked_submits[inspection_id] = submission_id
            series.error("pool exhausted")

        began = time.perf_counter()
        await asyncio.gather(*(worker(w) for w in range(level)))
        elapsed = time.perf_counter() - began
        if cpu_before is not None:
            args.cpu_use[level] = cpu_use(cpu_before, cpu_snapshot(args), done)
        if waits is not None:
            args.pg_waits_seen[level] = waits.take()
        results.append((level, done, elapsed, series))
    stop_py_spy(spy)
    if waits is not None:
        waits.stopping.set()
        waits.join(5)
    return results


def cpu_snapshot(args):
    """``--cpu``: CPU seconds so far of each gunicorn worker and of each PostgreSQL backend
    serving the benchmark's database (its process title names the database: backends of other
    databases on a shared server are not counted, nor are the server's shared WAL writer and
    checkpointer), and of the whole machine (Linux /proc)."""
    if not args.cpu:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    out = {"gunicorn": {}, "postgres": {}, "wall": time.perf_counter()}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as fh:
                stat = fh.read()
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmd = fh.read()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        seconds = (int(fields[11]) + int(fields[12])) / tick     # utime + stime
        if int(fields[1]) == args.server_pid:                   # ppid: a gunicorn worker
            out["gunicorn"][pid] = seconds
        elif cmd.startswith(b"postgres") and f" {DB_NAME} ".encode() in cmd:
            out["postgres"][pid] = seconds
    with open("/proc/stat") as fh:
        total = [int(x) for x in fh.readline().split()[1:]]
    out["busy"] = (sum(total) - total[3] - total[4]) / tick
    return out


def cpu_use(before: dict, after: dict, done: int) -> str:
    """CPU per submit between two snapshots (a process that ended in between is not counted;
    one that started is counted whole)."""
    wall = after["wall"] - before["wall"]
    per = {k: sum(v - before[k].get(pid, 0.0) for pid, v in after[k].items()) for k in ("gunicorn", "postgres")}
    per["busy"] = after["busy"] - before["busy"]
    each = (lambda k: f"{per[k] / done * 1000:.1f} ms") if done else (lambda k: "-")
    return (f"CPU per submit: gunicorn workers {each('gunicorn')}, PostgreSQL {each('postgres')}, "
            f"whole machine {each('busy')}; machine busy {per['busy'] / wall:.2f} of {os.cpu_count()} cores")


class PgWaits(threading.Thread):
    """``--pg-waits``: samples what the benchmark database's backends are doing (state and wait
    event in pg_stat_activity) every ``interval`` seconds, from its own connection."""

    def __init__(self, url: str, interval: float = 0.01):
        super().__init__(daemon=True)
        self.url, self.interval = url, interval
        self.counts: dict[str, int] = {}
        self.samples = 0
        self.stopping = threading.Event()
        self.lock = threading.Lock()

    def run(self):
        import psycopg
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stopping.is_set():
                rows = conn.execute(
                    "SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
                    (DB_NAME,)).fetchall()
                with self.lock:
                    self.samples += 1
                    for state, kind, event in rows:
                        key = f"{state}" + (f" / {kind}:{event}" if kind else "")
                        self.counts[key] = self.counts.get(key, 0) + 1
                time.sleep(self.interval)

    def take(self) -> str:
        """Average number of backends in each state since the last call."""
        with self.lock:
            counts, samples = self.counts, self.samples
            self.counts, self.samples = {}, 0
        if not samples:
            return "no samples"
        top = sorted(counts.items(), key=lambda kv: -kv[1])[:6]
        return "backends (mean): " + ", ".join(f"{k} {v / samples:.2f}" for k, v in top)


def start_py_spy(args):
    """``--py-spy PATH``: sample the gunicorn workers with py-spy (collapsed stacks, one line
    per stack with its sample count) for the whole saturation step. py-spy is not a project
    requirement: ``.venv/bin/pip install py-spy``."""
    if not args.py_spy:
        return None
    exe = shutil.which("py-spy", path=str(ROOT / ".venv/bin")) or shutil.which("py-spy")
    if exe is None:
        raise SystemExit("--py-spy: py-spy is not installed (.venv/bin/pip install py-spy)")
    return subprocess.Popen([exe, "record", "--pid", str(args.server_pid), "--subprocesses",
                             "--rate", str(args.py_spy_rate), "--format", "raw", "--output", args.py_spy,
                             "--nonblocking", *args.py_spy_options.split()], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_py_spy(spy) -> None:
    if spy is None:
        return
    spy.send_signal(signal.SIGINT)
    try:
        spy.wait(30)
    except subprocess.TimeoutExpired:
        spy.kill()


# ----------------------------------------------------------------------------- verification

def verify(app, load: Load) -> dict:
    """Every acknowledged answer must be in the database, as acknowledged."""
    from sqlalchemy import select

    from inspect_app.extensions import db
    from inspect_app.inspections.models import SUBMITTED, Answer, Inspection

    lost_saves = lost_submit_answers = bad_submits = extra_rows = 0
    with app.app_context():
        drafts = sorted({d for d, _ in load.acked_saves})
        stored = {(a, i): v for a, i, v in db.session.execute(
            select(Answer.inspection_id, Answer.item_id, Answer.value).where(Answer.inspection_id.in_(drafts)))}
        for key, value in load.acked_saves.items():
            if stored.get(key) != value:
                lost_saves += 1
        ids = sorted(load.acked_submits)
        for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
            parts = {row.id: row for row in db.session.scalars(select(Inspection).where(Inspection.id.in_(chunk)))}
            rows: dict[int, dict[str, str]] = {}
            for a, i, v in db.session.execute(select(Answer.inspection_id, Answer.item_id, Answer.value)
                                              .where(Answer.inspection_id.in_(chunk))):
                rows.setdefault(a, {})[i] = v
            for inspection_id in chunk:
                part = parts.get(inspection_id)
                if part is None or part.status != SUBMITTED or part.submission_id != load.acked_submits[inspection_id]:
                    bad_submits += 1
                expected = answers_for(inspection_id, load.items)
                got = rows.get(inspection_id, {})
                lost_submit_answers += sum(1 for k, v in expected.items() if got.get(k) != v)
                extra_rows += max(0, len(got) - len(expected))
    return {"acked saves": len(load.acked_saves), "lost saves": lost_saves,
            "acked submits": len(load.acked_submits), "submits not stored as acknowledged": bad_submits,
            "lost submitted answers": lost_submit_answers, "extra answer rows": extra_rows}


# ----------------------------------------------------------------------------- main

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def wait_ready(port: int, timeout: float = 60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            client = Client("127.0.0.1", port)
            status, _ = await client.call("GET", "/login", accept="text/html")
            client.close()
            if status == 200:
                return
        except OSError:
            pass
        await asyncio.sleep(0.3)
    raise SystemExit("gunicorn did not start; see its log")


async def sign_in_all(port: int, users: list[str]) -> list[Client]:
    clients = [Client("127.0.0.1", port) for _ in users]
    semaphore = asyncio.Semaphore(8)

    async def one(client, user):
        async with semaphore:
            await client.sign_in(user)
    await asyncio.gather(*(one(c, u) for c, u in zip(clients, users)))
    return clients


async def measure(args, plan: Plan, port: int):
    await wait_ready(port)
    began = time.perf_counter()
    clients = await sign_in_all(port, plan.users)
    print(f"signed in {len(clients)} tablets in {time.perf_counter() - began:.1f} s")
    baseline = Client("127.0.0.1", port)
    load = Load(args, plan, clients, baseline)
    print(f"load: {len(clients)} tablets, a save every {args.save_every:g} s and a submit every "
          f"{args.submit_every:g} s each, plus the bare INSERT at {args.bare_rate:g}/s, for {args.duration:g} s …")
    requests, elapsed = await load.run()
    sat = await saturation(args, plan, clients, load) if args.levels else []
    for c in clients:
        c.close()
    baseline.close()
    return load, requests, elapsed, sat


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--tablets", type=int, default=200)
    parser.add_argument("--save-every", type=float, default=10)
    parser.add_argument("--submit-every", type=float, default=30)
    parser.add_argument("--bare-rate", type=float, default=10, help="bare INSERT requests per second")
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--levels", default="4,8,16,32", help="saturation concurrency levels ('' to skip)")
    parser.add_argument("--sat-seconds", type=float, default=10)
    parser.add_argument("--sat-cap", type=float, default=400, help="submits/s the saturation pools allow")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--admin-url", default=os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--keep", action="store_true", help="keep the database and temporary files")
    parser.add_argument("--cpu", action="store_true", help="print the CPU time per submit of the gunicorn "
                        "workers and of PostgreSQL at each saturation level (Linux)")
    parser.add_argument("--pg-waits", action="store_true", help="sample pg_stat_activity during each "
                        "saturation level and print what the backends wait for")
    parser.add_argument("--py-spy", metavar="PATH", help="profile the gunicorn workers during the saturation step "
                        "with py-spy (pip install py-spy) into PATH, collapsed stacks ('--format raw')")
    parser.add_argument("--py-spy-rate", type=int, default=97, help="py-spy samples per second")
    parser.add_argument("--py-spy-options", default="", help="more py-spy record options, e.g. '--gil' (only "
                        "threads holding the GIL: Python's own CPU) or '--native'")
    args = parser.parse_args()
    args.levels = [int(x) for x in args.levels.split(",") if x.strip()]
    args.cpu_use, args.pg_waits_seen = {}, {}

    tmp = Path(tempfile.mkdtemp(prefix="careinspect-bench-"))
    checklists = tmp / "checklists"
    checklists.mkdir()
    for path in (ROOT / "checklists").glob("*.yaml"):
        shutil.copy(path, checklists / path.name)
    shutil.copytree(ROOT / "checklists" / "hazards", checklists / "hazards")   # the major-hazard catalogue
    (checklists / f"{CHECKLIST_ID}.yaml").write_text(checklist_yaml(args.items), encoding="utf-8")
    db_url = args.admin_url.rsplit("/", 1)[0] + f"/{DB_NAME}"
    env = dict(os.environ, DATABASE_URL=db_url, CAREINSPECT_INSTANCE=str(tmp / "instance"),
               CAREINSPECT_INSECURE_COOKIES="1", BENCH_CHECKLIST_DIR=str(checklists),
               SECRET_KEY="bench-" + uuid.uuid4().hex)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "CAREINSPECT_INSTANCE", "CAREINSPECT_INSECURE_COOKIES",
                                           "BENCH_CHECKLIST_DIR", "SECRET_KEY")})

    began = time.perf_counter()
    recreate_database(args.admin_url)
    app = bench_app()
    plan = build_world(app, args)
    print(f"set-up: database {DB_NAME}, {args.tablets} inspectors, "
          f"{sum(len(p) for p in plan.submits) + len(plan.drafts) + sum(len(p) for l in plan.saturation.values() for p in l)}"
          f" started drafts of a {args.items}-item checklist, in {time.perf_counter() - began:.1f} s")

    port = free_port()
    log = open(tmp / "gunicorn.log", "w")
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-w", str(args.workers), "-k", "gthread", "--threads", str(args.threads),
         "--keep-alive", "30", "--pythonpath", str(ROOT), "-b", f"127.0.0.1:{port}", "--chdir", str(ROOT), "--log-level", "warning",
         "bench.inspection_load:bench_app()"], env=env, stdout=log, stderr=subprocess.STDOUT)
    args.server_pid = server.pid
    try:
        load, requests, elapsed, sat = asyncio.run(measure(args, plan, port))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()

    lost = verify(app, load)
    print()
    print(f"open loop: {requests} requests in {elapsed:.1f} s = {requests / elapsed:.1f} req/s "
          f"(gunicorn -w {args.workers} -k gthread --threads {args.threads}, PostgreSQL, load generator on the same cores)")
    print(f"{'':<22} {'ok':>7} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for series in (load.save, load.submit, load.bare):
        print(series.line())
        if series.errors:
            print(f"{'':<22} errors: {series.errors}")
    bare95 = load.bare.pct(95)
    print(f"ratio to the bare INSERT (p95): save {load.save.pct(95) / bare95:.1f}×, "
          f"submit {load.submit.pct(95) / bare95:.1f}×")
    print("answers lost (checked in the database): " + ", ".join(f"{k} {v}" for k, v in lost.items()))
    best = 0.0
    if sat:
        print()
        print("saturation (closed loop, submits of 200 answers back to back):")
        print(f"{'concurrency':<22} {'ok':>7} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'per s':>8}")
        for level, done, secs, series in sat:
            rate = done / secs
            best = max(best, rate)
            errors = {k: v for k, v in series.errors.items() if k != "pool exhausted"}
            print(f"{level:<22} {done:>7} {sum(errors.values()):>6} {series.pct(50):>8.1f} {series.pct(95):>8.1f} "
                  f"{series.pct(99):>8.1f} {rate:>8.1f}" + (f"  errors {errors}" if errors else "")
                  + ("  (pool ran out: raise --sat-cap)" if series.errors.get("pool exhausted") else ""))
            for extra in (args.cpu_use, args.pg_waits_seen):
                if level in extra:
                    print(f"{'':<22} {extra[level]}")
        print(f"best: {best:.0f} submits/s = {best * args.items:,.0f} answers/s")
    total_lost = lost["lost saves"] + lost["lost submitted answers"] + lost["submits not stored as acknowledged"]
    print()
    checks = [("save p95 ≤ 100 ms", load.save.pct(95) <= TARGETS["save_p95_ms"]),
              ("submit p95 ≤ 300 ms", load.submit.pct(95) <= TARGETS["submit_p95_ms"]),
              ("0 answers lost", total_lost == 0),
              ("0 errors", load.save.error_count + load.submit.error_count == 0)]
    if sat:
        checks.append(("saturation ≥ 200 submits/s", best >= TARGETS["saturation_per_s"]))
    print("targets: " + "; ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in checks))
    if args.py_spy:
        print(f"py-spy profile of the saturation step (collapsed stacks): {args.py_spy}")
    if args.keep:
        print(f"kept: database {DB_NAME}, files in {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
        with app.app_context():
            from inspect_app.extensions import db
            db.engine.dispose()
        recreate_database(args.admin_url)   # leaves an empty database behind, not millions of rows
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
