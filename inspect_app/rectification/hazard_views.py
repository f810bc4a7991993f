"""Pages of the major-hazard track (挂牌督办): the list, a listing's page and its forms
(HTTP only: parse → service → commit once → render)."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.policy import can, permission_required
from ..core.files import send_stored
from ..core.types import local_today, utcnow
from ..core.web import refusal
from ..core.whole_numbers import whole_number
from ..domain.rectification import hazard as hz
from ..extensions import db
from . import findings as fs
from . import hazard_labels, hazards
from . import policy as policies

bp = Blueprint("hazards", __name__, url_prefix="/rectification/hazards")

MILESTONE_ROWS = 6          # dated steps offered on the plan form

LABELS = {
    "measures": "Remediation measures", "responsible_person": "Person responsible",
    "funds_yuan": "Funds (yuan)", "interim_measures": "Interim safety measures",
    "stop_use_area": "Area or building stopped from use", "end_on": "Plan end date",
    "milestones": "Milestones", "decision": "Decision", "note": "Reasons", "text": "What was done",
    "photos": "Photos", "held_on": "Re-inspection date", "removed": "Result",
    "bureau_staff_id": "Responsible bureau staff", "department_staff_id": "Responsible department staff",
}


@bp.app_template_global("hazard_listing_of")
def hazard_listing_of(finding):
    """The finding's listing for the signed-in user (the finding page shows it)."""
    return hazards.listing_of_finding(current_user, finding)


@bp.app_template_global("hazard_label")
def hazard_label(table: str, code) -> str:
    return str(getattr(hazard_labels, table).get(code, code or ""))


def _labels() -> dict:
    return {k: _(v) for k, v in LABELS.items()}


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _optional_id(value: str | None, invalid: int) -> int | None:
    """None when empty, the whole number typed, else ``invalid`` (an id no row has)."""
    text = (value or "").strip()
    if not text:
        return None
    number = whole_number(text)
    return number if number is not None and number <= 2**31 - 1 else invalid


@bp.route("/")
@permission_required("hazards.view")
def index():
    open_only = request.args.get("open", "1") != "0"
    rows = hazards.search(current_user, open_only=open_only)
    return render_template("rectification/hazards.html", rows=rows, open_only=open_only)


def _page(listing_id: int, status: int = 200, posted=None):
    listing = hazards.get(current_user, listing_id)
    bureau, dept = hazards.staff_choices(listing) if can(current_user, "hazards.assign") else ([], [])
    ctx = dict(listing=listing, finding=listing.finding, now=utcnow(), today=local_today(),
               officer=fs.is_officer(current_user, listing.finding),
               reinspector=hazards.may_reinspect(current_user, listing),
               may_assign=hazards.may_assign(current_user, listing),
               bureau_choices=bureau, department_choices=dept, rule=hazards.rule(),
               milestone_rows=MILESTONE_ROWS, posted=posted or {}, tz=policies.tz())
    return render_template("rectification/hazard.html", **ctx), status


@bp.route("/<int:listing_id>")
@permission_required("hazards.view")
def show(listing_id: int):
    return _page(listing_id)


def _act(listing_id: int, call, done: str):
    with refusal(labels=_labels()) as refused:
        call()
    if refused:
        return _page(listing_id, refused.status, posted=request.form)
    db.session.commit()
    flash(done, "info")
    return redirect(url_for("hazards.show", listing_id=listing_id), 303)


@bp.route("/<int:listing_id>/assign", methods=["POST"])
@permission_required("hazards.assign")
def assign(listing_id: int):
    # A typed value that is not a whole number is no user's id: the service refuses it, located.
    bureau = _optional_id(request.form.get("bureau_staff_id"), -1)
    dept = _optional_id(request.form.get("department_staff_id"), -1)
    return _act(listing_id, lambda: hazards.assign(current_user, listing_id, bureau, dept),
                _("The responsible staff were saved."))


def _draft(form) -> hz.PlanDraft:
    steps = []
    for n in range(1, MILESTONE_ROWS + 1):
        text = (form.get(f"milestone_text_{n}") or "").strip()
        raw_day = (form.get(f"milestone_on_{n}") or "").strip()
        if not text and not raw_day:
            continue
        steps.append(hz.MilestoneDraft(_day(raw_day), text))
    funds_raw = (form.get("funds_yuan") or "").strip()
    funds = whole_number(funds_raw) if funds_raw else None     # typed but not a number: -1, refused
    return hz.PlanDraft(
        measures=(form.get("measures") or "")[:8000], responsible_person=form.get("responsible_person") or "",
        funds_yuan=funds if funds is not None or not funds_raw else -1,
        interim_measures=(form.get("interim_measures") or "")[:8000], stop_use=form.get("stop_use") == "1",
        stop_use_area=(form.get("stop_use_area") or "")[:2000], end_on=_day(form.get("end_on")),
        milestones=tuple(steps))


@bp.route("/<int:listing_id>/plan", methods=["POST"])
@permission_required("hazards.plan")
def submit_plan(listing_id: int):
    draft = _draft(request.form)
    return _act(listing_id, lambda: hazards.submit_plan(current_user, listing_id, draft),
                _("The remediation plan was sent to the department."))


@bp.route("/<int:listing_id>/plans/<int:plan_id>/decide", methods=["POST"])
@permission_required("hazards.decide")
def decide_plan(listing_id: int, plan_id: int):
    decision = {"approve": True, "return": False}.get(request.form.get("decision", ""))
    return _act(listing_id, lambda: hazards.decide_plan(current_user, listing_id, plan_id, decision,
                                                        request.form.get("note", "")),
                _("Decision recorded."))


@bp.route("/<int:listing_id>/milestones/<int:milestone_id>/report", methods=["POST"])
@permission_required("hazards.plan")
def report_milestone(listing_id: int, milestone_id: int):
    return _act(listing_id, lambda: hazards.report_milestone(
        current_user, listing_id, milestone_id, request.form.get("text", ""), request.files.getlist("photos")),
        _("The milestone was reported."))


@bp.route("/<int:listing_id>/reinspect", methods=["POST"])
@permission_required("hazards.reinspect")
def reinspect(listing_id: int):
    removed = {"removed": True, "present": False}.get(request.form.get("removed", ""))
    return _act(listing_id, lambda: hazards.reinspect(current_user, listing_id, _day(request.form.get("held_on")),
                                                      removed, request.form.get("note", "")),
                _("The re-inspection was recorded."))


@bp.route("/<int:listing_id>/photos/<int:photo_id>")
@permission_required("hazards.view")
def photo(listing_id: int, photo_id: int):
    stored = hazards.evidence(current_user, listing_id, photo_id)
    return send_stored(stored, thumbnail=request.args.get("thumb") == "1")
