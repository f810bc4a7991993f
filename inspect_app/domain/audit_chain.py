"""The audit chain's arithmetic, pure: the bytes each row is hashed over, the plain hash, the
keyed MAC, anchors, and the check that walks a chain against its keys and anchors.

For a row at position ``seq`` whose predecessor's hash is ``prev`` (64 zeros for seq 1)::

    body = JSON of {at, actor_id, actor, action, entity, entity_id, before, after, reason}
           (sorted keys, UTF-8, no spaces; ``at`` as ISO text in UTC with microseconds)
    hash = SHA-256(prev ‖ body)                               plain: anyone can recompute it
    mac  = HMAC-SHA256(key, "careinspect-audit/1\\n" ‖ seq ‖ "\\n" ‖ prev ‖ body)

and for an anchor (the chain's head at a moment, kept outside the database as well)::

    mac  = HMAC-SHA256(key, "careinspect-anchor/1\\n" ‖ day ‖ "\\n" ‖ seq ‖ "\\n" ‖ hash ‖ "\\n" ‖ at)

A key's id is the first 12 hex digits of HMAC-SHA256(key, "careinspect-audit-key-id"): it
names the key without revealing it, so rows keep naming the key that signed them after a
rotation. What each check of :class:`ChainCheck` catches is listed in docs/operations.md.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable, Mapping

GENESIS = "0" * 64
ROW_MAC_VERSION = b"careinspect-audit/1\n"
ANCHOR_MAC_VERSION = "careinspect-anchor/1"
KEY_ID_LABEL = b"careinspect-audit-key-id"
_HEX64 = re.compile(r"[0-9a-f]{64}")


# --- rows -----------------------------------------------------------------------------------

def content(at: datetime, actor_id, actor, action, entity, entity_id, before, after, reason) -> dict:
    """The chained fields of one row, as hashed."""
    return {"at": at.isoformat(timespec="microseconds"), "actor_id": actor_id, "actor": actor,
            "action": action, "entity": entity, "entity_id": entity_id, "before": before,
            "after": after, "reason": reason}


def chained_bytes(prev_hash: str, fields: dict) -> bytes:
    body = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return (prev_hash + body).encode("utf-8")


def plain_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def row_mac(key: bytes, seq: int, data: bytes) -> str:
    return hmac.new(key, ROW_MAC_VERSION + b"%d\n" % seq + data, hashlib.sha256).hexdigest()


# --- keys -----------------------------------------------------------------------------------

def key_id(key: bytes) -> str:
    return hmac.new(key, KEY_ID_LABEL, hashlib.sha256).hexdigest()[:12]


@dataclass(frozen=True)
class Keyring:
    """The key that signs new rows and every key that may have signed old ones, by id."""
    signing_id: str
    signing: bytes
    by_id: Mapping[str, bytes]


def keyring(current: str, old: Iterable[str] = ()) -> Keyring:
    """From the configured texts: the current key and the retired ones (kept to verify)."""
    if not current:
        raise ValueError("AUDIT_HMAC_KEY is empty: audit rows cannot be sealed without a key")
    keys = [current.encode("utf-8")] + [k.encode("utf-8") for k in old if k]
    by_id = {key_id(k): k for k in keys}
    return Keyring(key_id(keys[0]), keys[0], by_id)


def split_keys(text: str | None) -> tuple[str, ...]:
    """Retired keys as configured: separated by commas or white space."""
    return tuple(k for k in re.split(r"[\s,]+", text or "") if k)


# --- anchors --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Anchor:
    """A chain position and its hash, vouched for from somewhere (``source`` says where)."""
    seq: int
    hash: str
    source: str
    day: str | None = None
    at: str | None = None
    key_id: str | None = None
    mac: str | None = None


def anchor_mac(key: bytes, day: str, seq: int, hash_: str, at: str) -> str:
    message = f"{ANCHOR_MAC_VERSION}\n{day}\n{seq}\n{hash_}\n{at}".encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def anchor_line(anchor: Anchor) -> str:
    """One line of an anchors file (JSON Lines)."""
    return json.dumps({"day": anchor.day, "seq": anchor.seq, "hash": anchor.hash, "at": anchor.at,
                       "key_id": anchor.key_id, "mac": anchor.mac}, separators=(",", ":"))


def head_line(seq: int, hash_: str, at: datetime) -> str:
    """``SEQ:HASH TIME``: the line an operator publishes or signs; ``SEQ:HASH`` is what
    ``verify --expect-head`` takes."""
    return f"{seq}:{hash_} {at.isoformat(timespec='seconds')}"


class AnchorInputError(ValueError):
    """Unusable anchor input; the message names the file and line (or the option)."""


def parse_expect_head(text: str) -> Anchor:
    seq, sep, hash_ = text.strip().partition(":")
    if not sep or not seq.isdigit() or int(seq) < 1 or not _HEX64.fullmatch(hash_):
        raise AnchorInputError(f"--expect-head {text!r}: expected SEQ:HASH, a whole number from 1 and "
                               "64 lowercase hex digits, as printed by `flask audit head`")
    return Anchor(int(seq), hash_, "--expect-head")


def parse_anchor_lines(text: str, name: str) -> list[Anchor]:
    """The anchors of a JSON Lines file; blank lines are skipped, anything else must be an
    anchor (``seq`` and ``hash``; ``day``, ``at``, ``key_id`` and ``mac`` when it carries a MAC)."""
    anchors = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{name} line {number}"
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise AnchorInputError(f"{where}: not JSON: {exc}") from None
        if not isinstance(obj, dict):
            raise AnchorInputError(f"{where}: expected a JSON object")
        seq, hash_ = obj.get("seq"), obj.get("hash")
        if type(seq) is not int or seq < 1:
            raise AnchorInputError(f"{where}: seq must be a whole number from 1, not {seq!r}")
        if not isinstance(hash_, str) or not _HEX64.fullmatch(hash_):
            raise AnchorInputError(f"{where}: hash must be 64 lowercase hex digits")
        extra = {k: obj.get(k) for k in ("day", "at", "key_id", "mac")}
        if extra["mac"] is not None and not all(isinstance(v, str) for v in extra.values()):
            raise AnchorInputError(f"{where}: an anchor with a mac needs day, at and key_id as text")
        anchors.append(Anchor(seq, hash_, where, **extra))
    return anchors


# --- the check ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChainRow:
    id: int
    seq: int
    prev_hash: str | None
    hash: str | None
    mac: str | None
    key_id: str | None
    at: datetime
    fields: dict


@dataclass(frozen=True)
class Problem:
    where: str           # "seq 42", "row id 7", or an anchor's source
    what: str
    row_id: int | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows: int = 0
    head: tuple[int, str] | None = None


class ChainCheck:
    """Feed the sealed rows in ``seq`` order, then :meth:`finish`. Checks continuity (no gap,
    each link), each row's plain hash and MAC, that time does not run backwards by more than
    ``tolerance`` nor past ``now``, and every anchor against the stored rows."""

    def __init__(self, keys: Mapping[str, bytes] | None, anchors: Iterable[Anchor], tolerance: timedelta,
                 now: datetime):
        """``keys`` None: a reader without the key; MACs (of rows and anchors) are not checked."""
        self.keys, self.tolerance, self.now = keys, tolerance, now
        self.report = Report()
        self.waiting: dict[int, list[Anchor]] = {}
        for anchor in anchors:
            if self._anchor_is_genuine(anchor):
                self.waiting.setdefault(anchor.seq, []).append(anchor)
        self.prev: ChainRow | None = None
        self.first_keyed: int | None = None

    def _anchor_is_genuine(self, anchor: Anchor) -> bool:
        if anchor.mac is None or self.keys is None:
            return True                    # a published head: vouched for by whoever kept it
        key = self.keys.get(anchor.key_id or "")
        if key is None:
            self._problem(anchor.source, f"anchor signed with key {anchor.key_id}, which is not configured "
                                         "(AUDIT_HMAC_OLD_KEYS)")
            return False
        expected = anchor_mac(key, anchor.day or "", anchor.seq, anchor.hash, anchor.at or "")
        if not hmac.compare_digest(expected, anchor.mac):
            self._problem(anchor.source, "the anchor's MAC does not match (the anchor was altered)")
            return False
        return True

    def _problem(self, where: str, what: str, row_id: int | None = None) -> None:
        self.report.problems.append(Problem(where, what, row_id))

    def feed(self, row: ChainRow) -> None:
        prev, where = self.prev, f"seq {row.seq}"
        expected_seq = prev.seq + 1 if prev else 1
        if row.seq != expected_seq:
            self._problem(where, f"rows {expected_seq}–{row.seq - 1} are missing", row.id)
        elif row.prev_hash != (prev.hash if prev else GENESIS):
            self._problem(where, "link broken: its previous hash is not the hash of the row before", row.id)
        data = chained_bytes(row.prev_hash or "", row.fields)
        if row.hash != plain_hash(data):
            self._problem(where, "content does not match its hash (altered)", row.id)
        self._check_mac(row, data, where)
        if prev and row.at < prev.at - self.tolerance:
            self._problem(where, f"dated {row.at.isoformat(timespec='seconds')}, {prev.at - row.at} before "
                                 f"seq {prev.seq}: back-dated", row.id)
        if row.at > self.now + self.tolerance:
            self._problem(where, f"dated {row.at.isoformat(timespec='seconds')}, after this check ran", row.id)
        for anchor in self.waiting.pop(row.seq, ()):
            if anchor.hash != row.hash:
                self._problem(anchor.source, f"anchor at seq {row.seq} has hash {anchor.hash[:16]}…, the stored "
                                             f"row {str(row.hash)[:16]}…: rewritten at or before seq {row.seq}")
        self.prev = row
        self.report.rows += 1

    def _check_mac(self, row: ChainRow, data: bytes, where: str) -> None:
        if self.keys is None:
            return
        if row.mac is None:
            if self.first_keyed is not None:
                self._problem(where, "no MAC, although earlier rows have one (written without the key)", row.id)
            return
        if self.first_keyed is None:
            self.first_keyed = row.seq
        key = self.keys.get(row.key_id or "")
        if key is None:
            self._problem(where, f"signed with key {row.key_id}, which is not configured (AUDIT_HMAC_OLD_KEYS)",
                          row.id)
        elif not hmac.compare_digest(row_mac(key, row.seq, data), row.mac):
            self._problem(where, "MAC does not match (altered, or re-hashed without the key)", row.id)

    def finish(self) -> Report:
        end = self.prev.seq if self.prev else 0
        for seq in sorted(self.waiting):
            for anchor in self.waiting[seq]:
                if seq > end:
                    self._problem(anchor.source, f"anchor at seq {seq}, but the chain ends at seq {end}: "
                                                 f"rows after seq {end} were removed")
                else:
                    self._problem(anchor.source, f"anchor at seq {seq}, which is missing from the chain")
        if self.prev is not None:
            self.report.head = (self.prev.seq, self.prev.hash)
            if self.keys is None:
                self.report.notes.append("MACs not checked (--no-mac): continuity, clock and anchors only")
            elif self.first_keyed is None:
                self._problem(f"seq {end}", "no row carries a MAC (rows are sealed with AUDIT_HMAC_KEY)",
                              self.prev.id)
            elif self.first_keyed > 1:
                self.report.notes.append(
                    f"unkeyed before seq {self.first_keyed}: rows 1–{self.first_keyed - 1} were written before "
                    f"audit keys and carry no MAC; seq {self.first_keyed}'s MAC covers their hashes")
        return self.report
