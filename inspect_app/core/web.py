"""The web edge shared by every blueprint: locale, error pages, security headers, template
helpers, and :class:`refusal`, the one way a page shows a service's refusal on itself."""
from __future__ import annotations

from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter

import logging

from flask import Flask, flash, make_response, render_template, request, session
from flask_babel import get_locale, gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from ..extensions import db
from ..domain.bureau import LOCAL_TIMEZONE
from .database import is_busy
from .errors import Conflict, DomainError, Invalid, Problem, problem
from . import inputs, labels
from .heavy import Busy
from .labels import say

log = logging.getLogger(__name__)

CSP = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
       "connect-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; "
       "object-src 'none'")


def select_locale() -> str:
    from flask import current_app
    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang") or session.get("lang")
    if not chosen and getattr(current_user, "is_authenticated", False):
        chosen = current_user.locale
    if chosen in languages:
        return chosen
    # Chinese unless the user chose otherwise: a tablet's system language does not decide.
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return LOCAL_TIMEZONE


def translate(message: str, params: dict | None = None) -> str:
    """Translate a service's message (English msgid with %(name)s parameters)."""
    params = params or {}
    return _(message, **params) if message else ""


def say_problem(found: Problem) -> str:
    """A located problem's message in the reader's language (its msgid with its parameters)."""
    if found.params:
        return _(str(found.msgid), **{k: say(v) if isinstance(v, str) else v for k, v in found.params.items()})
    return say(found.msgid)


def _field(form, where: str):
    """The form's field a problem is located at: the form's own ``field_for`` when it maps
    locations to fields (e.g. "inspectors.fire"), else the field of that name."""
    if form is None or not where:
        return None
    if hasattr(form, "field_for"):
        return form.field_for(where)
    return getattr(form, "_fields", {}).get(where)


class refusal:
    """The edge of a page around a service call: a refusal (``Invalid``, ``Conflict``) rolls
    the transaction back, its message is flashed in the reader's language, and each located
    problem is put on its form field (``attach=True``, for a page that shows the form again)
    or flashed after the label of the place it concerns (the form field's label, else
    ``labels[where]``, else ``where``)::

        with refusal(form, attach=True) as refused:
            plan = plans.create_plan(current_user, form.values())
        if refused:
            return render_template(...), refused.status
        db.session.commit()

    Anything else propagates (the application's error handlers answer it). ``problems=False``
    leaves the problems to the page (a table of an import's rows)."""

    def __init__(self, form=None, *, attach: bool = False, labels: dict | None = None,
                 problems: bool = True, catch: tuple = (Invalid, Conflict)):
        self.form, self.attach, self.labels, self.show_problems = form, attach, labels or {}, problems
        self.catch = catch
        self.error: DomainError | None = None

    def __enter__(self) -> "refusal":
        return self

    def __exit__(self, kind, exc, tb) -> bool:
        if exc is None or not isinstance(exc, self.catch):
            return False
        db.session.rollback()
        self.error = exc
        if exc.message:
            flash(translate(exc.message, exc.params), "error")
        if self.show_problems:
            for found in self.problems:
                self._show(found)
        return True

    def __bool__(self) -> bool:
        return self.error is not None

    @property
    def status(self) -> int:
        return self.error.status if self.error is not None else 200

    @property
    def problems(self) -> list[Problem]:
        return [problem(p) for p in getattr(self.error, "problems", [])]

    def _show(self, found: Problem) -> None:
        text = say_problem(found)
        field = _field(self.form, found.where)
        if field is not None and self.attach:
            field.errors = [*(field.errors or []), text]
            return
        label = field.label.text if field is not None else self.labels.get(found.where, found.where)
        flash(f"{label}: {text}" if label else text, "error")


def safe_next(target: str | None, fallback: str) -> str:
    """A redirect target only when it is a path on this site (no scheme, no host, no tricks
    such as ``/\t/evil.example`` or backslashes, which browsers read as ``//``)."""
    if target and target.startswith("/") and "\\" not in target:
        parts = urlsplit(target)
        cleaned = "".join(ch for ch in target if ch >= " ")
        if not parts.scheme and not parts.netloc and not cleaned.startswith("//") and cleaned == target:
            return target
    return fallback


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or request.is_json


def _error_page(status: int, message: str):
    if wants_json():
        return {"error": message}, status
    return render_template("errors/error.html", status=status, message=message), status


def _busy(message: str, retry_after: int):
    """503 with Retry-After: the request changed nothing and may be sent again later."""
    response = make_response(_error_page(503, message))
    response.headers["Retry-After"] = str(int(retry_after))
    return response


class RecordIdConverter(IntegerConverter):
    """``<int:…>`` in every route: ids beyond the database's integer range simply do not match
    (a 404), instead of overflowing in the driver (a 500)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = RecordIdConverter

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()
        return _error_page(exc.status, translate(exc.message, exc.params))

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        log.warning("CSRF refused: %s", exc.description)
        return _error_page(400, _("The form has expired or was sent from elsewhere. Reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        messages = {
            403: _("You do not have permission to see this page."),
            404: _("The page or record was not found."),
            405: _("This action is not allowed here."),
            413: _("The upload is too large."),
        }
        return _error_page(exc.code or 500, messages.get(exc.code, exc.description or ""))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return _error_page(500, _("Something went wrong on our side. Nothing was saved; please try again."))

    @app.errorhandler(OperationalError)
    def database_busy(exc: OperationalError):
        """SQLite's write lock was not free within SQLITE_BUSY_TIMEOUT (the transaction fails
        before its first write), or a PostgreSQL row lock within POSTGRES_LOCK_TIMEOUT (the
        transaction is rolled back whole): nothing was saved, so the client may send it again."""
        if not is_busy(exc):
            return unexpected(exc)
        log.warning("database busy on %s %s: answered 503", request.method, request.path)
        db.session.rollback()
        return _busy(_("The system is busy right now and nothing was saved. Please try again in a few seconds."),
                     app.config.get("BUSY_RETRY_AFTER", 5))

    @app.errorhandler(Busy)
    def heavy_work_busy(exc: Busy):
        """Every slot for heavy work of this process is taken (core.heavy); nothing was done."""
        log.warning("no slot for heavy work (%s) on %s %s: answered 503", exc.what, request.method, request.path)
        db.session.rollback()
        return _busy(_("The server is busy with other large files (PDFs, spreadsheets, photos) and nothing "
                       "was saved. Please try again in a few seconds."), exc.retry_after)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    @app.before_request
    def remember_language():
        lang = request.args.get("lang")
        if lang in app.config["LANGUAGES"]:
            session["lang"] = lang

    inputs.init_app(app)

    app.jinja_env.globals.update(labels=labels, get_locale=get_locale)
    app.jinja_env.filters.update(labels.FILTERS)

