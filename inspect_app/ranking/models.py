"""Standings: each institution's figures for one period (a local month), computed in one
set-based pass (:mod:`.standing`) and read by the ranking pages, so a page sorts and filters
50,000 institutions by index without aggregating millions of findings per request. The
previous period's rows give the trend."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.types import UTCDateTime
from ..extensions import db


class Standing(db.Model):
    __tablename__ = "ranking_standing"
    __table_args__ = (
        UniqueConstraint("period", "institution_id"),
        Index("ix_ranking_standing_period_index", "period", "supervision_index"),
        Index("ix_ranking_standing_period_rate", "period", "on_time_rate"),
        Index("ix_ranking_standing_period_level", "period", "level", "grade_total"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7))                  # local month, 2026-12
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id", ondelete="CASCADE"),
                                                index=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    policy_version: Mapped[str] = mapped_column(String(20))
    level: Mapped[int | None] = mapped_column(Integer)              # current confirmed level
    grade_total: Mapped[float | None] = mapped_column(Numeric(10, 4))
    supervision_index: Mapped[float | None] = mapped_column(Numeric(14, 4))   # None: never inspected
    index_parts: Mapped[dict | None] = mapped_column(JSON)
    cycles: Mapped[int] = mapped_column(Integer, default=0)
    on_time: Mapped[int] = mapped_column(Integer, default=0)
    late: Mapped[int] = mapped_column(Integer, default=0)
    on_time_rate: Mapped[float | None] = mapped_column(Numeric(9, 6))          # 0–1; None: none counted
    open_findings: Mapped[int] = mapped_column(Integer, default=0)
    district_percentile: Mapped[float | None] = mapped_column(Numeric(7, 3))
    district_band: Mapped[str | None] = mapped_column(String(1))
    previous_index: Mapped[float | None] = mapped_column(Numeric(14, 4))      # the previous period's
    # City-wide competition ranks by each measure at its better end (None: no value), so an
    # unfiltered page is an index range scan; a filtered page ranks its rows with RANK().
    rank_index: Mapped[int | None] = mapped_column(Integer)
    rank_level: Mapped[int | None] = mapped_column(Integer)
    rank_score: Mapped[int | None] = mapped_column(Integer)
    rank_rate: Mapped[int | None] = mapped_column(Integer)
    rank_open: Mapped[int | None] = mapped_column(Integer)
    rank_trend: Mapped[int | None] = mapped_column(Integer)


class LeagueTally(db.Model):
    """A year's counts of one district and one department (``department`` "*": the district's
    institutions inspected on site by any department, which do not add up across departments),
    stored with the standings so a league table sums a hundred rows instead of a year's
    findings. Computed as of ``computed_at``."""
    __tablename__ = "ranking_league_tally"
    __table_args__ = (UniqueConstraint("year", "district", "department"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    district: Mapped[str] = mapped_column(String(40))
    department: Mapped[str] = mapped_column(String(24))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    planned: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    compliant: Mapped[int] = mapped_column(Integer, default=0)
    inspected: Mapped[int] = mapped_column(Integer, default=0)
    critical: Mapped[int] = mapped_column(Integer, default=0)
    on_time: Mapped[int] = mapped_column(Integer, default=0)
    late: Mapped[int] = mapped_column(Integer, default=0)
    overdue: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
    days_to_close: Mapped[float] = mapped_column(Numeric(18, 4), default=0)


class FindingMonth(db.Model):
    """Findings issued in one past local month (the policy's time zone) by one department at
    institutions of one district and type, withdrawn ones left out, with how many of them
    count as rectified on time and late (the one on-time rule) as of ``computed_at``. Stored
    with the standings for every month before the refresh's own month, so the dashboard reads
    a few hundred rows for the months that are over and counts only the current month live."""
    __tablename__ = "ranking_finding_month"
    __table_args__ = (UniqueConstraint("month", "department", "district", "type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))                   # local month issued, 2026-11
    department: Mapped[str] = mapped_column(String(24))
    district: Mapped[str] = mapped_column(String(40))
    type: Mapped[str] = mapped_column(String(24))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    findings: Mapped[int] = mapped_column(Integer, default=0)
    on_time: Mapped[int] = mapped_column(Integer, default=0)
    late: Mapped[int] = mapped_column(Integer, default=0)
