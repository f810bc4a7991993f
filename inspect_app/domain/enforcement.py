"""Enforcement visits (行政执法): how many inspectors each department sends.

The numbers are data (``policies/enforcement.yaml``; docs/regulations.md, "Enforcement visits:
at least two inspectors"): at least ``min_inspectors_per_department`` inspectors of every
department on a visit whose purpose is an enforcement purpose. Plans that schedule such visits
refuse a smaller team, and a visit is refused with the department named. Pure."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .translatable import N_

ALL_PURPOSES = ("routine", "random", "complaint", "follow_up", "grading")


@dataclass(frozen=True)
class EnforcementPolicy:
    version: str
    min_inspectors_per_department: int
    enforcement_purposes: tuple[str, ...]

    def binds(self, purpose: str) -> bool:
        return purpose in self.enforcement_purposes


class EnforcementPolicyError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def parse_policy(data: Any, source: str) -> EnforcementPolicy:
    """The policy file's data → :class:`EnforcementPolicy`, or every problem located."""
    if not isinstance(data, Mapping):
        raise EnforcementPolicyError([f"{source}: expected a mapping"])
    problems: list[str] = []
    known = {"version", "min_inspectors_per_department", "enforcement_purposes"}
    for key in sorted(set(map(str, data)) - known):
        problems.append(f"{source}: {key}: unknown field")
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        problems.append(f"{source}: version: is required (a text such as \"2026.1\")")
    minimum = data.get("min_inspectors_per_department")
    if isinstance(minimum, bool) or not isinstance(minimum, int) or not 1 <= minimum <= 10:
        problems.append(f"{source}: min_inspectors_per_department: expected a whole number from 1 to 10, got {minimum!r}")
    purposes = data.get("enforcement_purposes")
    if not isinstance(purposes, list) or any(p not in ALL_PURPOSES for p in purposes):
        problems.append(f"{source}: enforcement_purposes: expected a list of {', '.join(ALL_PURPOSES)}")
    if problems:
        raise EnforcementPolicyError(problems)
    return EnforcementPolicy(version.strip(), minimum, tuple(purposes))


def short_teams(policy: EnforcementPolicy, purpose: str,
                departments: Mapping[str, Sequence[int]]) -> list[str]:
    """The departments whose team is smaller than an enforcement visit needs (empty when the
    purpose is not an enforcement purpose)."""
    if not policy.binds(purpose):
        return []
    return [d for d, ids in departments.items() if len(set(ids)) < policy.min_inspectors_per_department]


TEAM_TOO_SMALL = N_("an enforcement visit needs at least %(n)s inspectors of each department")
