"""Small factories for test records (never used by the product)."""
from __future__ import annotations

import itertools
import random

from inspect_app.core.types import utcnow
from inspect_app.domain.institution import CODE_ALPHABET, credit_code_check_char

_counter = itertools.count(1)


def credit_code(n: int | None = None) -> str:
    rng = random.Random(n if n is not None else next(_counter))
    body = "52" + "".join(rng.choice(CODE_ALPHABET) for _ in range(15))
    return body + credit_code_check_char(body)


class Factory:
    def __init__(self, db, password: str):
        self.db = db
        self.password = password
        self._hash = None

    def institution(self, **kw):
        from inspect_app.registry.models import Institution
        n = next(_counter)
        now = utcnow()
        values = dict(name=f"测试养老院{n}", credit_code=credit_code(n * 7919), type="nursing_home",
                      district="示范区", street="东风街道", address=f"东风路{n}号", beds=100, nursing_beds=40,
                      operator_type="private", medical_integration="none", ltc_designated=False,
                      status="operating", created_at=now, updated_at=now)
        values.update(kw)
        inst = Institution(**values)
        self.db.session.add(inst)
        self.db.session.flush()
        return inst

    def user(self, role: str = "inspector", **kw):
        from inspect_app.auth.models import User
        from inspect_app.auth.services import hash_password
        n = next(_counter)
        if self._hash is None:
            self._hash = hash_password(self.password)
        if role == "institution_staff" and "institution_id" not in kw:
            kw["institution_id"] = self.institution().id
        if role in ("inspector", "department_admin"):
            kw.setdefault("department", "fire")
        if role == "inspector":
            kw = {**credential(n), **kw}
        user = User(username=kw.pop("username", f"{role}{n}"), name=kw.pop("name", f"{role} {n}"),
                    role=role, password_hash=self._hash, created_at=utcnow(), **kw)
        self.db.session.add(user)
        self.db.session.flush()
        return user


def credential(n: int) -> dict:
    """An enforcement certificate (执法证) valid for years, as an enforcement visit needs."""
    from datetime import date
    return {"credential_number": f"JZ{n:08d}", "credential_authority": "示范市执法证发证机关",
            "credential_expires_on": date(2036, 12, 31)}


def with_partners(teams: dict, minimum: int = 2) -> dict:
    """``teams`` ({department: [user]}) with partner inspectors added so that each department
    sends ``minimum`` inspectors, as an enforcement visit needs (policies/enforcement.yaml)."""
    from inspect_app.auth.models import User
    from inspect_app.extensions import db
    out = {}
    for department, people in teams.items():
        people = list(people)
        while len({u.id for u in people}) < minimum:
            n = next(_counter)
            partner = User(username=f"partner{n}", name=f"同行检查员{n}", role="inspector",
                           department=department, password_hash="-", created_at=utcnow(), **credential(n))
            db.session.add(partner)
            db.session.flush()
            people.append(partner)
        out[department] = people
    return out
