"""Daily anchors of the audit chain, kept outside the database; key rotation; what verify
says about unkeyed, back-dated and mis-keyed rows; located errors for bad input."""
from __future__ import annotations

import json
from datetime import datetime, time, timedelta

import pytest
import time_machine
from click.testing import CliRunner
from sqlalchemy import delete, func, insert, select, update

from inspect_app.core import audit, audit_anchors
from inspect_app.core.audit import AuditAnchor, AuditEvent
from inspect_app.commands import audit_cli
from inspect_app.core.types import LOCAL_ZONE, local_today
from inspect_app.domain import audit_chain
from tasks.sweep import audit_anchor
from tests.core.intruder import renumber_and_rehash


def run(*args: str):
    result = CliRunner().invoke(audit_cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def write(db, admin, n: int = 1) -> AuditEvent:
    for i in range(n):
        row = audit.record(admin, "update", "institution", i, after={"beds": i})
        db.session.commit()
    return row


def local_moment(days_ahead: int, hour: int, minute: int) -> datetime:
    day = local_today() + timedelta(days=days_ahead)
    return datetime.combine(day, time(hour, minute), LOCAL_ZONE)


@pytest.fixture
def admin(make):
    return make.user("bureau_admin")


@pytest.fixture
def folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "AUDIT_ANCHOR_DIR", str(tmp_path / "anchors"))
    return tmp_path / "anchors"


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_beat_task_anchors_the_head_once_per_local_day_even_when_it_ticks_twice(db, admin, folder):
    first = write(db, admin)
    with time_machine.travel(local_moment(1, 23, 59), tick=False):
        assert audit_anchor()["seq"] == first.seq
        write(db, admin)                               # a later change the same day
        assert audit_anchor() == {"seq": first.seq, "exported": 0, "mailed": 0, "partitions": []}
    assert db.session.scalar(select(func.count()).select_from(AuditAnchor)) == 1
    with time_machine.travel(local_moment(2, 0, 1), tick=False):   # two minutes later: the next local day
        second = audit_anchor()
    assert second == {"seq": first.seq + 1, "exported": 1, "mailed": 0, "partitions": second["partitions"]}
    days = [a.day for a in db.session.scalars(select(AuditAnchor).order_by(AuditAnchor.day))]
    assert days == [local_today() + timedelta(days=1), local_today() + timedelta(days=2)]
    kept = lines(folder / "audit-anchors.jsonl")
    assert [(a["day"], a["seq"]) for a in kept] == [(d.isoformat(), s) for d, s in
                                                    zip(days, (first.seq, first.seq + 1))]


def test_export_appends_only_missing_days_and_keeps_lines_the_database_lost(db, admin, tmp_path):
    write(db, admin)
    with time_machine.travel(local_moment(1, 9, 0), tick=False):
        audit_anchors.write_daily_anchor()
    path = tmp_path / "kept.jsonl"
    assert run("anchors", "export", str(path)).stdout == f"1 anchors appended to {path}\n"
    before = path.read_text()
    db.session.execute(delete(AuditAnchor))
    write(db, admin)
    with time_machine.travel(local_moment(2, 9, 0), tick=False):
        audit_anchors.write_daily_anchor()
    assert run("anchors", "export", str(path)).exit_code == 0
    assert run("anchors", "export", str(path)).stdout == f"0 anchors appended to {path}\n"
    text = path.read_text()
    assert text.startswith(before) and len(text.splitlines()) == 2


def test_anchors_are_mailed_once_and_again_after_a_failed_send(app, db, admin, monkeypatch):
    sent = []

    class FakeSMTP:
        fail = True

        def __init__(self, host, port, timeout):
            assert (host, port) == ("smtp.example", 25)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, mail):
            if FakeSMTP.fail:
                raise OSError("connection refused")
            sent.append(mail)

    monkeypatch.setattr(audit_anchors.smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example")
    monkeypatch.setitem(app.config, "AUDIT_ANCHOR_MAILTO", "audit@supervisor.example")
    monkeypatch.setitem(app.config, "AUDIT_ANCHOR_DIR", None)
    write(db, admin)
    with pytest.raises(OSError):
        audit_anchor()
    db.session.rollback()
    FakeSMTP.fail = False
    assert audit_anchor()["mailed"] == 1
    assert audit_anchor()["mailed"] == 0
    assert len(sent) == 1 and sent[0]["To"] == "audit@supervisor.example"
    anchor = db.session.scalar(select(AuditAnchor))
    assert audit_chain.anchor_line(anchor.as_anchor()) in sent[0].get_content()


def test_a_rehashed_chain_differs_from_its_anchor_at_the_anchored_row(db, admin):
    rows = [write(db, admin) for _ in range(4)]
    anchor = audit_anchors.write_daily_anchor()
    old_hash = anchor.hash
    db.session.execute(update(AuditEvent).where(AuditEvent.id == rows[1].id).values(after={"beds": 999}))
    renumber_and_rehash(db)
    new_hash = audit.head()[1]
    result = run("verify")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"database anchor of {anchor.day}: anchor at seq {anchor.seq} has hash {old_hash[:16]}…, the stored "
        f"row {new_hash[:16]}…: rewritten at or before seq {anchor.seq}")


def test_an_altered_line_in_the_anchors_file_is_reported_at_that_line(db, admin, tmp_path):
    write(db, admin)
    audit_anchors.write_daily_anchor()
    path = tmp_path / "kept.jsonl"
    run("anchors", "export", str(path))
    line = json.loads(path.read_text())
    line["seq"] -= 1
    path.write_text(json.dumps(line) + "\n")
    result = run("verify", "--anchors", str(path))
    assert result.exit_code == 1
    assert result.stderr == f"{path} line 1: the anchor's MAC does not match (the anchor was altered)\n"


def test_rotating_the_key_keeps_old_rows_verifiable_while_the_old_key_is_configured(app, db, admin, monkeypatch):
    old = write(db, admin)
    old_key = app.config["AUDIT_HMAC_KEY"]
    monkeypatch.setitem(app.config, "AUDIT_HMAC_KEY", "the-next-key-0123456789abcdef")
    monkeypatch.setitem(app.config, "AUDIT_HMAC_OLD_KEYS", old_key)
    new = write(db, admin)
    assert new.key_id != old.key_id == audit_chain.key_id(old_key.encode())
    assert run("verify").exit_code == 0
    monkeypatch.setitem(app.config, "AUDIT_HMAC_OLD_KEYS", "")
    result = run("verify")
    assert result.exit_code == 1
    assert (f"seq {old.seq}: signed with key {old.key_id}, which is not configured (AUDIT_HMAC_OLD_KEYS)"
            in result.stderr.splitlines())


def test_rows_from_before_the_keys_are_a_note_when_a_keyed_row_follows(db, admin):
    rows = [write(db, admin) for _ in range(3)]
    db.session.execute(update(AuditEvent).where(AuditEvent.seq < rows[2].seq).values(mac=None, key_id=None))
    db.session.expire_all()
    result = run("verify")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        f"unkeyed before seq {rows[2].seq}: rows 1–{rows[2].seq - 1} were written before audit keys and carry "
        f"no MAC; seq {rows[2].seq}'s MAC covers their hashes")


def test_a_chain_stripped_of_every_mac_is_reported_at_its_end(db, admin):
    last = write(db, admin, 2)
    db.session.execute(update(AuditEvent).values(mac=None, key_id=None))
    db.session.expire_all()
    result = run("verify")
    assert result.exit_code == 1
    assert result.stderr == f"seq {last.seq}: no row carries a MAC (rows are sealed with AUDIT_HMAC_KEY)\n"


def test_a_back_dated_row_is_reported_even_with_a_valid_mac(app, db, admin):
    """An insider holding the key still cannot slip a row into the past."""
    last = write(db, admin)
    fields = audit_chain.content(last.at - timedelta(hours=2), None, "system", "delete", "institution", "9",
                                 {"beds": 9}, None, None)
    data = audit_chain.chained_bytes(last.hash, fields)
    ring = audit.keys()
    db.session.execute(insert(AuditEvent).values(
        at=last.at - timedelta(hours=2), actor="system", action="delete", entity="institution", entity_id="9",
        before={"beds": 9}, seq=last.seq + 1, prev_hash=last.hash, hash=audit_chain.plain_hash(data),
        mac=audit_chain.row_mac(ring.signing, last.seq + 1, data), key_id=ring.signing_id))
    result = run("verify")
    assert result.exit_code == 1
    assert result.stderr == (f"seq {last.seq + 1}: dated {(last.at - timedelta(hours=2)).isoformat(timespec='seconds')}"
                             f", 2:00:00 before seq {last.seq}: back-dated\n")


def test_a_row_from_the_future_is_reported(db, admin):
    with time_machine.travel(datetime.now(LOCAL_ZONE) + timedelta(days=1), tick=False):
        row = write(db, admin)
    result = run("verify")
    assert result.exit_code == 1
    assert result.stderr == f"seq {row.seq}: dated {row.at.isoformat(timespec='seconds')}, after this check ran\n"


def test_head_prints_seq_hash_and_time(db, admin):
    row = write(db, admin)
    assert run("head").stdout == f"{row.seq}:{row.hash} {row.at.isoformat(timespec='seconds')}\n"


@pytest.mark.parametrize("value", ["12", "x:" + "a" * 64, "0:" + "a" * 64, "3:" + "A" * 64, "3:abc"])
def test_a_malformed_expected_head_exits_2_naming_the_option(db, value):
    result = run("verify", "--expect-head", value)
    assert result.exit_code == 2
    assert result.stderr == (f"--expect-head {value!r}: expected SEQ:HASH, a whole number from 1 and 64 lowercase "
                             "hex digits, as printed by `flask audit head`\n")


@pytest.mark.parametrize("content, problem", [
    (None, "cannot read: No such file or directory"),
    ('{"seq": 1, "hash": "%s"}\n\n{"seq": 2,' % ("a" * 64), "line 3: not JSON: Expecting property name "
                                                             "enclosed in double quotes: line 1 column 11 (char 10)"),
    ('[1, 2]\n', "line 1: expected a JSON object"),
    ('{"seq": true, "hash": "%s"}\n' % ("a" * 64), "line 1: seq must be a whole number from 1, not True"),
    ('{"seq": 4, "hash": "xyz"}\n', "line 1: hash must be 64 lowercase hex digits"),
    ('{"seq": 4, "hash": "%s", "mac": "00"}\n' % ("a" * 64),
     "line 1: an anchor with a mac needs day, at and key_id as text"),
])
def test_an_unusable_anchors_file_exits_2_naming_file_and_line(db, tmp_path, content, problem):
    path = tmp_path / "anchors.jsonl"
    if content is not None:
        path.write_text(content)
    result = run("verify", "--anchors", str(path))
    assert (result.exit_code, result.stdout) == (2, "")
    separator = ":" if content is None else ""
    assert result.stderr == f"{path}{separator} {problem}\n"
    if content is not None:
        assert run("anchors", "export", str(path)).exit_code == 2


def test_a_reader_without_the_key_checks_continuity_and_the_kept_anchors(app, db, admin, tmp_path, monkeypatch):
    rows = [write(db, admin) for _ in range(3)]
    audit_anchors.write_daily_anchor()
    kept = tmp_path / "kept.jsonl"
    run("anchors", "export", str(kept))
    monkeypatch.setitem(app.config, "AUDIT_HMAC_KEY", "")          # this reader has no key
    intact = run("verify", "--no-mac", "--anchors", str(kept))
    assert intact.exit_code == 0
    assert intact.stdout.splitlines()[0] == "MACs not checked (--no-mac): continuity, clock and anchors only"
    db.session.execute(update(AuditEvent).where(AuditEvent.id == rows[0].id).values(after={"beds": 999}))
    renumber_and_rehash(db)
    result = run("verify", "--no-mac", "--anchors", str(kept))
    assert result.exit_code == 1
    assert [line.split(":")[0] for line in result.stderr.splitlines()] == [
        f"{kept} line 1", f"database anchor of {local_today().isoformat()}"]


def test_the_demo_key_is_generated_once_into_the_instance_folder_unless_the_environment_has_one(tmp_path,
                                                                                                 monkeypatch):
    from inspect_app.config import from_environment
    monkeypatch.setenv("CAREINSPECT_INSTANCE", str(tmp_path))
    monkeypatch.delenv("AUDIT_HMAC_KEY", raising=False)
    first = from_environment()["AUDIT_HMAC_KEY"]
    assert len(first) >= 32 and from_environment()["AUDIT_HMAC_KEY"] == first
    assert (tmp_path / "audit_hmac_key").stat().st_mode & 0o777 == 0o600
    assert first != from_environment()["SECRET_KEY"]
    monkeypatch.setenv("AUDIT_HMAC_KEY", "from-the-environment-0123456789ab")
    assert from_environment()["AUDIT_HMAC_KEY"] == "from-the-environment-0123456789ab"


def test_an_anchor_written_with_a_local_time_verifies(db, admin):
    write(db, admin)
    anchor = audit_anchors.write_daily_anchor(datetime.now(LOCAL_ZONE))
    db.session.expire_all()
    assert anchor.day == local_today() and audit.verify().problems == []
