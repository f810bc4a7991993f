"""Pages of the grading feature (HTTP only: parse → service → commit once → render).

Bureau (grading.manage): applications, evaluation import, records, 公示, objections,
confirmation, credit records, re-grade. Institution staff: apply, their applications and
grade history. Public (no log-in): current grades with open data, 公示 with objections.
"""
from __future__ import annotations

from functools import partial

from flask import (Blueprint, Response, current_app, flash, jsonify, redirect, render_template,
                   request, url_for)
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.policy import can, permission_required, public
from ..core.forms import options
from ..core import audit, opendata
from ..core.replica import reads_replica
from ..core.errors import Invalid
from ..core.spreadsheet import xlsx_response
from ..core.types import utcnow
from ..domain.display import one_decimal
from ..core.web import refusal
from ..domain.grading import lifecycle as life
from ..domain.grading import schemes
from ..core.whole_numbers import whole_number, whole_numbers
from ..extensions import db
from . import applications, importing, public as open_data, records, regrade
from .models import GradeRecord
from .import_template import template_for
from . import labels as labels_of
from .policy import in_force, scheme_of_checklist as policy_scheme_of_checklist, schemes as policy_schemes
from . import evaluations
from .forms import (ApplyForm, EvaluationImportForm, NoteForm, ObjectionDecisionForm, ObjectionForm,
                    SanctionForm, ScheduleEvaluationForm, StartRegradeForm)

bp = Blueprint("grading", __name__, url_prefix="/grading")


@bp.app_template_global("grading_state")
def grading_state(code: str) -> str:
    return str(labels_of.state(code))


@bp.app_template_global("a_level")
def a_level(level) -> str:
    """An A-level as written in every language: 4 → "4A"."""
    return schemes.a_label(level) or ""


@bp.app_template_global("checklist_scheme")
def checklist_scheme(checklist_id: str) -> str:
    """The rating whose policy in force grades with this checklist (the stars by default), so
    a checklist page writes its levels as stars or as A-levels."""
    return policy_scheme_of_checklist(checklist_id, _today())


@bp.app_template_global("grading_scheme")
def grading_scheme(code: str | None) -> str:
    return str(labels_of.scheme(code))


@bp.app_template_global("grading_note")
def grading_note(note: str | None):
    return labels_of.event_note(note)


@bp.app_template_global("grading_action")
def grading_action(code: str) -> str:
    return str(labels_of.action(code))


def _today():
    return records.local_today()


def _page() -> int:
    """The ``page`` query argument (ASCII digits; paging clamps the top), 1 otherwise."""
    return whole_number(request.args.get("page")) or 1


def _form_refused(form) -> None:
    """Flash a form's own validation errors, each located at its field."""
    for name, errors in form.errors.items():
        label = getattr(getattr(form, name, None), "label", None)
        for error in errors:
            flash(f"{label.text if label else name}: {error}", "error")


#: The edge of this feature's pages: a refusal flashed, each problem after its field's label
#: (the form's, else labels.FIELDS), an eligibility rule not met by its own message.
_refusal = partial(refusal, labels=labels_of.FIELDS)


# Overview -----------------------------------------------------------------------------------

@bp.route("/")
@permission_required("grading.view")
def index():
    today, now = _today(), utcnow()
    if can(current_user, "grading.apply"):      # an institution: its own grade and applications
        own = current_user.institution_id
        shown = records.displayed_grades([own], today, now)[own]
        return render_template("grading/mine.html", shown=shown, history=records.history_of(own),
                               apps=applications.search(current_user, per_page=50).items)
    expiring = records.grades_expiring(in_force(today).expiry_warning_days, today)
    return render_template("grading/index.html", counts=records.state_counts(current_user),
                           expiring=expiring)


# Applications -------------------------------------------------------------------------------

@bp.route("/apply", methods=["GET", "POST"])
@permission_required("grading.apply")
def apply():
    form = ApplyForm()
    today, now = _today(), utcnow()
    status = 200
    checked = None
    offered = applications.offered_schemes(current_user, today)
    scheme = offered[0] if offered else schemes.DEFAULT      # outside every scope: the scope rule says why
    if scheme == schemes.A_LEVEL:
        form.level.choices = options([(str(n), schemes.a_label(n)) for n in range(1, 6)])
    if request.method == "GET":
        asked = request.args.get("level")
        valid = asked if asked and whole_number(asked) in range(1, 6) else None
        checked = applications.eligibility(current_user, whole_number(valid) if valid else None, today, now,
                                           scheme)
        form.level.data = valid or str(checked[1])
        if asked and not valid:
            flash(f"{form.level.label.text}: {_('choose a level from 1 to 5')}", "error")
            status = 422
    level = whole_number(form.level.data) or 0
    if request.method == "POST" and form.validate_on_submit():
        with _refusal(form) as refused:
            application = applications.apply(current_user, form.level.data, form.self_score.data,
                                             form.self_assessment.data, today, now, scheme)
        if refused:
            status = refused.status
        else:
            db.session.commit()
            flash(_("Application submitted."), "info")
            return redirect(url_for("grading.application", grade_application_id=application.id))
    elif request.method == "POST":
        status = 400
    result, cap = checked or applications.eligibility(current_user, max(level, 1), today, now, scheme)
    return render_template("grading/apply.html", form=form, result=result, cap=cap, scheme=scheme), status


@bp.route("/applications")
@permission_required("grading.view")
def applications_list():
    state = request.args.get("state", "")
    page = applications.search(current_user, state, page=_page())
    return render_template("grading/applications.html", page=page, state=state,
                           states=life.APPLICATION_STATES)


@bp.route("/applications/<int:grade_application_id>")
@permission_required("grading.view")
def application(grade_application_id: int):
    return _application_page(applications.get(current_user, grade_application_id))


def _application_page(app_row, schedule_form=None, status: int = 200):
    history = audit.history("grade_application", app_row.id) \
        if can(current_user, "audit.view") else []
    schedule_form = schedule_form or ScheduleEvaluationForm()
    visits = evaluations.visits_of(app_row)
    may_schedule = evaluations.may_schedule(current_user, app_row, visits)
    if may_schedule:
        schedule_form.assessor_ids.choices = options(evaluations.assessor_choices(current_user))
    return render_template("grading/application.html", a=app_row, history=history,
                           note_form=NoteForm(), visits=visits, may_schedule=may_schedule, schedule_form=schedule_form,
                           opens=evaluations.openable(current_user, app_row, visits)), status


@bp.route("/applications/<int:grade_application_id>/evaluation", methods=["POST"])
@permission_required("grading.manage")
def schedule_evaluation(grade_application_id: int):
    form = ScheduleEvaluationForm()
    on = form.on.data if form.on.validate(form) else None
    ids = whole_numbers(request.form.getlist("assessor_ids"))
    lead_text = request.form.get("assessor_lead", "")
    lead = (whole_number(lead_text) or 0) if lead_text else None
    with _refusal(form) as refused:
        if ids is None:
            raise Invalid("The evaluation could not be scheduled.",
                          problems=[("assessor_ids", "not a valid choice")])
        evaluations.schedule_evaluation(current_user, grade_application_id, on, ids, _today(), lead=lead)
    if refused:
        app_row = applications.get(current_user, grade_application_id)
        return _application_page(app_row, form, refused.status)
    db.session.commit()
    flash(_("The on-site evaluation was scheduled."), "info")
    return redirect(url_for("grading.application", grade_application_id=grade_application_id))


def _application_action(grade_application_id: int, action) -> Response:
    with _refusal() as refused:
        action()
    if refused:
        return redirect(url_for("grading.application", grade_application_id=grade_application_id))
    db.session.commit()
    flash(_("Saved."), "info")
    return redirect(url_for("grading.application", grade_application_id=grade_application_id))


@bp.route("/applications/<int:grade_application_id>/withdraw", methods=["POST"])
@permission_required("grading.apply")
def withdraw(grade_application_id: int):
    NoteForm().validate_on_submit()
    return _application_action(grade_application_id,
                               lambda: applications.withdraw(current_user, grade_application_id))


@bp.route("/applications/<int:grade_application_id>/accept", methods=["POST"])
@permission_required("grading.manage")
def accept(grade_application_id: int):
    return _application_action(grade_application_id, lambda: applications.accept(
        current_user, grade_application_id, _today(), utcnow()))


@bp.route("/applications/<int:grade_application_id>/decline", methods=["POST"])
@permission_required("grading.manage")
def decline(grade_application_id: int):
    note = request.form.get("note", "")
    return _application_action(grade_application_id, lambda: applications.decline(
        current_user, grade_application_id, note))


@bp.route("/applications/<int:grade_application_id>/import", methods=["GET", "POST"])
@permission_required("grading.manage")
def import_evaluation(grade_application_id: int):
    app_row = applications.get(current_user, grade_application_id)
    form = EvaluationImportForm()
    problems = []
    if form.validate_on_submit():
        upload = form.file.data
        with _refusal(problems=False) as refused:
            record = importing.import_evaluation(current_user, grade_application_id, upload.read(),
                                                 upload.filename or "", _today())
        if refused:
            return render_template("grading/import.html", form=form, a=app_row,
                                   problems=refused.error.problems), 422
        db.session.commit()
        flash(_("Evaluation imported: %(total)s points, level %(level)s.", total=one_decimal(record.total),
                level=schemes.label(record.scheme, record.level) or "-"), "info")
        return redirect(url_for("grading.record", grade_record_id=record.id))
    return render_template("grading/import.html", form=form, a=app_row, problems=problems)


@bp.route("/import-template.xlsx")
@permission_required("grading.manage")
def import_template():
    asked = request.args.get("scheme", "")
    data, filename = template_for(current_user, _today(), asked if asked in policy_schemes() else None)
    return xlsx_response(data, filename, "grading-template.xlsx")


# Records ------------------------------------------------------------------------------------

@bp.route("/records")
@permission_required("grading.view")
def records_list():
    state = request.args.get("state", "")
    differs = request.args.get("differs") == "1"
    page = records.search_records(current_user, state, differs,
                                  page=_page())
    return render_template("grading/records.html", page=page, state=state, differs=differs,
                           states=life.RECORD_STATES)


@bp.route("/records/<int:grade_record_id>")
@permission_required("grading.view")
def record(grade_record_id: int):
    row = records.get_record(current_user, grade_record_id)
    today = _today()
    shown = records.displayed_grades([row.institution_id], today, utcnow())[row.institution_id]
    bureau = can(current_user, "grading.manage")   # decides objections
    return render_template(
        "grading/record.html", r=row, shown=shown, bureau=bureau, note_form=NoteForm(),
        decision_form=ObjectionDecisionForm(), objections=row.objections if bureau else [],
        actions=life.RECORD.events_from(row.state), today=today)


def _record_action(grade_record_id: int, action) -> Response:
    with _refusal() as refused:
        action()
    if refused:
        return redirect(url_for("grading.record", grade_record_id=grade_record_id))
    db.session.commit()
    flash(_("Saved."), "info")
    return redirect(url_for("grading.record", grade_record_id=grade_record_id))


@bp.route("/records/<int:grade_record_id>/publish", methods=["POST"])
@permission_required("grading.manage")
def publish(grade_record_id: int):
    response = _record_action(grade_record_id, lambda: records.publish(current_user, grade_record_id, _today()))
    record = db.session.get(GradeRecord, grade_record_id)
    years = records.provisional_years(record) if record is not None and record.state == "publicised" else ()
    if years:
        flash(_("The end of the public notice was counted without the holiday notice for %(years)s "
                "(Monday to Friday only): check it once that notice is loaded.",
                years=", ".join(map(str, years))), "info")
    return response


@bp.route("/records/<int:grade_record_id>/confirm", methods=["POST"])
@permission_required("grading.manage")
def confirm(grade_record_id: int):
    note = request.form.get("note", "").strip() or None
    return _record_action(grade_record_id, lambda: records.confirm(
        current_user, grade_record_id, _today(), note))


@bp.route("/records/<int:grade_record_id>/reject", methods=["POST"])
@permission_required("grading.manage")
def reject(grade_record_id: int):
    note = request.form.get("note", "")
    return _record_action(grade_record_id, lambda: records.reject(current_user, grade_record_id, note))


@bp.route("/records/<int:grade_record_id>/revoke", methods=["POST"])
@permission_required("grading.manage")
def revoke(grade_record_id: int):
    note = request.form.get("note", "")
    return _record_action(grade_record_id, lambda: records.revoke(current_user, grade_record_id, note))


@bp.route("/records/<int:grade_record_id>/acknowledge", methods=["POST"])
@permission_required("grading.manage")
def acknowledge(grade_record_id: int):
    note = request.form.get("note", "").strip() or None
    return _record_action(grade_record_id, lambda: records.acknowledge_regrade(
        current_user, grade_record_id, note))


@bp.route("/objections")
@permission_required("grading.manage")
def objections():
    state = request.args.get("state", "open")
    return render_template("grading/objections.html", rows=records.objections(current_user, state),
                           state=state, decision_form=ObjectionDecisionForm())


@bp.route("/objections/<int:grade_objection_id>/decide", methods=["POST"])
@permission_required("grading.manage")
def decide_objection(grade_objection_id: int):
    with _refusal() as refused:
        objection = records.decide_objection(current_user, grade_objection_id,
                                             request.form.get("outcome", ""), request.form.get("note", ""))
    if refused:
        return redirect(url_for("grading.objections"))
    db.session.commit()
    flash(_("Saved."), "info")
    return redirect(url_for("grading.record", grade_record_id=objection.record_id))


@bp.route("/sanctions", methods=["GET", "POST"])
@permission_required("grading.manage")
def sanctions():
    form = SanctionForm()
    form.institution_id.choices = options(((str(i), name) for i, name in
                                           applications.institutions_for_choice(current_user)), data=True)
    status = 200
    if request.method == "POST" and not form.validate_on_submit():
        _form_refused(form)
        status = 422
    elif request.method == "POST":
        with _refusal(form, catch=(Invalid,)) as refused:
            applications.add_sanction(current_user, form.institution_id.data or "", form.kind.data,
                                      form.decided_on.data, form.until.data, form.reference.data,
                                      form.note.data)
        if refused:
            status = 422
        else:
            db.session.commit()
            flash(_("Saved."), "info")
            return redirect(url_for("grading.sanctions"))
    return render_template("grading/sanctions.html", form=form,
                           rows=applications.sanctions(current_user)), status


# Re-grade -----------------------------------------------------------------------------------

@bp.route("/regrade", methods=["GET", "POST"])
@permission_required("grading.manage")
def regrade_page():
    form = StartRegradeForm()
    if request.method == "POST" and form.validate_on_submit():
        job = regrade.start(current_user)
        db.session.commit()
        return redirect(url_for("grading.regrade_page", job=job.id))
    jobs = regrade.recent_jobs(current_user)
    return render_template("grading/regrade.html", form=form, jobs=jobs,
                           watched=whole_number(request.args.get("job")))


@bp.route("/regrade/<int:job_id>.json")
@permission_required("grading.manage")
def regrade_status(job_id: int):
    return jsonify(regrade.status(regrade.get_job(current_user, job_id)))


# Public (一公开) -----------------------------------------------------------------------------

def _public_filter() -> open_data.PublicFilter:
    a = request.args
    return open_data.PublicFilter(district=a.get("district", "")[:40], type=a.get("type", "")[:24],
                                  level=a.get("level", "")[:2], scheme=a.get("scheme", "")[:12])


@bp.route("/public/")
@public
@reads_replica
def public_grades():
    f = _public_filter()
    page, reasons = open_data.current_grades(f, _today(), utcnow(),
                                             page=_page())
    return render_template("grading/public_grades.html", page=page, reasons=reasons, f=f,
                           districts=open_data.districts())


@bp.route("/public/grades.<any(csv, xlsx, json):fmt>")
@public
@reads_replica
def public_download(fmt: str):
    f, now = _public_filter(), utcnow()
    rows = open_data.export_rows(f, _today(), now)
    about = opendata.publication(now, url_for("grading.public_data_about", _external=True),
                                 open_data.selection(f))
    return opendata.download(open_data.GRADES, fmt, rows, about)


@bp.route("/public/grades/about")
@public
@reads_replica
def public_data_about():
    return render_template("grading/public_data_about.html", dataset=open_data.GRADES, kinds=opendata.KINDS,
                           about=opendata.publication(utcnow(), request.base_url))


@bp.route("/public/notices")
@public
@reads_replica
def publicity_list():
    return render_template("grading/publicity_list.html", rows=open_data.in_publicity(_today()))


@bp.route("/public/notices/<int:grade_record_id>", methods=["GET", "POST"])
@public
@reads_replica
def publicity(grade_record_id: int):
    today = _today()
    row = open_data.publicised_record(grade_record_id, today)
    form = ObjectionForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            sender = open_data.sender_hash(request.remote_addr or "", current_app.config["SECRET_KEY"])
            with _refusal(form, catch=(Invalid,)) as refused:
                open_data.lodge_objection(grade_record_id, form.name.data, form.contact.data,
                                          form.text.data, sender, today)
            if refused:
                status = 422
            else:
                db.session.commit()
                flash(_("Your objection was received. The bureau will examine it."), "info")
                return redirect(url_for("grading.publicity", grade_record_id=grade_record_id))
        else:
            status = 400
    return render_template("grading/publicity.html", r=row, form=form), status
