"""Filling a department part on a tablet: start the draft, save answers one by one (with a
version check per answer), progress per section and the live score.

Every answer is stored as it is given (docs/security.md, "Offline submissions"): a save names
the version of the answer it was based on (0 = "I saw no answer"); a stale save is refused
with the stored answer, never merged silently.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ...core import audit
from ...core.errors import Conflict, Invalid
from ...core.types import utcnow
from ...domain.checklist.model import Checklist
from ...domain.display import one_decimal
from ...core.whole_numbers import whole_number
from ...domain.scoring.single import (NA, answer_problem, answer_value, json_number, number_text, outcome,
                               read_answer, read_answer_text, scaled)
from ...domain.units import sign_problem
from ...extensions import db
from ..models import (ASSIGNED, CANCELLED, COMPLETED, DRAFT, PLANNED, SUBMITTED, Answer,
                      Inspection)
from . import state
from .common import ConflictWith, checklist_of, facts, get_inspection, items_by_id, lock_visit

SUBMISSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{7,63}")
VALUE_MAX = 40          # Answer.value's column width
REMARK_MAX = 2000


# ----------------------------------------------------------------------------- answers as text

def read_value(value: Any):
    """An answer as sent: JSON numbers, or decimal text (``"7.5"``), or a word."""
    return read_answer_text(value.strip()) if isinstance(value, str) else read_answer(value)


def stored_text(read) -> str:
    """The text kept in ``Answer.value``: the word, or the number as a person writes it."""
    value = answer_value(read)
    return value if isinstance(value, str) else number_text(value)


def parse_stored(text: str):
    """A stored answer back as the engine's value (word or exact number); None if empty."""
    if not text:
        return None
    if text in ("pass", "fail", NA):
        return text
    return Fraction(text)


def check_answer(item, value: Any) -> tuple[str | None, str | None]:
    """(stored text, problem) for one answer to ``item``: valid for the engine and, for a
    measurement, not below zero when its unit cannot be (:mod:`inspect_app.domain.units`)."""
    read = read_value(value)
    problem = answer_problem(item, read) or (sign_problem(item, read.number) if read.kind == "number" else None)
    if problem:
        return None, problem
    text = stored_text(read)
    if len(text) > VALUE_MAX:
        return None, f"{read.shown} has too many digits"
    return text, None


# ----------------------------------------------------------------------------- progress and score

def progress(checklist: Checklist, answers: dict[str, str]) -> dict:
    """Answered items per section (a cleared answer is not answered)."""
    sections = {}
    for section in checklist.sections:
        done = sum(1 for item in section.items if answers.get(item.id))
        sections[section.id] = {"answered": done, "total": len(section.items)}
    return {"answered": sum(s["answered"] for s in sections.values()),
            "total": len(facts(checklist).items), "sections": sections}


_ZERO = Fraction(0)


def live_score(checklist: Checklist, answers: dict[str, str]) -> dict:
    """The score of the answers given so far, by the engine's own rules per item
    (:func:`domain.scoring.single.outcome`, :func:`~domain.scoring.single.scaled`).

    Rule for a partial form: an item not yet answered is *not counted* — it is left out of
    both the points earned and the applicable maximum, exactly like an "na" answer. So the
    total is what the checklist would score if the rest were answered at the same rate
    (合理缺项 scaling), failed and vetoes list only failures already given, and the total is
    null until at least one applicable item is answered. At submit every item must be
    answered and the engine scores the whole set."""
    facts_ = facts(checklist)
    known = facts_.outcomes
    earned_whole = applicable_whole = 0          # whole numbers summed as ints (fast), the rest exactly
    earned_rest = applicable_rest = _ZERO
    failed, vetoes, answered = [], [], 0
    for item in facts_.items:
        text = answers.get(item.id)
        if not text:
            continue
        answered += 1
        cached = known.get((item.id, text))
        if cached is None:
            got, is_applicable, is_failed = outcome(item, parse_stored(text))
            cached = (got, item.points if is_applicable else _ZERO, is_failed)
            if text in ("pass", "fail", NA):
                known[(item.id, text)] = cached
        got, points, is_failed = cached
        if got.denominator == 1:
            earned_whole += got.numerator
        else:
            earned_rest += got
        if points.denominator == 1:
            applicable_whole += points.numerator
        else:
            applicable_rest += points
        if is_failed:
            failed.append(item.id)
            if item.veto:
                vetoes.append(item.id)
    full = facts_.max
    total = scaled(earned_rest + earned_whole, applicable_rest + applicable_whole, full)
    percent = None if total is None else total / full * 100
    return {"total": None if total is None else json_number(total), "max": json_number(full),
            "percent": None if percent is None else json_number(percent),
            # as the form shows them (domain/display.py); the exact values are the two above
            "total_text": one_decimal(total) or "—",
            "percent_text": f"{one_decimal(percent)}%" if percent is not None else "—",
            "failed": failed, "vetoes": vetoes, "answered": answered}


def stored_answers(inspection_id: int) -> dict[str, str]:
    return dict(db.session.execute(select(Answer.item_id, Answer.value)
                                   .where(Answer.inspection_id == inspection_id)).all())


def summary(inspection: Inspection) -> dict:
    cl = checklist_of(inspection)
    answers = stored_answers(inspection.id)
    return {"progress": progress(cl, answers), "score": live_score(cl, answers)}


# ----------------------------------------------------------------------------- reading the form

def for_filling(user, inspection_id: int) -> Inspection:
    """The part an inspector on its team fills (other inspectors: not found)."""
    return get_inspection(user, inspection_id, "inspections.fill")


def answers_of(inspection: Inspection) -> dict[str, Answer]:
    return {a.item_id: a for a in db.session.scalars(
        select(Answer).where(Answer.inspection_id == inspection.id))}


# ----------------------------------------------------------------------------- start

def clean_submission_id(raw: Any) -> str:
    if not isinstance(raw, str) or not SUBMISSION_ID.fullmatch(raw):
        raise Invalid("The submission id is missing or malformed.",
                      problems=["submission_id: expected 8–64 letters, digits, '-' or '_'"])
    return raw


def start(user, inspection_id: int, submission_id: Any) -> Inspection:
    """Start the draft under the tablet's submission id (idempotent for the same id).

    A second start with another id is refused (409) naming the stored id, which the tablet
    then adopts. The visit moves to in_progress with its first started part."""
    submission_id = clean_submission_id(submission_id)
    inspection = get_inspection(user, inspection_id, "inspections.fill")
    for _attempt in range(2):
        if inspection.status != ASSIGNED:
            if inspection.submission_id == submission_id:
                return inspection
            raise ConflictWith("This inspection was already started on another device; its answers are kept there.",
                               {"submission_id": inspection.submission_id})
        if db.session.scalar(select(Inspection.id).where(Inspection.submission_id == submission_id)):
            raise Invalid("The submission id is already used.", problems=["submission_id: already used"])
        visit = lock_visit(inspection.visit_id)
        if visit.status in (CANCELLED, COMPLETED):
            raise Conflict("This visit is %(state)s; nothing can be submitted.", state=visit.status)
        try:
            with db.session.begin_nested():
                moved = state.apply(user, inspection, "start", values={
                    "submission_id": submission_id, "started_at": utcnow()},
                    after={"submission_id": submission_id})
        except IntegrityError:
            raise Invalid("The submission id is already used.", problems=["submission_id: already used"]) from None
        if moved:
            if visit.status == PLANNED:
                state.apply(user, visit, "start")
            return inspection
        inspection = get_inspection(user, inspection_id, "inspections.fill")
    raise Conflict("The inspection is being started elsewhere; try again.")


# ----------------------------------------------------------------------------- save one answer

def current_answer(row) -> dict:
    """The stored answer as a conflict shows it (``row``: an Answer or a row of its columns)."""
    if row is None:
        return {"value": None, "remark": None, "version": 0}
    return {"value": row.value or None, "remark": row.remark, "version": row.version}


def _stale(row: Answer | None) -> ConflictWith:
    return ConflictWith("Someone else changed this answer meanwhile; the stored answer is shown.",
                        {"current": current_answer(row)})


def _parse_save(checklist: Checklist, body: Any) -> tuple[str, str, str | None, int]:
    if not isinstance(body, dict):
        raise Invalid("The answer could not be read.", problems=["body: expected a JSON object"])
    item_id = body.get("item_id")
    item = items_by_id(checklist).get(item_id) if isinstance(item_id, str) else None
    if item is None:
        raise Invalid("The answer could not be saved.", problems=[f"{item_id}: unknown item"])
    version = whole_number(body.get("version", 0))
    if version is None:
        raise Invalid("The answer could not be saved.", problems=[f"{item.id}: version must be a whole number ≥ 0"])
    remark = body.get("remark")
    if remark is not None and not isinstance(remark, str):
        raise Invalid("The answer could not be saved.", problems=[f"{item.id}: remark must be text"])
    remark = (remark or "").strip() or None
    if remark and len(remark) > REMARK_MAX:
        raise Invalid("The answer could not be saved.", problems=[f"{item.id}: remark longer than {REMARK_MAX} characters"])
    value = body.get("value")
    if value is None or (isinstance(value, str) and not value.strip()):
        return item.id, "", remark, version          # a cleared answer
    text, problem = check_answer(item, value)
    if problem:
        raise Invalid("The answer could not be saved.", problems=[f"{item.id}: {problem}"])
    return item.id, text, remark, version


@dataclass(frozen=True)
class Saved:
    """What a save stored (or found already stored)."""
    item_id: str
    value: str
    remark: str | None
    version: int


def _stored_row(inspection_id: int, item_id: str):
    """(id, value, remark, version) of the stored answer, read afresh; None if there is none."""
    return db.session.execute(select(Answer.id, Answer.value, Answer.remark, Answer.version).where(
        Answer.inspection_id == inspection_id, Answer.item_id == item_id)).first()


def _answer_row(inspection_id: int, item_id: str):
    """The stored answer as this request first reads it (a test replaces it to stage a race)."""
    return _stored_row(inspection_id, item_id)


def _insert_new(values: dict) -> bool:
    """INSERT the first answer to an item unless one is there already (then False: another
    save won the race). No savepoint: ON CONFLICT DO NOTHING on both databases."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    stmt = (dialect_insert(Answer.__table__).values(**values)
            .on_conflict_do_nothing(index_elements=["inspection_id", "item_id"]).returning(Answer.__table__.c.id))
    return db.session.execute(stmt).first() is not None


def save_answer(user, inspection_id: int, body: Any) -> tuple[Saved, dict]:
    """Store one answer of a draft; returns what is stored and the progress/score summary.

    The write is one conditional statement (an INSERT that yields to an existing row, or an
    UPDATE ``… WHERE version = <the version the tablet saw>``): of two concurrent saves based
    on the same version one is stored, the other is refused with the stored answer."""
    inspection = get_inspection(user, inspection_id, "inspections.fill", lock="share")
    if inspection.status == SUBMITTED:
        raise Conflict("This inspection is submitted and can no longer be changed.")
    if inspection.status != DRAFT:
        raise Conflict("Start the inspection before answering.")
    checklist = checklist_of(inspection)
    item_id, value, remark, version = _parse_save(checklist, body)
    row = _answer_row(inspection.id, item_id)
    current = row.version if row is not None else 0
    if version != current or (row is not None and row.value == value and row.remark == remark):
        if row is not None and row.value == value and row.remark == remark:
            # A replayed save, or nothing changed: no new version.
            return Saved(item_id, row.value, row.remark, row.version), summary(inspection)
        raise _stale(row)
    now = utcnow()
    if row is None:
        stored = _insert_new(dict(inspection_id=inspection.id, item_id=item_id, value=value, remark=remark,
                                  updated_at=now, updated_by_id=user.id, version=1))
        new_version = 1
    else:
        table = Answer.__table__
        stored = db.session.execute(
            update(table).where(table.c.id == row.id, table.c.version == row.version)
            .values(value=value, remark=remark, updated_at=now, updated_by_id=user.id,
                    version=table.c.version + 1)).rowcount == 1
        new_version = row.version + 1
    if not stored:
        # Another save of the same item won the race (insert or update): refuse, show theirs.
        raise _stale(_stored_row(inspection.id, item_id))
    audit.record(user, "answer", "inspection", inspection.id,
                 before={"item": item_id, **current_answer(row)},
                 after={"item": item_id, "value": value or None, "remark": remark, "version": new_version})
    return Saved(item_id, value, remark, new_version), summary(inspection)
