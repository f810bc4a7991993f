"""Demo data for trying the system: only ever loaded by the ``seed``/``setup --demo`` commands."""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, select

from ..auth.models import ConflictOfInterest, User
from ..auth.roles import Role
from ..auth.services import hash_password
from ..domain.institution import CODE_ALPHABET, credit_code_check_char
from ..extensions import db
from ..registry.models import Institution
from ..core.types import local_today, utcnow
from . import agreements as agreements_demo
from . import complaints as complaints_demo
from . import grading as grading_demo
from . import inspections as inspections_demo
from . import overview as overview_demo
from . import planning as planning_demo
from . import ranking as ranking_demo
from . import rectification as rectification_demo

DEMO_PASSWORD = "CareInspect-2026"
DISTRICT = "示范区"
STREETS = ("东风街道", "人民路街道", "新华街道", "和平街道", "长安街道", "滨江街道", "文昌街道", "云山街道")
NAME_ROOTS = ("康乐", "福寿", "颐和", "松鹤", "夕阳红", "安康", "惠民", "乐龄", "长青", "仁爱",
              "同心", "慈晖", "温馨", "晚晴", "椿萱", "怡然")
TYPE_PLAN = {  # how many of each type the demo district holds
    "nursing_home": 20, "community_center": 8, "day_care": 12, "care_home": 8,
    "meal_point": 10, "service_station": 6,
}
TYPE_SUFFIX = {
    "nursing_home": "养老院", "community_center": "社区综合为老服务中心", "day_care": "日间照料中心",
    "care_home": "长者照护之家", "meal_point": "老年助餐点", "service_station": "养老服务站",
}
DEPARTMENT_LOGINS = {"civil_affairs": "civil", "fire": "fire", "market_regulation": "market",
                     "health": "health", "medical_insurance": "insurance"}
#: How people in the department are called in Chinese (display names: 消防检查员1).
DEPARTMENT_SHORT = {"civil_affairs": "民政", "fire": "消防", "market_regulation": "市场监管",
                    "health": "卫健", "medical_insurance": "医保"}


def demo_credit_code(rng: random.Random) -> str:
    body = "52" + "".join(rng.choice(CODE_ALPHABET[:10]) for _ in range(6)) + \
        "".join(rng.choice(CODE_ALPHABET) for _ in range(9))
    return body + credit_code_check_char(body)


def _institutions(rng: random.Random) -> list[Institution]:
    now = utcnow()
    out: list[Institution] = []
    n = 0
    for itype, count in TYPE_PLAN.items():
        for _ in range(count):
            street = STREETS[n % len(STREETS)]
            root = NAME_ROOTS[(n // len(STREETS)) % len(NAME_ROOTS)]  # unique with the street
            residential = itype in ("nursing_home", "care_home")
            beds = rng.randrange(40, 400, 10) if itype == "nursing_home" else (
                rng.randrange(10, 50, 2) if residential else rng.randrange(0, 20, 2))
            out.append(Institution(
                name=f"{DISTRICT}{street[:-2]}{root}{TYPE_SUFFIX[itype]}",
                credit_code=demo_credit_code(rng), type=itype, district=DISTRICT, street=street,
                address=f"{street[:-2]}路{rng.randint(1, 999)}号", beds=beds,
                nursing_beds=int(beds * rng.choice((0, 0.3, 0.5, 0.6))) if residential else 0,
                operator_type=rng.choice(("public", "private", "private", "public_private")),
                medical_integration=rng.choice(("none", "internal", "contracted")) if residential else "none",
                ltc_designated=residential and rng.random() < 0.4,
                status="operating" if rng.random() > 0.05 else "suspended",
                filed_on=date(2015, 1, 1) + timedelta(days=rng.randint(0, 3600)),
                contact_phone=f"0571-{rng.randint(80000000, 89999999)}",
                created_at=now, updated_at=now))
            n += 1
    return out


VILLAGES = ("杨柳村", "石桥村", "东岗村")
# Home-care beds: households served by a nursing home of the district (address and phone of
# the household, ability level, assessment date; no name of the older person).
HOME_CARE_BEDS = (("东风街道", "东风路18号2单元301室", "3"), ("新华街道", "新华路77号5幢102室", "2"),
                  ("和平街道", "和平里6号楼401室", "4"), ("滨江街道", "滨江花园12幢1单元201室", "3"))


def _community_targets(provider: Institution, seed: int) -> list[Institution]:
    """Rural mutual-aid homes and home-care beds (a random stream of their own, so the rest
    of the demo district stays as it was)."""
    rng = random.Random(seed * 31 + 17)
    now = utcnow()
    out = []
    for n, village in enumerate(VILLAGES):
        street = STREETS[(n * 3) % len(STREETS)]
        out.append(Institution(
            name=f"{DISTRICT}{street[:-2]}{village}农村幸福院", credit_code=demo_credit_code(rng),
            type="rural_mutual_aid", district=DISTRICT, street=street, address=f"{village}村委会旁",
            beds=rng.randrange(0, 12, 2), nursing_beds=0, operator_type="public", medical_integration="none",
            ltc_designated=False, status="operating", filed_on=date(2019, 5, 1) + timedelta(days=rng.randint(0, 900)),
            contact_phone=f"0571-{rng.randint(80000000, 89999999)}", created_at=now, updated_at=now))
    for n, (street, address, level) in enumerate(HOME_CARE_BEDS, start=1):
        code = f"JT-2025-{n:04d}"
        out.append(Institution(
            name=f"家庭照护床位 {code}", credit_code=provider.credit_code, type="home_care_bed",
            district=DISTRICT, street=street, address=address, beds=1, nursing_beds=0,
            operator_type=provider.operator_type, medical_integration="none", ltc_designated=False,
            status="operating", filed_on=date(2025, 6, 1) + timedelta(days=30 * n),
            contact_phone=f"138{rng.randint(10000000, 99999999)}", bed_code=code, care_level=level,
            assessed_on=date(2025, 5, 1) + timedelta(days=30 * n), created_at=now, updated_at=now))
    return out


# The authority that issues each department's enforcement certificates (执法证) in the demo.
CREDENTIAL_AUTHORITY = {"civil_affairs": "示范市民政局", "fire": "示范市消防救援支队",
                        "market_regulation": "示范市市场监督管理局", "health": "示范市卫生健康委员会",
                        "medical_insurance": "示范市医疗保障局"}


def _credential(dept: str, i: int) -> dict:
    """A demo inspector's enforcement certificate: valid for two more years."""
    code = list(CREDENTIAL_AUTHORITY).index(dept) + 1
    return {"credential_number": f"3301{code:02d}2024{i:04d}", "credential_authority": CREDENTIAL_AUTHORITY[dept],
            "credential_expires_on": local_today() + timedelta(days=730)}


def _user(username, name, role, password_hash, **extra) -> User:
    return User(username=username, name=name, role=role.value, password_hash=password_hash,
                created_at=utcnow(), **extra)


def seed_demo(seed: int = 2026) -> str:
    """Load the demo district once; running it again changes nothing."""
    if db.session.scalar(select(func.count()).select_from(User)):
        return "demo data already present; nothing loaded"
    rng = random.Random(seed)
    institutions = _institutions(rng)
    db.session.add_all(institutions)
    db.session.flush()
    institutions += _community_targets(next(i for i in institutions if i.type == "nursing_home"), seed)
    db.session.add_all(institutions)
    db.session.flush()
    pw = hash_password(DEMO_PASSWORD)   # one hash, shared by the demo accounts
    users = [_user("bureau", "市民政局管理员", Role.BUREAU_ADMIN, pw)]
    for dept, login in DEPARTMENT_LOGINS.items():
        users.append(_user(f"{login}_admin", f"{DEPARTMENT_SHORT[dept]}科室管理员", Role.DEPARTMENT_ADMIN, pw,
                           department=dept, is_department_head=True))
        for i in range(1, 5):
            users.append(_user(f"{login}{i}", f"{DEPARTMENT_SHORT[dept]}检查员{i}", Role.INSPECTOR, pw, department=dept,
                               district=DISTRICT if i % 2 else "邻区", **_credential(dept, i)))
    homes = [i for i in institutions if i.type == "nursing_home"]
    users.append(_user("staff1", "机构工作人员一", Role.INSTITUTION_STAFF, pw, institution_id=homes[0].id))
    users.append(_user("staff2", "机构工作人员二", Role.INSTITUTION_STAFF, pw, institution_id=homes[1].id))
    db.session.add_all(users)
    db.session.flush()
    fire1 = next(u for u in users if u.username == "fire1")
    db.session.add(ConflictOfInterest(user_id=fire1.id, institution_id=homes[2].id,
                            reason="近亲属在该机构任职", declared_at=utcnow()))
    db.session.flush()
    reports = _seed_features(rng)
    logins = ", ".join(u.username for u in users)
    return (f"demo data loaded: {len(institutions)} institutions in {DISTRICT} ({len(STREETS)} streets), "
            f"{len(users)} users\n" + "".join(f"{r}\n" for r in reports) +
            f"demo log-ins (password for all: {DEMO_PASSWORD}): {logins}")


def _seed_features(rng: random.Random) -> list[str]:
    """Each feature's demo records, in the order of the feature chain, through its services."""

    today = local_today()
    return [feature.seed_demo(rng, today) for feature in
            (inspections_demo, rectification_demo, complaints_demo, grading_demo, planning_demo, agreements_demo,
             ranking_demo, overview_demo)]
