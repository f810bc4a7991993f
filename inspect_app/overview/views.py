"""Pages of the overviews: the list behind a dashboard count, the institution file, and the
public inspection results with each institution's public page and their open data."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from ..auth.policy import can, permission_required, public
from ..core import opendata
from ..core.types import local_today, utcnow
from ..domain.bureau import DEPARTMENTS
from ..domain.institution import INSTITUTION_TYPES
from ..core.whole_numbers import whole_number
from ..inspections.forms import PURPOSE_LABELS
from ..inspections.services.listing import STATUS_LABELS
from ..planning.forms import RISK_LABELS
from ..planning.labels import risk_reason
from . import dashboard, institution_file, public as results

bp = Blueprint("overview", __name__)


@bp.app_template_global("institution_file_open")
def institution_file_open(institution_id: int) -> bool:
    """Whether the signed-in viewer may open this institution's file (for links to it)."""
    return can(current_user, "overview.file") and institution_file.may_open(current_user, institution_id)


@bp.route("/grades/expiring")
@permission_required("grading.view")
def expiring():
    today = local_today()
    return render_template("overview/expiring.html", rows=dashboard.expiring_grades(current_user, today),
                           days=dashboard.EXPIRY_DAYS, today=today)


@bp.route("/institutions/<int:institution_id>/file")
@permission_required("overview.file")
def institution(institution_id: int):
    now = utcnow()
    file = institution_file.load(current_user, institution_id, local_today(now), now)
    return render_template("overview/institution_file.html", file=file, inst=file.institution, now=now,
                           risk_reason=risk_reason, risk_labels=RISK_LABELS, purposes=PURPOSE_LABELS,
                           visit_states=STATUS_LABELS)


# Public (一公开) -----------------------------------------------------------------------------

def _public_filter() -> results.PublicFilter:
    """The public list's filters; a value that is not a choice is left out (the list then
    shows everything for that filter, as the grade list does)."""
    a = request.args
    district = a.get("district", "")[:40]
    type_ = a.get("type", "")
    department = a.get("department", "")
    return results.PublicFilter(district=district,
                                type=type_ if type_ in INSTITUTION_TYPES else "",
                                department=department if department in DEPARTMENTS else "")


@bp.route("/public/inspections/")
@public
def public_results():
    f, now = _public_filter(), utcnow()
    page, summaries = results.results_page(f, local_today(now), now, whole_number(request.args.get("page")) or 1)
    return render_template("overview/public_results.html", page=page, summaries=summaries, f=f,
                           districts=results.districts(), departments=DEPARTMENTS,
                           delay=results.policies.current().result_delay_working_days)


@bp.route("/public/inspections.<any(csv, xlsx, json):fmt>")
@public
def public_results_download(fmt: str):
    f, now = _public_filter(), utcnow()
    rows = results.export_rows(results.all_results(f, local_today(now), now))
    about = opendata.publication(now, url_for("overview.public_results_about", _external=True), results.selection(f))
    return opendata.download(results.INSPECTION_RESULTS, fmt, rows, about)


@bp.route("/public/inspections/about")
@public
def public_results_about():
    return render_template("grading/public_data_about.html", dataset=results.INSPECTION_RESULTS,
                           kinds=opendata.KINDS, about=opendata.publication(utcnow(), request.base_url),
                           download="overview.public_results_download")


@bp.route("/public/institutions/<int:institution_id>")
@public
def public_institution(institution_id: int):
    now = utcnow()
    found = results.institution(institution_id, local_today(now), now)
    if found is None:
        abort(404)
    return render_template("overview/public_institution.html", p=found, inst=found.institution)
