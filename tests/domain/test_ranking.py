"""The supervision index, ranks with ties, bands, league measures and the
policy file, on small cases computed by hand (docs/supervision-index.md)."""
from __future__ import annotations

from datetime import datetime, timezone
from fractions import Fraction as F
from pathlib import Path

import pytest
import yaml

from inspect_app.domain import ranking as r

ROOT = Path(__file__).resolve().parents[2]
POLICY = r.parse_policy(yaml.safe_load((ROOT / "policies" / "ranking.yaml").read_text(encoding="utf-8")))
T = datetime(2026, 6, 15, 2, 0, tzinfo=timezone.utc)


def test_the_shipped_policy_holds_the_documented_defaults():
    assert POLICY.grid["critical"] == {"isolated": 50, "pattern": 100, "widespread": 150}
    assert POLICY.grid["major"] == {"isolated": 20, "pattern": 35, "widespread": 45}
    assert POLICY.grid["minor"] == {"isolated": 4, "pattern": 8, "widespread": 16}
    assert POLICY.cycle_weights == (F(1, 2), F(1, 3), F(1, 6))
    assert POLICY.repeat_extra == (F(1, 2), F(7, 10), F(17, 20)) and POLICY.overdue_extra == F(1, 2)


def test_scope_comes_from_the_count_of_the_same_severity_in_the_inspection():
    assert [r.scope_of(n, POLICY) for n in (1, 2, 3, 4, 9)] == [
        "isolated", "pattern", "pattern", "widespread", "widespread"]


def test_index_by_hand():
    # Two cycles: weights 1/2 and 1/3 renormalised to 3/5 and 2/5.
    # Cycle 0: one critical alone (50), two majors in one inspection (pattern: 35 each), one of
    # them overdue (+ 0.5 × 35). Cycle 1: one minor alone (4) rejected twice (+ 0.7 × 4).
    tallies = [r.Tally(0, "critical", 1, 0, False, 1), r.Tally(0, "major", 2, 0, False, 1),
               r.Tally(0, "major", 2, 0, True, 1), r.Tally(1, "minor", 1, 2, False, 1)]
    result = r.supervision_index(2, tallies, POLICY)
    assert [p.weight for p in result.cycles] == [F(3, 5), F(2, 5)]
    assert (result.cycles[0].base, result.cycles[0].overdue, result.cycles[0].repeat) == (120, F(35, 2), 0)
    assert (result.cycles[1].base, result.cycles[1].repeat) == (4, F(14, 5))
    assert result.value == F(3, 5) * F(275, 2) + F(2, 5) * F(34, 5) == F(8522, 100)
    assert result.as_dict()["cycles"][0]["weighted"] == "82.5000"
    assert result.by_severity["critical"] == 30 and result.by_severity["minor"] == F(8, 5)


def test_three_cycles_use_the_weights_as_written_and_older_ones_are_ignored():
    tallies = [r.Tally(c, "minor", 1, 0, False, 1) for c in range(5)]
    result = r.supervision_index(5, tallies, POLICY)
    assert [p.weight for p in result.cycles] == [F(1, 2), F(1, 3), F(1, 6)]
    assert result.value == 4


def test_repeat_shares_rise_and_hold_beyond_the_last():
    assert [r.repeat_share(n, POLICY) for n in (0, 1, 2, 3, 7)] == [0, F(1, 2), F(7, 10), F(17, 20), F(17, 20)]


def test_never_inspected_has_no_index_and_a_clean_cycle_scores_zero():
    assert r.supervision_index(0, [], POLICY).value is None
    assert r.supervision_index(1, [], POLICY).value == 0


def test_competition_ranking_shares_ranks_and_skips():
    assert r.competition_ranks([10, 20, 20, 30], higher_is_better=False) == [1, 2, 2, 4]
    assert r.competition_ranks([F(1, 2), None, F(1, 2), 1], higher_is_better=True) == [2, None, 2, 1]
    assert r.competition_ranks([5, 5, 5], higher_is_better=True) == [1, 1, 1]


def test_district_bands_by_hand():
    # Eleven institutions in one district with indexes 0, 0, 1, …, 9 (0 best). Index k ≥ 1 has
    # k + 1 strictly better: 100 (k + 1) / 11 = 18.2, 27.3, 36.4, 45.5, 54.5, 63.6, 72.7, 81.8,
    # 90.9 %. A < 10, B < 33.3, C < 56.7, D < 80, E the rest; ties share a band.
    rows = [(k, "东区", F(k)) for k in range(10)] + [("tie", "东区", F(0)), ("none", "东区", None)]
    bands = r.district_bands(rows, POLICY)
    assert "none" not in bands
    assert bands[0] == (0, "A") and bands["tie"] == (0, "A")
    assert bands[1][1] == "B" and bands[9][1] == "E"
    assert [bands[k][1] for k in range(10)] == ["A", "B", "B", "C", "C", "C", "D", "D", "E", "E"]


def test_bed_bands():
    assert [r.bed_band(n) for n in (0, 49, 50, 99, 100, 299, 300, 2000)] == [
        "lt50", "lt50", "50-99", "50-99", "100-299", "100-299", "ge300", "ge300"]


def test_levels_by_total_and_moves():
    now = {1: F(360), 2: F(450), 3: F(570)}
    assert [r.level_by_total(F(t), now) for t in (100, 360, 449, 600)] == [None, 1, 1, 3]
    assert r.check_thresholds({1: F(10), 2: F(10)})[0].where == "level_2"
    moved = r.moves({"a": 1, "b": 2, "c": None}, {"a": 1, "b": 3, "c": 1}, smaller_is_better=False)
    assert [(m.key, m.direction) for m in moved] == [("b", 1), ("c", 1)]
    ranks = r.moves({"a": 1, "b": 2}, {"a": 2, "b": 1}, smaller_is_better=True)
    assert [(m.key, m.direction) for m in ranks] == [("a", -1), ("b", 1)]


def test_league_measures_by_hand():
    c = r.LeagueCounts(planned=8, done=6, compliant=3, inspected=5, institutions=10, beds=400, critical=6,
                       on_time=3, late=1, overdue=1, closed=4, days_to_close=F(30))
    m = r.league_measures(c)
    assert m["done_share"] == F(3, 4) and m["inspected_share"] == F(1, 2) and m["compliance"] == F(1, 2)
    assert m["critical_per_100_beds"] == F(3, 2) and m["on_time_rate"] == F(3, 4)
    assert m["avg_days_to_close"] == F(15, 2) and m["overdue"] == 1
    empty = r.league_measures(r.LeagueCounts())
    assert all(empty[k] is None for k in ("done_share", "inspected_share", "compliance",
                                           "critical_per_100_beds", "on_time_rate", "avg_days_to_close"))
    rows = {"东区": {"on_time_rate": F(3, 4)}, "西区": {"on_time_rate": F(3, 4)}, "南区": {"on_time_rate": F(1, 2)},
            "北区": {"on_time_rate": None}}
    assert r.league_ranks(rows, "on_time_rate") == {"东区": 1, "西区": 1, "南区": 3, "北区": None}


def test_policy_problems_are_located():
    data = yaml.safe_load((ROOT / "policies" / "ranking.yaml").read_text(encoding="utf-8"))
    data["grid"]["major"]["pattern"] = "many"
    data["cycle_weights"] = ["1/2", "1/2", "1/6"]
    data["scope"]["widespread_from"] = 2
    data["extra"] = 1
    with pytest.raises(r.RankingPolicyError) as caught:
        r.parse_policy(data, "ranking.yaml")
    where = {p.where for p in caught.value.problems}
    assert where == {"grid.major.pattern", "cycle_weights", "scope.widespread_from", "extra"}
    assert "ranking.yaml: grid.major.pattern:" in str(caught.value)


def test_numbers_read_as_fractions_or_decimals():
    assert r.number("1/3") == F(1, 3) and r.number("0.5") == F(1, 2) and r.number(7) == 7
    assert r.number("-1") is None and r.number("x") is None and r.number(True) is None and r.number("1/0") is None


def test_the_value_alone_equals_the_value_with_parts():
    tallies = [r.Tally(0, "critical", 1, 0, False, 1), r.Tally(0, "major", 2, 1, True, 2),
               r.Tally(1, "minor", 5, 3, True, 7), r.Tally(2, "major", 1, 2, False, 1)]
    scorer = r.Scorer(POLICY)
    for cycles in (1, 2, 3, 4):
        assert scorer.index(cycles, tallies, parts=False).value == r.supervision_index(cycles, tallies, POLICY).value


def test_comparable_keeps_the_order_and_the_ties_of_fractions():
    from fractions import Fraction as Fr

    from inspect_app.domain.ranking import comparable, competition_ranks
    values = [Fr(1, 3), None, Fr(2, 6), Fr(1, 2), Fr(5, 7), 0, Fr(-1, 4)]
    keys = comparable(values)
    assert keys == [28, None, 28, 42, 60, 0, -21]             # × 84, the common denominator
    assert competition_ranks(keys, False) == competition_ranks(values, False) == [3, None, 3, 5, 6, 2, 1]
    assert comparable([]) == [] and comparable([None]) == [None]


def test_decimal4_rounds_half_up_in_whole_numbers():
    from fractions import Fraction as Fr

    from inspect_app.domain.ranking import decimal4
    assert decimal4(Fr(5, 100000)) == "0.0001" and decimal4(Fr(4, 100000)) == "0.0000"
    assert decimal4(Fr(1, 3)) == "0.3333" and decimal4(Fr(2, 3)) == "0.6667" and decimal4(7) == "7.0000"
    assert decimal4(Fr(-1, 3)) == "-0.3333" and decimal4(Fr(-2, 3)) == "-0.6666"   # int() toward zero, as before
    assert decimal4(None) is None
