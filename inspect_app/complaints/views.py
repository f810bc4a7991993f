"""Pages of complaints (HTTP only: parse → service → commit once → render).

The public form and the lookup are open to everyone, CSRF-protected and rate limited per
client address (``COMPLAINT_FORM_RATE_LIMIT``, ``COMPLAINT_LOOKUP_RATE_LIMIT``); they show a
case's number and state, never another case and never anyone's personal data."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..auth.policy import can, permission_required, public
from ..auth.roles import DEPARTMENTS
from ..auth.throttle import limiter
from ..core.forms import options
from ..core.labels import DEPARTMENTS as DEPARTMENT_LABELS
from ..core.types import utcnow
from ..core.web import refusal
from ..domain import complaints as rules
from ..extensions import db
from ..inspections.services.visits import inspector_choices
from ..registry.models import Institution
from . import labels, services
from . import policy as policies
from .forms import (FollowUpForm, IntakeForm, LookupForm, NoteForm, PublicComplaintForm, ReasonForm, ReplyForm,
                    RouteForm, VisitForm)
from .models import handles

bp = Blueprint("complaints", __name__)


@bp.app_template_global("complaint_label")
def complaint_label(table: str, code) -> str:
    """A complaint code's label in templates: ``complaint_label('STATES', 'received')``."""
    return str(labels.label(getattr(labels, table), code))


def _institution_options() -> list:
    rows = db.session.execute(select(Institution.id, Institution.name).where(Institution.status != "closed")
                              .order_by(Institution.name, Institution.id))
    return options([("", "—")] + [(str(i), name) for i, name in rows], data=True)


def _category_options() -> list:
    return options([(c, labels.label(labels.CATEGORIES, c)) for c in policies.current().categories])


def _fill(form) -> None:
    form.institution_id.choices = _institution_options()
    form.category.choices = _category_options()
    if hasattr(form, "channel"):
        form.channel.choices = options([(c, labels.CHANNELS[c]) for c in rules.OPERATOR_CHANNELS])


def _form_limit() -> str:
    return current_app.config["COMPLAINT_FORM_RATE_LIMIT"]


def _lookup_limit() -> str:
    return current_app.config["COMPLAINT_LOOKUP_RATE_LIMIT"]


# ----------------------------------------------------------------------------- public

@bp.route("/public/complaints/new", methods=["GET", "POST"])
@public
@limiter.limit(_form_limit, methods=["POST"])
def public_submit():
    """The public complaint form; on success the case number and lookup code, shown once."""
    form = PublicComplaintForm()
    _fill(form)
    if request.method == "POST" and form.validate_on_submit():
        with refusal(form, attach=True) as refused:
            taken = services.intake(None, form.values(), utcnow(), secret=current_app.secret_key,
                                    submission_key=form.submission_key.data)
        if not refused:
            db.session.commit()
            return render_template("complaints/received.html", case=taken.case, token=taken.token), 201
        return render_template("complaints/public_form.html", form=form, policy=policies.current()), refused.status
    status = 422 if request.method == "POST" else 200
    return render_template("complaints/public_form.html", form=form, policy=policies.current()), status


@bp.route("/public/complaints/lookup", methods=["GET", "POST"])
@public
@limiter.limit(_lookup_limit, methods=["POST"])
def public_lookup():
    """Follow a case by its number and lookup code (POST, so neither lands in an address bar
    or a log). A wrong number and a wrong code get the same answer."""
    form = LookupForm()
    case = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            case = services.lookup(form.number.data, form.token.data)
        if case is None:
            flash(_("No case matches this number and lookup code."), "error")
            status = 404
        form.token.data = ""            # the code is never written back into the page
    return render_template("complaints/lookup.html", form=form, case=case), status


# ----------------------------------------------------------------------------- regulators

@bp.route("/complaints/")
@permission_required("complaints.view")
def index():
    state = request.args.get("state", "")
    state = state if state in rules.CASE.states else ""
    return render_template("complaints/index.html", cases=services.listing(current_user, state or None),
                           state=state, states=rules.CASE.states)


@bp.route("/complaints/new", methods=["GET", "POST"])
@permission_required("complaints.intake")
def intake():
    form = IntakeForm()
    _fill(form)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            with refusal(form, attach=True) as refused:
                taken = services.intake(current_user, form.values(), utcnow(), secret=current_app.secret_key,
                                        submission_key=form.submission_key.data)
            if not refused:
                db.session.commit()
                return render_template("complaints/received.html", case=taken.case, token=taken.token,
                                       operator=True), 201
            status = refused.status
        else:
            status = 422
    return render_template("complaints/intake.html", form=form), status


@bp.route("/complaints/<int:case_id>")
@permission_required("complaints.view")
def show(case_id: int):
    case = services.get_case(current_user, case_id)
    visit_form = VisitForm(prefix="visit")
    choices = inspector_choices(current_user) if can(current_user, "inspections.manage") else {}
    visit_form.inspectors.choices = options([(str(i), n) for i, n in choices.get(case.department, [])], data=True)
    route_form = RouteForm(prefix="route")
    route_form.department.choices = options([(d, DEPARTMENT_LABELS[d]) for d in DEPARTMENTS if d != case.department])
    return render_template(
        "complaints/case.html", case=case, personal=handles(current_user, case),
        events=rules.CASE.events_from(case.state), findings=services.findings_of(case),
        route_form=route_form, accept_form=NoteForm(prefix="accept"), decline_form=ReasonForm(prefix="decline"),
        extend_form=ReasonForm(prefix="extend"), visit_form=visit_form, reply_form=ReplyForm(prefix="reply"),
        follow_form=FollowUpForm(prefix="follow"), policy=policies.current())


def _done(case_id: int, refused) -> object:
    if not refused:
        db.session.commit()
        flash(_("Saved."), "info")
    return redirect(url_for("complaints.show", case_id=case_id))


@bp.route("/complaints/<int:case_id>/route", methods=["POST"])
@permission_required("complaints.route")
def reroute(case_id: int):
    form = RouteForm(prefix="route")
    with refusal(form) as refused:
        services.reroute(current_user, case_id, form.department.data, form.note.data, utcnow())
    return _done(case_id, refused)


@bp.route("/complaints/<int:case_id>/accept", methods=["POST"])
@permission_required("complaints.handle")
def accept(case_id: int):
    form = NoteForm(prefix="accept")
    with refusal(form) as refused:
        services.accept(current_user, case_id, form.note.data, utcnow())
    return _done(case_id, refused)


@bp.route("/complaints/<int:case_id>/decline", methods=["POST"])
@permission_required("complaints.handle")
def decline(case_id: int):
    form = ReasonForm(prefix="decline")
    with refusal(form) as refused:
        services.decline(current_user, case_id, form.reason.data, utcnow())
    return _done(case_id, refused)


@bp.route("/complaints/<int:case_id>/extend", methods=["POST"])
@permission_required("complaints.handle")
def extend(case_id: int):
    form = ReasonForm(prefix="extend")
    with refusal(form) as refused:
        services.extend(current_user, case_id, form.reason.data, utcnow())
    return _done(case_id, refused)


@bp.route("/complaints/<int:case_id>/visit", methods=["POST"])
@permission_required("complaints.handle")
def make_visit(case_id: int):
    form = VisitForm(prefix="visit")
    with refusal(form) as refused:
        visit = services.make_visit(current_user, case_id, form.scheduled_for.data, form.inspector_ids(), utcnow())
    if refused:
        return redirect(url_for("complaints.show", case_id=case_id))
    db.session.commit()
    flash(_("The visit was made."), "info")
    return redirect(url_for("inspections.visit", visit_id=visit.id))


@bp.route("/complaints/<int:case_id>/reply", methods=["POST"])
@permission_required("complaints.handle")
def reply(case_id: int):
    form = ReplyForm(prefix="reply")
    with refusal(form) as refused:
        services.reply(current_user, case_id, form.text.data, form.outcome(), utcnow())
    return _done(case_id, refused)


@bp.route("/complaints/<int:case_id>/follow-up", methods=["POST"])
@permission_required("complaints.handle")
def follow_up(case_id: int):
    form = FollowUpForm(prefix="follow")
    with refusal(form) as refused:
        services.follow_up(current_user, case_id, form.satisfaction.data, form.note.data, bool(form.reopen.data),
                           utcnow())
    return _done(case_id, refused)


@bp.errorhandler(429)
def _too_many(error):
    return render_template("complaints/too_many.html"), 429

