"""Tampering with the audit trail is reported by ``flask audit verify`` with the row or the
anchor where the chain breaks (docs/operations.md, "Audit anchors and keys").

Each test plays an intruder who can write to the database but holds neither the MAC key nor
the anchors kept outside it; the intruder knows the plain hash (it is public, so that anyone
can check continuity) and uses it to make the plain chain look whole again."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, insert, update

from inspect_app.core import audit
from inspect_app.core.audit import AuditEvent
from inspect_app.commands import audit_cli
from tests.core.intruder import chain, plain_hash, renumber_and_rehash


def run(*args: str):
    result = CliRunner().invoke(audit_cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def problems(result) -> list[str]:
    return result.stderr.splitlines()


class Sealed(NamedTuple):
    id: int
    seq: int
    action: str
    at: datetime
    hash: str


@pytest.fixture
def trail(db, make) -> list[Sealed]:
    """Twelve committed transactions of one row each; every third row is a failed log-in.
    Returns what the rows were when sealed (the intruder changes the rows themselves)."""
    admin = make.user("bureau_admin")
    for i in range(12):
        if i % 3 == 0:
            audit.record(None, "login_failed", "user_account", f"guess{i}")
        else:
            audit.record(admin, "update", "institution", i, before={"beds": i}, after={"beds": i + 1})
        db.session.commit()
    return [Sealed(r.id, r.seq, r.action, r.at, r.hash) for r in chain(db)]


def published_head() -> str:
    """What the operator keeps elsewhere: the ``SEQ:HASH`` of ``flask audit head``."""
    result = run("head")
    assert result.exit_code == 0
    return result.stdout.split()[0]


def test_an_untouched_chain_is_intact_against_its_head_and_anchors(db, trail, tmp_path):
    head = published_head()
    from inspect_app.core import audit_anchors
    audit_anchors.write_daily_anchor()
    db.session.commit()
    assert run("anchors", "export", str(tmp_path / "anchors.jsonl")).exit_code == 0
    result = run("verify", "--expect-head", head, "--anchors", str(tmp_path / "anchors.jsonl"))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines()[-1] == f"audit chain intact: {trail[-1].seq} rows, head {head}"


def test_truncating_the_last_five_rows_is_reported_against_the_kept_head_and_anchors(db, trail, tmp_path):
    head = published_head()
    from inspect_app.core import audit_anchors
    audit_anchors.write_daily_anchor()
    db.session.commit()
    kept = tmp_path / "anchors.jsonl"
    assert run("anchors", "export", str(kept)).exit_code == 0
    end = trail[-1].seq
    db.session.execute(delete(AuditEvent).where(AuditEvent.seq > end - 5))
    db.session.execute(delete(audit.AuditAnchor))   # the intruder removes the anchors kept inside too
    db.session.expire_all()

    assert run("verify").exit_code == 0          # nothing inside the database can tell
    result = run("verify", "--expect-head", head, "--anchors", str(kept))
    assert result.exit_code == 1
    assert problems(result) == [
        f"--expect-head: anchor at seq {end}, but the chain ends at seq {end - 5}: "
        f"rows after seq {end - 5} were removed",
        f"{kept} line 1: anchor at seq {end}, but the chain ends at seq {end - 5}: "
        f"rows after seq {end - 5} were removed",
    ]


def test_truncation_is_reported_against_the_anchor_row_left_in_the_database(db, trail):
    from inspect_app.core import audit_anchors
    anchor = audit_anchors.write_daily_anchor()
    db.session.commit()
    end = trail[-1].seq
    db.session.execute(delete(AuditEvent).where(AuditEvent.seq > end - 5))
    db.session.expire_all()
    result = run("verify")
    assert result.exit_code == 1
    assert problems(result) == [f"database anchor of {anchor.day}: anchor at seq {end}, but the chain ends at "
                                f"seq {end - 5}: rows after seq {end - 5} were removed"]


def test_deleting_every_failed_login_and_rehashing_is_reported_from_the_first_rewritten_row(db, trail):
    gone = [r.seq for r in trail if r.action == "login_failed"]
    db.session.execute(delete(AuditEvent).where(AuditEvent.action == "login_failed"))
    renumber_and_rehash(db)
    assert audit.head()[0] == trail[-1].seq - len(gone)       # the plain chain looks whole

    result = run("verify")
    assert result.exit_code == 1
    rewritten = range(gone[0], trail[-1].seq - len(gone) + 1)
    assert problems(result) == [f"seq {s}: MAC does not match (altered, or re-hashed without the key)"
                                for s in rewritten]


def test_a_back_dated_row_appended_with_a_correct_plain_hash_is_reported_at_that_row(db, trail):
    last = trail[-1]
    forged = dict(at=last.at - timedelta(days=30), actor_id=None, actor="system", action="delete",
                  entity="institution", entity_id="7", before={"beds": 7}, after=None, reason=None)
    row = AuditEvent(**forged)
    db.session.execute(insert(AuditEvent).values(**forged, seq=last.seq + 1, prev_hash=last.hash,
                                                 hash=plain_hash(last.hash, row)))
    db.session.expire_all()

    result = run("verify")
    assert result.exit_code == 1
    seq = last.seq + 1
    assert problems(result) == [
        f"seq {seq}: no MAC, although earlier rows have one (written without the key)",
        f"seq {seq}: dated {forged['at'].isoformat(timespec='seconds')}, 30 days, 0:00:00 before "
        f"seq {last.seq}: back-dated",
    ]


def test_altering_a_middle_row_and_rehashing_the_rest_is_reported_at_that_row(db, trail):
    middle = trail[len(trail) // 2]
    db.session.execute(update(AuditEvent).where(AuditEvent.id == middle.id).values(after={"beds": 999}))
    renumber_and_rehash(db)

    result = run("verify")
    assert result.exit_code == 1
    assert problems(result) == [f"seq {s}: MAC does not match (altered, or re-hashed without the key)"
                                for s in range(middle.seq, trail[-1].seq + 1)]


def test_altering_a_middle_row_alone_is_reported_at_that_row(db, trail):
    middle = trail[len(trail) // 2]
    db.session.execute(update(AuditEvent).where(AuditEvent.id == middle.id).values(after={"beds": 999}))
    db.session.expire_all()
    result = run("verify")
    assert result.exit_code == 1
    assert problems(result) == [f"seq {middle.seq}: content does not match its hash (altered)",
                                f"seq {middle.seq}: MAC does not match (altered, or re-hashed without the key)"]
