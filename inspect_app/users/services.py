"""Managing accounts and the inspector registry: departments, districts, active flag and
declared conflicts of interest."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..auth import policy
from ..auth.models import ConflictOfInterest, User
from ..auth.roles import DEPARTMENTS, Role
from ..auth.services import check_password_strength, hash_password, revoke_all_sessions
from ..core import audit
from ..core.errors import Conflict, Forbidden, Invalid
from ..core.paging import Page, paginate
from ..core.types import utcnow
from ..domain.enforcement import credential_problems
from ..domain.translatable import N_
from ..extensions import db
from ..registry.models import Institution


@dataclass(frozen=True)
class PeopleFilter:
    q: str = ""
    role: str = ""
    department: str = ""
    active: str = ""   # "", "yes", "no"


def search(actor, f: PeopleFilter, page: int = 1, per_page: int = 25) -> Page:
    policy.require(actor, "users.view")
    stmt = policy.visible(User, actor)
    if f.q:
        like = f"%{f.q.strip()}%"
        stmt = stmt.where(User.name.ilike(like) | User.username.ilike(like))
    if f.role:
        stmt = stmt.where(User.role == f.role)
    if f.department:
        stmt = stmt.where(User.department == f.department)
    if f.active in ("yes", "no"):
        stmt = stmt.where(User.is_active_account.is_(f.active == "yes"))
    return paginate(stmt.order_by(User.department, User.role, User.username), page, per_page)


def get(actor, user_id: int) -> User:
    policy.require(actor, "users.view")
    return policy.get_visible(User, user_id, actor)


def assignable_roles(actor) -> list[str]:
    """Roles ``actor`` may give a new account: the bureau any, a department admin inspectors."""
    if actor.role == Role.BUREAU_ADMIN:
        return [r.value for r in Role]
    if actor.role == Role.DEPARTMENT_ADMIN:
        return [Role.INSPECTOR.value]
    return []


# Who may change what on the people form (docs/security.md, "Sign-in throttling and account
# takeover"). Plain facts about a person, and the fields that decide what an account can do.
PLAIN_FIELDS = frozenset({"name", "district", "phone", "email"})
SECURITY_FIELDS = frozenset({"role", "department", "institution_id", "is_department_head",
                             "is_active_account", "password"})
# An inspector's enforcement certificate (执法证): kept by the bureau and by the inspector's
# department admin (docs/regulations.md, "Enforcement credentials").
CREDENTIAL_FIELDS = frozenset({"credential_number", "credential_authority", "credential_expires_on"})

ONLY_OWN_INSPECTORS = N_("A department admin may edit only the inspectors of their own department.")
NOT_YOURSELF_DEPARTMENT = N_("A department admin may edit only the inspectors of their own department. "
                             "Change your own password on the My account page.")
NOT_YOURSELF = N_("You cannot change your own password, role, department, head flag or active flag "
                  "here. Change your password on the My account page.")
ONLY_THE_BUREAU = N_("Only the bureau may change an account's role, department, institution or head flag.")


def creatable_fields(actor) -> frozenset[str]:
    """The fields ``actor`` fills in for a new account (a department admin's are its own
    department's inspectors, so department and head flag are not theirs to choose)."""
    if actor.role == Role.BUREAU_ADMIN:
        return PLAIN_FIELDS | SECURITY_FIELDS | CREDENTIAL_FIELDS | {"username"}
    return PLAIN_FIELDS | CREDENTIAL_FIELDS | {"username", "role", "is_active_account", "password"}


def editable_fields(actor, person: User) -> frozenset[str]:
    """What ``actor`` may change on ``person`` through the people form; Forbidden if nothing.

    The bureau changes everything on other accounts; on its own only the plain facts (its
    password goes through the account page, which asks for the current one). A department
    admin edits the inspectors of their own department, may reset their password and disable
    them, and never edits a peer admin or themselves here."""
    if actor.role == Role.BUREAU_ADMIN:
        return PLAIN_FIELDS if person.id == actor.id else PLAIN_FIELDS | SECURITY_FIELDS | CREDENTIAL_FIELDS
    if actor.role == Role.DEPARTMENT_ADMIN:
        if person.id == actor.id:
            raise Forbidden(NOT_YOURSELF_DEPARTMENT)
        if person.role == Role.INSPECTOR.value and person.department == actor.department:
            return PLAIN_FIELDS | CREDENTIAL_FIELDS | {"is_active_account", "password"}
        raise Forbidden(ONLY_OWN_INSPECTORS)
    raise Forbidden("You do not have permission to do this.")


def may_edit(actor, person: User) -> bool:
    try:
        editable_fields(actor, person)
    except Forbidden:
        return False
    return True


def _current(user: User) -> dict:
    return {"name": user.name, "role": user.role, "department": user.department,
            "institution_id": user.institution_id, "district": user.district, "phone": user.phone,
            "email": user.email, "is_active_account": bool(user.is_active_account),
            "is_department_head": bool(user.is_department_head), "password": "",
            "credential_number": user.credential_number, "credential_authority": user.credential_authority,
            "credential_expires_on": user.credential_expires_on}


def _as_compared(key: str, value):
    """A submitted value in the form it is stored in, to tell whether it changes anything."""
    if key in ("is_active_account", "is_department_head"):
        return bool(value)
    if key in ("department", "institution_id"):
        value = value or None
        return str(value) if value is not None else None
    if key == "password":
        return value or ""
    if key in ("credential_number", "credential_authority"):
        return (value or "").strip() or None
    if key == "credential_expires_on":
        return value.isoformat() if value else None
    return value


def _clean(actor, values: dict, creating: bool) -> tuple[dict, list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    out = {
        "name": (values.get("name") or "").strip(),
        "role": values.get("role") or "",
        "department": values.get("department") or None,
        "district": (values.get("district") or "").strip() or None,
        "phone": (values.get("phone") or "").strip() or None,
        "email": (values.get("email") or "").strip() or None,
        "institution_id": values.get("institution_id") or None,
        "is_active_account": bool(values.get("is_active_account", True)),
        "is_department_head": bool(values.get("is_department_head", False)),
        "credential_number": (values.get("credential_number") or "").strip() or None,
        "credential_authority": (values.get("credential_authority") or "").strip() or None,
        "credential_expires_on": values.get("credential_expires_on") or None,
    }
    if not out["name"]:
        problems.append(("name", "is required"))
    if out["role"] not in (assignable_roles(actor) if creating else [r.value for r in Role]):
        problems.append(("role", "you may not give this role"))
    if creating and out["is_department_head"] and actor.role != Role.BUREAU_ADMIN:
        problems.append(("is_department_head", "only the bureau names the head of a department"))
    if actor.role == Role.DEPARTMENT_ADMIN:
        out["department"] = actor.department
    if out["role"] in (Role.INSPECTOR.value, Role.DEPARTMENT_ADMIN.value):
        if out["department"] not in DEPARTMENTS:
            problems.append(("department", "an inspector or department admin belongs to one department"))
        out["institution_id"] = None
    elif out["role"] == Role.INSTITUTION_STAFF.value:
        out["department"] = None
        inst_id = out["institution_id"]
        if not inst_id or db.session.get(Institution, int(inst_id)) is None:
            problems.append(("institution_id", "institution staff belong to one registered institution"))
        else:
            out["institution_id"] = int(inst_id)
    else:
        out["department"] = None
        out["institution_id"] = None
    if out["role"] == Role.INSPECTOR.value:
        problems.extend(credential_problems(out["credential_number"], out["credential_authority"],
                                            out["credential_expires_on"]))
    else:                               # only an inspector holds one
        out.update(dict.fromkeys(CREDENTIAL_FIELDS))
    if creating:
        username = (values.get("username") or "").strip()
        if not username or len(username) > 60:
            problems.append(("username", "is required (at most 60 characters)"))
        elif db.session.scalar(select(User.id).where(User.username == username)):
            problems.append(("username", "is already taken"))
        out["username"] = username
        try:
            check_password_strength(values.get("password") or "")
        except Invalid:
            problems.append(("password", "must have at least 10 characters"))
    return out, problems


def create(actor, values: dict) -> User:
    policy.require(actor, "users.edit")
    clean, problems = _clean(actor, values, creating=True)
    if problems:
        raise Invalid("The account could not be saved.", problems=problems)
    user = User(**clean, password_hash=hash_password(values["password"]), created_at=utcnow())
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "create", "user_account", user.id, after=audit.snapshot(user))
    return user


def update(actor, user_id: int, values: dict) -> User:
    """Change an account through the people form. ``values`` holds the fields submitted; a
    field left out stays as it is. Changing a field the actor may not change is refused
    (Forbidden) before anything is written; changes are audited (never the password hash)."""
    policy.require(actor, "users.edit")
    user = policy.get_visible(User, user_id, actor)
    editable = editable_fields(actor, user)
    current = _current(user)
    changing = {key for key, value in values.items() if key in current
                and _as_compared(key, value) != _as_compared(key, current[key])}
    refused = changing - editable
    if refused:
        raise Forbidden(NOT_YOURSELF if user.id == actor.id else ONLY_THE_BUREAU)
    merged = {**current, **{key: values[key] for key in changing}}
    clean, problems = _clean(actor, merged, creating=False)
    if problems:
        raise Invalid("The account could not be saved.", problems=problems)
    before = audit.snapshot(user)
    for key, value in clean.items():
        setattr(user, key, value)
    new_password = merged["password"]
    if new_password:
        try:
            check_password_strength(new_password)
        except Invalid:
            raise Invalid("The account could not be saved.", problems=[("password", N_("must have at least 10 characters"))])
        user.password_hash = hash_password(new_password)
    if not user.is_active_account or new_password:
        revoke_all_sessions(user)
    db.session.flush()
    after = audit.snapshot(user)
    if before != after or new_password:
        audit.record(actor, "update", "user_account", user.id, before=before, after=after,
                     reason="password reset" if new_password else None)
    return user


def declare_conflict(actor, user_id: int, institution_id: int, reason: str) -> ConflictOfInterest:
    """Record that an inspector must not inspect an institution (by an admin, or by the
    inspector for themselves)."""
    if actor.id != user_id:
        policy.require(actor, "users.edit")
    user = policy.get_visible(User, user_id, actor)
    inst = policy.get_visible(Institution, institution_id, actor)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Give the reason for the conflict of interest.", problems=[("reason", "is required")])
    if db.session.scalar(select(ConflictOfInterest.id).where(
            ConflictOfInterest.user_id == user.id, ConflictOfInterest.institution_id == inst.id)):
        raise Conflict("This conflict of interest is already declared.")
    row = ConflictOfInterest(user_id=user.id, institution_id=inst.id, reason=reason[:500], declared_at=utcnow())
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "create", "inspector_conflict", row.id, after=audit.snapshot(row))
    return row


def withdraw_conflict(actor, user_id: int, conflict_id: int) -> None:
    policy.require(actor, "users.edit")
    user = policy.get_visible(User, user_id, actor)
    row = db.session.scalar(select(ConflictOfInterest).where(
        ConflictOfInterest.id == conflict_id, ConflictOfInterest.user_id == user.id))
    if row is None:
        raise Invalid("The conflict of interest was not found.")
    audit.record(actor, "delete", "inspector_conflict", row.id, before=audit.snapshot(row))
    db.session.delete(row)
