"""Pages of the register (HTTP only: parse → service → commit once → render)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.policy import can, permission_required
from ..core.files import send_stored
from ..core.spreadsheet import DATE, TEXT, Column, csv_response, safe_cell, write_csv, write_table, xlsx_response
from ..core.types import local_today
from ..core.web import refusal
from ..core.whole_numbers import whole_number
from ..domain.institution import INSTITUTION_TYPES
from ..extensions import db
from ..registry.services import districts
from . import labels, ltc, rates, register, rounds as doctor_rounds, sweep
from .forms import AgreementForm, DesignationForm, RoundForm

bp = Blueprint("agreements", __name__, url_prefix="/agreements")

#: Periods and rounds shown on an agreement's page (the newest; the summary counts the whole term).
SHOWN = 26


def _filter() -> register.Filter:
    a = request.args
    state = a.get("state", "")
    return register.Filter(q=a.get("q", "")[:100], district=a.get("district", "")[:40],
                           state=state if state in register.STATES else "",
                           institution=whole_number(a.get("institution")))


@bp.route("/")
@permission_required("agreements.view")
def index():
    f, today = _filter(), local_today()
    page = register.search(current_user, f, today, page=whole_number(request.args.get("page")) or 1)
    return render_template("agreements/index.html", page=page, f=f, today=today, words=labels,
                           state_of=register.state_of, districts=districts(current_user),
                           reminders=sweep.reminders_for(current_user))


def _save(form: AgreementForm, agreement_id: int | None):
    with refusal(form, attach=True) as refused:
        prepared = register.prepare_pages(form.pages.data)
        if agreement_id is None:
            agreement = register.create(current_user, form.credit_code.data, form.values(), prepared, local_today())
        else:
            version = whole_number(form.version.data) or 0     # tampered → stale
            agreement = register.update(current_user, agreement_id, form.values(), version, prepared,
                                        local_today())
    if refused:
        return None, refused.status
    db.session.commit()
    flash(_("Saved."), "info")
    return redirect(url_for("agreements.show", agreement_id=agreement.id)), 302


@bp.route("/new", methods=["GET", "POST"])
@permission_required("agreements.edit")
def create():
    form = AgreementForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            done, status = _save(form, None)
            if done:
                return done
    return render_template("agreements/form.html", form=form, agreement=None), status


@bp.route("/<int:agreement_id>/edit", methods=["GET", "POST"])
@permission_required("agreements.edit")
def edit(agreement_id: int):
    agreement = register.get(current_user, agreement_id)
    form = AgreementForm(obj=agreement)
    status = 200
    if request.method != "POST":                 # GET, and HEAD, which Flask answers with the GET view
        form.version.data = agreement.version
    else:
        status = 422
        if form.validate_on_submit():
            done, status = _save(form, agreement_id)
            if done:
                return done
    return render_template("agreements/form.html", form=form, agreement=agreement), status


@bp.route("/<int:agreement_id>")
@permission_required("agreements.view")
def show(agreement_id: int):
    agreement, today = register.get(current_user, agreement_id), local_today()
    held = doctor_rounds.rounds_of(agreement)
    form = RoundForm() if can(current_user, "agreements.rounds") else None
    periods = doctor_rounds.periods(agreement, held, today)
    return render_template("agreements/show.html", agreement=agreement, rounds=held[:SHOWN], form=form,
                           words=labels, periods=periods[:SHOWN], state=register.state_of(agreement, today),
                           judged=sum(p.judged for p in periods), short=sum(p.short for p in periods))


@bp.route("/<int:agreement_id>/rounds", methods=["POST"])
@permission_required("agreements.rounds")
def add_round(agreement_id: int):
    agreement = register.get(current_user, agreement_id)
    form = RoundForm()
    if form.validate_on_submit():
        with refusal(form) as refused:
            doctor_rounds.record_round(current_user, agreement.id, form.values(), local_today())
        if not refused:
            db.session.commit()
            flash(_("Saved."), "info")
    else:
        flash(_("The round could not be saved."), "error")
    return redirect(url_for("agreements.show", agreement_id=agreement_id))


@bp.route("/<int:agreement_id>/pages/<int:file_id>")
@permission_required("agreements.view")
def page(agreement_id: int, file_id: int):
    return send_stored(register.page_file(current_user, agreement_id, file_id))


@bp.route("/rates")
@permission_required("agreements.counts")
def counts():
    kind = request.args.get("type", "")
    kind = kind if kind in INSTITUTION_TYPES else ""
    return render_template("agreements/rates.html", rows=rates.by_district(current_user, local_today(), kind),
                           kind=kind, types=INSTITUTION_TYPES)


def _export():
    headers, out = register.export_table(current_user, _filter(), local_today())
    db.session.commit()
    return headers, out


@bp.route("/export.xlsx")
@permission_required("agreements.export")
def export_xlsx():
    headers, out = _export()
    dates = {6, 7, 8}
    columns = [Column(h, 16, DATE if n in dates else TEXT) for n, h in enumerate(headers)]
    return xlsx_response(write_table("医养签约", columns, out), "医养签约台账.xlsx", "agreements.xlsx")


@bp.route("/export.csv")
@permission_required("agreements.export")
def export_csv():
    headers, out = _export()
    cells = ([safe_cell(c.isoformat() if hasattr(c, "isoformat") else ("" if c is None else c)) for c in row]
             for row in out)
    return csv_response(write_csv(headers, cells), "医养签约台账.csv", "agreements.csv")


@bp.route("/ltc")
@permission_required("ltc.view")
def designations():
    return render_template("agreements/ltc.html", rows=ltc.listing(current_user), today=local_today(),
                           in_force=ltc.in_force, form=DesignationForm() if can(current_user, "ltc.edit") else None)


@bp.route("/ltc/new", methods=["POST"])
@permission_required("ltc.edit")
def add_designation():
    form = DesignationForm()
    if form.validate_on_submit():
        with refusal(form) as refused:
            ltc.record(current_user, form.credit_code.data, form.values(), local_today())
        if not refused:
            db.session.commit()
            flash(_("Saved."), "info")
    else:
        flash(_("The designation could not be saved."), "error")
    return redirect(url_for("agreements.designations"))
