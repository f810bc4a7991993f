"""The home page per role (its dashboard: overview/dashboard.py), language choice and the health check."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, send_from_directory, session, url_for
from flask_login import current_user
from sqlalchemy import text

from ..auth.policy import can, public
from ..config import PROJECT_ROOT
from ..extensions import db
from ..core.web import safe_next
from ..core.jobs import backlog
from ..core.types import local_today, utcnow
from ..overview import dashboard
from ..rectification import hazards
from ..rectification import policy as supervision_policy

bp = Blueprint("home", __name__)


@bp.route("/")
@public
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    now = utcnow()
    today = local_today(now)
    query, choices = dashboard.read_filters(current_user, request.args)
    rule = supervision_policy.current()
    groups, charts = dashboard.board(current_user, query, today, now, supervision_policy.tz(rule),
                                     rule.local_timezone)
    return render_template("home/index.html", query=query, choices=choices, today=today, groups=groups,
                           progress=dashboard.plan_progress(current_user, today), charts=charts,
                           hazard_counts=hazards.counts(current_user),
                           hazard_rows=hazards.search(current_user, open_only=True, limit=10)
                           if can(current_user, "hazards.view") else [],
                           chart_data=[c.as_json() for c in charts])


@bp.route("/language/<code>", methods=["POST"])
@public
def language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
        if current_user.is_authenticated and current_user.locale != code:
            current_user.locale = code
            db.session.commit()
    return redirect(safe_next(request.form.get("next"), url_for("home.home")))


@bp.route("/favicon.ico")
@public
def favicon():
    """The icon browsers ask for at the root when a page names none (every page does name
    static/favicon.svg)."""
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=86400)


@bp.route("/static/vendor/echarts.min.js")
@public
def echarts():
    """Apache ECharts for the dashboards' charts, served from this origin (the CSP stays
    ``'self'``): the npm package pinned, hash-checked, in package-lock.json and installed by
    ``npm ci`` into node_modules/ (docs/operations.md, "Front-end packages"); 404 until it is."""
    return send_from_directory(PROJECT_ROOT / "node_modules" / "echarts" / "dist", "echarts.min.js",
                               mimetype="text/javascript", max_age=86400)


@bp.route("/healthz")
@public
def health():
    """The web app is up (200); ``jobs.delayed`` tells a monitor that background work waits
    too long — a dead broker or no live worker (docs/operations.md)."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok", "jobs": backlog()}
