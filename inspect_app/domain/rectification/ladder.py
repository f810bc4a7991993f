"""Rectification deadlines and the reminder/escalation ladder (docs/regulations.md,
"Rectification deadlines and the escalation ladder"), as pure functions
of a :class:`Policy` (parsed from ``policies/supervision.yaml``) and ``now``.

The ladder is a list of rungs sorted by offset from the deadline: reminders before it (−3 d,
−1 d), escalations from it (day 0 overdue notice, day 7 interview, day 30 bureau + credit
record). A finding keeps a pointer ``step`` (the next rung) and ``level`` (escalation rungs
done). Each rung is done once: :func:`advance` moves the pointer past a rung, :func:`rewind`
places it for a new deadline (extension, reopening) without repeating an escalation.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any

from ..bureau import LOCAL_TIMEZONE
from ..planning.risk import RISK_CLASSES

SEVERITIES = ("critical", "major", "minor")
AUDIENCES = ("institution", "department", "bureau")
REMINDER, ESCALATION = "reminder", "escalation"


@dataclass(frozen=True)
class Rung:
    code: str
    kind: str                 # reminder | escalation
    offset_days: int          # relative to the deadline (negative: before it)
    notify: tuple[str, ...]   # audiences
    credit_record: bool = False
    blacklist_proposal: dict[str, Any] | None = None   # {"department": ..., "veto": true}
    record_minutes: bool = False   # the department records minutes of this rung (约谈)


@dataclass(frozen=True)
class Policy:
    version: str
    deadline_days: dict[str, int]         # by severity
    ladder: tuple[Rung, ...]
    reply_window_days: int
    extension_max_count: int
    extension_max_ratio: float            # of the original length
    reinspection_severities: tuple[str, ...]
    suspend_on_open_veto: bool
    suspend_on_overdue_severities: tuple[str, ...]
    local_timezone: str = LOCAL_TIMEZONE
    # Yearly sampling ratios (risk class → decimal text): "default", and per facility type
    sampling_ratios: dict = field(default_factory=dict)
    sampling_ratios_by_type: dict = field(default_factory=dict)
    escalation_ordinals: tuple[int, ...] = field(default=(), repr=False)

    def __post_init__(self):
        ordinals, n = [], 0
        for rung in self.ladder:
            ordinals.append(n if rung.kind == ESCALATION else -1)
            n += rung.kind == ESCALATION
        object.__setattr__(self, "escalation_ordinals", tuple(ordinals))


# --------------------------------------------------------------------------- parsing

@dataclass(frozen=True)
class PolicyProblem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class PolicyError(ValueError):
    def __init__(self, path: str, problems: list[PolicyProblem]):
        self.path = path
        self.problems = problems
        super().__init__("\n".join(f"{path}: {p}" for p in problems))


def _int(data: dict, key: str, where: str, problems: list, minimum: int | None = 0) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or (minimum is not None and value < minimum):
        bound = f" ≥ {minimum}" if minimum is not None else ""
        problems.append(PolicyProblem(f"{where}{key}", f"must be a whole number{bound}"))
        return 0
    return value


def parse_policy(data: Any, path: str = "supervision.yaml") -> Policy:
    """A :class:`Policy` from plain data (as YAML delivers it); PolicyError with every problem."""
    problems: list[PolicyProblem] = []
    if not isinstance(data, dict):
        raise PolicyError(path, [PolicyProblem("file", "must be a mapping")])
    version = data.get("version")
    if not isinstance(version, (str, int, float)) or not str(version).strip():
        problems.append(PolicyProblem("version", "is required"))
    deadlines = data.get("deadline_days")
    deadline_days: dict[str, int] = {}
    if not isinstance(deadlines, dict):
        problems.append(PolicyProblem("deadline_days", "must map each severity to days"))
    else:
        for sev in SEVERITIES:
            deadline_days[sev] = _int(deadlines, sev, "deadline_days.", problems, minimum=1)
        for extra in set(deadlines) - set(SEVERITIES):
            problems.append(PolicyProblem(f"deadline_days.{extra}", "is not a severity"))
    rungs: list[Rung] = []
    raw_ladder = data.get("ladder")
    if not isinstance(raw_ladder, list) or not raw_ladder:
        problems.append(PolicyProblem("ladder", "must be a non-empty list of rungs"))
        raw_ladder = []
    codes: set[str] = set()
    for n, raw in enumerate(raw_ladder):
        where = f"ladder[{n}]."
        if not isinstance(raw, dict):
            problems.append(PolicyProblem(f"ladder[{n}]", "must be a mapping"))
            continue
        code = raw.get("code")
        if not isinstance(code, str) or not code:
            problems.append(PolicyProblem(where + "code", "is required"))
            code = f"#{n}"
        elif code in codes:
            problems.append(PolicyProblem(where + "code", f"{code!r} is used twice"))
        codes.add(code)
        kind = raw.get("kind")
        if kind not in (REMINDER, ESCALATION):
            problems.append(PolicyProblem(where + "kind", "must be reminder or escalation"))
        offset = _int(raw, "offset_days", where, problems, minimum=None)
        if kind == REMINDER and offset >= 0:
            problems.append(PolicyProblem(where + "offset_days", "a reminder comes before the deadline (negative)"))
        if kind == ESCALATION and offset < 0:
            problems.append(PolicyProblem(where + "offset_days", "an escalation comes on or after the deadline (≥ 0)"))
        notify = raw.get("notify", [])
        if not isinstance(notify, list) or any(a not in AUDIENCES for a in notify):
            problems.append(PolicyProblem(where + "notify", f"must be a list of {', '.join(AUDIENCES)}"))
            notify = []
        blacklist = raw.get("blacklist_proposal")
        if blacklist is not None and not isinstance(blacklist, dict):
            problems.append(PolicyProblem(where + "blacklist_proposal", "must be a mapping (department, veto)"))
            blacklist = None
        minutes = raw.get("record_minutes", False)
        if not isinstance(minutes, bool):
            problems.append(PolicyProblem(where + "record_minutes", "must be true or false"))
            minutes = False
        rungs.append(Rung(code, kind or "", offset, tuple(notify), bool(raw.get("credit_record", False)),
                          blacklist, minutes))
    for n in range(1, len(rungs)):
        if rungs[n].offset_days < rungs[n - 1].offset_days:
            problems.append(PolicyProblem(f"ladder[{n}].offset_days", "rungs must be in time order"))
    reply = data.get("reply", {}) if isinstance(data.get("reply", {}), dict) else {}
    reply_days = _int(reply, "window_days", "reply.", problems, minimum=1)
    ext = data.get("extension", {}) if isinstance(data.get("extension", {}), dict) else {}
    ext_count = _int(ext, "max_count", "extension.", problems)
    ratio = ext.get("max_ratio_of_original")
    if not isinstance(ratio, (int, float)) or isinstance(ratio, bool) or ratio <= 0:
        problems.append(PolicyProblem("extension.max_ratio_of_original", "must be a positive number"))
        ratio = 1
    reinsp = data.get("reinspection_severities", ["critical"])
    if not isinstance(reinsp, list) or any(s not in SEVERITIES for s in reinsp):
        problems.append(PolicyProblem("reinspection_severities", "must be a list of severities"))
        reinsp = []
    sup = data.get("dynamic_supervision", {})
    if not isinstance(sup, dict):
        problems.append(PolicyProblem("dynamic_supervision", "must be a mapping"))
        sup = {}
    overdue = sup.get("suspend_on_overdue_severities", ["critical"])
    if not isinstance(overdue, list) or any(s not in SEVERITIES for s in overdue):
        problems.append(PolicyProblem("dynamic_supervision.suspend_on_overdue_severities",
                                      "must be a list of severities"))
        overdue = []
    tz = data.get("timezone", LOCAL_TIMEZONE)
    default_ratios, ratios_by_type = _sampling_ratios(data.get("sampling_ratios"), problems)
    if problems:
        raise PolicyError(path, problems)
    return Policy(version=str(version), deadline_days=deadline_days, ladder=tuple(rungs),
                  reply_window_days=reply_days, extension_max_count=ext_count,
                  extension_max_ratio=float(ratio), reinspection_severities=tuple(reinsp),
                  suspend_on_open_veto=bool(sup.get("suspend_on_open_veto", True)),
                  suspend_on_overdue_severities=tuple(overdue), local_timezone=str(tz),
                  sampling_ratios=default_ratios, sampling_ratios_by_type=ratios_by_type)


def _ratio_table(raw: Any, where: str, problems: list) -> dict[str, str]:
    """{risk class: decimal text in [0, 1]} (written as text or number, kept as its decimal text)."""
    if not isinstance(raw, dict) or not raw:
        problems.append(PolicyProblem(where, "must map risk classes to yearly ratios"))
        return {}
    out: dict[str, str] = {}
    for risk, value in raw.items():
        if risk not in RISK_CLASSES:
            problems.append(PolicyProblem(f"{where}.{risk}", f"is not a risk class ({', '.join(RISK_CLASSES)})"))
            continue
        try:
            ratio = Decimal(str(value)) if not isinstance(value, bool) else None
        except InvalidOperation:
            ratio = None
        if ratio is None or not ratio.is_finite() or not Decimal(0) <= ratio <= Decimal(1):
            problems.append(PolicyProblem(f"{where}.{risk}", "must be a number from 0 to 1"))
            continue
        out[risk] = str(value)
    return out


def _sampling_ratios(raw: Any, problems: list) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """``sampling_ratios``: optional; ``default`` and ``by_type`` (facility type → ratios)."""
    if raw is None:
        return {}, {}
    if not isinstance(raw, dict):
        problems.append(PolicyProblem("sampling_ratios", "must be a mapping (default, by_type)"))
        return {}, {}
    for extra in set(raw) - {"default", "by_type"}:
        problems.append(PolicyProblem(f"sampling_ratios.{extra}", "unknown field (default, by_type)"))
    default = _ratio_table(raw.get("default"), "sampling_ratios.default", problems)
    by_type_raw = raw.get("by_type", {})
    if not isinstance(by_type_raw, dict):
        problems.append(PolicyProblem("sampling_ratios.by_type", "must map facility types to ratios"))
        by_type_raw = {}
    by_type = {str(t): _ratio_table(r, f"sampling_ratios.by_type.{t}", problems) for t, r in by_type_raw.items()}
    return default, by_type


def yearly_ratios(policy: Policy, institution_types: list[str] | tuple[str, ...] = ()) -> dict[str, str]:
    """The yearly ratios a new plan for ``institution_types`` starts with: the types' own ratios
    when they all share one table, else the default."""
    tables = {tuple(sorted(policy.sampling_ratios_by_type.get(t, policy.sampling_ratios).items()))
              for t in institution_types}
    if len(tables) == 1:
        return dict(next(iter(tables)))
    return dict(policy.sampling_ratios)


# --------------------------------------------------------------------------- deadlines

def deadline_days(policy: Policy, severity: str, item_days: int | None) -> int:
    """The item's own ``deadline_days`` when set, else the severity default."""
    return item_days if item_days else policy.deadline_days[severity]


def end_of_day(day: date, tz: tzinfo) -> datetime:
    """The first instant after ``day`` in ``tz`` (a deadline day is whole), in UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(timezone.utc)


def deadline_at(issued: datetime, days: int, tz: tzinfo) -> datetime:
    """Issued on local day D with ``days`` → due by the end of local day D + days."""
    return end_of_day(issued.astimezone(tz).date() + timedelta(days=days), tz)


def local_day(instant: datetime, tz: tzinfo) -> date:
    """The local calendar day a deadline instant closes (end_of_day's inverse)."""
    return (instant.astimezone(tz) - timedelta(microseconds=1)).date()


def reply_until(issued: datetime, policy: Policy, tz: tzinfo) -> datetime:
    return deadline_at(issued, policy.reply_window_days, tz)


def max_extension_days(policy: Policy, original_days: int) -> int:
    return max(0, int(original_days * policy.extension_max_ratio))


# --------------------------------------------------------------------------- the ladder

def rung_due(policy: Policy, step: int, deadline: datetime) -> datetime | None:
    if step >= len(policy.ladder):
        return None
    return deadline + timedelta(days=policy.ladder[step].offset_days)


def _eligible(policy: Policy, step: int, level: int) -> bool:
    """An escalation rung is done once: skip those below the level already reached."""
    ordinal = policy.escalation_ordinals[step]
    return ordinal < 0 or ordinal >= level


def advance(policy: Policy, step: int, level: int) -> tuple[int, int]:
    """After doing rung ``step``: the next pointer and the escalation level."""
    if policy.ladder[step].kind == ESCALATION:
        level = policy.escalation_ordinals[step] + 1
    nxt = step + 1
    while nxt < len(policy.ladder) and not _eligible(policy, nxt, level):
        nxt += 1
    return nxt, level


def rewind(policy: Policy, level: int, deadline: datetime, now: datetime) -> int:
    """The pointer for a (new) deadline: reminders still ahead of ``now``, then the
    escalations not yet done. A reminder already past is skipped, never sent late."""
    for step, rung in enumerate(policy.ladder):
        if rung.kind == REMINDER:
            if deadline + timedelta(days=rung.offset_days) > now:
                return step
        elif _eligible(policy, step, level):
            return step
    return len(policy.ladder)


def schedule(policy: Policy, deadline: datetime, level: int = 0,
             now: datetime | None = None) -> list[tuple[str, datetime]]:
    """Every rung still to come for ``deadline`` (for display): (code, due instant)."""
    step = rewind(policy, level, deadline, now) if now is not None else 0
    out = []
    while step < len(policy.ladder):
        out.append((policy.ladder[step].code, rung_due(policy, step, deadline)))
        step, level = advance(policy, step, level)
    return out


def minutes_due(policy: Policy, rungs_done) -> str | None:
    """The code of a rung already done (``rungs_done``: codes from the finding's history)
    whose minutes the department records (the interview, 约谈); None when there is none."""
    done = set(rungs_done)
    for rung in policy.ladder:
        if rung.record_minutes and rung.code in done:
            return rung.code
    return None

