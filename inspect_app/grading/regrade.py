"""Re-grading at scale: every grading inspection re-scored from its stored answers in one pass.

Run as the job ``grading.regrade`` (progress 0..100 on the job row) after, for example, a
correction of the grading checklist: each submitted grading inspection is scored again with
the catalogue's current version of its checklist. The pass is vectorised and streamed: the
inspections of each checklist are taken in chunks of :data:`CHUNK` by keyset paging on their id
(``id > last … ORDER BY id LIMIT CHUNK``), so time grows linearly with the number of
inspections and memory stays bounded by one chunk. For each chunk:

1. bulk read of its answers — on PostgreSQL ``COPY (SELECT …) TO STDOUT`` straight into
   pandas' C parser as categorical columns; elsewhere one SELECT;
2. one call of :func:`inspect_app.domain.scoring.batch.score_long_frame` per checklist;
3. bulk write-back — on PostgreSQL ``COPY`` into a temporary table and one
   ``UPDATE … FROM``; elsewhere one executemany UPDATE;
4. the grade records of the chunk's inspections compared with the new figures.

Inspections (``total``, ``level``, counts, ``result``) take the new figures; the old and new
total and level of every inspection whose figures changed are kept in the job's one audit row.
Grade records never change silently: the re-graded score is stored beside the decided one
and, when it differs, the record is flagged and a history row says so, for the bureau to act on.

The whole pass is one transaction, committed by the job runner at the end: a failure
half-way leaves every inspection as it was (and no audit row to explain). Progress is
written apart, in its own short transaction on its own connection (:func:`_progress_apart`).
"""
from __future__ import annotations

import io
import json
import queue
import threading
from datetime import datetime
from decimal import Decimal
from typing import Callable, Iterator

from sqlalchemy import Engine, bindparam, func, select, update
from sqlalchemy.orm import Session

from ..auth import policy
from ..checklists import catalogue
from ..checklists.models import ChecklistVersion
from ..core import audit, jobs
from ..core.errors import NotFound
from ..core.types import utcnow
from ..domain.checklist.model import Checklist
from ..domain.scoring.batch import InvalidAnswerRows, score_long_frame
from ..domain.scoring.explain import capped_level
from ..extensions import db
from ..inspections.models import SUBMITTED, Answer, Inspection, Visit
from .models import GradeRecord, GradeRecordEvent

JOB = "grading.regrade"
CHUNK = 5_000               # inspections read, scored and written back at a time
Progress = Callable[[int], None]


# Starting and watching ----------------------------------------------------------------------

def start(user) -> jobs.Job:
    """Enqueue a re-grade, or return the one already waiting or running."""
    policy.require(user, "grading.manage")
    running = db.session.scalar(select(jobs.Job).where(
        jobs.Job.name == JOB, jobs.Job.state.in_((jobs.PENDING, jobs.RUNNING))).limit(1))
    if running is not None:
        return running
    job = jobs.enqueue(JOB, {"requested_by": user.id})
    audit.record(user, "start", "regrade", job.id)
    return job


def get_job(user, job_id: int) -> jobs.Job:
    policy.require(user, "grading.manage")
    job = db.session.get(jobs.Job, job_id)
    if job is None or job.name != JOB:
        raise NotFound("The re-grade was not found.")
    return job


def recent_jobs(user, limit: int = 10) -> list[jobs.Job]:
    policy.require(user, "grading.manage")
    return list(db.session.scalars(select(jobs.Job).where(jobs.Job.name == JOB)
                                   .order_by(jobs.Job.id.desc()).limit(limit)))


def status(job: jobs.Job) -> dict:
    return {"id": job.id, "state": job.state, "progress": job.progress, "result": job.result,
            "error": job.error}


def run(job: jobs.Job) -> dict:
    """The job handler (the runner commits the work once, when it returns)."""
    return regrade_all(progress=_progress_apart(job.id), job_id=job.id)


def _progress_apart(job_id: int) -> Progress:
    """A progress writer that never touches the job's own transaction: each figure is written
    and committed by a short session of its own, on its own connection from the engine.
    (``core.jobs.set_progress`` commits the caller's session, which would commit the
    re-scored inspections of the checklists done so far without their audit row.)
    On SQLite, where one writer at a time holds the whole file and the job's transaction is
    that writer once it has written, progress is not recorded until the end."""
    bind = db.engine
    if bind.dialect.name == "sqlite":
        return lambda percent: None

    def write(percent: int) -> None:
        with Session(bind=bind, join_transaction_mode="create_savepoint") as apart:
            apart.execute(update(jobs.Job).where(jobs.Job.id == job_id)
                          .values(progress=max(0, min(100, int(percent))))
                          .execution_options(synchronize_session=False))
            apart.commit()
    return write


# The pass -----------------------------------------------------------------------------------

def _grading_checklists() -> list[Checklist]:
    return [cl for cl in catalogue.all_checklists().values() if cl.kind == "grading"]


def _graded(statement, checklist_id: str):
    """``statement`` limited to the submitted grading inspections of the checklist."""
    return (statement.join(Visit, Visit.id == Inspection.visit_id)
            .join(ChecklistVersion, ChecklistVersion.id == Inspection.checklist_version_id)
            .where(Visit.kind == "grading", Inspection.status == SUBMITTED,
                   ChecklistVersion.checklist_id == checklist_id))


def _count(checklist_id: str) -> int:
    return db.session.scalar(_graded(select(func.count()).select_from(Inspection), checklist_id))


def _pages(checklist_id: str) -> Iterator[tuple[int, int]]:
    """The inspections of the checklist as id ranges ``(after, last]`` of at most :data:`CHUNK`
    inspections each, in id order (keyset paging: each page starts where the last one ended)."""
    after = 0
    while (last := _page_end(db.session.scalar, checklist_id, after)) is not None:
        yield after, last
        after = last


def _page_end(scalar, checklist_id: str, after: int) -> int | None:
    """The id of the last inspection of the page after ``after`` (``None``: no more), asked
    through ``scalar`` (a session's or a connection's)."""
    page = (_graded(select(Inspection.id).where(Inspection.id > after), checklist_id)
            .order_by(Inspection.id).limit(CHUNK).subquery("page"))
    return scalar(select(func.max(page.c.id)))


def _selection(checklist_id: str, after: int, last: int):
    return _graded(select(Answer.inspection_id, Answer.item_id, Answer.value)
                   .join(Inspection, Inspection.id == Answer.inspection_id)
                   .where(Inspection.id > after, Inspection.id <= last), checklist_id)


def _is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


# One row per inspection: its answers as CSV lines. libpq hands COPY data over row by row, so
# 10M single-answer rows cost more in client overhead than the server spends aggregating them.
_PG_ANSWERS = """
COPY (SELECT string_agg(a.inspection_id || ',' || a.item_id || ',' || a.value, E'\\n')
      FROM answer a JOIN inspection i ON i.id = a.inspection_id JOIN visit v ON v.id = i.visit_id
      JOIN checklist_version cv ON cv.id = i.checklist_version_id
      WHERE v.kind = 'grading' AND i.status = 'submitted' AND cv.checklist_id = {checklist}
        AND i.id > {after} AND i.id <= {last} AND a.inspection_id > {after} AND a.inspection_id <= {last}
      GROUP BY a.inspection_id) TO STDOUT"""


def _answer_chunks(checklist_id: str) -> Iterator[tuple[int, int, object]]:
    """``(after, last, frame)`` for each page of the checklist's inspections (:func:`_pages`):
    a frame of categorical text columns target (inspection id), item, value holding the
    answers of the inspections with ids in ``(after, last]``.

    On PostgreSQL, when the session draws its connection from an engine (always, but under
    a test's outer transaction), the next page is read ahead on a connection of its own
    while this one is scored and written back, so that the database's work and the scoring
    overlap on two cores; the pass only reads answers, so both connections see the same."""
    import pandas as pd        # pandas, as psycopg below, only when a re-grade runs

    if not _is_postgres():
        for after, last in _pages(checklist_id):
            rows = db.session.execute(_selection(checklist_id, after, last)).all()
            frame = pd.DataFrame(rows, columns=_COLUMNS, dtype=object)
            frame["target"] = frame["target"].astype(str)
            yield after, last, frame.astype("category")
        return
    if not isinstance(db.engine, Engine):
        raw = db.session.connection().connection.driver_connection
        for after, last in _pages(checklist_id):
            yield after, last, _copied_frame(_copy_page(raw, checklist_id, after, last))
        return
    pages: queue.Queue = queue.Queue(maxsize=1)          # at most one page waiting
    stop = threading.Event()
    reader = threading.Thread(target=_read_ahead, args=(db.engine, checklist_id, pages, stop),
                              name="regrade-reader", daemon=True)
    reader.start()
    try:
        while (page := pages.get()) is not None:
            if isinstance(page, BaseException):
                raise page
            after, last, data = page
            yield after, last, _copied_frame(data)
    finally:
        stop.set()
        while reader.is_alive():                         # unblock a reader waiting to hand over
            try:
                pages.get(timeout=0.05)
            except queue.Empty:
                pass
        reader.join()


def _copy_page(raw, checklist_id: str, after: int, last: int) -> bytes:
    """The COPY text of the answers of the inspections with ids in ``(after, last]``."""
    from psycopg import sql

    buffer = bytearray()
    with raw.cursor() as cursor:
        query = sql.SQL(_PG_ANSWERS).format(checklist=sql.Literal(checklist_id),
                                            after=sql.Literal(after), last=sql.Literal(last))
        with cursor.copy(query) as copy:
            for chunk in copy:
                buffer += chunk
    return bytes(buffer)


def _read_ahead(engine: Engine, checklist_id: str, pages: queue.Queue, stop: threading.Event) -> None:
    """The reader: each page's ``(after, last, COPY bytes)`` into ``pages``, then ``None`` (or
    the exception that stopped it)."""
    try:
        with engine.connect() as conn:
            raw = conn.connection.driver_connection
            after = 0
            while not stop.is_set():
                last = _page_end(conn.scalar, checklist_id, after)
                if last is None:
                    break
                _hand_over(pages, stop, (after, last, _copy_page(raw, checklist_id, after, last)))
                after = last
            conn.rollback()
    except BaseException as exc:  # noqa: BLE001 - handed to the pass, which raises it
        _hand_over(pages, stop, exc)
        return
    _hand_over(pages, stop, None)


def _hand_over(pages: queue.Queue, stop: threading.Event, item) -> None:
    while not stop.is_set():
        try:
            pages.put(item, timeout=0.05)
            return
        except queue.Full:
            continue


_COLUMNS = ["target", "item", "value"]


def _copied_frame(data: bytes):
    """The frame of one page's COPY text (one line per inspection, its answers as CSV lines)."""
    import pandas as pd

    if not data:
        return pd.DataFrame({c: pd.Series([], dtype="category") for c in _COLUMNS})
    # COPY's text format writes the newlines inside a value as the two characters \n;
    # item ids and answers never contain a backslash.
    return pd.read_csv(io.BytesIO(data.replace(b"\\n", b"\n")), names=_COLUMNS, header=None,
                       dtype="category", na_filter=False, engine="c")


def _score(checklist: Checklist, frame):
    """Score every target; targets whose answers no longer fit the checklist (an item added
    or removed by the correction) are left out and returned with their problem."""

    skipped: dict[str, str] = {}
    for _attempt in range(2):
        try:
            return score_long_frame(checklist, frame), skipped
        except InvalidAnswerRows as exc:
            targets = frame["target"].astype(str).to_numpy()
            for problem in exc.target_problems:
                skipped.setdefault(problem.target, problem.message)
            for problem in exc.row_problems:
                skipped.setdefault(str(targets[problem.row]), problem.message)
            keep = ~frame["target"].astype(str).isin(list(skipped)).to_numpy()
            frame = frame[keep].reset_index(drop=True)
            frame = frame.assign(**{c: frame[c].cat.remove_unused_categories() for c in frame})
    raise RuntimeError("re-grade: answers still invalid after leaving out broken targets")


def _results(batch) -> list[tuple[int, Decimal, int | None, int, int, str]]:
    """(inspection id, total, level, failed count, veto count, result JSON text) per target."""
    import numpy as np

    veto = np.array([item.veto for item in batch.checklist.items], dtype=bool)
    failed = batch.failed.sum(axis=1).tolist()
    vetoes = (batch.failed & veto).sum(axis=1).tolist()
    levels = batch.levels.tolist()
    out = []
    for k, line in enumerate(batch.json_lines().splitlines()):
        start = line.index('"checklist"')
        text = "{" + line[start:]
        total = text.split('"total": ', 1)[1].split(",", 1)[0]     # a JSON number's text
        out.append((int(batch.targets[k]), Decimal(total), levels[k] or None, failed[k],
                    vetoes[k], text))
    return out


def _changed_sqlite(results) -> dict[int, tuple]:
    """Old (total, level) of the inspections whose figures the results change."""
    new = {r[0]: (r[1], r[2]) for r in results}
    out = {}
    ids = list(new)
    for start in range(0, len(ids), 20000):
        for i, total, level in db.session.execute(
                select(Inspection.id, Inspection.total, Inspection.level)
                .where(Inspection.id.in_(ids[start:start + 20000]))):
            old = (None if total is None else Decimal(total), level)
            if old != new[i]:
                out[i] = old
    return out


def _write(results) -> dict[int, tuple]:
    """Write the results back; return the old (total, level) of the rows whose figures changed."""
    if not results:
        return {}
    if _is_postgres():
        raw = db.session.connection().connection.driver_connection
        with raw.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE IF NOT EXISTS regrade_result (id integer PRIMARY KEY, "
                           "total numeric(10,4), level integer, failed_count integer, "
                           "veto_count integer, result json) ON COMMIT DROP")
            cursor.execute("TRUNCATE regrade_result")
            with cursor.copy("COPY regrade_result FROM STDIN") as copy:
                for row in results:
                    copy.write_row(row)
            cursor.execute(
                "SELECT i.id, i.total, i.level FROM inspection AS i JOIN regrade_result AS r "
                "ON r.id = i.id WHERE i.total IS DISTINCT FROM r.total OR i.level IS DISTINCT FROM r.level")
            changed = {i: (total, level) for i, total, level in cursor.fetchall()}
            cursor.execute(
                "UPDATE inspection AS i SET total = r.total, level = r.level, "
                "failed_count = r.failed_count, veto_count = r.veto_count, result = r.result, "
                "version = i.version + 1 FROM regrade_result AS r WHERE i.id = r.id")
        return changed
    changed = _changed_sqlite(results)
    table = Inspection.__table__
    db.session.execute(
        update(table).where(table.c.id == bindparam("_id")).values(
            total=bindparam("_total"), level=bindparam("_level"),
            failed_count=bindparam("_failed"), veto_count=bindparam("_vetoes"),
            result=bindparam("_result"), version=table.c.version + 1),
        [{"_id": i, "_total": t, "_level": lv, "_failed": f, "_vetoes": v,
          "_result": json.loads(text)} for i, t, lv, f, v, text in results])
    return changed


def _flag_records(figures: dict[int, tuple[Decimal, int | None]], now: datetime,
                  after: int, last: int) -> int:
    """Store the re-graded score beside each record of the inspections with ids in
    ``(after, last]`` that ``figures`` holds; flag and note differences."""
    flagged = 0
    records = db.session.scalars(
        select(GradeRecord).join(Inspection, Inspection.id == GradeRecord.inspection_id)
        .join(Visit, Visit.id == Inspection.visit_id)
        .where(Visit.kind == "grading", GradeRecord.inspection_id > after,
               GradeRecord.inspection_id <= last))
    for record in records:
        if record.inspection_id not in figures:
            continue
        total, level = figures[record.inspection_id]
        level = capped_level(level, record.requested_level)      # as the record was decided
        differs = level != record.level or Decimal(record.total) != total
        already = (record.regraded_level == level and record.regraded_total is not None
                   and Decimal(record.regraded_total) == total)
        before = audit.snapshot(record, exclude=("explanation",))
        record.regraded_total, record.regraded_level, record.regraded_at = total, level, now
        if differs and not (already and record.regrade_differs):
            record.regrade_differs = True
            flagged += 1
            db.session.add(GradeRecordEvent(
                record=record, at=now, actor_id=None, action="regrade_differs",
                from_state=record.state, to_state=record.state,
                note=f"re-graded score {total} (level {level}) differs from the decided "
                     f"{record.total} (level {record.level})",
                data={"total": str(total), "level": level}))
            db.session.flush()
            audit.record(None, "regrade_differs", "grade_record", record.id, before=before,
                         after=audit.snapshot(record, exclude=("explanation",)))
    db.session.flush()
    return flagged


def regrade_all(progress: Progress | None = None, job_id: int | None = None) -> dict:
    """Re-score every submitted grading inspection; returns the counts (the job's result)."""
    progress = progress or (lambda percent: None)
    checklists = _grading_checklists()
    summary: dict = {"checklists": {}, "scored": 0, "changed": 0, "flagged": 0, "skipped": {}}
    before: dict[str, list] = {}
    after: dict[str, list] = {}
    now = utcnow()
    progress(5)
    for n, checklist in enumerate(checklists):
        share = 90 / max(1, len(checklists))
        base = 5 + n * share
        total, done, scored = _count(checklist.id), 0, 0
        for first, last, frame in _answer_chunks(checklist.id):
            if len(frame):
                batch, skipped = _score(checklist, frame)
                del frame
                results = _results(batch)
                del batch
                changed = _write(results)
                figures: dict[int, tuple[Decimal, int | None]] = {}
                for ident, new_total, level, *_rest in results:
                    figures[ident] = (new_total, level)
                    if ident in changed:
                        old_total, old_level = changed[ident]
                        before[str(ident)] = [None if old_total is None else str(old_total), old_level]
                        after[str(ident)] = [str(new_total), level]
                db.session.expire_all()
                summary["flagged"] += _flag_records(figures, now, first, last)
                scored += len(results)
                summary["skipped"].update(skipped)
                done += len(figures) + len(skipped)
            progress(int(base + share * min(1.0, done / max(1, total))))
        summary["checklists"][checklist.id] = {"version": checklist.version, "scored": scored}
        summary["scored"] += scored
    summary["changed"] = len(after)
    skipped_list = sorted(summary["skipped"].items())
    summary["skipped"] = dict(skipped_list[:50])
    summary["skipped_count"] = len(skipped_list)
    audit.record(None, "regrade", "regrade", job_id if job_id is not None else "-",
                 before={"inspections": before} if before else None,
                 after={**{k: v for k, v in summary.items() if k != "skipped"},
                        "inspections": after})
    return summary
