"""Translating service texts where there may be no request (jobs, the grade command): the
reader's language in a request, the default language (Chinese) elsewhere."""
from __future__ import annotations

from flask import current_app, has_request_context
from flask_babel import force_locale, gettext


def t(message: str, **params) -> str:
    if has_request_context():
        return gettext(message, **params)
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh")):
        return gettext(message, **{k: str(v) for k, v in params.items()})
