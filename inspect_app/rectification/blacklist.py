"""Blacklist proposals from the records that show a trigger (docs/regulations.md, "Credit
records and the blacklist"; the triggers and their bases: ``policies/blacklist.yaml``).

:func:`propose_due` writes, for every source record that shows a trigger and has no proposal
yet, one credit record of kind ``blacklist_proposal`` naming the trigger and its legal basis:

* a finding of a listed item (veto findings where the trigger says so) once it stands — the
  reply window (陈述申辩) has closed and the finding is neither withdrawn nor contested;
* a refused or obstructed visit (``inspections.models.VisitObstruction``);
* an accident record that is serious and for which the institution bears the listed
  responsibility (``accidents.Accident``).

Each is one ``INSERT … SELECT … WHERE NOT EXISTS`` with ``ON CONFLICT DO NOTHING`` on the unique
key (source kind, source id, kind): a second run, or a second sweeper at the same time, writes
nothing more, so each source makes its proposal exactly once. The system never confirms: the
bureau decides (``credit.decide``). It runs on the deadline sweep (beat), after an accident is
recorded, and as the job a refused visit enqueues. ``BLACKLIST_POLICY`` in the config names
another file."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, literal, null, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..config import PROJECT_ROOT
from ..core.policyfiles import PolicyFile
from ..core.types import UTCDateTime, utcnow
from ..domain.rectification import blacklist as rules
from ..domain.rectification.states import CONTESTED, WITHDRAWN
from ..extensions import db
from ..inspections.models import VisitObstruction
from .accidents import Accident
from .models import BLACKLIST_PROPOSAL, CreditRecord, Finding, RectificationNotice

DEFAULT_PATH = PROJECT_ROOT / "policies" / "blacklist.yaml"
FILE = PolicyFile.of_yaml("BLACKLIST_POLICY", DEFAULT_PATH, rules.parse_policy,
                          lambda name, where, message: rules.BlacklistPolicyError([f"{name}: {where}: {message}"]))

_COLUMNS = ["institution_id", "finding_id", "source_kind", "source_id", "department", "kind", "trigger",
            "basis", "created_at", "note"]


def current() -> rules.BlacklistPolicy:
    """The triggers in force (cached; re-read when the file changes)."""
    return FILE.get()


def basis_of(record: CreditRecord) -> str | None:
    """The legal basis a proposal cites: the one recorded with it, else its trigger's now."""
    if record.basis:
        return record.basis
    trigger = current().trigger(record.trigger)
    return trigger.basis if trigger else None


def _insert(select_stmt) -> int:
    """INSERT the proposals ``select_stmt`` yields, skipping any whose unique key is taken."""
    table = CreditRecord.__table__
    dialect = db.session.get_bind().dialect.name
    make = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = make(table).from_select(_COLUMNS, select_stmt).on_conflict_do_nothing().returning(table.c.id)
    return len(db.session.execute(stmt).all())


def _no_proposal(kind: str, source_id):
    return ~exists().where(CreditRecord.source_kind == kind, CreditRecord.source_id == source_id,
                           CreditRecord.kind == BLACKLIST_PROPOSAL)


def _from_findings(policy: rules.BlacklistPolicy, at, now: datetime) -> int:
    done = 0
    for trigger in policy.of_source(rules.FINDING):
        conditions = [Finding.item_id.in_(trigger.items), Finding.state.not_in((CONTESTED, WITHDRAWN)),
                      RectificationNotice.reply_until <= now, _no_proposal(rules.FINDING, Finding.id)]
        if trigger.veto_only:
            conditions.append(Finding.veto.is_(True))
        done += _insert(select(Finding.institution_id, Finding.id, literal(rules.FINDING), Finding.id,
                               Finding.department, literal(BLACKLIST_PROPOSAL), literal(trigger.code),
                               literal(trigger.basis), at, Finding.item_id)
                        .join(RectificationNotice, RectificationNotice.id == Finding.notice_id)
                        .where(and_(*conditions)))
    return done


def _from_obstructions(policy: rules.BlacklistPolicy, at) -> int:
    done = 0
    for trigger in policy.of_source(rules.VISIT_OBSTRUCTION):
        o = VisitObstruction
        done += _insert(select(o.institution_id, null(), literal(rules.VISIT_OBSTRUCTION), o.id, o.department,
                               literal(BLACKLIST_PROPOSAL), literal(trigger.code), literal(trigger.basis), at,
                               o.outcome)
                        .where(o.outcome.in_(trigger.outcomes), _no_proposal(rules.VISIT_OBSTRUCTION, o.id)))
    return done


def _from_accidents(policy: rules.BlacklistPolicy, at) -> int:
    done = 0
    for trigger in policy.of_source(rules.ACCIDENT):
        a = Accident
        conditions = [a.responsibility.in_(trigger.responsibility), _no_proposal(rules.ACCIDENT, a.id)]
        if trigger.serious_only:
            conditions.append(a.serious.is_(True))
        done += _insert(select(a.institution_id, null(), literal(rules.ACCIDENT), a.id, a.department,
                               literal(BLACKLIST_PROPOSAL), literal(trigger.code), literal(trigger.basis), at,
                               a.kind)
                        .where(and_(*conditions)))
    return done


def propose_due(now: datetime | None = None) -> int:
    """Every proposal now due, each at most once per source; the number written. The caller
    commits."""
    now = now or utcnow()
    policy = current()
    at = literal(now, UTCDateTime)
    return _from_findings(policy, at, now) + _from_obstructions(policy, at) + _from_accidents(policy, at)


__all__ = ["basis_of", "current", "propose_due"]
