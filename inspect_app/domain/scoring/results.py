"""The result of a batch grading: exact scaled integers per target and section.

:class:`BatchScores` holds, for every target (sorted by name), the earned and applicable
points of each section as integers scaled by ``scale`` (so ``earned / scale`` is exact), the
failed items and the level. It renders the output objects (docs/commands.md, "grade") for all
targets with vectorised integer arithmetic, and can rebuild the full :class:`~.single.Score`
of any one target.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ..checklist.model import Checklist
from .single import NA, ItemScore, Score, SectionScore, json_number, scaled


@dataclass(frozen=True, eq=False)
class BatchScores:
    checklist: Checklist
    targets: tuple[str, ...]        # sorted; row k of every array is targets[k]
    scale: int                      # points × scale are integers
    section_earned: np.ndarray      # (targets, sections), scaled
    section_applicable: np.ndarray  # (targets, sections), scaled
    failed: np.ndarray              # (targets, items) bool, checklist order
    vetoed: np.ndarray              # (targets,) bool
    levels: np.ndarray              # (targets,) int, 0 = no level
    cell_slot: np.ndarray           # (targets, items) → index into slot_answers / slot_earned
    slot_answers: list[Any]
    slot_earned: list[Fraction]

    @classmethod
    def build(cls, checklist: Checklist, targets: list[str], scale: int, *,
              section_earned: np.ndarray, section_applicable: np.ndarray, failed: np.ndarray,
              cell_slot: np.ndarray, slot_answers: list[Any],
              slot_earned: list[Fraction]) -> BatchScores:
        veto = np.array([item.veto for item in checklist.items], dtype=bool)
        vetoed = (failed & veto).any(axis=1)
        levels = _levels(checklist, section_earned, section_applicable, vetoed)
        return cls(checklist, tuple(targets), scale, section_earned, section_applicable, failed,
                   vetoed, levels, cell_slot, slot_answers, slot_earned)

    def __len__(self) -> int:
        return len(self.targets)

    def score_at(self, k: int) -> Score:
        """The full :class:`Score` of the k-th target, equal to the single path's."""
        checklist, scale = self.checklist, self.scale
        item_scores, section_scores = [], []
        j = 0
        for s, section in enumerate(checklist.sections):
            for item in section.items:
                slot = int(self.cell_slot[k, j])
                answer = self.slot_answers[slot]
                item_scores.append(ItemScore(item.id, section.id, answer, self.slot_earned[slot],
                                             item.points, answer != NA, bool(self.failed[k, j])))
                j += 1
            earned = Fraction(int(self.section_earned[k, s]), scale)
            applicable = Fraction(int(self.section_applicable[k, s]), scale)
            section_scores.append(SectionScore(section.id, scaled(earned, applicable, section.max),
                                               section.max, applicable, earned))
        earned = sum((s.earned for s in section_scores), Fraction(0))
        applicable = sum((s.applicable_max for s in section_scores), Fraction(0))
        total = scaled(earned, applicable, checklist.max)
        failed = tuple(i.id for i in item_scores if i.failed)
        veto_ids = {item.id for item in checklist.items if item.veto}
        return Score(total=total, max=checklist.max, percent=total / checklist.max * 100,
                     level=int(self.levels[k]) or None,
                     vetoes=tuple(i for i in failed if i in veto_ids), failed=failed,
                     sections=tuple(section_scores), items=tuple(item_scores),
                     earned=earned, applicable_max=applicable)

    def contract_dicts(self) -> list[dict]:
        """The "grade" output object of every target, ``target`` first, in target order."""
        return [json.loads(line) for line in self.json_lines().splitlines()]

    def json_lines(self) -> str:
        """JSON Lines: the "grade" output object of every target, ``target`` first, in target order —
        exactly what ``json.dumps(to_contract_dict(...), ensure_ascii=False)`` writes for each,
        assembled as text in one join."""
        checklist = self.checklist
        full = checklist.max
        earned = self.section_earned.sum(axis=1)
        applicable = self.section_applicable.sum(axis=1)
        totals = _json_texts(earned * full.numerator, applicable * full.denominator)
        percents = _json_texts(earned * 100, applicable)
        columns = []
        for s, section in enumerate(checklist.sections):
            e, a = self.section_earned[:, s], self.section_applicable[:, s]
            columns.append((_text(section.id), _text(json_number(section.max)),
                            _json_texts(e * section.max.numerator, a * section.max.denominator),
                            _json_texts(a, np.full_like(a, self.scale))))
        veto = np.array([item.veto for item in checklist.items], dtype=bool)
        failed_ids = _id_lists(self.failed, checklist)
        veto_ids = _id_lists(self.failed & veto, checklist)
        levels = [str(level) if level else "null" for level in self.levels.tolist()]
        head = (f', "checklist": {_text(checklist.id)}, "version": {_text(checklist.version)}, '
                '"total": ')
        max_text = _text(json_number(full))
        lines = []
        for k, target in enumerate(self.targets):
            sections = ", ".join(
                f'{{"id": {sid}, "score": {scores[k]}, "max": {smax}, "applicable_max": {amax[k]}}}'
                for sid, smax, scores, amax in columns)
            lines.append(f'{{"target": {_text(target)}{head}{totals[k]}, "max": {max_text}, '
                         f'"percent": {percents[k]}, "level": {levels[k]}, '
                         f'"vetoes": {veto_ids[k]}, "failed": {failed_ids[k]}, '
                         f'"sections": [{sections}]}}\n')
        return "".join(lines)


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _levels(checklist: Checklist, section_earned: np.ndarray, section_applicable: np.ndarray,
            vetoed: np.ndarray) -> np.ndarray:
    """The highest level met per target (0 for none), by integer cross-multiplication:
    ``p/q ≤ e × Sn / (a × Sd)`` ⇔ ``p × a × Sd ≤ e × Sn × q`` (a > 0; a = 0 waives)."""
    result = np.zeros(len(section_earned), dtype=np.int64)
    if checklist.kind != "grading" or not len(result):
        return result
    full = checklist.max
    earned = section_earned.sum(axis=1)
    applicable = section_applicable.sum(axis=1)
    column = {section.id: s for s, section in enumerate(checklist.sections)}
    for level in checklist.levels:
        p, q = level.min_total.numerator, level.min_total.denominator
        met = p * applicable * full.denominator <= earned * full.numerator * q
        for section_id, minimum in level.min_sections.items():
            if section_id not in column:
                raise ValueError(f"level {level.level}: unknown section {section_id!r}")
            s = column[section_id]
            smax = checklist.sections[s].max
            e, a = section_earned[:, s], section_applicable[:, s]
            p, q = minimum.numerator, minimum.denominator
            met &= (a == 0) | (p * a * smax.denominator <= e * smax.numerator * q)
        result = np.where(met, np.maximum(result, level.level), result)
    result[vetoed] = 0
    return result


def _json_texts(numerator: np.ndarray, denominator: np.ndarray) -> list[str]:
    """``numerator / denominator`` (both ≥ 0) as JSON text of :func:`~.single.json_number`:
    an int when integral, else a float rounded half to even to 4 decimals; ``null`` where
    the denominator is 0. Rounding is done on integers, the float made by one correctly
    rounded division, as ``float(Fraction)`` does."""
    empty = denominator == 0
    safe = np.where(empty, 1, denominator)
    whole, rest = numerator // safe, numerator % safe
    tenthousandths, remainder = (numerator * 10_000) // safe, (numerator * 10_000) % safe
    twice = remainder * 2
    round_up = (twice > safe) | ((twice == safe) & (tenthousandths % 2 == 1))
    tenthousandths = tenthousandths + round_up
    if tenthousandths.dtype == object:
        floats = [x / 10_000 for x in tenthousandths.tolist()]
    else:
        floats = (tenthousandths / 10_000).tolist()
    return ["null" if e else (str(w) if r == 0 else repr(f))
            for e, w, r, f in zip(empty.tolist(), whole.tolist(), rest.tolist(), floats)]


def _id_lists(mask: np.ndarray, checklist: Checklist) -> list[str]:
    """Per target, the JSON list of the ids of the items flagged in ``mask``, checklist order."""
    ids = [_text(item.id) for item in checklist.items]
    rows, columns = np.nonzero(mask)
    bounds = np.searchsorted(rows, np.arange(len(mask) + 1)).tolist()
    flagged = [ids[c] for c in columns.tolist()]
    return ["[" + ", ".join(flagged[bounds[k]:bounds[k + 1]]) + "]" for k in range(len(mask))]
