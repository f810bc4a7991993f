"""Scoring one set of answers against a checklist (docs/commands.md, "grade").

The rules, all in exact :class:`~fractions.Fraction` arithmetic (:func:`score` sums the points
as integers over the checklist's common denominator, which is the same exact value; the
plain Fraction path, :func:`score_exact`, is kept as the reference the tests compare it with):

* Answers: ``check`` → ``"pass" | "fail" | "na"``; ``scale`` → a number in [0, points]
  that is a multiple of ``step``, or ``"na"``; ``measure`` → a finite number, or ``"na"``.
  ``"na"`` only where the item allows it; every item answered, no unknown id; booleans are
  not numbers. Numbers are taken exactly as their decimal text reads (a float by its
  shortest text, ``0.1`` is 1/10); a number beyond the range of a double is not finite.
* Points earned: ``check`` pass → points, fail → 0; ``scale`` → the value; ``measure`` →
  points when the value lies within [min, max] (bounds inclusive, a missing bound open).
* Failed: ``check`` fail; ``scale`` below ``pass_min``; ``measure`` out of bounds.
  ``"na"`` never fails and takes the item out of the applicable maximum.
* Section score = earned / applicable × section max (合理缺项 scaled to the full mark);
  ``None`` when nothing in the section is applicable, which waives its level minimum.
* Total = Σ earned / Σ applicable × checklist max; at least one applicable item is required.
  Percent = total / max × 100. Vetoes = failed items marked ``veto``.
* Level (grading only): the highest level whose ``min_total`` ≤ total and every
  ``min_sections`` entry ≤ that section's score; ``None`` with any veto, when no level is met,
  and always for inspection checklists.

:mod:`.batch` applies the same rules to many targets at once;
:mod:`.explain` turns a :class:`Score` into an account of how it was reached.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Mapping, Union

from ..checklist.model import Checklist, Item, Level
from ..translatable import N_, Message

#: A validated answer: one of the three words, or an exact number.
Answer = Union[str, Fraction]
PASS, FAIL, NA = "pass", "fail", "na"

_DECIMAL_TEXT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NON_FINITE_TEXT = {"nan", "inf", "infinity"}
_LARGEST_EXACT_EXPONENT = 400   # beyond it a decimal is taken by its double (no giant integers)
_DOUBLE_MAX = Fraction(1.7976931348623157e308)   # the largest finite double, exactly


class InvalidResponses(ValueError):
    """The answers break the rules; ``problems`` lists every one as "<where>: <message>"."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


# Reading one answer -------------------------------------------------------------------------

@dataclass(frozen=True)
class ReadAnswer:
    """What an answer is before it is checked against its item.

    ``kind`` is ``pass``/``fail``/``na`` (the words), ``number`` (``number`` holds its exact
    value), ``non_finite``, ``boolean`` or ``other``; ``shown`` is the answer as written, for
    messages.
    """
    kind: str
    number: Fraction | None
    shown: str


#: The three words as read (immutable, shared: reading a word allocates nothing).
_WORDS = {word: ReadAnswer(word, None, json.dumps(word)) for word in (PASS, FAIL, NA)}


def read_answer(value: Any) -> ReadAnswer:
    """Classify a JSON-like answer: a word, a number (int, float, Decimal, Fraction) or other."""
    if isinstance(value, str):
        word = _WORDS.get(value)
        if word is not None:
            return word
        return ReadAnswer("other", None, json.dumps(value, ensure_ascii=False))
    if isinstance(value, bool):
        return ReadAnswer("boolean", None, "true" if value else "false")
    if isinstance(value, (int, float, Decimal, Fraction)):
        exact = _exact_number(value)
        if exact is not None:
            return ReadAnswer("number", exact, number_text(exact))
        shown = "a number beyond the range of a double" if isinstance(value, int) else str(value)
        return ReadAnswer("non_finite", None, shown)
    shown = "null" if value is None else type(value).__name__
    return ReadAnswer("other", None, shown)


def read_answer_text(text: str) -> ReadAnswer:
    """Classify an answer given as text (a CSV cell): a word, a decimal number or other."""
    word = _WORDS.get(text)
    if word is not None:
        return word
    shown = json.dumps(text, ensure_ascii=False)
    if _DECIMAL_TEXT.fullmatch(text):
        exact = _exact_number(text)
        return ReadAnswer("number" if exact is not None else "non_finite", exact, shown)
    if text.lstrip("+-").lower() in _NON_FINITE_TEXT:
        return ReadAnswer("non_finite", None, shown)
    return ReadAnswer("other", None, shown)


def _exact_number(value: int | float | Decimal | Fraction | str) -> Fraction | None:
    """The exact value of a finite number, ``None`` when it is not finite.

    Decimal text and :class:`Decimal` are exact as written; a float is read by its shortest
    decimal text (``repr``). Anything outside the range of a double counts as not finite, so
    the same number is refused whether it arrives as JSON or as CSV text.
    """
    if isinstance(value, Fraction):
        return value if abs(value) <= _DOUBLE_MAX else None
    if isinstance(value, int):
        return Fraction(value) if abs(value) <= _DOUBLE_MAX else None
    if isinstance(value, float):
        return Fraction(repr(value)) if math.isfinite(value) else None
    as_decimal = Decimal(value) if isinstance(value, str) else value
    if not as_decimal.is_finite() or not math.isfinite(float(as_decimal)):
        return None
    if abs(as_decimal.as_tuple().exponent) > _LARGEST_EXACT_EXPONENT:
        return Fraction(repr(float(as_decimal)))
    return Fraction(as_decimal)


def number_text(value: Fraction) -> str:
    """A number as a person writes it: ``10``, ``2.5``, or ``1/3`` when no decimal is exact."""
    if value.denominator == 1:
        return str(value.numerator)
    den, twos, fives = value.denominator, 0, 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    if den != 1:
        return f"{value.numerator}/{value.denominator}"
    digits = max(twos, fives)
    scaled = abs(value) * 10 ** digits
    whole, frac = divmod(int(scaled), 10 ** digits)
    sign = "-" if value < 0 else ""
    return f"{sign}{whole}.{frac:0{digits}d}".rstrip("0")


# Checking one answer against its item --------------------------------------------------------

def step_of(item: Item) -> Fraction:
    """A scale item's step (default 1)."""
    return item.step if item.step is not None else Fraction(1)


def pass_min_of(item: Item) -> Fraction:
    """A scale item's pass mark (default 0)."""
    return item.pass_min if item.pass_min is not None else Fraction(0)


def answer_problem(item: Item, answer: ReadAnswer) -> Message | None:
    """Why ``answer`` is not a valid answer to ``item`` (the message), or ``None``."""
    if answer.kind == NA:
        return None if item.na else Message(N_('"na" is not allowed for this item'))
    if item.type == "check":
        if answer.kind in (PASS, FAIL):
            return None
        return Message(N_('expected "pass", "fail" or "na", got %(got)s'), got=answer.shown)
    if answer.kind == "boolean":
        return Message(N_("%(got)s is a boolean, not a number"), got=answer.shown)
    if answer.kind == "non_finite":
        return Message(N_("%(got)s is not a finite number"), got=answer.shown)
    if answer.kind != "number":
        if item.type == "scale":
            if item.na:
                return Message(N_('expected a number or "na", got %(got)s'), got=answer.shown)
            return Message(N_("expected a number, got %(got)s"), got=answer.shown)
        if item.na:
            return Message(N_('expected a finite number or "na", got %(got)s'), got=answer.shown)
        return Message(N_("expected a finite number, got %(got)s"), got=answer.shown)
    if item.type == "scale":
        value, step = answer.number, step_of(item)
        if not 0 <= value <= item.points:
            return Message(N_("%(value)s is outside 0..%(points)s"), value=number_text(value),
                           points=number_text(item.points))
        if (value / step).denominator != 1:
            return Message(N_("%(value)s is not a multiple of the step %(step)s"), value=number_text(value),
                           step=number_text(step))
    return None


def answer_value(answer: ReadAnswer) -> Answer:
    """The validated answer as kept: the word, or the exact number."""
    return answer.number if answer.kind == "number" else answer.kind


def outcome(item: Item, answer: Answer) -> tuple[Fraction, bool, bool]:
    """``(earned, applicable, failed)`` for a valid answer."""
    if answer == NA:
        return Fraction(0), False, False
    if item.type == "check":
        passed = answer == PASS
        return (item.points if passed else Fraction(0)), True, not passed
    if item.type == "scale":
        return answer, True, answer < pass_min_of(item)
    within = (item.min is None or item.min <= answer) and (item.max is None or answer <= item.max)
    return (item.points if within else Fraction(0)), True, not within


def validate_responses(checklist: Checklist, mapping: Any) -> dict[str, Answer]:
    """Check one set of answers; return ``{item id: answer}`` in checklist order.

    Raises :class:`InvalidResponses` listing every problem found, each as
    ``"<item id>: <message>"`` (or ``"responses: <message>"`` for the whole set).
    """
    if not isinstance(mapping, Mapping):
        raise InvalidResponses([f"responses: expected an object of item id → answer, "
                                f"got {read_answer(mapping).shown}"])
    plan = _plan(checklist)
    problems: list[str] = []
    answers: dict[str, Answer] = {}
    for item in plan.items:
        if item.id not in mapping:
            problems.append(f"{item.id}: not answered")
            continue
        value = mapping[item.id]
        if value.__class__ is str:
            # The common case, decided without reading: a word that is valid for the item
            # (what read_answer + answer_problem + answer_value give for it).
            if value == NA:
                if item.na:
                    answers[item.id] = NA
                    continue
            elif (value == PASS or value == FAIL) and item.type == "check":
                answers[item.id] = PASS if value == PASS else FAIL
                continue
        read = read_answer(value)
        problem = answer_problem(item, read)
        if problem:
            problems.append(f"{item.id}: {problem}")
        else:
            answers[item.id] = answer_value(read)
    known = plan.ids
    problems.extend(f"{key}: unknown item" for key in mapping if key not in known)
    if not any(value != NA for value in answers.values()):
        problems.append('responses: no applicable item (every answer is "na" or invalid)')
    if problems:
        raise InvalidResponses(problems)
    return answers


# Scores -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ItemScore:
    id: str
    section_id: str
    answer: Answer
    earned: Fraction
    points: Fraction
    applicable: bool
    failed: bool


@dataclass(frozen=True)
class SectionScore:
    id: str
    score: Fraction | None      # None when no item of the section is applicable
    max: Fraction
    applicable_max: Fraction
    earned: Fraction


@dataclass(frozen=True)
class Score:
    total: Fraction
    max: Fraction
    percent: Fraction
    level: int | None
    vetoes: tuple[str, ...]     # item ids, checklist order
    failed: tuple[str, ...]     # item ids, checklist order
    sections: tuple[SectionScore, ...]
    items: tuple[ItemScore, ...]
    earned: Fraction            # raw points earned, before scaling
    applicable_max: Fraction    # raw points of the applicable items


def scaled(earned: Fraction, applicable: Fraction, full: Fraction) -> Fraction | None:
    """earned / applicable × full (合理缺项 scaled to the full mark); None if nothing applies."""
    return earned / applicable * full if applicable else None


def level_is_met(level: Level, total: Fraction, section_scores: Mapping[str, Fraction | None]) -> bool:
    """``min_total`` ≤ total and every ``min_sections`` entry ≤ its section's score (a null
    section score waives its minimum)."""
    if level.min_total > total:
        return False
    for section_id, minimum in level.min_sections.items():
        if section_id not in section_scores:
            raise ValueError(f"level {level.level}: unknown section {section_id!r}")
        section_score = section_scores[section_id]
        if section_score is not None and minimum > section_score:
            return False
    return True


def decide_level(checklist: Checklist, total: Fraction, section_scores: Mapping[str, Fraction | None],
                 vetoed: bool) -> int | None:
    """The level reached: ``None`` for inspection checklists, with a veto, or when none is met."""
    if checklist.kind != "grading" or vetoed:
        return None
    met = [lv.level for lv in checklist.levels if level_is_met(lv, total, section_scores)]
    return max(met) if met else None


def score(checklist: Checklist, responses: Mapping[str, Any]) -> Score:
    """Score one set of answers (validated first: raises :class:`InvalidResponses`).

    Equal to :func:`score_exact` (the same :class:`Score`, field for field): every earned and
    applicable amount is a multiple of ``1 / plan.scale`` (the common denominator of the
    points and steps), so the sums are taken as integers and turned into one Fraction per
    section; the item scores of word answers are made once per checklist and shared."""
    plan = _plan(checklist)
    if len(plan.ids) != len(plan.items):
        return score_exact(checklist, responses)     # duplicate item ids (an invalid checklist)
    answers = validate_responses(checklist, responses)
    scale = plan.scale
    words = plan.words
    item_scores: list[ItemScore] = []
    section_scores: list[SectionScore] = []
    earned_total = applicable_total = 0
    for section, items, section_max in plan.sections:
        earned = applicable = 0
        for item in items:
            answer = answers[item.id]
            known = words.get((item.id, answer)) if answer.__class__ is str else None
            if known is not None:
                item_score, got_scaled, points_scaled = known
            else:
                got, is_applicable, failed = outcome(item, answer)
                if scale % got.denominator:
                    return score_exact(checklist, responses)     # off the grid: cannot happen for valid answers
                item_score = ItemScore(item.id, section.id, answer, got, item.points, is_applicable, failed)
                got_scaled = got.numerator * (scale // got.denominator)
                points_scaled = plan.points_scaled[item.id] if is_applicable else 0
            item_scores.append(item_score)
            earned += got_scaled
            applicable += points_scaled
        earned_total += earned
        applicable_total += applicable
        earned_f, applicable_f = Fraction(earned, scale), Fraction(applicable, scale)
        section_scores.append(SectionScore(section.id, scaled(earned_f, applicable_f, section_max),
                                           section_max, applicable_f, earned_f))
    earned_f, applicable_f = Fraction(earned_total, scale), Fraction(applicable_total, scale)
    full = plan.max
    total = scaled(earned_f, applicable_f, full)
    failed_ids = tuple(i.id for i in item_scores if i.failed)
    vetoes = tuple(i for i in failed_ids if i in plan.veto_ids)
    level = decide_level(checklist, total, {s.id: s.score for s in section_scores}, bool(vetoes))
    return Score(total=total, max=full, percent=total / full * 100, level=level, vetoes=vetoes,
                 failed=failed_ids, sections=tuple(section_scores), items=tuple(item_scores),
                 earned=earned_f, applicable_max=applicable_f)


def score_exact(checklist: Checklist, responses: Mapping[str, Any]) -> Score:
    """:func:`score` in plain Fraction arithmetic, item by item (the reference)."""
    answers = validate_responses(checklist, responses)
    item_scores: list[ItemScore] = []
    section_scores: list[SectionScore] = []
    for section in checklist.sections:
        earned = applicable_max = Fraction(0)
        for item in section.items:
            got, applicable, failed = outcome(item, answers[item.id])
            item_scores.append(ItemScore(item.id, section.id, answers[item.id], got,
                                         item.points, applicable, failed))
            earned += got
            applicable_max += item.points if applicable else 0
        section_scores.append(SectionScore(section.id, scaled(earned, applicable_max, section.max),
                                           section.max, applicable_max, earned))
    earned = sum((s.earned for s in section_scores), Fraction(0))
    applicable_max = sum((s.applicable_max for s in section_scores), Fraction(0))
    full = checklist.max
    total = scaled(earned, applicable_max, full)
    failed = tuple(i.id for i in item_scores if i.failed)
    veto_ids = {item.id for item in checklist.items if item.veto}
    vetoes = tuple(i for i in failed if i in veto_ids)
    level = decide_level(checklist, total, {s.id: s.score for s in section_scores}, bool(vetoes))
    return Score(total=total, max=full, percent=total / full * 100, level=level, vetoes=vetoes,
                 failed=failed, sections=tuple(section_scores), items=tuple(item_scores),
                 earned=earned, applicable_max=applicable_max)


# What score() works out once per checklist ----------------------------------------------------

@dataclass(frozen=True, eq=False)
class _Plan:
    checklist: Checklist
    items: tuple[Item, ...]
    ids: frozenset[str]
    sections: tuple[tuple[Any, tuple[Item, ...], Fraction], ...]   # (section, its items, its max)
    max: Fraction
    veto_ids: frozenset[str]
    scale: int                          # common denominator of every point value and step
    points_scaled: dict[str, int]       # item id → points × scale
    # (item id, valid word) → (its item score, earned × scale, applicable × scale)
    words: dict[tuple[str, str], tuple[ItemScore, int, int]]


_PLANS: dict[int, _Plan] = {}


def _plan(checklist: Checklist) -> _Plan:
    """The checklist's plan, made once (a checklist is immutable; kept by identity, bounded)."""
    plan = _PLANS.get(id(checklist))
    if plan is not None and plan.checklist is checklist:
        return plan
    items = checklist.items
    scale = 1
    for item in items:
        scale = math.lcm(scale, item.points.denominator)
        if item.type == "scale":
            scale = math.lcm(scale, step_of(item).denominator)
    points_scaled = {item.id: item.points.numerator * (scale // item.points.denominator) for item in items}
    words: dict[tuple[str, str], tuple[ItemScore, int, int]] = {}
    sections = []
    for section in checklist.sections:
        sections.append((section, section.items, section.max))
        for item in section.items:
            valid = ((PASS, FAIL) if item.type == "check" else ()) + ((NA,) if item.na else ())
            for word in valid:
                got, applicable, failed = outcome(item, word)
                words[(item.id, word)] = (ItemScore(item.id, section.id, word, got, item.points, applicable, failed),
                                          got.numerator * (scale // got.denominator),
                                          points_scaled[item.id] if applicable else 0)
    plan = _Plan(checklist, items, frozenset(i.id for i in items), tuple(sections), checklist.max,
                 frozenset(i.id for i in items if i.veto), scale, points_scaled, words)
    if len(_PLANS) >= 256:
        _PLANS.clear()
    _PLANS[id(checklist)] = plan
    return plan


# The contract's JSON ------------------------------------------------------------------------

def json_number(value: Fraction) -> int | float:
    """An int when the value is integral, else a float rounded (half to even) to 4 decimals."""
    if value.denominator == 1:
        return value.numerator
    return float(round(value, 4))


def to_contract_dict(result: Score, checklist: Checklist, target: str | None = None) -> dict:
    """The output object (docs/commands.md, "grade"), fields in the documented order
    (``target`` first when given)."""
    out: dict[str, Any] = {} if target is None else {"target": target}
    out.update(
        checklist=checklist.id,
        version=checklist.version,
        total=json_number(result.total),
        max=json_number(result.max),
        percent=json_number(result.percent),
        level=result.level,
        vetoes=list(result.vetoes),
        failed=list(result.failed),
        sections=[{"id": s.id,
                   "score": None if s.score is None else json_number(s.score),
                   "max": json_number(s.max),
                   "applicable_max": json_number(s.applicable_max)} for s in result.sections],
    )
    return out
