"""Demo complaint cases, through the complaints feature's own services: one just taken in from
the 12349 hotline, an anonymous online case accepted late (its acceptance limit marked by the
sweep), a fire-safety case taken from intake through a visit, a substantiated reply and a
satisfied follow-up call, and a letter not accepted."""
from __future__ import annotations

import random
import secrets
from datetime import date, datetime, time, timedelta, timezone

from flask import current_app
from sqlalchemy import func, select

from ..auth.models import User
from ..complaints import services, sweep
from ..complaints.models import ComplaintCase
from ..core.types import LOCAL_ZONE, utcnow
from ..extensions import db
from ..registry.models import Institution


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), LOCAL_ZONE).astimezone(timezone.utc)


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def seed_demo(rng: random.Random, today: date) -> str:
    if db.session.scalar(select(func.count()).select_from(ComplaintCase)):
        return "complaints: demo cases already present"
    homes = list(db.session.scalars(select(Institution).where(Institution.type == "nursing_home")
                                    .order_by(Institution.id).limit(5)))
    bureau = _user("bureau")
    secret = current_app.secret_key

    def take(day: date, home: Institution, **values):
        base = {"channel": "phone", "kind": "claim", "institution_id": home.id, "details": "",
                "anonymous": False, "complainant_name": "", "complainant_phone": ""}
        return services.intake(bureau, {**base, **values, "received_on": day}, _at(day), secret=secret,
                               submission_key=secrets.token_urlsafe(24))

    new = take(today - timedelta(days=2), homes[1], channel="hotline_12349", category="care_service",
               summary="夜间护理员不足，呼叫无人应答", details="家属反映老人夜间多次按铃无人应答。",
               complainant_name="周女士", complainant_phone="13900001111")
    late_day = today - timedelta(days=30)
    late = take(late_day, homes[2], channel="walk_in", category="food_safety", summary="午餐饭菜变质",
                anonymous=True)
    sweep.sweep(_at(late_day + timedelta(days=20)))           # the acceptance limit passed
    services.accept(_user("market_admin"), late.case.id, "逾期受理，已说明原因", _at(late_day + timedelta(days=21)))

    done_day = today - timedelta(days=40)
    done = take(done_day, homes[3], channel="letter", category="fire_safety", summary="消防通道堆放杂物",
                details="来信附照片，显示二楼安全出口被杂物堵塞。", complainant_name="吴先生",
                complainant_phone="13700002222")
    fire_admin = _user("fire_admin")
    services.accept(fire_admin, done.case.id, "受理", _at(done_day + timedelta(days=3)))
    team = [_user("fire2").id, _user("fire3").id]
    services.make_visit(fire_admin, done.case.id, done_day + timedelta(days=7), team, _at(done_day + timedelta(days=4)))
    services.reply(fire_admin, done.case.id, "经现场检查属实，已责令机构当日清理安全出口并纳入整改。", True,
                   _at(done_day + timedelta(days=12)))
    services.follow_up(fire_admin, done.case.id, "satisfied", "电话回访，投诉人表示满意", False,
                       _at(done_day + timedelta(days=14)))

    refused_day = today - timedelta(days=10)
    refused = take(refused_day, homes[0], channel="letter", category="fees", summary="护工工资拖欠",
                   complainant_name="郑先生")
    services.decline(_user("civil_admin"), refused.case.id, "属于劳动争议，请向劳动人事争议仲裁委员会申请仲裁。",
                     _at(refused_day + timedelta(days=2)))
    sweep.sweep(utcnow())
    db.session.flush()
    return (f"complaints: 4 cases ({new.case.number} received, {late.case.number} accepted late, "
            f"{done.case.number} closed after a visit, {refused.case.number} not accepted); "
            f"follow {new.case.number} on the public lookup with the code {new.token}")
