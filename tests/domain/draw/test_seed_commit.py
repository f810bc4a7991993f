"""Commit-reveal of a draw's seed: the commitment binds the secret, the seed needs all three."""
from __future__ import annotations

import hashlib

from inspect_app.domain.draw import seed_commit

LISTS = "a" * 64


def _part(text):
    data = text.encode()
    return len(data).to_bytes(4, "big") + data


def test_commitment_and_seed_follow_the_published_formula():
    secret = "0f" * 32
    assert seed_commit.commitment(LISTS, secret) == hashlib.sha256(
        _part("careinspect-commit/1") + _part(LISTS) + _part(secret)).hexdigest()
    assert seed_commit.seed(LISTS, secret, " 3312.58 ") == hashlib.sha256(
        _part("careinspect-seed/1") + _part(LISTS) + _part(secret) + _part("3312.58")).hexdigest()


def test_honest_reveal_verifies():
    secret = seed_commit.new_secret()
    assert len(secret) == 64
    commitment = seed_commit.commitment(LISTS, secret)
    seed = seed_commit.seed(LISTS, secret, "3312.58")
    assert seed_commit.verify(LISTS, commitment, secret, "3312.58", seed) == []


def test_a_swapped_secret_or_changed_lists_break_the_commitment():
    secret = seed_commit.new_secret()
    commitment = seed_commit.commitment(LISTS, secret)
    other = seed_commit.new_secret()
    seed = seed_commit.seed(LISTS, other, "3312.58")
    assert "commitment" in seed_commit.verify(LISTS, commitment, other, "3312.58", seed)[0]
    assert seed_commit.verify("b" * 64, commitment, secret, "3312.58",
                              seed_commit.seed("b" * 64, secret, "3312.58"))


def test_a_different_beacon_value_gives_another_seed_that_does_not_verify():
    secret = seed_commit.new_secret()
    commitment = seed_commit.commitment(LISTS, secret)
    seed = seed_commit.seed(LISTS, secret, "3312.58")
    assert seed != seed_commit.seed(LISTS, secret, "3312.59")
    problems = seed_commit.verify(LISTS, commitment, secret, "3312.59", seed)
    assert problems and "seed" in problems[0]


def test_empty_beacon_is_refused():
    assert seed_commit.verify(LISTS, seed_commit.commitment(LISTS, "s"), "s", "  ", "x") == [
        "the beacon value is empty"]


def test_the_value_entering_the_seed_is_of_a_day_after_the_freeze():
    from datetime import date
    frozen = date(2026, 12, 4)
    assert seed_commit.beacon_day(frozen, 0) == seed_commit.beacon_day(frozen, 1) == date(2026, 12, 5)
    assert seed_commit.beacon_day(frozen, 3) == date(2026, 12, 7)
    expected = date(2026, 12, 5)
    assert seed_commit.beacon_date_problem(frozen, expected, expected) is None
    assert seed_commit.beacon_date_problem(frozen, expected) is None        # the day named is the default
    before = seed_commit.VALUE_BEFORE_FREEZE                               # it existed at the freeze
    assert seed_commit.beacon_date_problem(frozen, expected, frozen) == before
    assert seed_commit.beacon_date_problem(frozen, expected, date(2026, 12, 1)) == before
    assert seed_commit.beacon_date_problem(frozen, expected, date(2026, 12, 6)) == seed_commit.VALUE_OF_ANOTHER_DAY
    assert seed_commit.beacon_date_problem(frozen, frozen) == seed_commit.NAMED_BEFORE_FREEZE     # a draw of old
