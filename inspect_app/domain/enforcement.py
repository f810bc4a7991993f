"""Enforcement visits (行政执法): how many inspectors each department sends.

The numbers are data (``policies/enforcement.yaml``; docs/regulations.md, "Enforcement visits:
at least two inspectors"): at least ``min_inspectors_per_department`` inspectors of every
department on a visit whose purpose is an enforcement purpose. Plans that schedule such visits
refuse a smaller team, and a visit is refused with the department named. With
``require_credentials`` at least that many of each department's inspectors hold an
enforcement certificate (执法证) valid on the visit's day (docs/regulations.md, "Enforcement
credentials"). Pure."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from .translatable import N_
from .policy_fields import head_problems

ALL_PURPOSES = ("routine", "random", "complaint", "follow_up", "grading")


@dataclass(frozen=True)
class EnforcementPolicy:
    version: str
    min_inspectors_per_department: int
    enforcement_purposes: tuple[str, ...]
    require_credentials: bool = False

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
    problems = head_problems(data, source, ("min_inspectors_per_department", "enforcement_purposes",
                                            "require_credentials"))
    version = data.get("version")
    minimum = data.get("min_inspectors_per_department")
    if isinstance(minimum, bool) or not isinstance(minimum, int) or not 1 <= minimum <= 10:
        problems.append(f"{source}: min_inspectors_per_department: expected a whole number from 1 to 10, got {minimum!r}")
    purposes = data.get("enforcement_purposes")
    if not isinstance(purposes, list) or any(p not in ALL_PURPOSES for p in purposes):
        problems.append(f"{source}: enforcement_purposes: expected a list of {', '.join(ALL_PURPOSES)}")
    credentials = data.get("require_credentials", False)
    if not isinstance(credentials, bool):
        problems.append(f"{source}: require_credentials: expected true or false, got {credentials!r}")
    if problems:
        raise EnforcementPolicyError(problems)
    return EnforcementPolicy(version.strip(), minimum, tuple(purposes), credentials)


def short_teams(policy: EnforcementPolicy, purpose: str,
                departments: Mapping[str, Sequence[int]]) -> list[str]:
    """The departments whose team is smaller than an enforcement visit needs (empty when the
    purpose is not an enforcement purpose)."""
    if not policy.binds(purpose):
        return []
    return [d for d, ids in departments.items() if len(set(ids)) < policy.min_inspectors_per_department]


TEAM_TOO_SMALL = N_("an enforcement visit needs at least %(n)s inspectors of each department")
CREDENTIALS_TOO_FEW = N_("an enforcement visit needs at least %(n)s inspectors of each department with an "
                         "enforcement certificate valid on %(day)s; without one: %(names)s")

CREDENTIAL_NUMBER_MAX = 40
CREDENTIAL_AUTHORITY_MAX = 80


@dataclass(frozen=True)
class Credential:
    """An inspector's enforcement certificate (执法证) as the account holds it."""
    name: str
    number: str | None
    expires_on: date | None


def credential_valid(number: str | None, expires_on: date | None, day: date) -> bool:
    """A certificate number is held and its last valid day is ``day`` or later."""
    return bool(number and number.strip()) and expires_on is not None and expires_on >= day


def uncredentialed(policy: EnforcementPolicy, purpose: str, teams: Mapping[str, Sequence[Credential]],
                   day: date) -> dict[str, list[str]]:
    """department → the names of its inspectors without a valid certificate on ``day``, for the
    departments with fewer than the minimum of valid certificates (empty when the purpose is
    not an enforcement purpose or the policy does not require certificates)."""
    if not (policy.require_credentials and policy.binds(purpose)):
        return {}
    out = {}
    for department, people in teams.items():
        valid = [p for p in people if credential_valid(p.number, p.expires_on, day)]
        if len(valid) < policy.min_inspectors_per_department:
            out[department] = [p.name for p in people if p not in valid]
    return out


def credential_problems(number: str | None, authority: str | None, expires_on: date | None) -> list[tuple[str, str]]:
    """(field, message id) for a certificate as entered: all three facts or none; the number
    and the authority within their lengths."""
    problems = []
    given = [bool(number), bool(authority), expires_on is not None]
    if any(given) and not all(given):
        for key, ok in zip(("credential_number", "credential_authority", "credential_expires_on"), given):
            if not ok:
                problems.append((key, N_("a certificate needs its number, issuing authority and expiry date")))
    if number and len(number) > CREDENTIAL_NUMBER_MAX:
        problems.append(("credential_number", N_("at most 40 characters")))
    if authority and len(authority) > CREDENTIAL_AUTHORITY_MAX:
        problems.append(("credential_authority", N_("at most 80 characters")))
    return problems
