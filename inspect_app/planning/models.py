"""Plans (抽查计划), their runs (one per plan and period) and each run's history.

A :class:`Plan` is a row the bureau edits; the beat sweeper reads the rows (no beat entry per
plan). Vocabulary after django-celery-beat: ``enabled``, ``start``, ``expires``, ``one_off``,
``last_run_at``, and exactly one kind of recurrence (``period``).

A :class:`PlanRun` is one plan's work for one period, unique per ``(plan_id, period_key)``, so a
beat firing twice, or two sweepers at once, find the same run. Its ``state`` changes only through
:func:`inspect_app.planning.runs.transition`, which applies its machine
(:data:`inspect_app.domain.planning.plans.RUN_MACHINES`) with a conditional UPDATE (``core.machine``)
and writes a :class:`PlanRunEvent`.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, Date, ForeignKey, Integer, String, Text,
                        UniqueConstraint, false, true)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.roles import Role
from ..core.types import UTCDateTime
from ..domain.planning.plans import (DRAWN, FROZEN, INFEASIBLE, PUBLISHED, RANDOM_JOINT,  # noqa: F401
                            ROUTINE, RUN_STATES, SEEDED, local_date)
from ..extensions import db

# Plan.kind and Plan.rule
GRADE_EXPIRY, CRITICAL_FOLLOWUP, YEARLY_COVERAGE = "grade_expiry", "critical_followup", "yearly_coverage"
KINDS = (RANDOM_JOINT, ROUTINE)
ROUTINE_RULES = (GRADE_EXPIRY, CRITICAL_FOLLOWUP, YEARLY_COVERAGE)

# PlanRun.state: the table of moves is domain.planning.plans.RUN_MACHINES


class Plan(db.Model):
    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))                 # KINDS
    rule: Mapped[str | None] = mapped_column(String(24))          # routine plans: ROUTINE_RULES
    # Recurrence (django-celery-beat's vocabulary)
    period: Mapped[str] = mapped_column(String(12), default="quarterly")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    start: Mapped[date] = mapped_column(Date)
    expires: Mapped[date | None] = mapped_column(Date)
    one_off: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_period_key: Mapped[str | None] = mapped_column(String(16))
    # Scope: empty lists mean "all"
    districts: Mapped[list] = mapped_column(JSON, default=list)
    institution_types: Mapped[list] = mapped_column(JSON, default=list)
    departments: Mapped[list] = mapped_column(JSON, default=list)
    # Random joint draws
    ratios: Mapped[dict] = mapped_column(JSON, default=dict)      # risk class → decimal text
    risk_policy: Mapped[dict] = mapped_column(JSON, default=dict)  # domain.planning.risk.RiskPolicy fields
    team_per_department: Mapped[int] = mapped_column(Integer, default=2)
    max_per_inspector: Mapped[int] = mapped_column(Integer, default=5)
    avoid_own_district: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    beacon_source: Mapped[str | None] = mapped_column(String(200))   # third party's value
    beacon_delay_days: Mapped[int] = mapped_column(Integer, default=1)
    publish_delay_days: Mapped[int] = mapped_column(Integer, default=0)
    # Routine plans
    horizon_days: Mapped[int] = mapped_column(Integer, default=90)   # grade expiring within
    visit_within_days: Mapped[int] = mapped_column(Integer, default=14)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    runs = relationship("PlanRun", back_populates="plan", order_by="PlanRun.id.desc()")

    EDITABLE = ("name", "kind", "rule", "period", "enabled", "start", "expires", "one_off",
                "districts", "institution_types", "departments", "ratios", "risk_policy",
                "team_per_department", "max_per_inspector", "avoid_own_district",
                "beacon_source", "beacon_delay_days", "publish_delay_days", "horizon_days",
                "visit_within_days")

    @classmethod
    def visible_to(cls, user):
        """Plans are the bureau's; department admins read them (their people are drawn)."""
        if user.role in (Role.BUREAU_ADMIN, Role.DEPARTMENT_ADMIN):
            return true()
        return cls.id.is_(None)


class PlanRun(db.Model):
    """One plan's work for one period; for random joint plans, one published draw."""

    __tablename__ = "plan_run"
    __table_args__ = (UniqueConstraint("plan_id", "period_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    period_key: Mapped[str] = mapped_column(String(16))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(12), default=FROZEN, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Frozen: the draw input without its seed, exactly as published, and its digest.
    lists_json: Mapped[str | None] = mapped_column(Text)
    list_digest: Mapped[str | None] = mapped_column(String(64))
    commitment: Mapped[str | None] = mapped_column(String(64))
    secret: Mapped[str | None] = mapped_column(String(64))        # public only once published
    beacon_source: Mapped[str | None] = mapped_column(String(200))
    beacon_date: Mapped[date | None] = mapped_column(Date)
    # Frozen facts: institution key → {id, name, risk, reasons, facts}; inspector key → user id
    frozen: Mapped[dict | None] = mapped_column(JSON)
    # Seeded
    beacon_value: Mapped[str | None] = mapped_column(String(200))
    seed: Mapped[str | None] = mapped_column(String(64))
    input_json: Mapped[str | None] = mapped_column(Text)
    input_digest: Mapped[str | None] = mapped_column(String(64))
    # Drawn
    output_json: Mapped[str | None] = mapped_column(Text)
    output_digest: Mapped[str | None] = mapped_column(String(64))   # SHA-256 of output_json bytes
    visit_count: Mapped[int] = mapped_column(Integer, default=0)
    drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    product_version: Mapped[str | None] = mapped_column(String(32))   # inspect_app.__version__ that drew
    # Random joint runs: the latest moment of publication (the period's end plus the plan's delay);
    # earlier once every visit is recorded (planning.publication.publication_is_due).
    publish_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message: Mapped[str | None] = mapped_column(Text)              # why infeasible
    # Why the run is stuck: the last step that failed ({"message", "params", "problems"} or
    # {"detail"}), when, and how many attempts failed in a row; cleared by the next step taken.
    last_error: Mapped[dict | None] = mapped_column(JSON)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    version: Mapped[int] = mapped_column(default=1)

    plan = relationship("Plan", back_populates="runs")
    events = relationship("PlanRunEvent", back_populates="run", order_by="PlanRunEvent.id")

    @classmethod
    def visible_to(cls, user):
        if user.role in (Role.BUREAU_ADMIN, Role.DEPARTMENT_ADMIN):
            return true()
        return cls.id.is_(None)

    @property
    def frozen_on(self) -> date:
        """The local day the lists were frozen (the third-party value must be of a later day)."""
        return local_date(self.created_at)

    @property
    def source_key(self) -> str:
        """``Visit.source`` of the visits this run created."""
        return f"draw:{self.id}"


class PlanRunEvent(db.Model):
    """One transition of a run: from → to, when, by whom (None: the sweeper), and a note."""

    __tablename__ = "plan_run_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("plan_run.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(Text)

    run = relationship("PlanRun", back_populates="events")
    actor = relationship("User")
