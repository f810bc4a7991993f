"""The seed of a published draw: commit-reveal plus a value a third party publishes later.

Timeline of one draw (每期双随机抽取):

1. **Freeze.** The lists (institutions with their risk classes, inspectors with their avoid
   lists), departments, ratios and limits are frozen into the draw input *without* its seed;
   its digest (the *list digest*: the digest of docs/commands.md, "draw", of the document minus ``seed``) is
   published. At the same moment the system draws a random ``secret`` (32 bytes from the
   operating system) and publishes only its **commitment**
   ``commitment(list_digest, secret)``, together with the **beacon**: which third-party value,
   published after the freeze, will enter the seed (e.g. "the closing value of the SSE
   Composite Index on 2026-10-10"). Its day is always *after* the day of the freeze
   (:func:`beacon_day`): a value of the freeze day itself (an index that closed at 15:00, for
   lists frozen at 22:44) may already have existed when the lists were frozen, and whoever
   froze them could have known the seed.
2. **Seed.** Once the beacon value is out, an officer enters it with its day; a value of another
   day than the one named, or of a day not after the freeze, is refused
   (:func:`beacon_date_problem`). The seed is then fixed: ``seed(list_digest, secret, beacon_value)``.
3. **Reveal.** With the result, the secret, the beacon value and the seed are published;
   anyone checks :func:`verify` and re-runs the draw.

Both hashes are SHA-256 over length-prefixed UTF-8 parts (each part: its byte length in 4 bytes
big-endian, then its bytes), like :mod:`.stream`::

    commitment = SHA256(part("careinspect-commit/1") part(list_digest) part(secret))
    seed       = SHA256(part("careinspect-seed/1") part(list_digest) part(secret) part(beacon))

all as lowercase hex. ``beacon`` is the value exactly as published by the third party, with
surrounding white space removed.

Threat model (what each party can and cannot do):

- *The bureau* fixes the lists before the seed exists (list digest public), and commits to its
  secret before the beacon value exists. It cannot pick the seed: the beacon is unknown when it
  commits, and it cannot change the secret afterwards (the commitment would not match). It can
  refuse to reveal, but that is visible: the frozen run and its commitment stay public and a
  period has exactly one run, so a quiet "redo" is impossible.
- *The third party* (or anyone able to move the beacon) cannot steer the draw: the secret is
  unknown to them, so every beacon value gives an unpredictable seed.
- *An officer typing a wrong beacon value* is caught by anyone comparing it with the third
  party's own publication, named at freeze.
- *Someone reading the database* learns the secret early and so can predict the seed once the
  beacon is out, but can change nothing: the lists and the commitment are already public.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets as _secrets
from datetime import date, timedelta

from ..translatable import N_

COMMIT_VERSION = "careinspect-commit/1"
SEED_VERSION = "careinspect-seed/1"


def _part(text: str) -> bytes:
    data = text.encode("utf-8")
    return len(data).to_bytes(4, "big") + data


def _sha256(*parts: str) -> str:
    return hashlib.sha256(b"".join(_part(p) for p in parts)).hexdigest()


def new_secret(token_hex=_secrets.token_hex) -> str:
    """A fresh secret: 32 random bytes from the operating system, as hex."""
    return token_hex(32)


def normalise_beacon(value: str) -> str:
    return value.strip()


def commitment(list_digest: str, secret: str) -> str:
    return _sha256(COMMIT_VERSION, list_digest, secret)


def seed(list_digest: str, secret: str, beacon_value: str) -> str:
    beacon = normalise_beacon(beacon_value)
    if not beacon:
        raise ValueError("the beacon value is empty")
    return _sha256(SEED_VERSION, list_digest, secret, beacon)


def verify(list_digest: str, published_commitment: str, secret: str, beacon_value: str,
           published_seed: str) -> list[str]:
    """What does not match (empty when the published seed is the honest one)."""
    problems: list[str] = []
    if not hmac.compare_digest(commitment(list_digest, secret), published_commitment):
        problems.append("the revealed secret does not match the commitment")
    if not normalise_beacon(beacon_value):
        problems.append("the beacon value is empty")
    elif not hmac.compare_digest(seed(list_digest, secret, beacon_value), published_seed):
        problems.append("the seed is not derived from the list digest, secret and beacon value")
    return problems


# ----------------------------------------------------------------------------- the beacon's day

VALUE_BEFORE_FREEZE = N_(
    "The value of %(dated)s existed before the lists were frozen on %(frozen)s, so it could have been "
    "known when they were; the seed takes the value of %(expected)s named at the freeze.")
VALUE_OF_ANOTHER_DAY = N_(
    "The seed takes the value of %(expected)s named at the freeze, not the value of %(dated)s.")
NAMED_BEFORE_FREEZE = N_(
    "This draw named the value of %(expected)s, which is not after its freeze on %(frozen)s: that value "
    "could have been known when the lists were frozen, so this draw cannot be seeded.")


def beacon_day(frozen_on: date, delay_days: int) -> date:
    """The day whose third-party value enters the seed of lists frozen on ``frozen_on`` (a local
    date): ``delay_days`` later, and never earlier than the next day."""
    return frozen_on + timedelta(days=max(1, delay_days))


def beacon_date_problem(frozen_on: date, expected: date, dated: date | None = None) -> str | None:
    """Why the value of ``dated`` (by default the day named at the freeze, ``expected``) may not
    enter the seed of lists frozen on ``frozen_on``: one of the messages above (parameters
    ``dated``, ``frozen``, ``expected``), or None when it may."""
    if expected <= frozen_on:
        return NAMED_BEFORE_FREEZE
    if dated is None or dated == expected:
        return None
    if dated <= frozen_on:
        return VALUE_BEFORE_FREEZE
    return VALUE_OF_ANOTHER_DAY
