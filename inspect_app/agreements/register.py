"""The register of care-medical agreements: read, enter, edit, list and export."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select, update as sql_update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..auth import policy
from ..auth.roles import Role
from ..core import audit, files
from ..core.errors import Conflict, Invalid, NotFound, Problem
from ..core.paging import Page, paginate
from ..core.types import utcnow
from ..domain import agreements as rules
from ..domain.translatable import N_
from ..extensions import db
from ..registry.models import Institution
from . import registry_link
from .models import AgreementPage, MedicalAgreement
from .policy import current as reminder_policy

MAX_PAGES = 20
STATES = ("in_force", "ending", "expired", "future")

FIELDS = ("partner_name", "partner_licence", "number", "signed_on", "starts_on", "ends_on", "services",
          "visit_count", "visit_period", "green_channel", "green_channel_contact", "doctor_name")


@dataclass(frozen=True)
class Filter:
    q: str = ""
    district: str = ""
    state: str = ""        # STATES or ""
    institution: int | None = None


def state_clause(state: str, today: date):
    """The SQL condition of a list state: in force, ending (in force and within the first
    reminder's days of its end), expired, not yet in force."""
    ending_from = today + timedelta(days=max(reminder_policy().days_before))
    if state == "in_force":
        return (MedicalAgreement.starts_on <= today) & (MedicalAgreement.ends_on >= today)
    if state == "ending":
        return (MedicalAgreement.starts_on <= today) & (MedicalAgreement.ends_on >= today) & \
            (MedicalAgreement.ends_on <= ending_from)
    if state == "expired":
        return MedicalAgreement.ends_on < today
    if state == "future":
        return MedicalAgreement.starts_on > today
    raise ValueError(state)


def state_of(agreement: MedicalAgreement, today: date) -> str:
    """The list state of one agreement (the same rule as :func:`state_clause`)."""
    if agreement.ends_on < today:
        return "expired"
    if agreement.starts_on > today:
        return "future"
    if agreement.ends_on <= today + timedelta(days=max(reminder_policy().days_before)):
        return "ending"
    return "in_force"


def _filtered(user, f: Filter, today: date):
    stmt = (policy.visible(MedicalAgreement, user).join(Institution, Institution.id == MedicalAgreement.institution_id)
            .options(selectinload(MedicalAgreement.institution)))
    if f.q:
        like = f"%{f.q.strip()}%"
        stmt = stmt.where(or_(Institution.name.ilike(like), MedicalAgreement.partner_name.ilike(like)))
    if f.district:
        stmt = stmt.where(Institution.district == f.district)
    if f.state in STATES:
        stmt = stmt.where(state_clause(f.state, today))
    if f.institution is not None:
        stmt = stmt.where(MedicalAgreement.institution_id == f.institution)
    return stmt.order_by(MedicalAgreement.ends_on, MedicalAgreement.id)


def search(user, f: Filter, today: date, page: int = 1, per_page: int = 25) -> Page:
    policy.require(user, "agreements.view")
    return paginate(_filtered(user, f, today), page, per_page)


def rows(user, f: Filter, today: date):
    """Every agreement of the list, in its order (the export)."""
    policy.require(user, "agreements.export")
    return db.session.scalars(_filtered(user, f, today)).all()


def get(user, agreement_id: int) -> MedicalAgreement:
    policy.require(user, "agreements.view")
    return policy.get_visible(MedicalAgreement, agreement_id, user)


def page_file(user, agreement_id: int, file_id: int):
    """A scanned page's stored file, once the agreement is visible to the user."""
    agreement = get(user, agreement_id)
    for page in agreement.pages:
        if page.file_id == file_id:
            return page.file
    raise NotFound("The file was not found.")


def _institution(user, credit_code: str) -> Institution:
    """The institution an agreement is entered for: staff their own; the bureau names it by
    its unified social credit code."""
    if user.role == Role.INSTITUTION_STAFF:
        return policy.get_visible(Institution, user.institution_id, user)
    code = (credit_code or "").strip().upper()
    inst = db.session.scalar(policy.visible(Institution, user).where(Institution.credit_code == code)) if code else None
    if inst is None:
        raise Invalid("The agreement could not be saved.",
                      problems=[("credit_code", N_("no institution has this unified social credit code"))])
    return inst


def _clean(values: dict, today: date) -> dict:
    v = dict(values)
    for key in ("partner_name", "number", "green_channel_contact", "doctor_name"):
        v[key] = (v.get(key) or "").strip() or None
    v["partner_licence"] = (v.get("partner_licence") or "").strip().upper()
    v["services"] = [s for s in rules.SERVICES if s in (v.get("services") or [])] or list(v.get("services") or [])
    v["green_channel"] = bool(v.get("green_channel"))
    problems = rules.problems(v, today)
    if problems:
        raise Invalid("The agreement could not be saved.", problems=problems)
    return {k: v[k] for k in FIELDS}


def prepare_pages(uploads) -> list:
    """Check, re-encode and write the scanned pages (before any lock)."""
    uploads = [u for u in (uploads or []) if getattr(u, "filename", "")]
    if len(uploads) > MAX_PAGES:
        raise Invalid("The agreement could not be saved.", problems=[Problem("pages", N_("at most %(n)s pages"), {"n": MAX_PAGES})])
    return [files.prepare_upload(u, kind="document", where=f"pages[{n + 1}]") for n, u in enumerate(uploads)]


def _add_pages(user, agreement: MedicalAgreement, prepared: list) -> None:
    if len(agreement.pages) + len(prepared) > MAX_PAGES:
        raise Invalid("The agreement could not be saved.", problems=[Problem("pages", N_("at most %(n)s pages"), {"n": MAX_PAGES})])
    start = len(agreement.pages)
    for n, p in enumerate(prepared):
        stored = files.record(p, user)
        agreement.pages.append(AgreementPage(file_id=stored.id, position=start + n + 1))


def _check_unique(institution_id: int, clean: dict, exclude_id: int | None = None) -> None:
    """One agreement per institution, partner licence and start (the table's unique key, checked
    first so that a form sent twice gets a located answer)."""
    stmt = select(MedicalAgreement.id).where(MedicalAgreement.institution_id == institution_id,
                                             MedicalAgreement.partner_licence == clean["partner_licence"],
                                             MedicalAgreement.starts_on == clean["starts_on"])
    if exclude_id is not None:
        stmt = stmt.where(MedicalAgreement.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise Invalid("The agreement could not be saved.", problems=[
            ("partner_licence", N_("an agreement with this medical unit starting that day is already registered"))])


def create(user, credit_code: str, values: dict, prepared_pages: list, today: date) -> MedicalAgreement:
    policy.require(user, "agreements.edit")
    clean = _clean(values, today)
    inst = _institution(user, credit_code)
    _check_unique(inst.id, clean)
    now = utcnow()
    agreement = MedicalAgreement(institution_id=inst.id, **clean, reminder_step=0, created_by_id=user.id,
                                 created_at=now, updated_at=now)
    try:
        with db.session.begin_nested():          # a concurrent twin committed first: refused, located
            db.session.add(agreement)
            db.session.flush()
    except IntegrityError:
        raise Invalid("The agreement could not be saved.", problems=[
            ("partner_licence", N_("an agreement with this medical unit starting that day is already registered"))]) from None
    _add_pages(user, agreement, prepared_pages)
    db.session.flush()
    audit.record(user, "create", "medical_agreement", agreement.id, after=audit.snapshot(agreement))
    registry_link.sync(user, today, {inst.id})
    return agreement


def update(user, agreement_id: int, values: dict, version: int, prepared_pages: list,
           today: date) -> MedicalAgreement:
    policy.require(user, "agreements.edit")
    agreement = policy.get_visible(MedicalAgreement, agreement_id, user)
    if agreement.version != version:
        raise Conflict("Someone else changed this agreement meanwhile; reload and apply your change again.")
    clean = _clean(values, today)
    _check_unique(agreement.institution_id, clean, exclude_id=agreement.id)
    before = audit.snapshot(agreement)
    new_end = clean["ends_on"] != agreement.ends_on
    for key, value in clean.items():
        setattr(agreement, key, value)
    _add_pages(user, agreement, prepared_pages)
    if db.session.is_modified(agreement) or prepared_pages:
        agreement.updated_at = utcnow()
        db.session.flush()
        audit.record(user, "update", "medical_agreement", agreement.id, before=before,
                     after=audit.snapshot(agreement))
    if new_end:
        # A new end date gets its own reminders. Written in SQL, whatever this session last read:
        # the sweep moves the step without the ORM (its UPDATE also requires the old end date).
        db.session.execute(sql_update(MedicalAgreement).where(MedicalAgreement.id == agreement.id)
                           .values(reminder_step=0).execution_options(synchronize_session=False))
        set_committed_value(agreement, "reminder_step", 0)
    registry_link.sync(user, today, {agreement.institution_id})
    return agreement


#: The services in the export's words (the export is a Chinese register, like the registry's).
SERVICE_WORDS = {"health_records": "健康档案", "checkups": "健康体检", "rounds": "定期巡诊",
                 "fast_track": "预约就诊绿色通道", "referral": "双向转诊", "emergency": "急诊急救",
                 "training": "人员培训", "advice": "健康咨询"}


def export_table(user, f: Filter, today: date):
    """(headers, rows) of the export: every agreement of the list, formula-safe by the writer."""
    from_labels = {"in_force": "有效", "ending": "即将到期", "expired": "已过期", "future": "未生效"}
    headers = ["机构名称", "统一社会信用代码", "区", "医疗机构名称", "医疗机构执业许可证登记号", "协议编号",
               "签订日期", "起始日期", "终止日期", "状态", "服务内容", "巡诊频次", "绿色通道", "绿色通道联系人",
               "签约医生"]
    out = []
    for a in rows(user, f, today):
        per = "周" if a.visit_period == "week" else "月"
        out.append([a.institution.name, a.institution.credit_code, a.institution.district, a.partner_name,
                    a.partner_licence, a.number or "", a.signed_on, a.starts_on, a.ends_on,
                    from_labels[state_of(a, today)], "、".join(SERVICE_WORDS.get(s, s) for s in a.services),
                    f"每{per}{a.visit_count}次", "是" if a.green_channel else "否", a.green_channel_contact or "",
                    a.doctor_name or ""])
    audit.record(user, "export", "medical_agreement", "*", after={"filter": f.__dict__})
    return headers, out

