"""Ranking pages (HTTP only: parse → service → render): the ranking of institutions with its
exports, one institution's index and its parts, the league tables and the what-if."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.policy import permission_required
from ..core.spreadsheet import csv_response, xlsx_response
from ..core.types import local_today, utcnow
from ..domain import ranking as rules
from ..core.whole_numbers import whole_number
from ..extensions import db
from . import league as leagues
from . import lists, whatif
from . import policy as policies

bp = Blueprint("ranking", __name__, url_prefix="/ranking")

@bp.route("/")
@permission_required("ranking.view")
def index():
    query, offered = lists.ranking_query(current_user, request.args)
    result = lists.search(current_user, query, offered)
    return render_template("ranking/index.html", ranking=result, policy=policies.current())


def _export(write, respond, extension: str):
    """The filtered ranking written by ``write`` (the export is audited, then committed) and
    sent by ``respond`` as 机构排名.<extension>."""
    query, _offered = lists.ranking_query(current_user, request.args)
    data = write(current_user, query)
    db.session.commit()
    return respond(data, f"机构排名.{extension}", f"ranking.{extension}")


@bp.route("/ranking.xlsx")
@permission_required("ranking.view")
def export_xlsx():
    return _export(lists.export_xlsx, xlsx_response, "xlsx")


@bp.route("/ranking.csv")
@permission_required("ranking.view")
def export_csv():
    return _export(lists.export_csv, csv_response, "csv")


@bp.route("/institutions/<int:institution_id>")
@permission_required("ranking.view")
def show(institution_id: int):
    row, period, previous = lists.get_standing(current_user, institution_id)
    return render_template("ranking/show.html", row=row, period=period, previous=previous,
                           policy=policies.current())


def _league_args():
    """kind, year, sort from the query, each unreadable one noted (and its default used)."""
    problems = []
    today = local_today()
    kind = request.args.get("kind", leagues.DISTRICT)
    if kind not in leagues.KINDS:
        problems.append(("kind", _("is not one of the choices; the district table is shown")))
        kind = leagues.DISTRICT
    year_text = request.args.get("year", "")
    year = whole_number(year_text) if year_text else today.year
    if year is None or not leagues.FIRST_YEAR <= year <= today.year:
        problems.append(("year", _("must be a year from %(first)d to %(last)d; this year is shown",
                                   first=leagues.FIRST_YEAR, last=today.year)))
        year = today.year
    sort = request.args.get("sort", "on_time_rate")
    if sort not in rules.LEAGUE_MEASURES:
        problems.append(("sort", _("is not a measure of the table; ranked by the on-time rate")))
        sort = "on_time_rate"
    return kind, year, sort, problems


@bp.route("/league")
@permission_required("ranking.league")
def league():
    kind, year, sort, problems = _league_args()
    table = leagues.league(current_user, kind, year, sort, utcnow())
    return render_template("ranking/league.html", table=table, problems=problems,
                           measures=list(rules.LEAGUE_MEASURES))


@bp.route("/what-if")
@permission_required("ranking.whatif")
def what_if():
    today = local_today()
    proposal = whatif.read(request.args, today)
    outcome = None
    if request.args and not proposal.problems:
        outcome = whatif.run(current_user, proposal, utcnow())
    ids = []
    if outcome:
        ids = [m.key for m, _b, _a in outcome.index_moves] + [m.key for m, _f in outcome.level_moves]
    status = 422 if proposal.problems and request.args else 200
    return render_template("ranking/whatif.html", proposal=proposal, outcome=outcome,
                           names=whatif.names(ids), fields=whatif, severities=rules.SEVERITIES,
                           scopes=rules.SCOPES), status
