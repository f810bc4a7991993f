"""Signing in and out, and the user's own account."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from ..core.errors import Invalid
from ..core.web import safe_next, translate
from ..extensions import db
from . import services, throttle
from .forms import LoginForm, PasswordForm
from .models import LoginSession
from .policy import permission_required, public

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    return safe_next(target, url_for("home.home"))


def _locked(exc: throttle.Locked) -> str:
    db.session.commit()     # keep the count of refused attempts
    return translate(exc.message, exc.params)


def _remember_device(response, user):
    """Set the device cookie that lets this browser through an account lock (docs/security.md)."""
    cfg = current_app.config
    response.set_cookie(cfg["SIGNIN_DEVICE_COOKIE"],
                        throttle.device_cookie(request.cookies.get(cfg["SIGNIN_DEVICE_COOKIE"]), user),
                        max_age=int(cfg["SIGNIN_DEVICE_LIFETIME"].total_seconds()),
                        secure=cfg["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax")
    return response


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            attempt = throttle.admit(form.username.data, request.cookies.get(current_app.config["SIGNIN_DEVICE_COOKIE"]))
        except throttle.Locked as exc:
            flash(_locked(exc), "error")
            return render_template("auth/login.html", form=form), 429
        # The reservation is committed before the password is checked: parallel attempts see
        # it, and nothing later in this request can undo it.
        db.session.commit()
        user = services.check_password(attempt, form.password.data)
        if user is None:
            db.session.commit()  # keep the record of the failed attempt
            flash(_("User name or password is not right."), "error")
            return render_template("auth/login.html", form=form), 200
        lang = session.get("lang")
        session.clear()  # no fixation: a fresh session for the signed-in user
        if lang:
            session["lang"] = lang
        services.start_session(user, request.user_agent.string)
        login_user(user)
        session.permanent = True
        db.session.commit()
        return _remember_device(redirect(_safe_next(request.args.get("next"))), user)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@permission_required("account.use")
def logout():
    services.end_session(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@permission_required("account.use")
def account():
    form = PasswordForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        try:
            services.check_password_strength(form.new.data)
        except Invalid as exc:
            form.new.errors.append(translate(exc.message, exc.params))
            return _account_page(form, user), 422
        try:
            attempt = throttle.admit(user.username, request.cookies.get(current_app.config["SIGNIN_DEVICE_COOKIE"]),
                                     actor=user)
        except throttle.Locked as exc:
            form.current.errors.append(_locked(exc))
            return _account_page(form, user), 429
        db.session.commit()     # the reservation stands whatever happens next (as in login)
        try:
            services.change_password(attempt, user, form.current.data, form.new.data)
        except Invalid as exc:
            db.session.commit()  # keep the counted failure and its audit row
            form.current.errors.append(translate(exc.message, exc.params))
        else:
            db.session.commit()
            logout_user()
            session.clear()
            flash(_("Password changed. Sign in again with the new password."), "info")
            return redirect(url_for("auth.login"))
    return _account_page(form, user)


def _account_page(form, user):
    sessions = db.session.scalars(select(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
        .order_by(LoginSession.last_seen_at.desc())).all()
    return render_template("auth/account.html", form=form, sessions=sessions)
