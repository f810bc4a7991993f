"""The one authorization mechanism: role permissions plus tenant scoping of every query.

* ``require(user, "registry.edit")`` — may this role do this at all? (table in :mod:`.roles`)
* ``visible(Model, user)`` — a SELECT of only the rows this user may see; each model states
  its tenant rule in ``visible_to(user)``. Services fetch records through
  :func:`get_visible`, so a guessed id of another tenant's record is simply not found.
* Views declare their permission with :func:`permission_required` (or :func:`public`); a test
  checks every route declares one.
"""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import false, select

from ..core.errors import Forbidden, NotFound
from ..extensions import db, login_manager
from .roles import Role, allowed


def can(user, permission: str) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and allowed(user.role, permission)


def require(user, permission: str) -> None:
    if not can(user, permission):
        raise Forbidden("You do not have permission to do this.")


def scope_clause(model, user):
    if not getattr(user, "is_authenticated", False):
        return false()
    return model.visible_to(user)


def visible(model, user):
    """SELECT model rows this user may see."""
    return select(model).where(scope_clause(model, user))


def get_visible(model, ident, user):
    """One record by primary key, or NotFound when it does not exist *or* is not the user's."""
    obj = db.session.scalar(visible(model, user).where(model.id == ident))
    if obj is None:
        raise NotFound("The record was not found.")
    return obj


def is_role(user, *roles: Role) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and Role(user.role) in roles


def permission_required(permission: str):
    """Decorate a view: the user must be signed in and hold ``permission``."""
    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not allowed(current_user.role, permission):
                abort(403)
            return view(*args, **kwargs)
        wrapped.permission = permission
        return wrapped
    return decorate


def public(view):
    """Mark a view as open to everyone (the public pages, log-in)."""
    view.public = True
    return view
