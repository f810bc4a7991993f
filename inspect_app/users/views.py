"""The inspector registry and account administration."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..auth import throttle
from ..auth.policy import can, permission_required
from ..auth.roles import Role
from ..core.web import refusal
from ..core.whole_numbers import whole_number
from ..extensions import db
from ..registry.models import Institution
from . import services
from .forms import ConflictForm, PersonForm
from ..core.forms import options

bp = Blueprint("users", __name__, url_prefix="/people")


def _institution_choices() -> list[tuple[int, str]]:
    return list(db.session.execute(select(Institution.id, Institution.name).order_by(Institution.name)))


@bp.route("/")
@permission_required("users.view")
def index():
    a = request.args
    f = services.PeopleFilter(q=a.get("q", "")[:60], role=a.get("role", ""),
                              department=a.get("department", ""), active=a.get("active", ""))
    page = services.search(current_user, f, page=whole_number(a.get("page")) or 1)
    return render_template("users/index.html", page=page, f=f)


@bp.route("/<int:user_id>")
@permission_required("users.view")
def show(user_id: int):
    person = services.get(current_user, user_id)
    form = ConflictForm()
    form.institution_id.choices = options(((str(i), n) for i, n in _institution_choices()), data=True)
    return render_template("users/show.html", person=person, form=form,
                           may_edit=services.may_edit(current_user, person),
                           lock=throttle.lock_state(person) if can(current_user, "users.unlock") else None)


def _form(person=None, shown: frozenset[str] = frozenset()) -> PersonForm:
    form = PersonForm(obj=person) if person else PersonForm()
    roles = services.assignable_roles(current_user)
    if person is not None and "role" not in shown:
        roles = [r.value for r in Role]      # not shown: any value sent is read, then refused
    form.setup(roles, _institution_choices())
    if person is not None and request.method == "GET":
        form.institution_id.data = str(person.institution_id or "")
        form.department.data = person.department or ""
        form.password.data = ""
    return form


def _submitted(form: PersonForm, shown: frozenset[str]) -> dict:
    """The form's values for the fields shown, plus any other field the request sent (the
    service refuses a change to a field the actor may not change)."""
    return {key: value for key, value in form.values().items() if key in shown or key in request.form}


@bp.route("/new", methods=["GET", "POST"])
@permission_required("users.edit")
def create():
    shown = services.creatable_fields(current_user)
    form = _form(shown=shown)
    if form.validate_on_submit():
        with refusal(form, attach=True) as refused:
            person = services.create(current_user, _submitted(form, shown))
        if not refused:
            db.session.commit()
            flash(_("Saved."), "info")
            return redirect(url_for("users.show", user_id=person.id))
    status = 422 if request.method == "POST" else 200
    return render_template("users/form.html", form=form, person=None, shown=shown), status


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@permission_required("users.edit")
def edit(user_id: int):
    person = services.get(current_user, user_id)
    shown = services.editable_fields(current_user, person)
    form = _form(person, shown)
    if form.validate_on_submit():
        with refusal(form, attach=True) as refused:
            services.update(current_user, user_id, _submitted(form, shown))
        if not refused:
            db.session.commit()
            flash(_("Saved."), "info")
            return redirect(url_for("users.show", user_id=user_id))
    status = 422 if request.method == "POST" else 200
    return render_template("users/form.html", form=form, person=person, shown=shown), status


@bp.route("/<int:user_id>/unlock", methods=["POST"])
@permission_required("users.unlock")
def unlock(user_id: int):
    released = throttle.unlock(current_user, user_id)
    db.session.commit()
    flash(_("Sign-in unlocked.") if released else _("Sign-in was not locked."), "info")
    return redirect(url_for("users.show", user_id=user_id))


@bp.route("/<int:user_id>/conflicts", methods=["POST"])
@permission_required("users.edit")
def add_conflict(user_id: int):
    form = ConflictForm()
    form.institution_id.choices = options(((str(i), n) for i, n in _institution_choices()), data=True)
    if form.validate_on_submit():
        with refusal(form) as refused:
            services.declare_conflict(current_user, user_id, int(form.institution_id.data), form.reason.data)
        if not refused:
            db.session.commit()
            flash(_("Conflict of interest recorded."), "info")
    return redirect(url_for("users.show", user_id=user_id))


@bp.route("/<int:user_id>/conflicts/<int:conflict_id>/delete", methods=["POST"])
@permission_required("users.edit")
def remove_conflict(user_id: int, conflict_id: int):
    services.withdraw_conflict(current_user, user_id, conflict_id)
    db.session.commit()
    flash(_("Conflict of interest withdrawn."), "info")
    return redirect(url_for("users.show", user_id=user_id))
