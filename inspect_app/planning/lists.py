"""Freezing a random joint plan's lists into the draw input (docs/commands.md, "draw") without its seed.

The published lists name institutions by their unified social credit code (public anyway; a
home-care bed by its bed number, its credit code being its provider's) and
inspectors by a pseudonym drawn afresh for each run: ``U`` + the first 10 hex digits of an
HMAC-SHA-256 of the account id under a random key made for that run and then thrown away.
An account id would be the same in every draw, so anyone who learns once who ``U8`` is (an
institution knows who visited it) would read in every later list which institutions that
inspector declared a conflict with; a per-run pseudonym links nothing across runs, and the
key is not the run's seed secret (which is published, and would let anyone recompute the
pseudonym of every account id). ``frozen`` keeps, privately, the way back from those ids to
the rows (visits go to the real users), with each institution's risk facts and reasons.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from ..auth.models import ConflictOfInterest, User
from ..auth.roles import Role
from ..domain.institution import INSTITUTION_TYPES
from ..domain.planning.plans import period_of, visit_purpose
from ..domain.planning.sampling import due_this_period, period_position, periods_in_year, ratio_for
from ..inspections import policy as enforcement_policy
from ..inspections.services.visits import checklists_for
from ..domain.draw.run import input_digest
from ..domain.enforcement import credential_valid
from ..domain.planning.risk import parse_policy
from ..extensions import db
from ..registry.models import Institution
from .models import Plan, PlanRun
from .risk_data import assess


def inspectable_types(departments: list[str], kind: str = "inspection") -> list[str]:
    """The facility types at which every one of ``departments`` has a checklist of ``kind``
    (policies/checklist-scope.yaml): a plan draws only these, so that every drawn target can
    be visited by the whole team."""
    return [t for t in INSTITUTION_TYPES
            if all(checklists_for(d, kind, t) for d in departments)]


def institutions_in_scope(plan: Plan) -> list[Institution]:
    """Operating institutions of the plan's districts and types (no types chosen: every type
    its departments can all inspect)."""
    stmt = select(Institution).where(Institution.status == "operating")
    if plan.districts:
        stmt = stmt.where(Institution.district.in_(plan.districts))
    types = inspectable_types(list(plan.departments))
    if plan.institution_types:
        types = [t for t in types if t in plan.institution_types]
    stmt = stmt.where(Institution.type.in_(types))
    return list(db.session.scalars(stmt.order_by(Institution.id)))


def inspectors_for(departments: list[str], credentials_on: date | None = None) -> list[User]:
    """The active inspectors of ``departments``; with ``credentials_on``, only those whose
    enforcement certificate is valid that day (an enforcement visit counts no one else:
    docs/regulations.md, "Enforcement credentials")."""
    people = db.session.scalars(
        select(User).where(User.role == Role.INSPECTOR.value, User.department.in_(departments),
                           User.is_active_account.is_(True)).order_by(User.id))
    if credentials_on is None:
        return list(people)
    return [u for u in people if credential_valid(u.credential_number, u.credential_expires_on, credentials_on)]


def credentials_day(purpose: str, day: date) -> date | None:
    """``day`` when the enforcement policy requires certificates for visits of ``purpose``."""
    rules = enforcement_policy.current()
    return day if rules.require_credentials and rules.binds(purpose) else None


PSEUDONYM_HEX = 10


def inspector_key(run_key: bytes, user_id: int) -> str:
    """The public pseudonym of account ``user_id`` in the run whose private key is ``run_key``."""
    digest = hmac.new(run_key, str(user_id).encode(), hashlib.sha256).hexdigest()
    return "U" + digest[:PSEUDONYM_HEX]


def pseudonyms(user_ids: list[int], new_key=lambda: secrets.token_bytes(32)) -> dict[int, str]:
    """account id → pseudonym for one run (a fresh key; drawn again in the unlikely case that
    two accounts would share a pseudonym)."""
    while True:
        key = new_key()
        out = {uid: inspector_key(key, uid) for uid in user_ids}
        if len(set(out.values())) == len(out):
            return out


def dumps(document: dict) -> str:
    """The published text of a JSON document: sorted keys, UTF-8, indented, one final newline."""
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def drawn_this_year(plan: Plan, kind: str, year: int, before: date) -> dict[str, int]:
    """Institutions drawn per risk class by the plan's earlier runs counted in ``year``."""
    out: dict[str, int] = {}
    for run in db.session.scalars(select(PlanRun).where(PlanRun.plan_id == plan.id,
                                                        PlanRun.period_start < before,
                                                        PlanRun.output_json.is_not(None))):
        if period_position(kind, run.period_start)[0] != year:
            continue
        institutions = (run.frozen or {}).get("institutions", {})
        for row in json.loads(run.output_json).get("selected", []):
            risk = institutions.get(row.get("institution"), {}).get("risk")
            if risk:
                out[risk] = out.get(risk, 0) + 1
    return out


def period_ratios(plan: Plan, sizes: dict[str, int], first_day: date) -> tuple[dict[str, Decimal], dict]:
    """The ratios of this period's draw from the plan's yearly ratios (domain/planning/sampling.py), and
    how they were found (kept with the run)."""
    year, k = period_position(plan.period, first_day)
    periods = periods_in_year(plan.period, year)
    before = drawn_this_year(plan, plan.period, year, first_day)
    ratios: dict[str, Decimal] = {}
    shown: dict[str, dict] = {}
    for risk, text in sorted(plan.ratios.items()):
        size = sizes.get(risk, 0)
        count = due_this_period(Decimal(text), size, k, periods, before.get(risk, 0))
        ratios[risk] = ratio_for(count, size)
        shown[risk] = {"yearly_ratio": text, "class_size": size, "drawn_before": before.get(risk, 0),
                       "count": count}
    return ratios, {"year": year, "period": k, "periods": periods, "classes": shown}


def freeze_lists(plan: Plan, now: datetime, today: date, first_day: date | None = None) -> tuple[dict, dict]:
    """(the draw input without ``seed``, the frozen facts) for a random joint plan; the ratios
    are this period's share of the plan's yearly ratios (the period starting ``first_day``,
    by default the one holding ``today``)."""
    institutions = institutions_in_scope(plan)
    policy, _problems = parse_policy(plan.risk_policy)
    assessed = assess([i.id for i in institutions], now, today, policy)
    people = inspectors_for(list(plan.departments), credentials_day(visit_purpose(plan.kind, plan.rule), today))
    alias = pseudonyms([u.id for u in people])
    code_of = {i.id: i.register_code for i in institutions}
    avoid: dict[int, set[str]] = {}
    if people:
        for user_id, institution_id in db.session.execute(
                select(ConflictOfInterest.user_id, ConflictOfInterest.institution_id)
                .where(ConflictOfInterest.user_id.in_([u.id for u in people]))):
            if institution_id in code_of:
                avoid.setdefault(user_id, set()).add(code_of[institution_id])
    sizes: dict[str, int] = {}
    for i in institutions:
        sizes[assessed[i.id][1].risk] = sizes.get(assessed[i.id][1].risk, 0) + 1
    ratios, sampling = period_ratios(plan, sizes, first_day or period_of(plan.period, today).first_day)
    document = {
        "institutions": [{"id": i.register_code, "name": i.name, "district": i.district,
                          "risk": assessed[i.id][1].risk} for i in institutions],
        "inspectors": [{"id": alias[u.id], "department": u.department,
                        "district": u.district or "", "avoid": sorted(avoid.get(u.id, ()))}
                       for u in people],
        "departments": sorted(plan.departments),
        "ratios": {risk: float(ratio) for risk, ratio in ratios.items()},
        "team_per_department": team_size(plan),
        "max_per_inspector": plan.max_per_inspector,
        "avoid_own_district": bool(plan.avoid_own_district),
    }
    document["institutions"].sort(key=lambda row: row["id"])
    document["inspectors"].sort(key=lambda row: row["id"])
    frozen = {
        "risk_policy": policy.to_dict(),
        "sampling": sampling,
        "institutions": {
            i.register_code: {"id": i.id, "name": i.name, "risk": assessed[i.id][1].risk,
                            "reasons": list(assessed[i.id][1].reasons),
                            "facts": assessed[i.id][0].__dict__}
            for i in institutions},
        "inspectors": {alias[u.id]: u.id for u in people},     # private: never published
    }
    return document, frozen


def list_digest(document: dict) -> str:
    """The digest of docs/commands.md, "draw", of the input without its seed (the *list digest*)."""
    return input_digest(document)


def team_size(plan) -> int:
    """Inspectors per department on the plan's visits: the plan's number, raised to the
    enforcement minimum when its visits are enforcement visits (a plan saved before the
    minimum, or with the minimum raised since, still sends enough people; docs/regulations.md,
    "Enforcement visits: at least two inspectors")."""
    rules = enforcement_policy.current()
    if rules.binds(visit_purpose(plan.kind, plan.rule)):
        return max(plan.team_per_department, rules.min_inspectors_per_department)
    return plan.team_per_department
