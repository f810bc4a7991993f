"""Plan rows: list, read, create and edit (bureau admins), with a version check and audit."""
from __future__ import annotations

from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from ..auth import policy
from ..core import audit
from ..inspections import policy as enforcement_policy
from ..core.errors import Conflict, Invalid
from ..core.types import utcnow
from ..domain.institution import INSTITUTION_TYPES
from ..domain.planning.plans import plan_problems
from ..domain.planning.risk import DEFAULT_POLICY, parse_policy
from ..extensions import db
from .models import GRADE_EXPIRY, RANDOM_JOINT, ROUTINE, YEARLY_COVERAGE, Plan, PlanRun
from ..rectification import policy as supervision_policy
from ..domain.rectification.ladder import yearly_ratios
from ..domain.translatable import N_
from ..inspections.models import Visit
from ..inspections.services.visits import checklists_for
from ..registry import services as registry

# docs/regulations.md, "Risk classes and sampling ratios" (used when the supervision policy
# gives no sampling ratios)
DEFAULT_RATIOS = {"high": "0.3", "medium_high": "0.1", "medium": "0.02", "low": "0.01"}


def default_ratios(institution_types: list[str] | tuple[str, ...] = ()) -> dict[str, str]:
    """The yearly ratios a new plan for these facility types starts with
    (policies/supervision.yaml, ``sampling_ratios``)."""
    return yearly_ratios(supervision_policy.current(), list(institution_types)) or dict(DEFAULT_RATIOS)


def defaults(institution_types: list[str] | tuple[str, ...] = ()) -> dict:
    """Values of a new plan's form (for ``institution_types`` when given: their own ratios, and
    only the departments that have a checklist for every one of them)."""
    types = [t for t in institution_types if t in INSTITUTION_TYPES]
    departments = ["civil_affairs", "fire"]
    if types:
        departments = [d for d in departments if all(checklists_for(d, "inspection", t) for t in types)]
    return {"kind": RANDOM_JOINT, "period": "quarterly", "enabled": True, "one_off": False,
            "departments": departments, "institution_types": types, "ratios": default_ratios(types),
            "risk_policy": DEFAULT_POLICY.to_dict(), "team_per_department": 2, "max_per_inspector": 5,
            "avoid_own_district": False, "beacon_delay_days": 1, "publish_delay_days": 0,
            "horizon_days": 90, "visit_within_days": 14,
            "beacon_source": "上海证券交易所上证综合指数当日收盘点位"}


def list_plans(user) -> list[Plan]:
    policy.require(user, "planning.view")
    return list(db.session.scalars(policy.visible(Plan, user).order_by(Plan.enabled.desc(), Plan.name, Plan.id)))


def get_plan(user, plan_id: int) -> Plan:
    policy.require(user, "planning.view")
    return policy.get_visible(Plan, plan_id, user)


def runs_of(user, plan: Plan, limit: int = 40) -> list[PlanRun]:
    policy.require(user, "planning.view")
    return list(db.session.scalars(policy.visible(PlanRun, user).where(PlanRun.plan_id == plan.id)
                                   .order_by(PlanRun.id.desc()).limit(limit)))


def recent_runs(user, limit: int = 20) -> list[PlanRun]:
    policy.require(user, "planning.view")
    return list(db.session.scalars(policy.visible(PlanRun, user).order_by(PlanRun.id.desc()).limit(limit)))


def get_run(user, run_id: int) -> PlanRun:
    policy.require(user, "planning.view")
    return policy.get_visible(PlanRun, run_id, user)


VISITS_SHOWN = 200


def visits_of(user, run: PlanRun) -> list:
    """The visits this run created that the user may see (a draw's ``draw:<id>``, a grade
    expiry run's ``plan-run:<id>``, a follow-up run's ``finding:<id>`` of its targets)."""
    policy.require(user, "planning.view")
    sources = [run.source_key, f"plan-run:{run.id}"]
    sources += [f"finding:{t['finding_id']}" for t in (run.frozen or {}).get("targets", []) if "finding_id" in t]
    stmt = (policy.visible(Visit, user).where(Visit.source.in_(sources), Visit.created_at >= run.created_at)
            .options(selectinload(Visit.institution), selectinload(Visit.inspections))
            .order_by(Visit.scheduled_for, Visit.id).limit(VISITS_SHOWN))
    return list(db.session.scalars(stmt))


def clean(values: dict) -> dict:
    """Normalise typed form values and raise Invalid with every located problem."""
    v = dict(values)
    v["name"] = (v.get("name") or "").strip()
    v["beacon_source"] = (v.get("beacon_source") or "").strip() or None
    if v.get("kind") != ROUTINE:
        v["rule"] = None
    for key in ("districts", "institution_types", "departments"):
        v[key] = sorted({str(x).strip() for x in v.get(key) or [] if str(x).strip()})
    v["ratios"] = {k: str(t).strip() for k, t in (v.get("ratios") or {}).items()
                   if t is not None and str(t).strip() != ""}
    problems = plan_problems(v, INSTITUTION_TYPES, enforcement_policy.current())
    risk_policy, policy_problems = parse_policy(v.get("risk_policy"))
    problems += [(f"risk_{name}", message) for name, message in policy_problems]
    if v.get("kind") == RANDOM_JOINT or v.get("rule") == YEARLY_COVERAGE:
        problems += _types_without_checklists(v["institution_types"], v["departments"])
    if v.get("kind") == ROUTINE and v.get("rule") == GRADE_EXPIRY:
        if any(not checklists_for(d, "grading") for d in v["departments"]):
            problems.append(("departments", N_("a grading visit needs departments with a grading checklist")))
    if problems:
        raise Invalid("The plan could not be saved.", problems=problems)
    v["risk_policy"] = risk_policy.to_dict()
    return {k: v.get(k) for k in Plan.EDITABLE}


def _types_without_checklists(types: list[str], departments: list[str]) -> list[tuple]:
    """A plan's chosen facility types at which one of its departments has no inspection
    checklist (policies/checklist-scope.yaml): such a target could not be visited by the team."""
    problems = []
    for t in types:
        missing = [d for d in departments if t in INSTITUTION_TYPES and not checklists_for(d, "inspection", t)]
        if missing:
            problems.append(("institution_types", N_("%(type)s: no inspection checklist of %(departments)s for this "
                                                     "type; choose other departments or leave the type out"),
                             {"type": INSTITUTION_TYPES[t], "departments": ", ".join(missing)}))
    return problems


def create_plan(user, values: dict) -> Plan:
    policy.require(user, "planning.manage")
    data = clean(values)
    now = utcnow()
    plan = Plan(**data, created_by_id=user.id, created_at=now, updated_at=now)
    db.session.add(plan)
    db.session.flush()
    audit.record(user, "create", "plan", plan.id, after=audit.snapshot(plan))
    return plan


def update_plan(user, plan_id: int, values: dict, version: int) -> Plan:
    """Edit a plan; runs already started keep what they froze (the next period uses the edit)."""
    policy.require(user, "planning.manage")
    plan = policy.get_visible(Plan, plan_id, user)
    if plan.version != version:
        raise Conflict("Someone else changed this plan meanwhile; reload and apply your change again.")
    data = clean(values)
    before = audit.snapshot(plan)
    for key, value in data.items():
        setattr(plan, key, value)
    if db.session.is_modified(plan):
        plan.updated_at = utcnow()
        try:
            db.session.flush()
        except StaleDataError:
            raise Conflict("Someone else changed this plan meanwhile; reload and apply your change again.") from None
        audit.record(user, "update", "plan", plan.id, before=before, after=audit.snapshot(plan))
    return plan


def district_choices() -> list[str]:
    return registry.districts()
