"""Submitting a department part: exactly one record per submission id, however often the
tablet retries (TRUST.md finding 6).

* The same submission id with the same body → the first result, unchanged.
* The same id with a different body → 422; an id that is not this draft's → 422.
* While the first is in flight → 409 (PostgreSQL: the second request waits for the visit's
  row lock at most ``INSPECTIONS_SUBMIT_WAIT_MS``, then answers 409; if the first finishes
  in time, the second simply gets its result).
* The claim is a conditional UPDATE (``status = 'draft' AND submission_id = …``): of two
  concurrent submits one wins; the loser re-reads the row and replays the winner's result.

The body digest is the SHA-256 of the canonical JSON (sorted keys, answers as decimal text)
of the answers, remarks, representative's name and the SHA-256 of each decoded signature.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from ...core import files, jobs
from ...core.errors import Conflict, Invalid
from ...core.types import utcnow
from ...domain import scoring
from ...extensions import db
from ..models import (ASSIGNED, CANCELLED, COMPLETED, DRAFT, IN_PROGRESS, PLANNED, SUBMITTED, Answer,
                      Evidence, Inspection, Visit)
from . import state
from .common import checklist_of, get_inspection, lock_visit
from .filling import REMARK_MAX, VALUE_MAX, answers_of, clean_submission_id, read_value, stored_text

SIGNERS = ("inspector", "representative")
NAME_MAX = 80
FOLLOW_UP = {  # visit kind → (job name, key prefix): work for the next features
    "inspection": ("rectification.open_findings", "findings"),
    "grading": ("grading.record_evaluation", "evaluation"),
}


@dataclass(frozen=True)
class Body:
    submission_id: str
    answers: dict[str, Any]          # as sent
    answers_text: dict[str, str]     # canonical text per item (for the digest)
    remarks: dict[str, str]          # non-empty remarks only
    representative_name: str
    signatures: dict[str, str]       # data URLs as sent
    digest: str


def _canonical_answer(value: Any) -> str:
    read = read_value(value)
    if read.kind == "number":
        return scoring.number_text(read.number)
    if isinstance(value, str):
        return value.strip()
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def body_digest(answers_text: dict[str, str], remarks: dict[str, str], representative_name: str,
                signature_hashes: dict[str, str]) -> str:
    canonical = {"answers": answers_text, "remarks": remarks, "representative_name": representative_name,
                 "signatures": signature_hashes}
    data = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def parse_body(raw: Any) -> Body:
    """The submit body's shape (its content is checked later, against the checklist)."""
    if not isinstance(raw, dict):
        raise Invalid("The submission could not be read.", problems=["body: expected a JSON object"])
    submission_id = clean_submission_id(raw.get("submission_id"))
    problems = []
    answers = raw.get("answers")
    if not isinstance(answers, dict):
        problems.append("answers: expected an object of item id → answer")
        answers = {}
    remarks_raw = raw.get("remarks") or {}
    if not isinstance(remarks_raw, dict):
        problems.append("remarks: expected an object of item id → text")
        remarks_raw = {}
    remarks = {}
    for key, value in remarks_raw.items():
        if value is None:
            continue
        if not isinstance(value, str):
            problems.append(f"{key}: remark must be text")
        elif value.strip():
            remarks[key] = value.strip()
    name = raw.get("representative_name") or ""
    if not isinstance(name, str):
        problems.append("representative_name: must be text")
        name = ""
    signatures = raw.get("signatures") or {}
    if not isinstance(signatures, dict):
        problems.append("signatures: expected an object with inspector and representative")
        signatures = {}
    if problems:
        raise Invalid("The submission could not be read.", problems=problems)
    answers_text = {key: _canonical_answer(value) for key, value in answers.items()}
    hashes = {who: files.signature_digest(signatures.get(who)) for who in SIGNERS}
    return Body(submission_id, answers, answers_text, remarks, name.strip(), dict(signatures),
                body_digest(answers_text, remarks, name.strip(), hashes))


def _replayed(inspection: Inspection, body: Body) -> dict | None:
    """The first result when this is a repeat of the submission that made the record; None
    when the draft is open for this id; 422 otherwise."""
    if inspection.status == SUBMITTED:
        if inspection.submission_id != body.submission_id:
            raise Invalid("This inspection was already submitted under another submission id.",
                          problems=["submission_id: not the id this inspection was submitted with"])
        if inspection.body_digest != body.digest:
            raise Invalid("This submission id was already used with different content; the first submission stands.",
                          problems=["submission_id: already submitted with a different body"])
        return inspection.result
    if inspection.submission_id is not None and inspection.submission_id != body.submission_id:
        raise Invalid("The submission id is not this draft's; reload the form.",
                      problems=["submission_id: unknown or stale for this inspection"])
    return None


def _validate(inspection: Inspection, body: Body) -> tuple[scoring.Score, dict[str, str]]:
    checklist = checklist_of(inspection)
    problems: list[str] = []
    mapping, texts = {}, {}
    for key, value in body.answers.items():
        read = read_value(value)
        mapping[key] = read.number if read.kind == "number" else value
    result = None
    try:
        result = scoring.score(checklist, mapping)
    except scoring.InvalidResponses as exc:
        problems.extend(exc.problems)
    if result is not None:
        for item_score in result.items:
            texts[item_score.id] = stored_text(read_value(mapping[item_score.id]))
            if len(texts[item_score.id]) > VALUE_MAX:
                problems.append(f"{item_score.id}: too many digits")
    known = {item.id for item in checklist.items}
    for key, remark in body.remarks.items():
        if key not in known:
            problems.append(f"{key}: remark for an unknown item")
        elif len(remark) > REMARK_MAX:
            problems.append(f"{key}: remark longer than {REMARK_MAX} characters")
    if not body.representative_name:
        problems.append("representative_name: the institution's representative must be named")
    elif len(body.representative_name) > NAME_MAX:
        problems.append(f"representative_name: longer than {NAME_MAX} characters")
    for who in SIGNERS:
        if not files.signature_digest(body.signatures.get(who)):
            problems.append(f"signatures.{who}: missing or not a PNG drawing")
    if problems:
        raise Invalid("The inspection could not be submitted.", problems=problems)
    return result, texts


def _missing_evidence(inspection: Inspection, result: scoring.Score) -> list[str]:
    """Items whose ``evidence`` rule wants a photo that is not there (photo_always; photo_on_fail
    when the item failed)."""
    have = dict(db.session.execute(select(Evidence.item_id, func.count()).where(
        Evidence.inspection_id == inspection.id).group_by(Evidence.item_id)).all())
    failed = set(result.failed)
    out = []
    for item in checklist_of(inspection).items:
        needed = item.evidence == "photo_always" or (item.evidence == "photo_on_fail" and item.id in failed)
        if needed and not have.get(item.id):
            out.append(f"{item.id}: " + ("a photo is required" if item.evidence == "photo_always"
                                         else "a photo is required when the item fails"))
    return out


def _lock_visit_for_submit(visit_id: int) -> Visit:
    """The visit row lock that serialises its parts' submits; waits a bounded time on PostgreSQL."""
    if db.session.get_bind().dialect.name != "postgresql":
        return lock_visit(visit_id)
    wait_ms = int(current_app.config.get("INSPECTIONS_SUBMIT_WAIT_MS", 5000))
    db.session.execute(text(f"SET LOCAL lock_timeout = {wait_ms}"))
    try:
        with db.session.begin_nested():
            return lock_visit(visit_id)
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) == "55P03":   # lock_not_available
            raise Conflict("This inspection is being submitted right now; try again in a moment.") from None
        raise
    finally:
        db.session.execute(text("SET LOCAL lock_timeout = DEFAULT"))


def _store_answers(user, inspection: Inspection, texts: dict[str, str], remarks: dict[str, str]) -> None:
    now = utcnow()
    existing = answers_of(inspection)
    for item_id, value in texts.items():
        remark = remarks.get(item_id)
        row = existing.get(item_id)
        if row is None:
            db.session.add(Answer(inspection_id=inspection.id, item_id=item_id, value=value, remark=remark,
                                  updated_at=now, updated_by_id=user.id))
        elif row.value != value or row.remark != remark:
            row.value, row.remark, row.updated_at, row.updated_by_id = value, remark, now, user.id
    db.session.flush()


def submit(user, inspection_id: int, raw_body: Any) -> tuple[Inspection, dict]:
    """Submit a part: validate, claim, store the final answers and signatures, score, make it
    read-only, enqueue the follow-up job and complete the visit with its last part.
    Returns (inspection, the engine's result)."""
    body = parse_body(raw_body)
    inspection = get_inspection(user, inspection_id, "inspections.fill")
    first = _replayed(inspection, body)
    if first is not None:
        return inspection, first
    result, texts = _validate(inspection, body)

    visit = _lock_visit_for_submit(inspection.visit_id)
    inspection = get_inspection(user, inspection_id, "inspections.fill")     # fresh, after the wait
    first = _replayed(inspection, body)
    if first is not None:
        return inspection, first
    if visit.status in (CANCELLED, COMPLETED):
        raise Conflict("This visit is %(state)s; nothing can be submitted.", state=visit.status)
    if inspection.status == ASSIGNED:             # a tablet offline since before its start
        try:
            with db.session.begin_nested():
                started = state.apply(user, inspection, DRAFT, expect={"submission_id": None}, values={
                    "submission_id": body.submission_id, "started_at": utcnow()},
                    after={"submission_id": body.submission_id})
        except IntegrityError:
            raise Invalid("The submission id is already used.", problems=["submission_id: already used"]) from None
        if not started:
            raise Conflict("This inspection is being submitted right now; try again in a moment.")
        if visit.status == PLANNED:
            state.apply(user, visit, IN_PROGRESS)
            visit = lock_visit(visit.id)

    checklist = checklist_of(inspection)
    contract = scoring.to_contract_dict(result, checklist)
    claimed = state.apply(user, inspection, SUBMITTED, expect={"submission_id": body.submission_id}, values={
        "body_digest": body.digest, "submitted_at": utcnow(), "submitted_by_id": user.id,
        "result": contract, "total": Decimal(str(contract["total"])), "level": contract["level"],
        "failed_count": len(contract["failed"]), "veto_count": len(contract["vetoes"]),
        "representative_name": body.representative_name,
    }, after={"submission_id": body.submission_id, "body_digest": body.digest, "total": contract["total"],
              "level": contract["level"], "failed": contract["failed"], "vetoes": contract["vetoes"]})
    if not claimed:
        raise Conflict("This inspection is being submitted right now; try again in a moment.")
    missing = _missing_evidence(inspection, result)
    if missing:
        raise Invalid("Photos are missing for some items.", problems=missing)

    signature = {who: files.store_signature(body.signatures[who], user, where=f"signatures.{who}")
                 for who in SIGNERS}
    _store_answers(user, inspection, texts, body.remarks)
    inspection.inspector_signature_id = signature["inspector"].id
    inspection.representative_signature_id = signature["representative"].id
    db.session.flush()

    name, prefix = FOLLOW_UP[visit.kind]
    jobs.enqueue(name, {"inspection_id": inspection.id}, key=f"{prefix}:{inspection.id}")
    open_parts = db.session.scalar(select(func.count()).select_from(Inspection).where(
        Inspection.visit_id == visit.id, Inspection.status != SUBMITTED))
    if not open_parts and visit.status == IN_PROGRESS:
        state.apply(user, visit, COMPLETED, values={"completed_at": utcnow()})
    return inspection, contract
