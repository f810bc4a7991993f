"""Log-in, roles and the authorization policy (role + tenant scoping)."""
from __future__ import annotations

from flask_login import current_user

from ..extensions import login_manager
from .policy import can
from .services import load_session_user


def init_app(app) -> None:
    """Plug the sign-in into the application: the user behind a session cookie, where an
    anonymous visitor is sent, and ``can(permission)`` in templates."""
    login_manager.user_loader(load_session_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    app.jinja_env.globals["can"] = lambda permission: can(current_user, permission)
