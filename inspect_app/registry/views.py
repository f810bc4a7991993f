"""Registry pages: list, detail, create, edit, import, export."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.policy import can, permission_required
from ..core import audit
from ..core.errors import Invalid
from ..core.web import refusal
from ..core.whole_numbers import whole_number
from ..extensions import db
from . import history as changes, importing, services
from .forms import ImportForm, InstitutionForm

bp = Blueprint("registry", __name__, url_prefix="/institutions")


def _filter_from_args() -> services.RegistryFilter:
    a = request.args
    return services.RegistryFilter(q=a.get("q", "")[:100], type=a.get("type", ""), district=a.get("district", ""),
                                   street=a.get("street", ""), status=a.get("status", ""),
                                   operator_type=a.get("operator_type", ""), ltc=a.get("ltc", ""))


@bp.route("/")
@permission_required("registry.view")
def index():
    f = _filter_from_args()
    page = services.search(current_user, f, page=whole_number(request.args.get("page")) or 1)
    return render_template("registry/index.html", page=page, f=f, places=services.places(current_user))


@bp.route("/<int:institution_id>")
@permission_required("registry.view")
def show(institution_id: int):
    inst = services.get(current_user, institution_id)
    history = changes.entries(audit.history("institution", inst.id)) if can(current_user, "audit.view") else []
    return render_template("registry/show.html", inst=inst, history=history)


def _save(form: InstitutionForm, institution_id: int | None):
    with refusal(form, attach=True) as refused:
        if institution_id is None:
            inst = services.create(current_user, form.raw_values())
        else:
            version = whole_number(form.version.data) or 0  # tampered → stale
            inst = services.update(current_user, institution_id, form.raw_values(), version)
    if refused:
        return None
    db.session.commit()
    flash(_("Saved."), "info")
    return redirect(url_for("registry.show", institution_id=inst.id))


@bp.route("/new", methods=["GET", "POST"])
@permission_required("registry.edit")
def create():
    form = InstitutionForm()
    if request.method == "POST" and form.validate_on_submit():
        done = _save(form, None)
        if done:
            return done
    return render_template("registry/form.html", form=form, inst=None), (422 if request.method == "POST" else 200)


@bp.route("/<int:institution_id>/edit", methods=["GET", "POST"])
@permission_required("registry.edit")
def edit(institution_id: int):
    inst = services.get(current_user, institution_id)
    form = InstitutionForm(obj=inst)
    if request.method == "GET":
        form.version.data = inst.version
    elif form.validate_on_submit():
        done = _save(form, institution_id)
        if done:
            return done
    return render_template("registry/form.html", form=form, inst=inst), (422 if request.method == "POST" else 200)


@bp.route("/import", methods=["GET", "POST"])
@permission_required("registry.import")
def import_file():
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        upload = form.file.data
        with refusal(problems=False, catch=(Invalid,)) as refused:
            result = importing.import_institutions(current_user, upload.read(), upload.filename or "")
        if refused:
            return render_template("registry/import.html", form=form, problems=refused.error.problems), 422
        db.session.commit()
        flash(_("Imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.",
                created=result.created, updated=result.updated, unchanged=result.unchanged), "info")
        return redirect(url_for("registry.index"))
    return render_template("registry/import.html", form=form, problems=problems)


@bp.route("/export.xlsx")
@permission_required("registry.export")
def export():
    data = services.export_xlsx(current_user, _filter_from_args())
    db.session.commit()
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=institutions.xlsx"})
