"""How a score was reached, and what stands between it and the next level (docs/commands.md, "grade").

:func:`explain` turns a :class:`~.single.Score` into plain data for reports and the web
UI: the points earned and lost on each item and section, every level threshold checked
against the result, what decided the level (the thresholds of the level reached, and the
unmet thresholds of the level above; or the vetoes that blocked any level), and the
shortfalls to the next level up. Shortfalls are in the units of the threshold: points of the
total or of the section's scaled score.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

from ..checklist.model import Checklist, Level
from .single import Answer, Score

#: Why the level is what it is.
INSPECTION = "inspection"   # an inspection checklist has no levels
VETOED = "vetoed"           # failed veto items block every level
REACHED = "reached"         # the highest level whose thresholds are all met
NONE_MET = "none_met"       # not even the lowest level's thresholds are met
CAPPED = "capped"           # a higher level's thresholds are met; the level applied for is awarded


@dataclass(frozen=True)
class ItemAccount:
    id: str
    section_id: str
    answer: Answer
    points: Fraction
    earned: Fraction
    lost: Fraction          # points − earned when applicable, 0 when answered "na"
    applicable: bool
    failed: bool
    veto: bool


@dataclass(frozen=True)
class SectionAccount:
    id: str
    max: Fraction
    applicable_max: Fraction
    earned: Fraction
    lost: Fraction                  # applicable_max − earned (raw points)
    score: Fraction | None          # scaled to max; None when nothing is applicable
    score_lost: Fraction | None     # max − score


@dataclass(frozen=True)
class Threshold:
    """One minimum of a level checked against the result."""
    level: int
    section_id: str | None          # None for the level's min_total
    required: Fraction
    actual: Fraction | None         # None: the section has nothing applicable (waived)
    met: bool
    shortfall: Fraction             # required − actual when unmet, else 0

    @property
    def waived(self) -> bool:
        return self.actual is None


@dataclass(frozen=True)
class LevelAccount:
    level: int
    thresholds: tuple[Threshold, ...]

    @property
    def met(self) -> bool:
        return all(t.met for t in self.thresholds)

    @property
    def shortfalls(self) -> tuple[Threshold, ...]:
        return tuple(t for t in self.thresholds if not t.met)


@dataclass(frozen=True)
class Explanation:
    total: Fraction
    max: Fraction
    percent: Fraction
    earned: Fraction
    applicable_max: Fraction
    level: int | None
    reason: str                            # INSPECTION | VETOED | REACHED | NONE_MET
    level_without_vetoes: int | None       # the level the thresholds alone would give
    reached: LevelAccount | None           # thresholds of the level reached (all met)
    decided_by: tuple[Threshold, ...]      # unmet thresholds of the level above the one reached
    vetoes: tuple[str, ...]                # veto items that block any level
    next_level: LevelAccount | None        # the first level above the result
    shortfalls: tuple[Threshold, ...]      # what the next level still needs, thresholds
    vetoes_to_clear: tuple[str, ...]       # what the next level still needs, veto items
    levels: tuple[LevelAccount, ...]       # every level, ascending
    sections: tuple[SectionAccount, ...]
    items: tuple[ItemAccount, ...]


def explain(checklist: Checklist, result: Score) -> Explanation:
    """Account for ``result`` (a score of ``checklist``) item by item and level by level."""
    veto_ids = {item.id for item in checklist.items if item.veto}
    items = tuple(
        ItemAccount(i.id, i.section_id, i.answer, i.points, i.earned,
                    i.points - i.earned if i.applicable else Fraction(0),
                    i.applicable, i.failed, i.id in veto_ids)
        for i in result.items)
    sections = tuple(
        SectionAccount(s.id, s.max, s.applicable_max, s.earned, s.applicable_max - s.earned,
                       s.score, None if s.score is None else s.max - s.score)
        for s in result.sections)
    section_scores = {s.id: s.score for s in result.sections}
    grading = checklist.kind == "grading"
    levels = tuple(_account(level, result.total, section_scores)
                   for level in sorted(checklist.levels, key=lambda lv: lv.level)) if grading else ()
    met = [account for account in levels if account.met]
    unvetoed = met[-1] if met else None
    current = None if result.vetoes else unvetoed
    above = [a for a in levels if current is None or a.level > current.level]
    next_level = above[0] if above else None
    if not grading:
        reason = INSPECTION
    elif result.vetoes:
        reason = VETOED
    else:
        reason = REACHED if current else NONE_MET
    decided_by: tuple[Threshold, ...] = ()
    if reason in (REACHED, NONE_MET) and next_level is not None:
        decided_by = next_level.shortfalls
    return Explanation(
        total=result.total, max=result.max, percent=result.percent, earned=result.earned,
        applicable_max=result.applicable_max, level=result.level, reason=reason,
        level_without_vetoes=unvetoed.level if unvetoed else None,
        reached=current, decided_by=decided_by, vetoes=result.vetoes if grading else (),
        next_level=next_level,
        shortfalls=next_level.shortfalls if next_level else (),
        vetoes_to_clear=result.vetoes if grading and next_level else (),
        levels=levels, sections=sections, items=items)


def _account(level: Level, total: Fraction, section_scores: dict[str, Fraction | None]) -> LevelAccount:
    thresholds = [_threshold(level.level, None, level.min_total, total)]
    for section_id, minimum in level.min_sections.items():
        if section_id not in section_scores:
            raise ValueError(f"level {level.level}: unknown section {section_id!r}")
        thresholds.append(_threshold(level.level, section_id, minimum, section_scores[section_id]))
    return LevelAccount(level.level, tuple(thresholds))


def _threshold(level: int, section_id: str | None, required: Fraction,
               actual: Fraction | None) -> Threshold:
    met = actual is None or actual >= required
    return Threshold(level, section_id, required, actual, met,
                     Fraction(0) if met else required - actual)


class Award(NamedTuple):
    """The level awarded for an evaluation and the rule that decided it."""
    level: int | None              # the level awarded
    reason: str                    # the explanation's reason, or CAPPED
    reached: int | None            # the level the scores reach (the engine's level)
    requested: int | None          # the level applied for (None: no application)


def award(explanation: Explanation, requested_level: int | None) -> Award:
    """The level awarded for an application of ``requested_level``: the level the scores
    reach, but never above the level applied for (the grade cannot exceed the request). When
    the cap decides, the reason says so (:data:`CAPPED`); otherwise it is the explanation's
    (reached, vetoed, none met)."""
    reached = explanation.level
    level = capped_level(reached, requested_level)
    return Award(level, CAPPED if level != reached else explanation.reason, reached, requested_level)


def capped_level(level: int | None, requested_level: int | None) -> int | None:
    """``level`` capped at the level applied for (no application, or no level: unchanged)."""
    if level is None or requested_level is None:
        return level
    return min(level, requested_level)
