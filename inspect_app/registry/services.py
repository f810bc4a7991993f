"""Registry operations: search, read, create, edit, import and export institutions."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from ..auth import policy
from ..core import audit
from ..core.errors import Conflict, Invalid
from ..core.paging import Page, paginate
from ..core.spreadsheet import write_xlsx
from ..core.types import utcnow
from ..domain.institution import (CARE_LEVELS, FIELDS, HOME_CARE_BED, INSTITUTION_TYPES, MEDICAL_INTEGRATION, OPERATOR_TYPES,
                                  STATUSES, clean_institution)
from ..extensions import db
from .models import Institution


@dataclass(frozen=True)
class RegistryFilter:
    q: str = ""
    type: str = ""
    district: str = ""
    street: str = ""
    status: str = ""
    operator_type: str = ""
    ltc: str = ""          # "", "yes", "no"


def _filtered(user, f: RegistryFilter):
    stmt = policy.visible(Institution, user)
    if f.q:
        like = f"%{f.q.strip()}%"
        stmt = stmt.where(or_(Institution.name.ilike(like), Institution.credit_code.ilike(like),
                              Institution.address.ilike(like)))
    for column, value in ((Institution.type, f.type), (Institution.district, f.district),
                          (Institution.street, f.street), (Institution.status, f.status),
                          (Institution.operator_type, f.operator_type)):
        if value:
            stmt = stmt.where(column == value)
    if f.ltc in ("yes", "no"):
        stmt = stmt.where(Institution.ltc_designated.is_(f.ltc == "yes"))
    return stmt.order_by(Institution.district, Institution.street, Institution.name, Institution.id)


def search(user, f: RegistryFilter, page: int = 1, per_page: int = 25) -> Page:
    policy.require(user, "registry.view")
    return paginate(_filtered(user, f), page, per_page)


def places(user) -> dict[str, list[str]]:
    """Districts and streets present in what the user may see (for filter menus)."""
    rows = db.session.execute(
        select(Institution.district, Institution.street).distinct()
        .where(policy.scope_clause(Institution, user))
        .order_by(Institution.district, Institution.street)
    ).all()
    out: dict[str, list[str]] = {}
    for district, street in rows:
        out.setdefault(district, [])
        if street not in out[district]:
            out[district].append(street)
    return out


def districts(user=None) -> list[str]:
    """The districts that have institutions, in order: those in what ``user`` may see, or
    every one (``user`` None: public pages, rankings, plans)."""
    stmt = select(Institution.district).distinct().order_by(Institution.district)
    if user is not None:
        stmt = stmt.where(policy.scope_clause(Institution, user))
    return list(db.session.scalars(stmt))


def get(user, institution_id: int) -> Institution:
    policy.require(user, "registry.view")
    return policy.get_visible(Institution, institution_id, user)


def _raise_problems(problems, message="The institution could not be saved."):
    if problems:
        raise Invalid(message, problems=[(p.column, p.message) for p in problems])


def _check_unique_code(values: dict, exclude_id: int | None = None) -> list:
    """An organisation's credit code names one registry row; a home-care bed carries its
    provider's code and is named by its bed number instead."""
    if values.get("type") == HOME_CARE_BED:
        field = "bed_code"
        stmt = select(Institution.id).where(Institution.bed_code == values["bed_code"])
    else:
        field = "credit_code"
        stmt = select(Institution.id).where(Institution.credit_code == values["credit_code"],
                                            Institution.type != HOME_CARE_BED)
    if exclude_id is not None:
        stmt = stmt.where(Institution.id != exclude_id)
    other = db.session.scalar(stmt)
    return [(field, f"is already registered (institution #{other})")] if other else []


def create(user, raw: dict) -> Institution:
    policy.require(user, "registry.edit")
    values, problems = clean_institution(raw)
    _raise_problems(problems)
    dup = _check_unique_code(values)
    if dup:
        raise Invalid("The institution could not be saved.", problems=dup)
    now = utcnow()
    inst = Institution(**values, created_at=now, updated_at=now)
    db.session.add(inst)
    db.session.flush()
    audit.record(user, "create", "institution", inst.id, after=audit.snapshot(inst))
    return inst


def update(user, institution_id: int, raw: dict, version: int) -> Institution:
    policy.require(user, "registry.edit")
    inst = policy.get_visible(Institution, institution_id, user)
    if inst.version != version:
        raise Conflict("Someone else changed this institution meanwhile; reload and apply your change again.")
    values, problems = clean_institution(raw)
    _raise_problems(problems)
    dup = _check_unique_code(values, exclude_id=inst.id)
    if dup:
        raise Invalid("The institution could not be saved.", problems=dup)
    before = audit.snapshot(inst)
    for key, value in values.items():
        setattr(inst, key, value)
    if db.session.is_modified(inst):
        inst.updated_at = utcnow()
        db.session.flush()
        audit.record(user, "update", "institution", inst.id, before=before, after=audit.snapshot(inst))
    return inst


# ----------------------------------------------------------------------------- export

EXPORT_COLUMNS = list(FIELDS)


def _label(field: str, value):
    for field_name, labels in (("type", INSTITUTION_TYPES), ("operator_type", OPERATOR_TYPES),
                               ("medical_integration", MEDICAL_INTEGRATION), ("status", STATUSES)):
        if field == field_name:
            return labels.get(value, value)
    if field == "ltc_designated":
        return "是" if value else "否"
    if field in ("filed_on", "assessed_on"):
        return value.isoformat() if value else ""
    if field == "care_level":
        return CARE_LEVELS.get(value, value) if value else ""
    return value


def export_xlsx(user, f: RegistryFilter) -> bytes:
    """The filtered registry as .xlsx with Chinese headers; re-importable as it is."""
    policy.require(user, "registry.export")
    rows = (
        [_label(c, getattr(inst, c)) for c in EXPORT_COLUMNS]
        for inst in db.session.scalars(_filtered(user, f)).yield_per(500)
    )
    data = write_xlsx([("机构名录", [FIELDS[c] for c in EXPORT_COLUMNS], rows)])
    audit.record(user, "export", "institution", "*", after={"filter": f.__dict__})
    return data
