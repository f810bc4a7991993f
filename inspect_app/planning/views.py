"""Pages of the planning feature (HTTP only: parse → service → commit once → render).

Bureau pages: plans, runs, entering a draw's beacon value, running due plans now.
Calendars: assignments by week (inspectors, departments, bureau); planned vs done.
Public pages: the published draws and their files (双随机、一公开), and the guide to checking them.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.policy import permission_required, public
from ..core.errors import Invalid
from ..core.replica import reads_replica
from ..core.types import local_today, utcnow
from ..core.web import refusal
from ..core.whole_numbers import whole_number
from ..domain.planning.plans import local_date
from ..extensions import db
from . import calendar, labels, plans, publication, runs
from .forms import BeaconForm, PlanForm
from .routine import coverage_progress
from .. import __version__
from ..domain.draw.verify import CHECKS

bp = Blueprint("planning", __name__, url_prefix="/planning")


@bp.app_template_global("run_state_label")
def run_state_label(code: str) -> str:
    return str(labels.run_state(code))


@bp.app_template_global("risk_reason")
def risk_reason(reason) -> str:
    return labels.risk_reason(reason)


@bp.app_template_global("run_note")
def run_note(note: str | None) -> str:
    return labels.run_note(note)


@bp.app_template_global("part_status_label")
def part_status_label(code: str) -> str:
    return str(labels.PART_STATUSES.get(code, code))


@bp.route("/")
@permission_required("planning.view")
def index():
    year = local_today().year
    return render_template("planning/index.html", plans=plans.list_plans(current_user),
                           runs=plans.recent_runs(current_user), coverage_year=year,
                           coverage=coverage_progress(year))


@bp.route("/plans/<int:plan_id>")
@permission_required("planning.view")
def show(plan_id: int):
    plan = plans.get_plan(current_user, plan_id)
    return render_template("planning/show.html", plan=plan, runs=plans.runs_of(current_user, plan))


def _form(plan=None) -> PlanForm:
    districts = plans.district_choices()
    for d in (plan.districts if plan else []):
        if d not in districts:
            districts.append(d)
    return PlanForm(districts=districts)


def _save(form: PlanForm, plan_id: int | None):
    with refusal(form, attach=True) as refused:
        if plan_id is None:
            plan = plans.create_plan(current_user, form.values())
        else:
            plan = plans.update_plan(current_user, plan_id, form.values(),
                                     whole_number(form.version.data) or 0)
    if refused:
        return None
    db.session.commit()
    flash(_("Saved."), "info")
    return redirect(url_for("planning.show", plan_id=plan.id))


@bp.route("/plans/new", methods=["GET", "POST"])
@permission_required("planning.manage")
def create():
    form = _form()
    if request.method == "GET":
        form.fill(plans.defaults(request.args.getlist("type")) | {"start": local_date(utcnow())})
    elif form.validate_on_submit():
        done = _save(form, None)
        if done:
            return done
    return render_template("planning/form.html", form=form, plan=None), (422 if request.method == "POST" else 200)


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@permission_required("planning.manage")
def edit(plan_id: int):
    plan = plans.get_plan(current_user, plan_id)
    form = _form(plan)
    if request.method == "GET":
        form.fill({k: getattr(plan, k) for k in plan.EDITABLE})
        form.version.data = plan.version
    elif form.validate_on_submit():
        done = _save(form, plan_id)
        if done:
            return done
    return render_template("planning/form.html", form=form, plan=plan), (422 if request.method == "POST" else 200)


@bp.route("/runs/<int:run_id>")
@permission_required("planning.view")
def run(run_id: int):
    found = plans.get_run(current_user, run_id)
    return render_template("planning/run.html", run=found, form=BeaconForm(), visits=plans.visits_of(current_user, found),
                           today=local_date(utcnow()), final=runs.is_final(found))


@bp.route("/runs/<int:run_id>/beacon", methods=["POST"])
@permission_required("planning.manage")
def enter_beacon(run_id: int):
    form = BeaconForm()
    valid = form.validate_on_submit()
    problems = form.problems()
    with refusal(form) as refused:
        if not valid or problems:
            raise Invalid("", problems=problems)       # the form's own problems, shown the same way
        runs.enter_beacon(current_user, run_id, form.beacon_value.data or "", dated=form.beacon_date.data)
    if refused:
        return redirect(url_for("planning.run", run_id=run_id))
    db.session.commit()
    flash(_("The seed is fixed; the draw runs now."), "info")
    return redirect(url_for("planning.run", run_id=run_id))


@bp.route("/run-due", methods=["POST"])
@permission_required("planning.manage")
def run_due():
    summary = runs.run_due_plans(utcnow())
    db.session.commit()
    flash(_("Due plans run: %(started)d started, %(advanced)d steps taken, %(failed)d failed.", **summary),
          "error" if summary["failed"] else "info")
    return redirect(url_for("planning.index"))


# ----------------------------------------------------------------------------- calendars

@bp.route("/calendar")
@permission_required("calendar.view")
def week():
    today = local_date(utcnow())
    with refusal(problems=False) as refused:
        monday = calendar.parse_week(request.args.get("week"), today)
    if refused:
        monday = calendar.parse_week(None, today)
    query, choices = calendar.calendar_query(current_user, request.args)
    return render_template("planning/calendar.html", days=calendar.week(current_user, monday, query), today=today,
                           this_week=calendar.week_key(monday),
                           prev_week=calendar.week_key(monday - timedelta(days=7)),
                           next_week=calendar.week_key(monday + timedelta(days=7)),
                           query=query, choices=choices, may_open=calendar.may_open_visits(current_user),
                           month_of_week=calendar.month_key(monday))


@bp.route("/calendar/month")
@permission_required("calendar.view")
def month():
    today = local_date(utcnow())
    with refusal(problems=False) as refused:
        first = calendar.parse_month(request.args.get("month"), today)
    if refused:
        first = calendar.parse_month(None, today)
    query, choices = calendar.calendar_query(current_user, request.args)
    return render_template("planning/calendar_month.html", weeks=calendar.month(current_user, first, query),
                           today=today, first=first, this_month=calendar.month_key(first),
                           prev_month=calendar.month_key(calendar.shift_month(first, -1)),
                           next_month=calendar.month_key(calendar.shift_month(first, 1)),
                           query=query, choices=choices, may_open=calendar.may_open_visits(current_user),
                           week_key=calendar.week_key, per_day=calendar.PER_DAY)


@bp.route("/progress")
@permission_required("planning.view")
def progress():
    period = calendar.parse_period(request.args.get("period"), local_date(utcnow()))
    purpose = request.args.get("purpose", "")
    purpose = purpose if purpose in ("random", "routine", "complaint", "follow_up", "grading") else ""
    return render_template("planning/progress.html", period=period, purpose=purpose,
                           tallies=calendar.progress(current_user, period, purpose))


# ----------------------------------------------------------------------------- public

@bp.route("/draws")
@public
@reads_replica
def draws():
    return render_template("planning/draws.html",
                           page=publication.list_draws(whole_number(request.args.get("page")) or 1))


@bp.route("/draws/verification")
@public
@reads_replica
def verification():
    """The citizen's guide to checking a draw (docs/draw-verification.md, as a public page)."""
    return render_template("planning/verification.html", checks=CHECKS, version=__version__)


@bp.route("/draws/<int:run_id>")
@public
@reads_replica
def draw(run_id: int):
    return render_template("planning/draw.html", draw=publication.get_draw(run_id),
                           selection=publication.published_selection(run_id))


@bp.route("/draws/<int:run_id>/<any(lists, input, output):name>.json")
@public
@reads_replica
def draw_file(run_id: int, name: str):
    filename, text = publication.draw_file(run_id, name)
    return Response(text.encode("utf-8"), mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})
