"""Importing a commissioned assessor's evaluation (.xlsx or .csv): all or nothing.

One row per checklist item with the columns item id (条目编号), answer (评定结果) and an
optional remark (备注); headers in Chinese or English; the template's descriptive columns
(.import_template) may stay. Answers are 合格 / 不合格 / 不适用 (or pass / fail / na) or numbers. Every answer is checked against the
grading checklist in force exactly as the engine checks answers; every problem is reported
with its spreadsheet row (the header is row 1) and column. A file with any problem changes
nothing. A good file becomes a completed grading visit (source ``application:<id>``) with a
submitted inspection (source ``assessor_import``) and its answers, then an evaluated grade
record.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..auth import policy
from ..checklists import catalogue
from ..checklists.services import store_version
from ..core import audit
from ..core.errors import Conflict, Invalid
from ..core.spreadsheet import Bounds
from ..core.types import utcnow
from ..domain.grading import lifecycle as life
from ..domain.checklist.model import Checklist
from ..domain.plain_text import forbidden_character
from ..domain.scoring.single import (NA, InvalidResponses, answer_problem, answer_value, number_text,
                              read_answer_text, score, to_contract_dict)
from ..domain.translatable import N_, Message
from ..domain.units import sign_problem
from ..extensions import db
from ..inspections.models import COMPLETED, SUBMITTED, Answer, Inspection, Visit
from ..registry.importing import ImportProblem, read_table
from . import policy as policies
from .models import GradeApplication, GradeRecord
from .records import record_evaluation

COLUMNS = {
    "item": ("item", "item id", "item_id", "条目编号", "项目编号", "编号"),
    "answer": ("answer", "value", "result", "评定结果", "结果", "答案"),
    "remark": ("remark", "remarks", "note", "备注"),
    # The template's descriptive columns (.import_template), read past on import.
    "section": ("section", "章节"),
    "text": ("text", "item text", "条目内容"),
    "type": ("type", "类型"),
    "points": ("points", "分值"),
    "allowed": ("allowed answers", "可填答案"),
}
TEMPLATE_HEADER = ("条目编号", "章节", "条目内容", "类型", "分值", "可填答案", "评定结果", "备注")
# Answer words an assessor may write, in Chinese or English (any case): the stored word.
ANSWER_WORDS = {"合格": "pass", "不合格": "fail", "不适用": "na", "pass": "pass", "fail": "fail", "na": "na"}
HEADER_TO_COLUMN = {alias.lower(): key for key, aliases in COLUMNS.items() for alias in aliases}
LABEL = {"item": "条目编号 (item)", "answer": "评定结果 (answer)", "remark": "备注 (remark)"}
FILE = Message(N_("file"))         # the column of a problem of the whole file
MAX_ROWS = 2000
# Checked before a file is parsed (core.spreadsheet): the header and MAX_ROWS rows of three
# columns, with room for a few more (reported as unknown).
BOUNDS = Bounds(rows=MAX_ROWS + 1, columns=20, cells=(MAX_ROWS + 1) * 6, file_bytes=2 * 1024 * 1024,
                xml_bytes=16 * 1024 * 1024)
REMARK_MAX = 2000


@dataclass(frozen=True)
class Row:
    row: int
    item_id: str
    value: str            # the answer as stored: a word or the number's text
    remark: str | None


def grading_checklist(today: date, scheme: str | None = None) -> Checklist:
    """The grading checklist of ``scheme``'s policy in force (default: the stars)."""
    checklist = catalogue.get(policies.in_force(today, scheme).checklist)
    if checklist is None or checklist.kind != "grading":
        raise Conflict("The grading checklist named in the grading policy is not in the catalogue.")
    return checklist


def validate(frame, checklist: Checklist) -> tuple[list[Row], list[ImportProblem]]:
    """Every row checked; (rows, problems) — rows are usable only when problems is empty."""
    problems: list[ImportProblem] = []
    columns: dict[str, str] = {}
    for header in frame.columns:
        key = HEADER_TO_COLUMN.get(str(header).strip().lower())
        if key is None:
            problems.append(ImportProblem(1, str(header), Message(N_("unknown column; expected %(columns)s"),
                                                                  columns=", ".join(LABEL.values()))))
        elif key in columns.values():
            problems.append(ImportProblem(1, str(header), Message(N_("column %(column)s appears twice"),
                                                                  column=LABEL[key])))
        else:
            columns[str(header)] = key
    for required in ("item", "answer"):
        if required not in columns.values():
            problems.append(ImportProblem(1, LABEL[required], Message(N_("required column is missing"))))
    if problems:
        return [], problems
    if len(frame) > MAX_ROWS:
        return [], [ImportProblem(0, FILE, Message(N_("at most %(n)s rows per file"), n=MAX_ROWS))]
    items = {item.id: item for item in checklist.items}
    seen: dict[str, int] = {}
    rows: list[Row] = []
    for index, record in enumerate(frame.rename(columns=columns).to_dict("records")):
        row_no = index + 2
        item_id = str(record.get("item", "")).strip()
        text = str(record.get("answer", "")).strip()
        remark = str(record.get("remark", "") or "").strip()
        if not item_id and not text and not remark:
            continue                                  # a blank line
        refused = [(key, char) for key, char in (("item", forbidden_character(item_id)),
                                                 ("answer", forbidden_character(text)),
                                                 ("remark", forbidden_character(remark))) if char]
        for key, char in refused:
            problems.append(ImportProblem(row_no, LABEL[key], Message(N_("contains a control character (%(char)s)"), char=char)))
        if refused:
            seen.setdefault(item_id, row_no)          # answered, wrongly: not "missing" too
            continue
        item = items.get(item_id)
        if not item_id:
            problems.append(ImportProblem(row_no, LABEL["item"], Message(N_("no item id"))))
        elif item is None:
            problems.append(ImportProblem(row_no, LABEL["item"], Message(
                N_("%(item)s: unknown item of %(checklist)s %(version)s"), item=item_id,
                checklist=checklist.id, version=checklist.version)))
        elif item_id in seen:
            problems.append(ImportProblem(row_no, LABEL["item"], Message(
                N_("%(item)s: answered twice (first on row %(row)s)"), item=item_id, row=seen[item_id])))
            item = None
        else:
            seen[item_id] = row_no
        if len(remark) > REMARK_MAX:
            problems.append(ImportProblem(row_no, LABEL["remark"], Message(N_("at most %(n)s characters"),
                                                                           n=REMARK_MAX)))
        if item is None:
            continue
        read = read_answer_text(ANSWER_WORDS.get(text.lower(), text))
        if not text:
            problems.append(ImportProblem(row_no, LABEL["answer"], Message(N_("%(item)s: no answer"), item=item_id)))
            continue
        problem = answer_problem(item, read) or (sign_problem(item, read.number) if read.kind == "number" else None)
        if problem:
            problems.append(ImportProblem(row_no, LABEL["answer"], Message(N_("%(item)s: %(problem)s"),
                                                                           item=item_id, problem=problem)))
            continue
        value = answer_value(read)
        rows.append(Row(row_no, item_id, value if isinstance(value, str) else number_text(value),
                        remark or None))
    if not seen and not problems:
        return [], [ImportProblem(2, FILE, Message(N_("the file has no rows")))]
    missing = [item.id for item in checklist.items if item.id not in seen]
    if missing:
        problems.append(ImportProblem(0, FILE, Message(N_("items not answered: %(items)s"),
                                                       items=", ".join(missing))))
    elif not problems and all(r.value == NA for r in rows):
        problems.append(ImportProblem(0, FILE, Message(N_('no applicable item (every answer is "na")'))))
    return rows, problems


def _importable(application: GradeApplication) -> None:
    if application.state == life.ACCEPTED:
        return
    if application.state == life.APPLICATION_EVALUATED:
        states = [r.state for r in application.records]
        if states and states[-1] == life.REJECTED:
            return                      # evaluated again after a rejected record
    raise Conflict("An evaluation can be imported for an accepted application only.")


def import_evaluation(user, application_id: int, stream: bytes, filename: str,
                      today: date) -> GradeRecord:
    """Validate the whole file, then store the evaluation and its record, or raise
    :class:`Invalid` with every problem and store nothing."""
    policy.require(user, "grading.manage")
    application = policy.get_visible(GradeApplication, application_id, user)
    _importable(application)
    checklist = grading_checklist(today, application.scheme)
    frame = read_table(stream, filename, BOUNDS)
    rows, problems = validate(frame, checklist)
    if problems:
        raise Invalid("The file was not imported; nothing was changed.", problems=problems)
    try:
        result = score(checklist, {r.item_id: _engine_value(r.value) for r in rows})
    except InvalidResponses as exc:       # validation above should have found these
        raise Invalid("The file was not imported; nothing was changed.",
                      problems=[ImportProblem(0, "file", p) for p in exc.problems]) from None
    now = utcnow()
    version = store_version(checklist, user)
    visit = Visit(institution_id=application.institution_id, kind="grading", purpose="grading",
                  scheduled_for=today, status=COMPLETED, source=f"application:{application.id}",
                  note=f"assessor import: {filename}"[:2000], created_by_id=user.id,
                  created_at=now, completed_at=now)
    contract = to_contract_dict(result, checklist)
    inspection = Inspection(department=checklist.department, checklist_version_id=version.id,
                            status=SUBMITTED, source="assessor_import", started_at=now,
                            submitted_at=now, submitted_by_id=user.id, result=contract,
                            total=contract["total"], level=result.level,
                            failed_count=len(result.failed), veto_count=len(result.vetoes))
    visit.inspections.append(inspection)
    db.session.add(visit)
    db.session.flush()
    db.session.add_all([Answer(inspection_id=inspection.id, item_id=r.item_id, value=r.value,
                               remark=r.remark, updated_at=now, updated_by_id=user.id)
                        for r in rows])
    db.session.flush()
    audit.record(user, "import", "visit", visit.id, after={
        **audit.snapshot(visit), "inspection_id": inspection.id, "answers": len(rows),
        "checklist": checklist.id, "version": checklist.version, "total": contract["total"],
        "level": result.level}, reason=f"assessor import {filename}")
    db.session.refresh(inspection)
    return record_evaluation(inspection, user, today)


def _engine_value(text: str):
    if text in ("pass", "fail", "na"):
        return text
    from fractions import Fraction
    return Fraction(text)

