"""Scoring many targets at once: the batch form of docs/commands.md, "grade", vectorised with numpy.

The rules are those of :mod:`.single`, applied so that a province's CSV or a city re-graded
from the database costs a few array passes:

1. Every distinct (item, answer) pair present is checked and scored once, in Python, by the
   very functions the single path uses (:func:`~.single.answer_problem`,
   :func:`~.single.outcome`); rows then look their result up by pair code.
2. Points are exact scaled integers: every earned value is a multiple of ``1 / scale``, where
   ``scale`` is the common denominator of all points and of the earned values present. int64
   is used when a bound computed beforehand shows no product can overflow, exact Python
   integers otherwise.
3. Sums per target and section come from a dense target × item matrix (every cell answered
   exactly once, which validation guarantees). Level thresholds are compared by integer
   cross-multiplication, JSON numbers rounded half to even on integers, so every output equals
   :func:`~.single.to_contract_dict` of :func:`~.single.score` for the same answers.

Two entry points: :func:`score_long_frame` (rows of text or numbers: CSV, spreadsheets) and
:func:`score_coded` (integer-coded arrays, e.g. straight from a database query).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from ..checklist.model import Checklist
from .single import (
    FAIL, NA, PASS, ReadAnswer, answer_problem, answer_value, number_text, outcome, read_answer,
    read_answer_text)
from .results import BatchScores

_INT64_SAFE = 2 ** 52          # every product stays below this for the int64 path
_DENSE_PAIR_LIMIT = 1 << 20    # (item, answer) pair tables stay dense up to this many cells
_MISSING_VALUE = ReadAnswer("other", None, "an empty cell")


@dataclass(frozen=True)
class RowProblem:
    """A broken row: ``row`` is its 0-based position in the input; ``first_row`` the row a
    duplicate repeats."""
    row: int
    message: str
    first_row: int | None = None


@dataclass(frozen=True)
class TargetProblem:
    """A target whose answers are incomplete or leave nothing applicable."""
    target: str
    message: str


class InvalidAnswerRows(ValueError):
    """Some rows or targets break the rules; every problem found is listed."""

    def __init__(self, row_problems: list[RowProblem], target_problems: list[TargetProblem]):
        self.row_problems = row_problems
        self.target_problems = target_problems
        super().__init__("\n".join(self.problems))

    @property
    def problems(self) -> list[str]:
        """Every problem as text, rows numbered from 1 in input order."""
        rows = [f"row {p.row + 1}: {p.message}"
                + ("" if p.first_row is None else f" (first given on row {p.first_row + 1})")
                for p in self.row_problems]
        return rows + [f"target {json.dumps(p.target, ensure_ascii=False)}: {p.message}"
                       for p in self.target_problems]


# Entry points -------------------------------------------------------------------------------

def score_long_frame(checklist: Checklist, frame: Any) -> BatchScores:
    """Score a long table with columns ``target``, ``item``, ``value`` (one row per answer).

    Values are text as in a CSV cell (``"pass"``, ``"2.5"``, ``"na"``) or JSON-like numbers;
    categorical columns (``pandas.read_csv(dtype="category")``) are used without decoding.
    Raises :class:`InvalidAnswerRows` naming every broken row by position.
    """
    problems: list[RowProblem] = []
    target_labels, target_codes = _column_codes(frame["target"])
    targets, target_codes = _sorted_targets(target_labels, target_codes)
    for row in np.flatnonzero(target_codes < 0).tolist():
        problems.append(RowProblem(row, "empty target"))

    item_labels, item_codes = _column_codes(frame["item"])
    index = {item.id: k for k, item in enumerate(checklist.items)}
    item_map = np.array([index.get(label, -1) if isinstance(label, str) else -1
                         for label in item_labels] + [-1], dtype=np.int64)
    mapped = item_map[item_codes]
    unknown = np.flatnonzero(mapped < 0)
    for row, code in zip(unknown.tolist(), item_codes[unknown].tolist()):
        label = None if code < 0 else item_labels[code]
        problems.append(RowProblem(row, "no item id" if _is_missing(label) else
                                   f"{json.dumps(str(label), ensure_ascii=False)}: unknown item"))
    item_codes = mapped

    value_labels, value_codes = _column_codes(frame["value"])
    table = [read_answer_text(v) if isinstance(v, str) else read_answer(v) for v in value_labels]
    if len(value_codes) and value_codes.min() < 0:
        value_codes = np.where(value_codes < 0, len(table), value_codes)
    table.append(_MISSING_VALUE)
    return _score_rows(checklist, targets, target_codes, item_codes, value_codes, table, problems)


def score_coded(checklist: Checklist, targets: Sequence[str], target_codes: Any, item_codes: Any,
                values: Any, na: Any) -> BatchScores:
    """Score integer-coded answers, e.g. as a database query returns them.

    ``targets[code]`` names each target code; ``item_codes`` index ``checklist.items``;
    ``values`` (float) holds the number answered, or 1 = pass / 0 = fail for ``check`` items;
    ``na`` flags rows answered ``"na"`` (their value is ignored). Floats are taken by their
    shortest decimal text, as in the single path.
    """
    import pandas as pd

    target_codes = np.asarray(target_codes, dtype=np.int64)
    item_codes = np.asarray(item_codes, dtype=np.int64)
    na = np.asarray(na, dtype=bool)
    problems: list[RowProblem] = []
    names, remap = _sorted_targets(list(targets), np.arange(len(targets) + 1, dtype=np.int64))
    if len(target_codes) and (target_codes.min() < 0 or target_codes.max() >= len(targets)):
        bad_target = (target_codes < 0) | (target_codes >= len(targets))
        target_codes = np.where(bad_target, len(targets), target_codes)
    else:
        bad_target = np.zeros(len(target_codes), dtype=bool)
    if not np.array_equal(remap[:-1], np.arange(len(targets))):
        target_codes = remap[target_codes]             # sorted order, empty names → -1
    elif bad_target.any():
        target_codes = np.where(bad_target, -1, target_codes)
    problems += [RowProblem(r, "unknown target code" if bad_target[r] else "empty target")
                 for r in np.flatnonzero(target_codes < 0).tolist()]
    if len(item_codes) and (item_codes.min() < 0 or item_codes.max() >= len(checklist.items)):
        bad_item = (item_codes < 0) | (item_codes >= len(checklist.items))
        problems += [RowProblem(r, f"unknown item code {c}") for r, c in
                     zip(np.flatnonzero(bad_item).tolist(), item_codes[bad_item].tolist())]
        item_codes = np.where(bad_item, -1, item_codes)

    value_codes, numbers = pd.factorize(np.asarray(values, dtype=np.float64),
                                        use_na_sentinel=False)     # hashing, no sort
    table = [read_answer(v) for v in numbers.tolist()]
    as_check = [read_answer(PASS) if v == 1 else read_answer(FAIL) if v == 0 else
                ReadAnswer("other", None, f"the code {number_text(Fraction(repr(v)))}"
                           if math.isfinite(v) else f"the code {v}")
                for v in numbers.tolist()]
    value_codes = value_codes.astype(np.int64, copy=False)
    value_codes[na] = len(table)
    table.append(read_answer(NA))
    as_check.append(read_answer(NA))
    return _score_rows(checklist, names, target_codes, item_codes, value_codes, table, problems,
                       check_table=as_check)


# Codes --------------------------------------------------------------------------------------

def _column_codes(column: Any) -> tuple[list, np.ndarray]:
    """(labels, codes) of a column; code -1 marks a missing value."""
    import pandas as pd

    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.categories.tolist(), column.cat.codes.to_numpy(dtype=np.int64)
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    return uniques.tolist(), codes.astype(np.int64, copy=False)


def _sorted_targets(labels: list, codes: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Targets as text, sorted (output order), and the rows' codes into that order; the empty
    text and missing labels become -1."""
    names = [label if isinstance(label, str) else ("" if _is_missing(label) else str(label))
             for label in labels]
    ordered = sorted(set(names) - {""})
    position = {name: k for k, name in enumerate(ordered)}
    remap = np.array([position.get(name, -1) for name in names] + [-1], dtype=np.int64)
    return ordered, remap[codes]


def _is_missing(label: Any) -> bool:
    return label is None or (isinstance(label, float) and math.isnan(label))


# The shared core ----------------------------------------------------------------------------

@dataclass
class _PairTable:
    """Every distinct (item, answer) pair present, checked and scored once, exactly; the
    lists and arrays are indexed by slot (a row's slot comes with the table)."""
    item: np.ndarray                    # the item index of each slot
    present: list[int]                  # the slots some row uses
    messages: list[str | None]          # why the answer is invalid for the item, or None
    answers: list[Any]
    earned: list[Fraction]
    valid: np.ndarray
    applicable: np.ndarray
    failed: np.ndarray


def _pair_table(checklist: Checklist, table: list[ReadAnswer], pair: np.ndarray,
                check_table: list[ReadAnswer] | None) -> tuple[_PairTable, np.ndarray]:
    """The pair table and each row's slot in it. Pair code = item × len(table) + answer; with
    few enough codes the code is the slot (a dense table), else codes are numbered as they
    come (hashing). ``check_table``, when given, reads the answers of ``check`` items."""
    items, n_values = checklist.items, len(table)
    size = len(items) * n_values
    if size <= _DENSE_PAIR_LIMIT:
        seen = np.zeros(size, dtype=bool)
        seen[pair] = True
        present, slot_of_row, slots = np.flatnonzero(seen), pair, np.arange(size)
        slot_of_present = present
    else:
        import pandas as pd

        slot_of_row, present = pd.factorize(pair)
        slot_of_row = slot_of_row.astype(np.int64, copy=False)
        slots = present
        slot_of_present = np.arange(len(present))
    count = len(slots)
    messages: list[str | None] = [None] * count
    answers: list[Any] = [None] * count
    earned = [Fraction(0)] * count
    valid, applicable, failed = (np.zeros(count, dtype=bool) for _ in range(3))
    for code, slot in zip(present.tolist(), slot_of_present.tolist()):
        item = items[code // n_values]
        read = (check_table if check_table and item.type == "check" else table)[code % n_values]
        problem = answer_problem(item, read)
        if problem is not None:
            messages[slot] = f"{item.id}: {problem}"
            continue
        answers[slot] = answer_value(read)
        earned[slot], applicable[slot], failed[slot] = outcome(item, answers[slot])
        valid[slot] = True
    pairs = _PairTable(slots // n_values, slot_of_present.tolist(), messages, answers, earned,
                       valid, applicable, failed)
    return pairs, slot_of_row


def _score_rows(checklist: Checklist, targets: list[str], target_codes: np.ndarray,
                item_codes: np.ndarray, value_codes: np.ndarray, table: list[ReadAnswer],
                problems: list[RowProblem], check_table: list[ReadAnswer] | None = None,
                ) -> BatchScores:
    """Score rows already coded (-1: a target or item the caller has reported in
    ``problems``); raise :class:`InvalidAnswerRows` with every problem, if any."""
    items = checklist.items
    n_targets, n_items = len(targets), len(items)
    known = None
    if problems:
        known = np.flatnonzero((target_codes >= 0) & (item_codes >= 0))
        target_codes, item_codes, value_codes = target_codes[known], item_codes[known], value_codes[known]
    pairs, slot = _pair_table(checklist, table, item_codes * len(table) + value_codes, check_table)
    cell = target_codes * n_items + item_codes
    complete = (len(cell) == n_targets * n_items
                and (not len(cell) or np.bincount(cell, minlength=len(cell)).max() == 1))
    if problems or not complete or not pairs.valid[slot].all():
        _raise_problems(checklist, targets, target_codes, item_codes, slot, known, pairs, problems)

    present_earned = [pairs.earned[s] for s in pairs.present]
    scale = math.lcm(*{f.denominator for f in present_earned}, *{i.points.denominator for i in items})
    big = sum(i.points for i in items) * scale * _largest_factor(checklist, scale) >= _INT64_SAFE
    dtype = object if big else np.int64
    earned = np.zeros(len(pairs.earned), dtype=dtype)
    earned[pairs.present] = [int(f * scale) for f in present_earned]
    points = np.array([int(i.points * scale) for i in items], dtype=dtype)
    applicable_points = np.where(pairs.applicable, points[pairs.item], 0).astype(dtype)
    cell_slot = np.empty(n_targets * n_items, dtype=np.int64)
    cell_slot[cell] = slot
    cell_slot = cell_slot.reshape(n_targets, n_items)
    starts = np.cumsum([0] + [len(s.items) for s in checklist.sections[:-1]])
    section_earned = np.add.reduceat(earned[cell_slot], starts, axis=1)
    section_applicable = np.add.reduceat(applicable_points[cell_slot], starts, axis=1)
    if (section_applicable.sum(axis=1) == 0).any():
        _raise_problems(checklist, targets, target_codes, item_codes, slot, known, pairs, problems)
    return BatchScores.build(
        checklist, targets, scale, section_earned=section_earned,
        section_applicable=section_applicable, failed=pairs.failed[cell_slot],
        cell_slot=cell_slot, slot_answers=pairs.answers, slot_earned=pairs.earned)


def _raise_problems(checklist: Checklist, targets: list[str], t: np.ndarray, it: np.ndarray,
                    slot: np.ndarray, known: np.ndarray | None, pairs: _PairTable,
                    problems: list[RowProblem]) -> None:
    """Find every problem (the rows were found wanting) and raise them all."""
    position = np.arange(len(t)) if known is None else known
    bad = np.flatnonzero(~pairs.valid[slot])
    problems += [RowProblem(r, pairs.messages[s])
                 for r, s in zip(position[bad].tolist(), slot[bad].tolist())]
    has_applicable = pairs.valid[slot] & pairs.applicable[slot]
    target_problems = _structure_problems(checklist, targets, t, it, position, problems,
                                          has_applicable)
    problems.sort(key=lambda p: p.row)
    raise InvalidAnswerRows(problems, target_problems)


def _structure_problems(checklist: Checklist, targets: list[str], t: np.ndarray, it: np.ndarray,
                        known: np.ndarray, problems: list[RowProblem],
                        has_applicable: np.ndarray) -> list[TargetProblem]:
    """Duplicate (target, item) rows into ``problems``; missing items and targets with nothing
    applicable returned."""
    n_items = len(checklist.items)
    cell = t * n_items + it
    counts = np.bincount(cell, minlength=len(targets) * n_items)
    if len(cell) and counts.max() > 1:
        order = np.argsort(cell, kind="stable")
        sorted_cells = cell[order]
        repeat = np.flatnonzero(sorted_cells[1:] == sorted_cells[:-1]) + 1
        first = np.searchsorted(sorted_cells, sorted_cells[repeat])
        for k, f in zip(repeat.tolist(), first.tolist()):
            item, target = checklist.items[it[order[k]]], targets[t[order[k]]]
            problems.append(RowProblem(int(known[order[k]]),
                                       f"{item.id}: duplicate answer for target "
                                       f"{json.dumps(target, ensure_ascii=False)}",
                                       first_row=int(known[order[f]])))
    result: list[TargetProblem] = []
    missing = counts.reshape(len(targets), n_items) == 0
    for k in np.flatnonzero(missing.any(axis=1)).tolist():
        ids = ", ".join(checklist.items[j].id for j in np.flatnonzero(missing[k]).tolist())
        result.append(TargetProblem(targets[k], f"missing items {ids}"))
    applicable = np.bincount(t[has_applicable], minlength=len(targets))
    for k in np.flatnonzero(applicable == 0).tolist():
        result.append(TargetProblem(targets[k], 'no applicable item (every answer is "na" or invalid)'))
    result.sort(key=lambda p: p.target)
    return result


def _largest_factor(checklist: Checklist, scale: int) -> int:
    """The largest number a scaled sum is multiplied by anywhere (JSON rounding, percent,
    level cross-multiplication), so one bound decides whether int64 is safe."""
    factors = [2 * 10_000 * 100, 2 * scale]
    fractions = [checklist.max] + [s.max for s in checklist.sections]
    factors += [2 * 10_000 * f.numerator * f.denominator for f in fractions]
    for level in checklist.levels:
        for minimum in [level.min_total, *level.min_sections.values()]:
            factors += [minimum.numerator * f.denominator * f.numerator * minimum.denominator
                        for f in fractions]
    return max(factors)
