"""SQLite under heavy requests: do other users' reads and answer saves still go through?

The app runs on a temporary SQLite file with gunicorn (``-w 2 -k gthread``, as in
``inspection_load.py``). Other users do, open loop at a steady rate, the same work twice: a
baseline phase with nothing else going on, then a loaded phase while a department admin uploads
a 1,000,000-cell spreadsheet to ``/checklists/convert`` over and over and 16 clients download
inspection-record PDFs back to back (``--photos N`` adds N clients uploading 12 MP photos).
The measured work: inspectors saving answers (``POST /inspections/<id>/answers``), reading the
rectification list (``GET /rectification/``) and the health check (``GET /healthz``).

Printed: p50/p95 of each, their ratio to the baseline, the 5xx counts (500 and 503 apart), the
answers lost (every acknowledged save is checked in the database afterwards), and the largest
resident size a gunicorn worker reached. Targets: loaded p95 under 500 ms, no 500, no answer
lost.

Run from the project root: ``.venv/bin/python bench/sqlite_contention.py [--duration 20]``
"""
from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.inspection_load import Client, Series, free_port, signature_png, wait_ready  # noqa: E402

PASSWORD = "bench-password-1"
RUN_ALL: list[str] = []          # bench/run_all.py runs it with the defaults
TARGET_P95_MS = 500


# ----------------------------------------------------------------------------- the app gunicorn runs

def bench_app():
    """The real app, plus a record of how long each write transaction waited for SQLite's write
    lock and held it (written to ``BENCH_LOCK_DIR`` when the worker exits). gunicorn calls this."""
    import atexit
    import threading

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from inspect_app import create_app
    from inspect_app.core import database

    app = create_app()
    waits, holds, lock = [], [], threading.Lock()
    take = getattr(database, "_sqlite_write_lock", None)
    if take is None:                                   # a version that locks in "begin"
        return app
    event.remove(Engine, "before_cursor_execute", take)

    @event.listens_for(Engine, "before_cursor_execute")
    def timed(conn, cursor, statement, parameters, context, executemany):
        began, was = time.perf_counter(), cursor.connection.in_transaction
        take(conn, cursor, statement, parameters, context, executemany)
        if not was and cursor.connection.in_transaction:
            conn.info["bench_locked_at"] = now = time.perf_counter()
            with lock:
                waits.append(now - began)

    def ended(conn):
        at = conn.info.pop("bench_locked_at", None)
        if at is not None:
            with lock:
                holds.append(time.perf_counter() - at)
    event.listen(Engine, "commit", ended)
    event.listen(Engine, "rollback", ended)

    def write():
        with open(Path(os.environ["BENCH_LOCK_DIR"]) / f"locks-{os.getpid()}.json", "w") as fh:
            json.dump({"waits": waits, "holds": holds}, fh)
    atexit.register(write)
    return app


def lock_figures(folder: Path) -> str:
    waits, holds = [], []
    for path in folder.glob("locks-*.json"):
        data = json.loads(path.read_text())
        waits += data["waits"]
        holds += data["holds"]
    if not holds:
        return "write lock: not recorded (this version takes it in BEGIN)"

    def pct(values, p):
        values = sorted(values)
        return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000
    return (f"write lock, both phases ({len(holds)} transactions): waited p50 {pct(waits, 50):.1f} / p95 "
            f"{pct(waits, 95):.1f} / max {pct(waits, 100):.0f} ms; held p50 {pct(holds, 50):.1f} / p95 "
            f"{pct(holds, 95):.1f} / max {pct(holds, 100):.0f} ms")


# ----------------------------------------------------------------------------- set-up

@dataclass
class World:
    savers: list[tuple[str, int]]        # (username, draft inspection id)
    items: list[tuple[str, str]]         # (item id, a valid answer) of the drafts' checklist
    reader: str                          # an inspector who reads lists
    admin: str                           # a fire department admin (spreadsheets)
    printers: list[tuple[str, int]]      # (username, submitted inspection id) for the PDFs
    photographers: list[tuple[str, int]]


def jpeg(width: int, height: int) -> bytes:
    """A photo-like JPEG: blurred noise over gradients (a 12 MP one is about 2 MB, as a
    phone's photo is 2–5 MB)."""
    from PIL import Image, ImageFilter
    noise = Image.effect_noise((width, height), 40).filter(ImageFilter.GaussianBlur(1.2))
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", (noise, gradient, Image.blend(noise, gradient, 0.5)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def build_world(app, args) -> World:
    from werkzeug.datastructures import FileStorage

    from inspect_app.auth.models import User
    from inspect_app.auth.services import hash_password
    from inspect_app.checklists.services import sync_catalogue
    from inspect_app.core.types import utcnow
    from inspect_app.domain.institution import CODE_ALPHABET, credit_code_check_char
    from inspect_app.extensions import db
    from inspect_app.inspections import services
    from inspect_app.inspections.services.common import checklist_of
    from inspect_app.registry.models import Institution

    rng = random.Random(5)
    with app.app_context():
        from flask_migrate import upgrade
        upgrade(revision="heads")
        sync_catalogue()
        password = hash_password(PASSWORD)
        now = utcnow()

        serial = iter(range(1, 10_000))

        def user(name, role):
            # Inspectors carry an enforcement certificate: an enforcement visit needs two with one
            # (docs/regulations.md, "Enforcement credentials").
            row = User(username=name, name=name, role=role, department="fire", password_hash=password,
                       created_at=now, credential_number=f"YC{next(serial):08d}",
                       credential_authority="压测执法证发证机关", credential_expires_on=date.today() + timedelta(days=365))
            db.session.add(row)
            db.session.flush()
            return row

        def institution(n):
            body = "52" + "".join(rng.choice(CODE_ALPHABET) for _ in range(15))
            row = Institution(name=f"压测养老院{n}", credit_code=body + credit_code_check_char(body),
                              type="nursing_home", district="压测区", street="压测街道", address=f"压测路{n}号",
                              beds=100, nursing_beds=40, operator_type="private", medical_integration="none",
                              ltc_designated=False, status="operating", created_at=now, updated_at=now)
            db.session.add(row)
            db.session.flush()
            return row

        partner = user("partner", "inspector")          # the second inspector on every visit

        def draft(inspector, n):
            visit = services.create_visit(None, institution(n).id, date.today(),
                                          {"fire": [inspector.id, partner.id]}, "routine")
            db.session.flush()
            part = visit.inspections[0]
            services.start(inspector, part.id, uuid.uuid4().hex)
            return part

        photo = jpeg(800, 600)          # the record shows 320-pixel thumbnails
        savers, printers, photographers = [], [], []
        n = 0
        for i in range(args.savers):
            u = user(f"saver{i:02}", "inspector")
            n += 1
            part = draft(u, n)
            savers.append((u.username, part.id))
        items = [(item.id, _good(item)) for item in checklist_of(part).items]
        for i in range(args.pdfs):
            u = user(f"printer{i:02}", "inspector")
            n += 1
            part = draft(u, n)
            checklist = checklist_of(part)
            answers = {}
            for item in checklist.items:
                photographed = item.evidence in ("photo_always", "photo_on_fail")
                answers[item.id] = "fail" if photographed and item.type == "check" else _good(item)
                if photographed:
                    services.upload_evidence(u, part.id, item.id, uuid.uuid4().hex,
                                             FileStorage(io.BytesIO(photo), filename="p.jpg"))
            body = {"submission_id": part.submission_id, "answers": answers,
                    "remarks": {k: "现场发现问题，已拍照取证" for k, v in answers.items() if v == "fail"},
                    "representative_name": "压测代表",
                    "signatures": {"inspector": signature_png(), "representative": signature_png()}}
            services.submit(u, part.id, body)
            printers.append((u.username, part.id))
        for i in range(args.photos):
            u = user(f"photo{i:02}", "inspector")
            n += 1
            photographers.append((u.username, draft(u, n).id))
        reader = user("reader", "inspector").username
        admin = user("fireadmin", "department_admin").username
        db.session.commit()
        db.engine.dispose()
    return World(savers, items, reader, admin, printers, photographers)


def _good(item) -> str:
    from inspect_app.domain.scoring.single import number_text
    if item.type == "check":
        return "pass"
    if item.type == "scale":
        return number_text(item.points)
    return number_text(item.min if item.min is not None else item.max)


def million_cell_xlsx() -> bytes:
    """1,000,000 number cells (1,000 × 1,000) in a file of some 40 KB, as in the finding."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rels = "http://schemas.openxmlformats.org/package/2006/relationships"
    doc = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    row = "<c><v>1</v></c>" * 1000
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>'
             + "".join(f'<row r="{r}">{row}</row>' for r in range(1, 1001)) + "</sheetData></worksheet>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
                   'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                   '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels", f'<?xml version="1.0"?><Relationships xmlns="{rels}"><Relationship Id="rId1" '
                   f'Type="{doc}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook xmlns="{main}" xmlns:r="{doc}"><sheets>'
                   '<sheet name="items" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0"?><Relationships xmlns="{rels}">'
                   f'<Relationship Id="rId1" Type="{doc}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    boundary = "bench" + uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data, content_type) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: {content_type}\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# ----------------------------------------------------------------------------- clients

async def sign_in(port: int, username: str, csrf_from: str | None) -> Client:
    """A signed-in client; its CSRF token from the JSON endpoint (inspectors) or a page's meta tag."""
    client = Client("127.0.0.1", port)
    status, html = await client.call("GET", "/login", accept="text/html")
    token = re.search(rb'name="csrf-token" content="([^"]+)"', html).group(1).decode()
    import urllib.parse
    form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrf_token": token}).encode()
    status, _ = await client.call("POST", "/login", form, "application/x-www-form-urlencoded", accept="text/html")
    if status != 302:
        raise SystemExit(f"log-in of {username} answered {status}")
    if csrf_from == "json":
        status, data = await client.call("GET", "/inspections/csrf-token")
        client.token = json.loads(data)["csrf_token"]
    elif csrf_from:
        status, html = await client.call("GET", csrf_from, accept="text/html")
        client.token = re.search(rb'name="csrf-token" content="([^"]+)"', html).group(1).decode()
    return client


class Phase:
    def __init__(self, name: str):
        self.name = name
        self.save = Series("save answer")
        self.list = Series("GET /rectification/")
        self.health = Series("GET /healthz")
        self.statuses: dict[str, dict[int, int]] = {}

    def count(self, what: str, status: int):
        per = self.statuses.setdefault(what, {})
        per[status] = per.get(status, 0) + 1

    def errors(self, code: int) -> int:
        return sum(per.get(code, 0) for per in self.statuses.values())


class Others:
    """The other users, open loop: each request starts at its time, whatever the others do."""

    def __init__(self, args, world: World, savers: list[Client], reader: Client, health: Client):
        self.args, self.world, self.savers, self.reader, self.health = args, world, savers, reader, health
        self.acked: dict[tuple[int, str], tuple[str, int]] = {}
        self.versions: dict[tuple[int, str], int] = {}
        self.counter = 0

    async def timed(self, phase: Phase, series: Series, what: str, coro):
        began = time.perf_counter()
        try:
            status, data = await asyncio.wait_for(coro, self.args.timeout)
        except asyncio.TimeoutError:
            series.error(f"no answer in {self.args.timeout:g} s")
            return None
        except Exception as exc:                      # noqa: BLE001 - counted
            series.error(type(exc).__name__)
            return None
        phase.count(what, status)
        if status >= 300:
            series.error(str(status))
            return None
        series.ok(time.perf_counter() - began)
        return data

    async def save(self, phase: Phase, t: int):
        username, draft = self.world.savers[t]
        self.counter += 1
        item, value = self.world.items[self.counter % len(self.world.items)]
        key, remark = (draft, item), f"r{self.counter}"
        body = json.dumps({"item_id": item, "value": value, "remark": remark,
                           "version": self.versions.get(key, 0)}).encode()
        data = await self.timed(phase, phase.save, "save", self.savers[t].call(
            "POST", f"/inspections/{draft}/answers", body, "application/json"))
        if data is not None:
            version = json.loads(data)["version"]
            if version > self.versions.get(key, 0):
                self.versions[key] = version
                self.acked[key] = (remark, version)

    async def run(self, phase: Phase, seconds: float):
        args = self.args
        events = []
        for t in range(len(self.savers)):
            offset = random.uniform(0, args.save_every)
            while offset < seconds:
                events.append((offset, "save", t))
                offset += args.save_every
        offset = 0.0
        while offset < seconds:
            events.append((offset + random.uniform(0, 0.05), "list", 0))
            events.append((offset + random.uniform(0, 0.05), "health", 0))
            offset += 1 / args.read_rate
        events.sort()
        tasks = []
        start = time.perf_counter()
        for offset, kind, t in events:
            delay = start + offset - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if kind == "save":
                tasks.append(asyncio.create_task(self.save(phase, t)))
            elif kind == "list":
                tasks.append(asyncio.create_task(self.timed(phase, phase.list, "list", self.reader.call(
                    "GET", "/rectification/", accept="text/html"))))
            else:
                tasks.append(asyncio.create_task(self.timed(phase, phase.health, "health", self.health.call(
                    "GET", "/healthz"))))
        await asyncio.gather(*tasks)


class Heavy:
    """Closed loops of heavy requests until stopped; counts what they were answered."""

    def __init__(self, retry: float):
        self.retry = retry
        self.stopping = asyncio.Event()
        self.statuses: dict[str, dict[int, int]] = {}
        self.seconds: dict[str, list[float]] = {}

    async def loop(self, what: str, send):
        """Send again as soon as answered; after a 503, wait ``retry`` seconds first (sooner
        than the Retry-After asked: the pressure stays)."""
        while not self.stopping.is_set():
            began = time.perf_counter()
            try:
                status, _ = await send()
            except Exception as exc:                  # noqa: BLE001 - counted
                status = type(exc).__name__
            per = self.statuses.setdefault(what, {})
            per[status] = per.get(status, 0) + 1
            self.seconds.setdefault(what, []).append(time.perf_counter() - began)
            if status == 503:
                try:
                    await asyncio.wait_for(self.stopping.wait(), self.retry)
                except asyncio.TimeoutError:
                    pass


def verify(app, others: Others) -> tuple[int, int]:
    """(acknowledged saves, lost ones). The last acknowledged save of each item must be stored
    as acknowledged (its remark at its version), or have been replaced by a later save (a
    higher version: one the client gave up waiting for may still have been stored)."""
    from sqlalchemy import select

    from inspect_app.extensions import db
    from inspect_app.inspections.models import Answer
    with app.app_context():
        drafts = sorted({d for d, _ in others.acked})
        stored = {(a, i): (r, v) for a, i, r, v in db.session.execute(
            select(Answer.inspection_id, Answer.item_id, Answer.remark, Answer.version)
            .where(Answer.inspection_id.in_(drafts)))}
        db.engine.dispose()
    def lost(key, acked):
        found = stored.get(key)
        return found is None or found[1] < acked[1] or (found[1] == acked[1] and found != acked)
    return len(others.acked), sum(1 for key, acked in others.acked.items() if lost(key, acked))


def worker_peak_rss(server_pid: int) -> float:
    """The largest peak resident size (VmHWM) of gunicorn's workers, in MB (Linux)."""
    peak = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/status") as fh:
                status = fh.read()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{server_pid}$", status, re.M):
            found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
            peak = max(peak, int(found.group(1)) if found else 0)
    return peak / 1024


async def measure(args, world: World, port: int, server_pid: int):
    await wait_ready(port)
    savers = [await sign_in(port, u, "json") for u, _ in world.savers]
    reader = await sign_in(port, world.reader, None)
    health = Client("127.0.0.1", port)
    admin = await sign_in(port, world.admin, "/checklists/")
    printers = [(await sign_in(port, u, None), i) for u, i in world.printers]
    photographers = [(await sign_in(port, u, "json"), i) for u, i in world.photographers]
    others = Others(args, world, savers, reader, health)

    baseline = Phase("baseline")
    await others.run(baseline, args.duration)

    heavy = Heavy(args.heavy_retry)
    sheet = million_cell_xlsx()
    photo = jpeg(4000, 3000) if photographers else b""

    def convert():
        body, content_type = multipart({}, {"file": ("big.xlsx", sheet, "application/octet-stream")})
        return admin.call("POST", "/checklists/convert", body, content_type, accept="text/html")

    def pdf(client, inspection_id):
        return lambda: client.call("GET", f"/inspections/{inspection_id}/record.pdf", accept="application/pdf")

    def upload(client, inspection_id):
        sent = iter(range(10**9))

        def send():
            item = world.items[next(sent) % len(world.items)][0]        # at most 20 photos per item
            body, content_type = multipart({"item_id": item, "client_id": uuid.uuid4().hex},
                                           {"file": ("p.jpg", photo, "image/jpeg")})
            return client.call("POST", f"/inspections/{inspection_id}/evidence", body, content_type)
        return send

    loops = [asyncio.create_task(heavy.loop("1,000,000-cell .xlsx to /checklists/convert", convert))]
    loops += [asyncio.create_task(heavy.loop("record PDF", pdf(c, i))) for c, i in printers]
    loops += [asyncio.create_task(heavy.loop("12 MP photo upload", upload(c, i))) for c, i in photographers]
    await asyncio.sleep(args.warmup)
    loaded = Phase("loaded")
    await others.run(loaded, args.duration)
    heavy.stopping.set()
    for task in loops:                   # a heavy request still running is not waited for
        task.cancel()
    await asyncio.gather(*loops, return_exceptions=True)
    rss = worker_peak_rss(server_pid)
    for c in [*savers, reader, health, admin, *(c for c, _ in printers), *(c for c, _ in photographers)]:
        c.close()
    return others, baseline, loaded, heavy, rss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=20, help="seconds of each phase")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of heavy load before measuring")
    parser.add_argument("--savers", type=int, default=20, help="inspectors saving answers")
    parser.add_argument("--save-every", type=float, default=2.0, help="seconds between one inspector's saves")
    parser.add_argument("--read-rate", type=float, default=5, help="list pages (and health checks) per second")
    parser.add_argument("--pdfs", type=int, default=16, help="clients downloading record PDFs back to back")
    parser.add_argument("--photos", type=int, default=0, help="clients uploading 12 MP photos back to back")
    parser.add_argument("--timeout", type=float, default=60,
                        help="seconds a measured request may take before it counts as failed")
    parser.add_argument("--heavy-retry", type=float, default=1.0,
                        help="seconds a heavy client waits after a 503 before sending again")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--keep", action="store_true", help="keep the temporary files")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="careinspect-sqlite-bench-"))
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp / 'bench.db'}", CAREINSPECT_INSTANCE=str(tmp / "instance"),
               CAREINSPECT_INSECURE_COOKIES="1", SECRET_KEY="bench-" + uuid.uuid4().hex, BENCH_LOCK_DIR=str(tmp))
    env.pop("CELERY_BROKER_URL", None)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "CAREINSPECT_INSTANCE", "CAREINSPECT_INSECURE_COOKIES",
                                           "SECRET_KEY")})
    from inspect_app import create_app
    app = create_app()
    began = time.perf_counter()
    world = build_world(app, args)
    print(f"set-up: SQLite {tmp / 'bench.db'}, {len(world.savers)} inspectors with drafts, "
          f"{len(world.printers)} submitted records with photos, in {time.perf_counter() - began:.1f} s")

    port = free_port()
    log = open(tmp / "gunicorn.log", "w")
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-w", str(args.workers), "-k", "gthread", "--threads", str(args.threads),
         "--keep-alive", "30", "--timeout", "120", "-b", f"127.0.0.1:{port}", "--chdir", str(ROOT),
         "--pythonpath", str(ROOT), "--log-level", "warning", "bench.sqlite_contention:bench_app()"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))      # stop gunicorn on the way out
    try:
        others, baseline, loaded, heavy, rss = asyncio.run(measure(args, world, port, server.pid))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    acked, lost = verify(app, others)

    print()
    print(f"gunicorn -w {args.workers} -k gthread --threads {args.threads}, SQLite (WAL), load generator on the "
          f"same {os.cpu_count()} cores; {args.duration:g} s per phase; saves {len(world.savers) / args.save_every:g}/s, "
          f"list pages and health checks {args.read_rate:g}/s each")
    heavy_names = ", ".join(f"{what} ×{n}" for what, n in (
        ("1,000,000-cell .xlsx upload", 1), ("record PDF", len(world.printers)),
        ("12 MP photo upload", len(world.photographers))) if n)
    print(f"loaded phase: {heavy_names} in flight (closed loops)")
    print(f"{'':<22} {'base p50':>9} {'base p95':>9} {'load p50':>9} {'load p95':>9} {'p50 ×':>6} {'p95 ×':>6} "
          f"{'ok':>6} {'500':>5} {'503':>5}")
    worst = 0.0
    for base, load in ((baseline.save, loaded.save), (baseline.list, loaded.list), (baseline.health, loaded.health)):
        worst = max(worst, load.pct(95))
        what = {"save answer": "save", "GET /rectification/": "list", "GET /healthz": "health"}[load.name]
        fives = {code: baseline.statuses.get(what, {}).get(code, 0) + loaded.statuses.get(what, {}).get(code, 0)
                 for code in (500, 503)}
        print(f"{load.name:<22} {base.pct(50):>9.1f} {base.pct(95):>9.1f} {load.pct(50):>9.1f} {load.pct(95):>9.1f} "
              f"{load.pct(50) / base.pct(50):>6.1f} {load.pct(95) / base.pct(95):>6.1f} "
              f"{len(base.latencies) + len(load.latencies):>6} {fives[500]:>5} {fives[503]:>5}")
        other = {k: v for k, v in {**base.errors, **load.errors}.items() if k not in ("500", "503")}
        if other:
            print(f"{'':<22} other failures: {other}")
    print("heavy requests answered: " + "; ".join(
        f"{what}: {dict(sorted(per.items(), key=str))}, median {sorted(heavy.seconds[what])[len(heavy.seconds[what]) // 2]:.2f} s"
        for what, per in heavy.statuses.items()))
    print(f"largest gunicorn worker (peak RSS): {rss:.0f} MB")
    print(lock_figures(tmp))
    print(f"answers: {acked} acknowledged, {lost} lost (checked in the database)")
    errors500 = baseline.errors(500) + loaded.errors(500)
    checks = [(f"loaded p95 < {TARGET_P95_MS} ms", worst < TARGET_P95_MS), ("no 500", errors500 == 0),
              ("no answer lost", lost == 0)]
    print("targets: " + "; ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in checks))
    if args.keep:
        print(f"kept: {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
