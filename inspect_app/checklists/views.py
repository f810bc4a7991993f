"""Checklist pages for departments: browse, versions side by side, Excel out and in."""
from __future__ import annotations

import io

from flask import Blueprint, Response, flash, render_template, request
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from ..auth import policy
from ..auth.policy import permission_required
from ..domain.checklist.model import ChecklistError, dump_yaml
from ..core.whole_numbers import whole_number
from . import scope, services
from .excel import checklist_from_xlsx, checklist_to_xlsx

bp = Blueprint("checklists", __name__, url_prefix="/checklists")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ChecklistUploadForm(FlaskForm):
    file = FileField(_l("Edited checklist spreadsheet (.xlsx)"), validators=[FileRequired()])


@bp.route("/")
@permission_required("checklists.view")
def index():
    checklists = services.list_for(current_user)
    return render_template("checklists/index.html", checklists=checklists, form=ChecklistUploadForm(),
                           used_at={cl.id: scope.types_of(cl.id) for cl in checklists})


@bp.route("/<checklist_id>")
@permission_required("checklists.view")
def show(checklist_id: str):
    cl = services.current(current_user, checklist_id)
    return render_template("checklists/show.html", cl=cl, versions=services.versions(current_user, checklist_id),
                           used_at=scope.types_of(cl.id))


@bp.route("/<checklist_id>/compare")
@permission_required("checklists.view")
def compare(checklist_id: str):
    old_id = whole_number(request.args.get("old"))
    new_id = whole_number(request.args.get("new"))
    versions = services.versions(current_user, checklist_id)
    change = None
    if old_id and new_id:
        change = services.compare(current_user, checklist_id, old_id, new_id)
    return render_template("checklists/compare.html", checklist_id=checklist_id, versions=versions,
                           change=change, old_id=old_id, new_id=new_id)


@bp.route("/<checklist_id>/export.xlsx")
@permission_required("checklists.view")
def export(checklist_id: str):
    cl = services.current(current_user, checklist_id)
    out = io.BytesIO()
    checklist_to_xlsx(cl, out)
    return Response(out.getvalue(), mimetype=XLSX, headers={
        "Content-Disposition": f"attachment; filename={cl.id}-{cl.version}.xlsx"})


@bp.route("/convert", methods=["POST"])
@permission_required("checklists.manage")
def convert():
    """Validate an edited spreadsheet exactly like a YAML file and hand back the YAML."""
    form = ChecklistUploadForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        name = upload.filename or "upload.xlsx"
        try:
            cl = checklist_from_xlsx(io.BytesIO(upload.read()), name)
        except ChecklistError as exc:
            problems = [str(p) for p in exc.problems]
        else:
            if not services.may_see(current_user, cl) or not policy.can(current_user, "checklists.manage"):
                problems = [_("%(name)s: department: you may only manage your own department's checklists",
                              name=name)]
            else:
                return Response(dump_yaml(cl), mimetype="application/x-yaml", headers={
                    "Content-Disposition": f"attachment; filename={cl.id}.yaml"})
    else:
        problems = [_("Choose an .xlsx file.")]
    flash(_("The spreadsheet was not accepted."), "error")
    checklists = services.list_for(current_user)
    return render_template("checklists/index.html", checklists=checklists, form=form, problems=problems,
                           used_at={cl.id: scope.types_of(cl.id) for cl in checklists}), 422
