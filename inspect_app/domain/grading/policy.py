"""The grading policy file (``policies/grading.yaml``): numbers with history, parsed purely.

The file holds ``versions``, each a complete :class:`GradingPolicy` in force from its
``effective_from`` date until the next version's. :func:`parse_policy` checks every field and
reports every problem located as ``<path>: versions[N].<field>: <message>`` (``line N`` for
YAML syntax errors); :meth:`PolicyHistory.in_force` picks the version of a given day.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from ..institution import INSTITUTION_TYPES
from .schemes import DEFAULT as DEFAULT_SCHEME, SCHEMES

DAY_KINDS = ("working", "calendar")


@dataclass(frozen=True)
class GradingPolicy:
    version: str
    effective_from: date
    checklist: str
    publicity_days: int
    publicity_day_kind: str
    validity_years: int
    first_application_max_level: int
    operating_years_min: int
    penalty_lookback_years: int
    accident_lookback_years: int
    blacklist_years: int
    upgrade_wait_years: int
    renewal_window_days: int
    expiry_warning_days: int
    objection_max_chars: int
    objections_per_hour: int
    # Scope of GB/T 37276 (optional: a version without them grades every institution type)
    scope_types: tuple[str, ...] = ()
    scope_min_beds: int = 0
    # The rating this version belongs to (schemes.SCHEMES); versions of one scheme follow each
    # other in time, independently of the other scheme's.
    scheme: str = DEFAULT_SCHEME


#: Fields a version may leave out.
_OPTIONAL = ("scope_types", "scope_min_beds", "scheme")

#: Integer fields and their smallest allowed value.
_MINIMA = {
    "publicity_days": 1, "validity_years": 1, "first_application_max_level": 1,
    "operating_years_min": 0, "penalty_lookback_years": 0, "accident_lookback_years": 0,
    "blacklist_years": 1, "upgrade_wait_years": 0, "renewal_window_days": 0,
    "expiry_warning_days": 0, "objection_max_chars": 50, "objections_per_hour": 1,
    "scope_min_beds": 0,
}
_FIELDS = [f.name for f in fields(GradingPolicy)]


class PolicyError(ValueError):
    """The policy file is unusable; ``problems`` lists every problem, located."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class PolicyHistory:
    versions: tuple[GradingPolicy, ...]     # ascending effective_from within each scheme

    def of(self, scheme: str = DEFAULT_SCHEME) -> tuple[GradingPolicy, ...]:
        return tuple(v for v in self.versions if v.scheme == scheme)

    @property
    def schemes(self) -> tuple[str, ...]:
        """The schemes the file gives, in the order of :data:`schemes.SCHEMES`."""
        present = {v.scheme for v in self.versions}
        return tuple(s for s in SCHEMES if s in present)

    def in_force(self, today: date, scheme: str = DEFAULT_SCHEME) -> GradingPolicy:
        """The version of ``scheme`` in force on ``today`` (its first version before any is in
        force). KeyError when the file gives no version of ``scheme``."""
        versions = self.of(scheme)
        if not versions:
            raise KeyError(scheme)
        current = versions[0]
        for version in versions:
            if version.effective_from <= today:
                current = version
        return current

    def offered(self, institution_type: str | None, beds: int | None, today: date) -> tuple[str, ...]:
        """The schemes an institution of this type and size may apply under today: those whose
        version in force has a scope that takes it (a version without a scope takes any). A
        scheme whose scope names the type comes before one without a scope."""
        out = []
        for scheme in self.schemes:
            rules = self.in_force(today, scheme)
            if rules.scope_types and institution_type not in rules.scope_types:
                continue
            if rules.scope_min_beds and (beds or 0) < rules.scope_min_beds:
                continue
            out.append(scheme)
        return tuple(sorted(out, key=lambda scheme: not self.in_force(today, scheme).scope_types))


def parse_policy_yaml(source: str | bytes, path: str) -> PolicyHistory:
    import yaml

    try:
        data = yaml.safe_load(source)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise PolicyError([f"{path}: line {line}: {exc.problem}"]) from None
    except yaml.YAMLError as exc:
        raise PolicyError([f"{path}: file: {exc}"]) from None
    return parse_policy(data, path)


def parse_policy(data: Any, path: str) -> PolicyHistory:
    """Check a parsed policy document; raise :class:`PolicyError` with every problem."""
    if not isinstance(data, dict):
        raise PolicyError([f"{path}: document: expected a mapping with 'versions'"])
    problems = [f"{path}: {key}: unknown field" for key in data if key != "versions"]
    raw_versions = data.get("versions")
    if not isinstance(raw_versions, list) or not raw_versions:
        raise PolicyError(problems + [f"{path}: versions: expected a non-empty list"])
    versions: list[GradingPolicy] = []
    for n, raw in enumerate(raw_versions):
        where = f"{path}: versions[{n}]"
        version = _version(raw, where, problems)
        if version is not None:
            versions.append(version)
    if versions and not any(v.scheme == DEFAULT_SCHEME for v in versions):
        problems.append(f"{path}: versions: no version of the {DEFAULT_SCHEME} scheme")
    for earlier, later in (pair for scheme in SCHEMES
                           for pair in _pairs([v for v in versions if v.scheme == scheme])):
        if later.effective_from <= earlier.effective_from:
            problems.append(f"{path}: version {later.version}: effective_from must be later than "
                            f"{earlier.effective_from.isoformat()} (version {earlier.version})")
    names = [v.version for v in versions]
    problems += [f"{path}: version {name}: given more than once"
                 for name in sorted({n for n in names if names.count(n) > 1})]
    if problems:
        raise PolicyError(problems)
    return PolicyHistory(tuple(versions))


def _pairs(versions: list[GradingPolicy]):
    return zip(versions, versions[1:])


def _version(raw: Any, where: str, problems: list[str]) -> GradingPolicy | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected a mapping of fields")
        return None
    before = len(problems)
    problems += [f"{where}.{key}: unknown field" for key in raw if key not in _FIELDS]
    problems += [f"{where}.{name}: required" for name in _FIELDS if name not in raw and name not in _OPTIONAL]
    values: dict[str, Any] = {}
    for name in _FIELDS:
        if name not in raw:
            continue
        value = raw[name]
        if name in ("version", "checklist"):
            ok = isinstance(value, str) and value.strip() != ""
            message = "expected non-empty text (quote numbers: \"2026.1\")"
        elif name == "effective_from":
            ok = isinstance(value, date)
            message = "expected a date (YYYY-MM-DD)"
        elif name == "scheme":
            ok = value in SCHEMES
            message = f"expected one of {', '.join(SCHEMES)}"
        elif name == "publicity_day_kind":
            ok = value in DAY_KINDS
            message = f"expected one of {', '.join(DAY_KINDS)}"
        elif name == "scope_types":
            ok = isinstance(value, list) and bool(value) and all(t in INSTITUTION_TYPES for t in value)
            message = f"expected a non-empty list of institution types ({', '.join(INSTITUTION_TYPES)})"
            value = tuple(value) if ok else value
        else:
            minimum = _MINIMA[name]
            ok = isinstance(value, int) and not isinstance(value, bool) and value >= minimum
            message = f"expected a whole number ≥ {minimum}"
        if ok:
            values[name] = value
        else:
            problems.append(f"{where}.{name}: {message}, got {value!r}")
    if "first_application_max_level" in values and values["first_application_max_level"] > 5:
        problems.append(f"{where}.first_application_max_level: levels run from 1 to 5")
    if len(problems) > before:
        return None
    return GradingPolicy(**values)
