"""Rankings and the supervision index (docs/supervision-index.md), as pure functions.

* The **supervision index** of an institution: points per finding from a severity × scope grid
  (rising steeply), extra shares for findings re-inspected after a rejected fix and for
  findings that went overdue, summed per inspection cycle and weighted towards the recent
  cycles (1/2, 1/3, 1/6 by default; renormalised when an institution has fewer cycles).
  Higher is worse; an institution never inspected has no index.
* The **on-time rectification rate** of a league row: the one rule of
  :mod:`inspect_app.domain.rectification.on_time`.
* **Competition ranking** (1, 2, 2, 4): :func:`competition_ranks`.
* The **district band**: where an index stands among its district's (:func:`district_bands`).
* **Bed size bands**, **levels by total** (for the what-if of thresholds).

The numbers live in ``policies/ranking.yaml``, parsed by :func:`parse_policy` with every
problem located. Arithmetic is exact (fractions).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from math import gcd
from typing import Any, Callable, Iterable, Mapping, Sequence

from .rectification.on_time import rate

SEVERITIES = ("critical", "major", "minor")
SCOPES = ("isolated", "pattern", "widespread")
BAND_CODES = ("A", "B", "C", "D", "E")

# Bed size bands: (code, lowest beds, highest beds or None).
BED_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("lt50", 0, 49), ("50-99", 50, 99), ("100-299", 100, 299), ("ge300", 300, None))


# --------------------------------------------------------------------------- the policy

@dataclass(frozen=True)
class IndexPolicy:
    version: str
    grid: Mapping[str, Mapping[str, Fraction]]      # severity → scope → points
    pattern_from: int                               # findings of one severity in one inspection
    widespread_from: int
    repeat_extra: tuple[Fraction, ...]              # share added after 1, 2, 3+ rejected fixes
    overdue_extra: Fraction                         # share added when the finding went overdue
    cycle_weights: tuple[Fraction, ...]             # most recent cycle first
    band_bounds: tuple[Fraction, ...]               # percent of the district strictly better

    def with_changes(self, **changes) -> "IndexPolicy":
        return IndexPolicy(**{**self.__dict__, **changes})


@dataclass(frozen=True)
class Problem:
    where: str
    message: str


class RankingPolicyError(ValueError):
    def __init__(self, source: str, problems: Sequence[Problem]):
        self.source = source
        self.problems = list(problems)
        super().__init__("; ".join(f"{source}: {p.where}: {p.message}" for p in self.problems))


def number(value: Any) -> Fraction | None:
    """A non-negative exact number from YAML or a form: an int, a decimal text ("0.5"), or a
    fraction text ("1/3"). None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value) if value >= 0 else None
    if isinstance(value, float):
        value = repr(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 30:
        return None
    try:
        result = Fraction(text)
    except (ValueError, ZeroDivisionError):
        return None
    return result if result >= 0 else None


def parse_policy(data: Any, source: str = "policies/ranking.yaml") -> IndexPolicy:
    """The policy from the parsed YAML; every problem is collected and raised together."""
    problems: list[Problem] = []

    def fail(where: str, message: str) -> None:
        problems.append(Problem(where, message))

    if not isinstance(data, dict):
        raise RankingPolicyError(source, [Problem("file", "must be a mapping of settings")])
    known = {"version", "grid", "scope", "repeat_extra", "overdue_extra", "cycle_weights", "band_bounds"}
    for key in data:
        if key not in known:
            fail(str(key), "is not a setting of this file")
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        fail("version", "is required (text such as \"2026.1\")")
    grid: dict[str, dict[str, Fraction]] = {}
    raw_grid = data.get("grid")
    if not isinstance(raw_grid, dict):
        fail("grid", "is required: points by severity and scope")
    else:
        for severity in SEVERITIES:
            row = raw_grid.get(severity)
            if not isinstance(row, dict):
                fail(f"grid.{severity}", "is required: points for isolated, pattern and widespread")
                continue
            grid[severity] = {}
            for scope in SCOPES:
                points = number(row.get(scope))
                if points is None:
                    fail(f"grid.{severity}.{scope}", "must be a number of points, 0 or more")
                else:
                    grid[severity][scope] = points
            for extra in set(row) - set(SCOPES):
                fail(f"grid.{severity}.{extra}", "is not a scope (isolated, pattern, widespread)")
        for extra in set(raw_grid) - set(SEVERITIES):
            fail(f"grid.{extra}", "is not a severity (critical, major, minor)")
    scope = data.get("scope")
    pattern_from = widespread_from = 0
    if not isinstance(scope, dict):
        fail("scope", "is required: pattern_from and widespread_from")
    else:
        pattern_from, widespread_from = scope.get("pattern_from"), scope.get("widespread_from")
        if not isinstance(pattern_from, int) or isinstance(pattern_from, bool) or pattern_from < 2:
            fail("scope.pattern_from", "must be a whole number, 2 or more")
            pattern_from = 0
        if not isinstance(widespread_from, int) or isinstance(widespread_from, bool) or \
                (pattern_from and widespread_from <= pattern_from):
            fail("scope.widespread_from", "must be a whole number above pattern_from")
            widespread_from = 0
    repeat = _numbers(data.get("repeat_extra"), "repeat_extra", fail, at_least=1)
    overdue = number(data.get("overdue_extra"))
    if overdue is None:
        fail("overdue_extra", "must be a share, 0 or more (0.5 adds half the points)")
    weights = _numbers(data.get("cycle_weights"), "cycle_weights", fail, at_least=1)
    if weights and (sum(weights) != 1 or any(w == 0 for w in weights)):
        fail("cycle_weights", f"must be positive and add up to 1 (they add up to {sum(weights)})")
    bounds = _numbers(data.get("band_bounds"), "band_bounds", fail, at_least=len(BAND_CODES) - 1)
    if bounds and (len(bounds) != len(BAND_CODES) - 1 or list(bounds) != sorted(set(bounds))
                   or bounds[-1] >= 100 or bounds[0] <= 0):
        fail("band_bounds", f"must be {len(BAND_CODES) - 1} rising percentages between 0 and 100")
    if problems:
        raise RankingPolicyError(source, problems)
    return IndexPolicy(version=version.strip(), grid=grid, pattern_from=pattern_from,
                       widespread_from=widespread_from, repeat_extra=repeat,
                       overdue_extra=overdue, cycle_weights=weights, band_bounds=bounds)


def _numbers(value: Any, where: str, fail: Callable[[str, str], None], at_least: int) -> tuple[Fraction, ...]:
    if not isinstance(value, list) or len(value) < at_least:
        fail(where, f"must be a list of at least {at_least} number(s)")
        return ()
    out = []
    for n, raw in enumerate(value):
        parsed = number(raw)
        if parsed is None:
            fail(f"{where}[{n}]", "must be a number, 0 or more (such as 0.5 or 1/3)")
        else:
            out.append(parsed)
    return tuple(out) if len(out) == len(value) else ()


# --------------------------------------------------------------------------- the index

def scope_of(count_in_inspection: int, policy: IndexPolicy) -> str:
    """The scope of a finding: how many findings of its severity its inspection made."""
    if count_in_inspection >= policy.widespread_from:
        return "widespread"
    if count_in_inspection >= policy.pattern_from:
        return "pattern"
    return "isolated"


def repeat_share(rejections: int, policy: IndexPolicy) -> Fraction:
    """The extra share for a finding whose fix was rejected ``rejections`` times (re-inspected
    and found not fixed); the last entry of the policy holds for every higher count."""
    if rejections <= 0:
        return Fraction(0)
    return policy.repeat_extra[min(rejections, len(policy.repeat_extra)) - 1]


@dataclass(frozen=True)
class Tally:
    """How many findings of one cycle fall in one cell: severity, the count of findings of that
    severity in their inspection (the scope comes from it), rejected fixes, and whether the
    finding went overdue (:func:`timeliness` is ``late``)."""
    cycle: int              # 0 = the most recent cycle
    severity: str
    same_severity: int      # findings of this severity in the same inspection
    rejections: int
    overdue: bool
    count: int


@dataclass(frozen=True)
class CyclePart:
    cycle: int
    weight: Fraction
    base: Fraction          # grid points
    repeat: Fraction        # extra for rejected fixes
    overdue: Fraction       # extra for going overdue
    findings: int

    @property
    def points(self) -> Fraction:
        return self.base + self.repeat + self.overdue

    @property
    def weighted(self) -> Fraction:
        return self.weight * self.points


@dataclass(frozen=True)
class IndexResult:
    value: Fraction | None          # None: never inspected
    cycles: tuple[CyclePart, ...] = ()
    by_severity: Mapping[str, Fraction] = field(default_factory=dict)   # weighted base points

    def as_dict(self) -> dict:
        """The parts as JSON-ready text (exact values as decimal strings with 4 places)."""
        return {"cycles": [{"cycle": p.cycle, "weight": str(p.weight), "base": decimal4(p.base),
                            "repeat": decimal4(p.repeat), "overdue": decimal4(p.overdue),
                            "findings": p.findings, "weighted": decimal4(p.weighted)}
                           for p in self.cycles],
                "by_severity": {s: decimal4(v) for s, v in self.by_severity.items()}}


def weights_for(cycles: int, policy: IndexPolicy) -> tuple[Fraction, ...]:
    """The weights of an institution's ``cycles`` most recent cycles (at most as many as the
    policy names), renormalised to add up to 1 when it has fewer cycles."""
    used = policy.cycle_weights[:max(0, min(cycles, len(policy.cycle_weights)))]
    total = sum(used)
    return tuple(w / total for w in used) if total else ()


def supervision_index(cycles: int, tallies: Iterable[Tally], policy: IndexPolicy) -> IndexResult:
    """The index of one institution with ``cycles`` inspection cycles (visits counted as
    cycles, most recent first) and the tallies of their findings; tallies of older cycles than
    the policy weighs are ignored."""
    return Scorer(policy).index(cycles, tallies)


class Scorer:
    """:func:`supervision_index` for many institutions under one policy: each finding's
    points (grid, repeat extra, overdue extra) are worked out once per kind of finding, as
    whole numbers over one common denominator, so scoring 50,000 institutions adds integers
    and makes fractions only for the totals. Exact all the same."""

    def __init__(self, policy: IndexPolicy):
        self.policy = policy
        parts = {}
        for severity, row in policy.grid.items():
            for scope, points in row.items():
                for rejections in range(len(policy.repeat_extra) + 1):
                    for overdue in (False, True):
                        parts[(severity, scope, rejections, overdue)] = (
                            points, points * repeat_share(rejections, policy),
                            points * policy.overdue_extra if overdue else Fraction(0))
        denominator = 1
        for values in parts.values():
            for v in values:
                denominator = denominator * v.denominator // gcd(denominator, v.denominator)
        self.denominator = denominator
        self._whole = {key: tuple(int(v * denominator) for v in values) for key, values in parts.items()}

    def _key(self, t: Tally):
        p = self.policy
        scope = ("widespread" if t.same_severity >= p.widespread_from
                 else "pattern" if t.same_severity >= p.pattern_from else "isolated")
        return (t.severity, scope, min(max(t.rejections, 0), len(p.repeat_extra)), bool(t.overdue))

    @property
    def largest_points(self) -> int:
        """The most points one finding can get (a whole number over :attr:`denominator`)."""
        return max((sum(v) for v in self._whole.values()), default=0)

    def points(self, severity: str, scope: str, rejections: int, overdue: bool) -> int:
        """One finding's points (grid, repeat extra, overdue extra) as a whole number over
        :attr:`denominator`; 0 for a severity the grid does not name."""
        if severity not in self.policy.grid:
            return 0
        return sum(self._whole[(severity, scope, min(max(rejections, 0), len(self.policy.repeat_extra)),
                                bool(overdue))])

    def value(self, cycles: int, points_by_cycle: Mapping[int, int]) -> Fraction | None:
        """The index from each cycle's points summed already (whole numbers over
        :attr:`denominator`, as :meth:`points` gives them): what :meth:`index` gives without
        its parts, for counts added up in the database."""
        weights = weights_for(cycles, self.policy)
        if not weights:
            return None
        common = 1
        for w in weights:
            common = common * w.denominator // gcd(common, w.denominator)
        total = sum((w.numerator * (common // w.denominator)) * points_by_cycle.get(c, 0)
                    for c, w in enumerate(weights))
        return Fraction(total, common * self.denominator)

    def index(self, cycles: int, tallies: Iterable[Tally], parts: bool = True) -> IndexResult:
        """The index; with ``parts=False`` only its value (no per-cycle parts: faster, for
        comparing many institutions)."""
        weights = weights_for(cycles, self.policy)
        if not weights:
            return IndexResult(None)
        n = len(weights)
        base, repeat, overdue, counts = [0] * n, [0] * n, [0] * n, [0] * n
        by_severity = {s: [0] * n for s in SEVERITIES}
        whole = self._whole
        for t in tallies:
            if not 0 <= t.cycle < n or t.count <= 0 or t.severity not in self.policy.grid:
                continue
            b, r, o = whole[self._key(t)]
            c = t.cycle
            base[c] += b * t.count
            repeat[c] += r * t.count
            overdue[c] += o * t.count
            counts[c] += t.count
            by_severity[t.severity][c] += b * t.count
        d = self.denominator
        if not parts:
            common = 1
            for w in weights:
                common = common * w.denominator // gcd(common, w.denominator)
            total = sum((w.numerator * (common // w.denominator)) * (base[c] + repeat[c] + overdue[c])
                        for c, w in enumerate(weights))
            return IndexResult(Fraction(total, common * d))
        cycle_parts = tuple(CyclePart(c, weights[c], Fraction(base[c], d), Fraction(repeat[c], d),
                                      Fraction(overdue[c], d), counts[c]) for c in range(n))
        severity_points = {s: sum((weights[c] * Fraction(v[c], d) for c in range(n)), Fraction(0))
                           for s, v in by_severity.items()}
        return IndexResult(sum((p.weighted for p in cycle_parts), Fraction(0)), cycle_parts, severity_points)


def decimal4(value: Fraction | None) -> str | None:
    """A fraction as decimal text with 4 places, rounded half up (the stored precision)."""
    if value is None:
        return None
    value = Fraction(value)
    # In whole numbers (the refresh formats some 800,000 of these): scaled = num / den.
    num, den = value.numerator * 10000, value.denominator
    n = abs(num) // den * (1 if num >= 0 else -1)        # int(scaled): toward zero
    if 2 * (num - n * den) >= den:                         # scaled - n >= 1/2
        n += 1
    sign = "-" if n < 0 else ""
    n = abs(n)
    return f"{sign}{n // 10000}.{n % 10000:04d}"


# --------------------------------------------------------------------------- shares

def share(part: int | Fraction, whole: int | Fraction) -> Fraction | None:
    """part / whole, or None when the whole is 0."""
    return Fraction(part) / Fraction(whole) if whole else None


# --------------------------------------------------------------------------- ranks and bands

def comparable(values: Iterable[Fraction | int | None]) -> list[int | None]:
    """Whole numbers in the same order, with the same ties, as ``values`` (each multiplied by
    the least common multiple of their denominators): ranking and banding 50,000 of these is
    many times faster than comparing fractions, and exactly the same."""
    values = list(values)
    common = 1
    for v in values:
        if v is not None:
            d = Fraction(v).denominator
            common = common * d // gcd(common, d)
    return [None if v is None else Fraction(v).numerator * (common // Fraction(v).denominator) for v in values]


def competition_ranks(values: Sequence[Any], higher_is_better: bool) -> list[int | None]:
    """Standard competition ranking ("1224"): equal values share a rank and the next rank skips
    as many places as were shared. None values get no rank."""
    present = [v for v in values if v is not None]
    ordered = sorted(present, reverse=higher_is_better)
    first: dict[Any, int] = {}
    for position, value in enumerate(ordered, start=1):
        first.setdefault(value, position)
    return [first[v] if v is not None else None for v in values]


def band_of(strictly_better: int, n: int, policy: IndexPolicy) -> str:
    """The band of an institution with ``strictly_better`` of the ``n`` in its district having
    a lower index: its percentile p = 100 × strictly_better / n, and the first band whose upper
    bound p is below (A best … E worst). Equal indexes share a band."""
    p = Fraction(100 * strictly_better, n)
    for code, bound in zip(BAND_CODES, policy.band_bounds):
        if p < bound:
            return code
    return BAND_CODES[-1]


def district_bands(rows: Iterable[tuple[Any, str, Fraction | None]], policy: IndexPolicy) -> dict[Any, tuple[Fraction, str]]:
    """(key, district, index) → {key: (percentile, band)} for the rows with an index, the
    percentile being the share (0–100) of the district's indexed institutions with a strictly
    lower (better) index."""
    by_district: dict[str, list[tuple[Any, Fraction]]] = {}
    for key, district, value in rows:
        if value is not None:
            by_district.setdefault(district, []).append((key, value))
    out: dict[Any, tuple[Fraction, str]] = {}
    for members in by_district.values():
        values = sorted(v for _k, v in members)
        n = len(values)
        better_than: dict[Fraction, int] = {}
        for position, value in enumerate(values):
            better_than.setdefault(value, position)
        for key, value in members:
            better = better_than[value]
            out[key] = (Fraction(100 * better, n), band_of(better, n, policy))
    return out


def bed_band(beds: int | None) -> str | None:
    if beds is None:
        return None
    for code, low, high in BED_BANDS:
        if beds >= low and (high is None or beds <= high):
            return code
    return None


# --------------------------------------------------------------------------- what-if

def level_by_total(total: Fraction | None, thresholds: Mapping[int, Fraction]) -> int | None:
    """The highest level whose minimum total ``total`` reaches (section minima not checked)."""
    if total is None:
        return None
    reached = [level for level, minimum in thresholds.items() if total >= minimum]
    return max(reached) if reached else None


def check_thresholds(thresholds: Mapping[int, Fraction]) -> list[Problem]:
    """Minimum totals must rise with the level."""
    problems = []
    levels = sorted(thresholds)
    for lower, higher in zip(levels, levels[1:]):
        if thresholds[higher] <= thresholds[lower]:
            problems.append(Problem(f"level_{higher}", f"must be above level {lower}'s minimum"))
    return problems


@dataclass(frozen=True)
class Move:
    key: Any
    before: Any
    after: Any
    direction: int          # +1 moves up (better), -1 down, 0 stays


def moves(before: Mapping[Any, int | None], after: Mapping[Any, int | None],
          smaller_is_better: bool) -> list[Move]:
    """Who moves between two rankings (or levels): ``before`` and ``after`` map each key to a
    rank or level; with ranks a smaller number is better, with levels a larger one."""
    out = []
    for key, old in before.items():
        new = after.get(key)
        if old == new:
            continue
        if old is None or new is None:
            direction = 1 if new is not None else -1      # gained or lost a rank or level
        else:
            direction = (1 if new < old else -1) if smaller_is_better else (1 if new > old else -1)
        out.append(Move(key, old, new, direction))
    return out


# --------------------------------------------------------------------------- league tables

@dataclass(frozen=True)
class LeagueCounts:
    """What one district or department did in a year (docs/supervision-index.md, "League
    tables"): inspection parts planned and done (submitted), submitted parts without findings,
    institutions inspected on site and in scope, their beds, critical findings issued, the
    year's findings on time / late / overdue now, and the closed ones' days to close."""
    planned: int = 0
    done: int = 0
    compliant: int = 0
    inspected: int = 0
    institutions: int = 0
    beds: int = 0
    critical: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    closed: int = 0
    days_to_close: Fraction = Fraction(0)      # summed over the closed findings


# measure → True when higher is better
LEAGUE_MEASURES: dict[str, bool] = {
    "done_share": True, "inspected_share": True, "compliance": True,
    "critical_per_100_beds": False, "on_time_rate": True, "overdue": False, "avg_days_to_close": False,
}


def league_measures(c: LeagueCounts) -> dict[str, Fraction | int | None]:
    """The measures of one league row (None where the denominator is 0). Shares are 0–1."""
    return {
        "planned": c.planned,
        "done": c.done,
        "done_share": share(c.done, c.planned),
        "inspected_share": share(c.inspected, c.institutions),
        "compliance": share(c.compliant, c.done),
        "critical_per_100_beds": share(c.critical * 100, c.beds),
        "on_time_rate": rate(c.on_time, c.late),
        "overdue": c.overdue,
        "avg_days_to_close": share(c.days_to_close, c.closed),
    }


def league_ranks(rows: Mapping[Any, Mapping[str, Any]], measure: str) -> dict[Any, int | None]:
    """Competition ranks of the rows by one measure, at its better end first."""
    keys = list(rows)
    ranks = competition_ranks([rows[k][measure] for k in keys], LEAGUE_MEASURES[measure])
    return dict(zip(keys, ranks))
