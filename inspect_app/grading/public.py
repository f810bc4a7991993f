"""The public side of grading (一公开): current grades, open data, 公示 and objections.

No log-in: nothing here takes a user. Only confirmed, unexpired grades are listed; only
records in 公示 can be objected to. Objections are limited in size and, per sender (a keyed
hash of the address, never the address itself), in number per hour.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from ..core import audit
from ..core.errors import Invalid, NotFound
from ..core.paging import Page, paginate
from ..core.opendata import Column, DataSet
from ..core.types import utcnow
from ..domain.grading import lifecycle as life
from ..domain.grading import schemes
from ..domain.institution import INSTITUTION_TYPES
from ..core.whole_numbers import whole_number
from ..domain.translatable import N_, Message
from ..extensions import db
from ..registry import services as registry
from ..registry.models import Institution
from . import policy as policies
from .models import GradeObjection, GradeRecord
from .current import current_clause, suspension_reasons

NAME_MAX, CONTACT_MAX = 60, 80


@dataclass(frozen=True)
class PublicFilter:
    district: str = ""
    type: str = ""
    level: str = ""         # "4": four stars; "4A": the A-level 4A
    scheme: str = ""        # "", "star" or "a_level"

    @property
    def wanted(self) -> tuple[str | None, int | None]:
        """(scheme, level) the filter asks for: a level "4" is a star level, "4A" an A-level;
        a level that is neither asks for nothing more."""
        scheme = self.scheme if self.scheme in schemes.SCHEMES else None
        text = (self.level or "").strip()
        if text[-1:] in ("A", "a"):
            level = whole_number(text[:-1])
            if level is not None and 1 <= level <= 5 and scheme in (None, schemes.A_LEVEL):
                return schemes.A_LEVEL, level
            return scheme, None
        level = whole_number(text)
        if level is not None and scheme in (None, schemes.STAR):
            return schemes.STAR, level
        return scheme, None


def _current(f: PublicFilter, today: date):
    stmt = (select(GradeRecord).join(Institution, Institution.id == GradeRecord.institution_id)
            .options(contains_eager(GradeRecord.institution)).where(current_clause(today)))
    if f.district:
        stmt = stmt.where(Institution.district == f.district)
    if f.type:
        stmt = stmt.where(Institution.type == f.type)
    scheme, level = f.wanted
    if scheme is not None:
        stmt = stmt.where(GradeRecord.scheme == scheme)
    if level is not None:
        stmt = stmt.where(GradeRecord.level == level)
    # The GB/T 37276 stars first, then the community A-levels: two scales, never one.
    return stmt.order_by((GradeRecord.scheme != schemes.STAR), GradeRecord.level.desc(),
                         Institution.district, Institution.name, GradeRecord.id)


def current_grades(f: PublicFilter, today: date, now: datetime, page: int = 1,
                   per_page: int = 50) -> tuple[Page, dict[int, list[str]]]:
    """A page of current grades and, per institution, why its grade is suspended."""
    result = paginate(_current(f, today), page, per_page)
    reasons = suspension_reasons([r.institution_id for r in result.items], now)
    return result, reasons


def districts() -> list[str]:
    return registry.districts()


# Open data (docs/open-data.md): the values are Chinese words and codes whoever downloads them.
STATES = {"valid": "有效", "suspended": "暂停显示"}
SCHEME_NAMES = {"star": "养老机构等级（星级，GB/T 37276）", "a_level": "社区居家养老服务中心等级（A级）"}

GRADES = DataSet(
    stem="grades",
    title="养老机构等级",
    description="养老机构等级评定结果：已确认、已生效且未失效的等级（公示中、已驳回、已撤销、已失效的记录不在其中）。",
    updates="实时：每次下载时按当时的数据生成，文件名中的日期即生成日期；等级在局确认、撤销或到期失效时变化，"
            "存在未销号的否决项问题或逾期的严重问题时显示为暂停。",
    columns=(
        Column("机构名称", "text", "机构在名录库中的名称", 30, key="institution_name"),
        Column("统一社会信用代码", "text", "18 位统一社会信用代码（GB 32100-2015）", 22, key="credit_code"),
        Column("机构类型", "text", "机构类型的中文名称（与机构类型代码一一对应）", 18, key="institution_type_name"),
        Column("机构类型代码", "code", "机构类型的稳定代码，供程序使用", 18, INSTITUTION_TYPES, key="institution_type"),
        Column("区", "text", "机构所在区", 10, key="district"),
        Column("街道", "text", "机构所在街道（乡镇）", 12, key="street"),
        Column("地址", "text", "机构地址", 30, key="address"),
        Column("等级", "integer", "等级，1 至 5：星级评定为星数，社区中心评定为A的个数（见等级体系）", 8, key="level"),
        Column("评定总分", "decimal", "等级评定检查表的得分", 10, key="total"),
        Column("生效日期", "date", "等级生效之日", 12, key="effective_on"),
        Column("失效日期", "date", "等级失效之日：当日起不再有效", 12, key="expires_on"),
        Column("状态", "text", "有效，或暂停显示（见暂停原因）", 10, key="state_name"),
        Column("状态代码", "code", "状态的稳定代码，供程序使用", 10, STATES, key="state"),
        Column("暂停原因", "text", "暂停显示的原因：未销号的否决项问题或逾期的严重问题，以“; ”分隔；有效时为空", 40, key="suspension_reasons"),
        Column("等级体系", "text", "养老机构星级（GB/T 37276），或社区居家养老服务中心A级评定", 24, key="scheme_name"),
        Column("等级体系代码", "code", "等级体系的稳定代码，供程序使用", 10, SCHEME_NAMES, key="scheme"),
        Column("等级名称", "text", "等级的写法：星级如“4星”，A级如“4A”", 8, key="level_name"),
    ),
)


def export_rows(f: PublicFilter, today: date, now: datetime) -> list[list]:
    """The current grades as plain values (Chinese words, codes, dates, numbers), the same
    whatever the language of the request."""
    records = list(db.session.scalars(_current(f, today)))
    with force_locale("zh"):
        reasons = {k: [str(x) for x in v] for k, v in
                   suspension_reasons([r.institution_id for r in records], now).items()}
    rows = []
    for r in records:
        inst = r.institution
        state = "suspended" if r.institution_id in reasons else "valid"
        rows.append([inst.name, inst.credit_code, INSTITUTION_TYPES.get(inst.type, inst.type), inst.type,
                     inst.district, inst.street, inst.address, r.level, r.total,
                     r.effective_on, r.expires_on, STATES[state], state,
                     "; ".join(reasons.get(r.institution_id, [])),
                     SCHEME_NAMES.get(r.scheme, r.scheme), r.scheme, level_name(r.scheme, r.level)])
    return rows


def level_name(scheme: str, level: int | None) -> str:
    """The level as the open data writes it: "4星" or "4A"."""
    if level is None:
        return ""
    return schemes.a_label(level) or "" if scheme == schemes.A_LEVEL else f"{level}星"


def selection(f: PublicFilter) -> str:
    """The visitor's filter in the words of the columns ("" for everything)."""
    scheme, level = f.wanted
    parts = [("区", f.district), ("机构类型代码", f.type),
             ("等级体系代码", scheme or ""), ("等级", str(level) if level is not None else "")]
    return "; ".join(f"{name}={value}" for name, value in parts if value)


# 公示 and objections ------------------------------------------------------------------------

def _in_publicity(today: date):
    """Records in 公示 today: published, from the first to the last day (both included) —
    whether or not the daily sweep has closed the period yet."""
    return ((GradeRecord.state == life.PUBLICISED) & (GradeRecord.publicity_start <= today)
            & (GradeRecord.publicity_end >= today))


def in_publicity(today: date) -> list[GradeRecord]:
    return list(db.session.scalars(
        select(GradeRecord).join(Institution, Institution.id == GradeRecord.institution_id)
        .options(contains_eager(GradeRecord.institution)).where(_in_publicity(today))
        .order_by(GradeRecord.publicity_end, Institution.name)))


def publicised_record(record_id: int, today: date, *, lock: bool = False) -> GradeRecord:
    """A record in 公示 today; ``lock`` takes its row (so the bureau's confirmation or
    rejection, which lock it too, cannot interleave with an objection being lodged)."""
    stmt = select(GradeRecord).where(GradeRecord.id == record_id, _in_publicity(today))
    if lock:
        stmt = stmt.with_for_update(of=GradeRecord)
    record = db.session.scalar(stmt.execution_options(populate_existing=True))
    if record is None:
        raise NotFound("This record is not in public notice.")
    return record


def sender_hash(address: str, secret: str) -> str:
    return hmac.new(secret.encode(), (address or "-").encode(), hashlib.sha256).hexdigest()


def lodge_objection(record_id: int, name: str, contact: str, text: str, sender: str,
                    today: date, now: datetime | None = None) -> GradeObjection:
    """Record an objection to a record in 公示 (anyone may lodge one)."""
    now = now or utcnow()
    record = publicised_record(record_id, today, lock=True)
    rules = policies.in_force(today, record.scheme)
    name, contact, text = (name or "").strip(), (contact or "").strip(), (text or "").strip()
    problems = []
    if not name or len(name) > NAME_MAX:
        problems.append(("name", Message(N_("required, at most %(n)s characters"), n=NAME_MAX)))
    if not contact or len(contact) > CONTACT_MAX:
        problems.append(("contact", Message(N_("required, at most %(n)s characters"), n=CONTACT_MAX)))
    if len(text) < 10 or len(text) > rules.objection_max_chars:
        problems.append(("text", Message(N_("between 10 and %(n)s characters"), n=rules.objection_max_chars)))
    if problems:
        raise Invalid("The objection could not be lodged.", problems=problems)
    recent = db.session.scalar(select(func.count()).select_from(GradeObjection).where(
        GradeObjection.sender_hash == sender, GradeObjection.lodged_at > now - timedelta(hours=1)))
    if recent >= rules.objections_per_hour:
        raise Invalid("Too many objections were sent from your connection; please try again later.",
                      problems=[("text", N_("try again in an hour"))])
    same = db.session.scalar(select(GradeObjection).where(
        GradeObjection.record_id == record.id, GradeObjection.sender_hash == sender,
        GradeObjection.text == text))
    if same is not None:
        return same                                   # a resent form is stored once
    objection = GradeObjection(record_id=record.id, lodged_at=now, name=name, contact=contact,
                               text=text, sender_hash=sender, state="open")
    db.session.add(objection)
    db.session.flush()
    audit.record(None, "object", "grade_objection", objection.id,
                 after=audit.snapshot(objection, exclude=("sender_hash",)))
    return objection
