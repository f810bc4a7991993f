"""Pages and JSON endpoints of the inspections feature (HTTP only: parse → service →
commit once → render). The tablet's endpoints are described in docs/offline.md;
their errors are JSON ``{"error", "problems"}`` for JSON requests, never an HTML 500."""
from __future__ import annotations

from pathlib import Path

from flask import (Blueprint, current_app, flash, redirect, render_template, request,
                   send_from_directory, url_for)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from ..auth.policy import permission_required, public
from ..core import files
from ..core.errors import DomainError, Invalid, problem
from ..core.inputs import json_body
from ..core.pdf import pdf_response, render_pdf
from ..core.spreadsheet import xlsx_response
from ..core.types import LOCAL_ZONE, local_today, utcnow
from ..core.web import refusal, translate, wants_json
from ..core.whole_numbers import whole_number
from ..domain.scoring.single import number_text
from ..extensions import db
from . import services
from .forms import PURPOSE_LABELS, VisitForm, build_inspection_form
from .services import listing
from .services.common import ConflictWith
from .form_texts import form_texts

bp = Blueprint("inspections", __name__, url_prefix="/inspections")


@bp.errorhandler(DomainError)
def domain_error(exc: DomainError):
    """Like the application's handler, plus the located problems and any conflict payload."""
    db.session.rollback()
    message = translate(exc.message, exc.params)
    problems = [p if isinstance(p, str) else str(problem(p)) for p in getattr(exc, "problems", [])]
    if wants_json():
        body = {"error": message, "problems": problems}
        if isinstance(exc, ConflictWith):
            body.update(exc.body)
        return body, exc.status
    return render_template("inspections/error.html", status=exc.status, message=message,
                           problems=problems), exc.status


# ----------------------------------------------------------------------------- lists and visits

@bp.route("/")
@permission_required("inspections.view")
def index():
    today = local_today()
    groups = services.my_work(current_user, today)
    return render_template("inspections/index.html", groups=groups, today=today, purposes=PURPOSE_LABELS)


@bp.route("/visits")
@permission_required("inspections.record")
def visits():
    query, choices = listing.visit_query(current_user, request.args)
    return render_template("inspections/visits.html", listing=listing.search_visits(current_user, query, choices),
                           purposes=PURPOSE_LABELS)


@bp.route("/visits.xlsx")
@permission_required("inspections.record")
def export_visits():
    query, _choices = listing.visit_query(current_user, request.args)
    data = listing.export_visits(current_user, query)
    db.session.commit()
    return xlsx_response(data, "检查任务.xlsx", "visits.xlsx")


@bp.route("/visits/new", methods=["GET", "POST"])
@permission_required("inspections.manage")
def new_visit():
    form = VisitForm()
    form.setup(services.AD_HOC_PURPOSES, services.institution_choices(current_user),
               services.inspector_choices(current_user),
               formdata=request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.scheduled_for.data = form.scheduled_for.data or local_today()
        if len(form.departments.choices) == 1:          # a department admin: their department
            form.departments.data = [form.departments.choices[0].value]
        if whole_number(request.args.get("institution_id")):
            form.institution_id.data = whole_number(request.args["institution_id"])
    elif form.validate_on_submit():
        with refusal(form, attach=True, catch=(Invalid,)) as refused:
            visit = services.create_visit(current_user, form.institution_id.data, form.scheduled_for.data,
                                          form.departments_value(), form.purpose.data,
                                          due_by=form.due_by.data, note=form.note.data,
                                          leads=form.leaders_value())
        if not refused:
            db.session.commit()
            flash(_("The visit was created and its inspectors can see it."), "info")
            return redirect(url_for("inspections.visit", visit_id=visit.id))
    return (render_template("inspections/new_visit.html", form=form),
            422 if request.method == "POST" else 200)


@bp.route("/visits/<int:visit_id>")
@permission_required("inspections.record")
def visit(visit_id: int):
    v = services.visit_detail(current_user, visit_id)
    return render_template("inspections/visit.html", visit=v, purposes=PURPOSE_LABELS,
                           openable=services.visible_parts(current_user, v),
                           on_team={p.id for p in v.inspections if services.on_team(current_user, p)},
                           cancellable=services.can_cancel(current_user, v),
                           obstruction=services.obstruction.of_visit(current_user, v),
                           may_record_obstruction=services.obstruction.may_record(current_user, v))


@bp.route("/visits/<int:visit_id>/obstruction", methods=["POST"])
@permission_required("inspections.obstruction")
def record_obstruction(visit_id: int):
    """The institution refused entry or obstructed the inspection (a blacklist trigger)."""
    with refusal(labels={"outcome": _("Outcome"), "note": _("What happened")}) as refused:
        services.obstruction.record(current_user, visit_id, request.form.get("outcome", ""),
                                    request.form.get("note", ""))
    if refused:
        return redirect(url_for("inspections.visit", visit_id=visit_id))
    db.session.commit()
    flash(_("Recorded. A blacklist proposal goes to the bureau, which decides it."), "info")
    return redirect(url_for("inspections.visit", visit_id=visit_id))


@bp.route("/visits/<int:visit_id>/cancel", methods=["POST"])
@permission_required("inspections.manage")
def cancel_visit(visit_id: int):
    with refusal(catch=(Invalid,)) as refused:
        services.cancel_visit(current_user, visit_id, request.form.get("reason", ""))
    if refused:
        return redirect(url_for("inspections.visit", visit_id=visit_id))
    db.session.commit()
    flash(_("The visit was called off."), "info")
    return redirect(url_for("inspections.visit", visit_id=visit_id))


# ----------------------------------------------------------------------------- the form

@bp.route("/<int:inspection_id>/form")
@permission_required("inspections.fill")
def form(inspection_id: int):
    inspection = services.for_filling(current_user, inspection_id)
    checklist = services.common.checklist_of(inspection)
    answers = services.answers_of(inspection)
    _form, controls = build_inspection_form(checklist, answers)
    return render_template("inspections/form.html", inspection=inspection, checklist=checklist,
                           answers=answers, controls=controls, summary=services.summary(inspection),
                           evidence=services.evidence_by_item(inspection.id), num=number_text,
                           on_spot_items=services.on_spot_items(checklist),
                           on_spot=services.on_spot_marks(inspection.id), on_spot_note_max=services.ON_SPOT_NOTE_MAX,
                           form_texts=form_texts())


@bp.route("/<int:inspection_id>/start", methods=["POST"])
@permission_required("inspections.fill")
def start(inspection_id: int):
    inspection = services.start(current_user, inspection_id, json_body().get("submission_id"))
    db.session.commit()
    return {"submission_id": inspection.submission_id, "status": inspection.status}


@bp.route("/<int:inspection_id>/answers", methods=["POST"])
@permission_required("inspections.fill")
def save_answer(inspection_id: int):
    row, summary = services.save_answer(current_user, inspection_id, json_body())
    db.session.commit()
    return {"item_id": row.item_id, "version": row.version, **summary}


def _evidence_json(inspection_id: int, row) -> dict:
    return {"id": row.id, "item_id": row.item_id, "client_id": row.client_id, "stage": row.stage,
            "url": url_for("inspections.evidence_file", inspection_id=inspection_id, evidence_id=row.id),
            "thumbnail_url": url_for("inspections.evidence_file", inspection_id=inspection_id,
                                     evidence_id=row.id, thumb=1)}


@bp.route("/<int:inspection_id>/evidence", methods=["POST"])
@permission_required("inspections.fill")
def upload_evidence(inspection_id: int):
    row, created = services.upload_evidence(current_user, inspection_id, request.form.get("item_id"),
                                            request.form.get("client_id"), request.files.get("file"),
                                            request.form.get("stage"))
    db.session.commit()
    return _evidence_json(inspection_id, row), (201 if created else 200)


@bp.route("/<int:inspection_id>/evidence/<int:evidence_id>")
@permission_required("inspections.record")
def evidence_file(inspection_id: int, evidence_id: int):
    row = services.get_evidence(current_user, inspection_id, evidence_id)
    return files.send_stored(row.file, thumbnail=request.args.get("thumb") == "1")


@bp.route("/<int:inspection_id>/evidence/<int:evidence_id>/delete", methods=["POST"])
@permission_required("inspections.fill")
def delete_evidence(inspection_id: int, evidence_id: int):
    services.delete_evidence(current_user, inspection_id, evidence_id)
    db.session.commit()
    if wants_json():
        return {"deleted": evidence_id}
    flash(_("The photo was removed."), "info")
    return redirect(url_for("inspections.form", inspection_id=inspection_id))


@bp.route("/<int:inspection_id>/submit", methods=["POST"])
@permission_required("inspections.fill")
def submit(inspection_id: int):
    inspection, result = services.submit(current_user, inspection_id, json_body())
    db.session.commit()
    return {"status": "submitted", "result": result,
            "record_url": url_for("inspections.record", inspection_id=inspection_id)}


@bp.route("/csrf-token")
@permission_required("inspections.fill")
def csrf_token():
    return {"csrf_token": generate_csrf()}


@bp.route("/sw.js")
@public
def service_worker():
    response = send_from_directory(Path(current_app.static_folder) / "js", "inspection-sw.js",
                                   mimetype="text/javascript", max_age=0)
    response.headers["Service-Worker-Allowed"] = "/inspections/"
    response.headers["Cache-Control"] = "no-cache"
    return response


# ----------------------------------------------------------------------------- the record

@bp.route("/<int:inspection_id>/record")
@permission_required("inspections.record")
def record(inspection_id: int):
    rec = services.get_record(current_user, inspection_id)
    signatures = {who: (files.data_uri(f) if (f := rec.signature(who)) else "")
                  for who in ("inspector", "representative")}
    def photo_src(item_id):
        return [url_for("inspections.evidence_file", inspection_id=inspection_id, evidence_id=e.id, thumb=1)
                for e in rec.evidence.get(item_id, [])]
    return render_template("inspections/record.html", rec=rec, signatures=signatures, purposes=PURPOSE_LABELS,
                           photo_src=photo_src, num=number_text)


@bp.route("/<int:inspection_id>/record.pdf")
@permission_required("inspections.record")
def record_pdf(inspection_id: int):
    rec = services.get_record(current_user, inspection_id)
    photos = {item_id: [files.data_uri(e.file, thumbnail=True) for e in rows]
              for item_id, rows in rec.evidence.items()}
    signatures = {who: (files.data_uri(f) if (f := rec.signature(who)) else "")
                  for who in ("inspector", "representative")}
    data = render_pdf("inspections/record_pdf.html", rec=rec, photo_src=lambda item_id: photos.get(item_id, []),
                      signatures=signatures, purposes=PURPOSE_LABELS, num=number_text, printed_at=utcnow().astimezone(LOCAL_ZONE))
    visit = rec.visit
    return pdf_response(data, f"检查记录-{visit.institution.name}-{visit.scheduled_for.isoformat()}-{rec.inspection.id}.pdf")
