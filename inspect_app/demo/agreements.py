"""Demo care-medical agreements: a few nursing homes contracted with the district's medical
units (one ending within 60 days, one expired), rounds at the first staff member's home, and two
长护险 designations; entered through the register's services, then swept once."""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, select

from ..agreements import ltc, register, rounds, sweep
from ..agreements.models import MedicalAgreement
from ..auth.models import User
from ..auth.roles import Role
from ..extensions import db
from ..registry.models import Institution

PARTNERS = (("示范区人民医院", "PDY60027044010319A1002"), ("东风街道社区卫生服务中心", "MA0A1B2C344010312B1001"),
            ("滨江中医医院", "45609776544010311A4101"))


def seed_demo(rng: random.Random, today: date) -> str:
    if db.session.scalar(select(func.count()).select_from(MedicalAgreement)):
        return "agreements: demo agreements already present"
    bureau = db.session.scalar(select(User).where(User.role == Role.BUREAU_ADMIN.value).order_by(User.id))
    staff = db.session.scalar(select(User).where(User.role == Role.INSTITUTION_STAFF.value).order_by(User.id))
    homes = list(db.session.scalars(select(Institution).where(Institution.type == "nursing_home",
                                                              Institution.status == "operating")
                                    .order_by(Institution.id)))
    terms = [(today - timedelta(days=200), today + timedelta(days=530)),    # in force
             (today - timedelta(days=320), today + timedelta(days=45)),     # ending within 60 days
             (today - timedelta(days=500), today - timedelta(days=10)),     # expired
             (today - timedelta(days=100), today + timedelta(days=265))]
    made = 0
    for n, home in enumerate(homes[:8]):
        name, licence = PARTNERS[n % len(PARTNERS)]
        starts, ends = terms[n % len(terms)]
        values = {"partner_name": name, "partner_licence": licence, "number": f"YYQY-{today.year}-{n + 1:03d}",
                  "signed_on": starts - timedelta(days=7), "starts_on": starts, "ends_on": ends,
                  "services": ["health_records", "rounds", "fast_track", "referral", "emergency"][: 2 + n % 4],
                  "visit_count": 1 + n % 2, "visit_period": "week" if n % 2 else "month",
                  "green_channel": n % 3 != 2, "green_channel_contact": "医务科 0000-0000000" if n % 3 != 2 else "",
                  "doctor_name": "王医生"}
        user = staff if staff is not None and home.id == staff.institution_id else bureau
        register.create(user, home.credit_code, values, [], today)
        made += 1
    own = db.session.scalar(select(MedicalAgreement).where(MedicalAgreement.institution_id == homes[0].id))
    rounds_made = 0
    if own is not None and staff is not None and staff.institution_id == homes[0].id:
        day = max(own.starts_on, today - timedelta(days=70))
        while day < today:
            if rng.random() < 0.8:
                rounds.record_round(staff, own.id, {"held_on": day, "doctor_name": "王医生",
                                                    "residents_seen": rng.randrange(5, 30)}, today)
                rounds_made += 1
            day += timedelta(days=14 if own.visit_period == "month" else 7)
    for home in homes[:2]:
        ltc.record(bureau, home.credit_code, {"agency": "市医疗保障事务中心", "agreement_number": f"CHX-{home.id:04d}",
                                             "designated_from": today - timedelta(days=300), "designated_to": None},
                   today)
    result = sweep.sweep(today)
    return (f"agreements: {made} care-medical agreements, {rounds_made} doctors' rounds, 2 long-term-care "
            f"designations, {result['reminders']} expiry reminders")
