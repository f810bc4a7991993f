"""The 双随机 draw (docs/commands.md, "draw"): targets, teams, determinism, completeness, validation."""
from __future__ import annotations

import copy
import hashlib
import itertools
import json
import math
import os
import random
import re
import subprocess
import sys
from collections import Counter, defaultdict, deque
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspect_app.domain.draw.run import (
    DrawInput,
    InfeasibleDraw,
    Institution,
    InvalidDrawInput,
    input_digest,
    load_draw_input,
    parse_draw_input,
    run_draw,
    select_targets,
)
from inspect_app.domain.draw.assign import _Network
from inspect_app.domain.draw.stream import SeededStream

PROJECT_ROOT = Path(__file__).resolve().parents[3]
CHECK = settings(derandomize=True, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow])


# --- small factories --------------------------------------------------------------------

def institutions(count: int, risk: str = "high", district: str = "A", prefix: str = "I") -> list:
    return [{"id": f"{prefix}{n:03}", "district": district, "risk": risk} for n in range(count)]


def inspectors(count: int, department: str = "fire", district: str = "Z",
               prefix: str = "U") -> list:
    return [{"id": f"{prefix}{department}-{n:02}", "department": department, "district": district}
            for n in range(count)]


def document(**fields) -> dict:
    base = {
        "seed": "2026-Q1-district-A",
        "institutions": institutions(4, "high") + institutions(10, "low", prefix="L"),
        "inspectors": inspectors(4, "fire") + inspectors(4, "civil_affairs"),
        "departments": ["civil_affairs", "fire"],
        "ratios": {"high": 0.5, "low": 0.2},
        "team_per_department": 1,
        "max_per_inspector": 5,
        "avoid_own_district": False,
    }
    base.update(fields)
    return base


def draw(doc: dict):
    return run_draw(parse_draw_input(doc))


def problems_of(doc: object) -> list[str]:
    with pytest.raises(InvalidDrawInput) as caught:
        parse_draw_input(doc)
    return caught.value.problems


def exact(ratio) -> Fraction:
    return Fraction(str(ratio))


# --- checking every rule on an output ---------------------------------------------------

def assert_meets_every_rule(doc: dict, result) -> None:
    out = result.to_dict()
    assert out["seed"] == doc["seed"]
    assert out["digest"] == input_digest(doc)
    chosen = [s["institution"] for s in out["selected"]]
    assert chosen == sorted(set(chosen)), "selected sorted by id, no repeats"

    by_id = {i["id"]: i for i in doc["institutions"]}
    class_size = Counter(i["risk"] for i in doc["institutions"])
    drawn = Counter(by_id[i]["risk"] for i in chosen)
    for risk, size in class_size.items():
        expected = math.ceil(exact(doc["ratios"][risk]) * size) if risk in doc["ratios"] else 0
        assert drawn[risk] == expected, f"class {risk}"

    staff = {p["id"]: p for p in doc["inspectors"]}
    load = Counter()
    aod = doc.get("avoid_own_district", False)
    for selection in out["selected"]:
        place = by_id[selection["institution"]]
        team = [(m["department"], m["inspector"]) for m in selection["team"]]
        assert team == sorted(team), "team sorted by department then inspector"
        assert len(set(team)) == len(team), "distinct inspectors"
        per_department = Counter(department for department, _ in team)
        assert per_department == {d: doc["team_per_department"] for d in doc["departments"]}
        for department, inspector in team:
            person = staff[inspector]
            assert person["department"] == department
            assert place["id"] not in person.get("avoid", [])
            assert not (aod and person["district"] == place["district"])
            load[inspector] += 1
    assert all(n <= doc["max_per_inspector"] for n in load.values())


# --- independent oracles for completeness ----------------------------------------------

def eligible_sets(targets, staff, aod):
    return [[j for j, p in enumerate(staff)
             if t.id not in p.avoid and not (aod and p.district == t.district)] for t in targets]


def brute_force_feasible(targets, staff, team, max_load, aod) -> bool:
    """Try every team for every institution (tiny instances only)."""
    eligible, load = eligible_sets(targets, staff, aod), [0] * len(staff)

    def place(k: int) -> bool:
        if k == len(targets):
            return True
        for combo in itertools.combinations(eligible[k], team):
            if all(load[j] < max_load for j in combo):
                for j in combo:
                    load[j] += 1
                if place(k + 1):
                    return True
                for j in combo:
                    load[j] -= 1
        return False

    return place(0)


def max_flow_feasible(targets, staff, team, max_load, aod) -> bool:
    """Edmonds–Karp on the explicit network source → institution → inspector → sink."""
    n, m = len(targets), len(staff)
    source, sink = n + m, n + m + 1
    capacity: dict[tuple[int, int], int] = defaultdict(int)
    neighbours: dict[int, set[int]] = defaultdict(set)

    def edge(a, b, c):
        capacity[a, b] += c
        neighbours[a].add(b)
        neighbours[b].add(a)

    for k, eligible in enumerate(eligible_sets(targets, staff, aod)):
        edge(source, k, team)
        for j in eligible:
            edge(k, n + j, 1)
    for j in range(m):
        edge(n + j, sink, max_load)
    flow = 0
    while True:
        parent = {source: None}
        queue = deque([source])
        while queue and sink not in parent:
            a = queue.popleft()
            for b in sorted(neighbours[a]):
                if b not in parent and capacity[a, b] > 0:
                    parent[b] = a
                    queue.append(b)
        if sink not in parent:
            return flow == team * n
        b = sink
        while parent[b] is not None:
            a = parent[b]
            capacity[a, b] -= 1
            capacity[b, a] += 1
            b = a
        flow += 1


def feasible_by(oracle, inp: DrawInput) -> bool:
    targets = select_targets(inp.institutions, inp.ratios, inp.seed)
    return all(
        oracle(targets, [p for p in inp.inspectors if p.department == d],
               inp.team_per_department, inp.max_per_inspector, inp.avoid_own_district)
        for d in inp.departments)


@st.composite
def draw_documents(draw_, max_institutions: int, max_inspectors: int, districts: str = "ABC"):
    ids = [f"I{n:02}" for n in range(draw_(st.integers(0, max_institutions)))]
    departments = draw_(st.lists(st.sampled_from(["fire", "health"]), min_size=1, max_size=2,
                                 unique=True))
    people = []
    for n in range(draw_(st.integers(0, max_inspectors))):
        person = {"id": f"U{n:02}", "department": draw_(st.sampled_from(["fire", "health"])),
                  "district": draw_(st.sampled_from(districts))}
        if ids and draw_(st.booleans()):
            person["avoid"] = draw_(st.lists(st.sampled_from(ids), max_size=3))
        people.append(person)
    return {
        "seed": draw_(st.text(min_size=1, max_size=8)),
        "institutions": [{"id": i, "district": draw_(st.sampled_from(districts)),
                          "risk": draw_(st.sampled_from(["high", "low", "unrated"]))} for i in ids],
        "inspectors": people,
        "departments": departments,
        "ratios": {"high": draw_(st.sampled_from([0, 0.3, 0.5, 1])),
                   "low": draw_(st.sampled_from([0, 0.07, 0.25, 1]))},
        "team_per_department": draw_(st.integers(1, 2)),
        "max_per_inspector": draw_(st.integers(1, 4)),
        "avoid_own_district": draw_(st.booleans()),
    }


# --- targets ----------------------------------------------------------------------------

@pytest.mark.parametrize(("ratio", "size", "expected"), [
    (0.07, 100, 7),      # 0.07 * 100 == 7.000000000000001 in binary floating point
    (0.1, 30, 3),        # 0.1 * 30 == 3.0000000000000004
    (0.5, 3, 2),
    (0.05, 1, 1),
    (0, 10, 0),
    (1, 10, 10),
    (0.29, 100, 29),
])
def test_each_class_draws_the_exact_decimal_ceiling(ratio, size, expected):
    result = draw(document(institutions=institutions(size), ratios={"high": ratio},
                           departments=[]))
    assert len(result.selected) == expected


def test_ratio_is_read_as_written_in_the_document():
    text = json.dumps(document(institutions=institutions(100), departments=[]))
    for written, expected in [("0.070", 7), ("7e-2", 7), ("0.0700000000000000000001", 8)]:
        doc = text.replace('"high": 0.5', f'"high": {written}')
        assert len(run_draw(load_draw_input(doc)).selected) == expected, written


def test_class_missing_from_ratios_is_not_drawn():
    doc = document(institutions=institutions(5, "high") + institutions(5, "new", prefix="N"),
                   ratios={"high": 1, "unused": 1}, departments=[])
    assert [s.institution for s in draw(doc).selected] == [f"I{n:03}" for n in range(5)]


def test_targets_do_not_look_at_the_inspectors_or_departments():
    base = document(team_per_department=1)
    other = document(inspectors=inspectors(9, "health"), departments=["health"])
    assert ([s.institution for s in draw(base).selected]
            == [s.institution for s in draw(other).selected])


def test_every_k_subset_of_a_class_is_equally_likely():
    """Chi-square over all C(5, 2) = 10 subsets, 3,000 fixed seeds (df 9, p = 0.001: 27.877)."""
    members = [Institution(f"I{n}", "A", "high") for n in range(5)]
    ratios = {"high": Fraction(2, 5)}
    counts = Counter(tuple(i.id for i in select_targets(members, ratios, f"chi-{n}"))
                     for n in range(3000))
    assert len(counts) == 10
    expected = 3000 / 10
    statistic = sum((c - expected) ** 2 / expected for c in counts.values())
    assert statistic < 27.877


def test_every_institution_of_a_class_is_equally_likely():
    """Chi-square of inclusion counts, 3 of 12 over 2,000 seeds (df 11, p = 0.001: 31.264)."""
    members = [Institution(f"I{n:02}", "A", "low") for n in range(12)]
    ratios = {"low": Fraction(1, 4)}
    counts = Counter(i.id for n in range(2000)
                     for i in select_targets(members, ratios, f"inclusion-{n}"))
    expected = 2000 * 3 / 12
    statistic = sum((counts[m.id] - expected) ** 2 / expected for m in members)
    assert statistic < 31.264


def test_every_eligible_inspector_is_equally_likely():
    """One institution, four eligible inspectors, 1,000 seeds (df 3, p = 0.001: 16.266)."""
    counts = Counter()
    for n in range(1000):
        result = draw(document(seed=f"team-{n}", institutions=institutions(1),
                               ratios={"high": 1}, departments=["fire"]))
        counts[result.selected[0].team[0].inspector] += 1
    statistic = sum((c - 250) ** 2 / 250 for c in counts.values())
    assert len(counts) == 4 and statistic < 16.266


# --- teams ------------------------------------------------------------------------------

@CHECK
@given(draw_documents(max_institutions=30, max_inspectors=16))
def test_every_rule_holds_and_infeasibility_is_real(doc):
    inp = parse_draw_input(doc)
    try:
        result = run_draw(inp)
    except InfeasibleDraw:
        assert not feasible_by(max_flow_feasible, inp)
    else:
        assert_meets_every_rule(doc, result)


@CHECK
@given(draw_documents(max_institutions=5, max_inspectors=5, districts="AB"))
def test_an_assignment_is_found_whenever_one_exists(doc):
    inp = parse_draw_input(doc)
    try:
        run_draw(inp)
        found = True
    except InfeasibleDraw:
        found = False
    assert found == feasible_by(brute_force_feasible, inp)


@CHECK
@given(draw_documents(max_institutions=12, max_inspectors=10))
def test_augmenting_paths_alone_staff_every_feasible_department(doc):
    """The repair step is the completeness guarantee, and the random pass rarely leaves it
    work on small inputs: here it starts from no assignment and no counting checks, must
    match max flow, and when it fails its message must state a real shortfall."""
    inp = parse_draw_input(doc)
    targets = select_targets(inp.institutions, inp.ratios, inp.seed)
    for department in inp.departments:
        staff = [p for p in inp.inspectors if p.department == department]
        network = _Network(targets, staff, inp.team_per_department, inp.max_per_inspector,
                           inp.avoid_own_district)
        shortfall = network.complete(department)    # no counting checks either
        staffed = shortfall is None
        assert staffed == max_flow_feasible(targets, staff, inp.team_per_department,
                                            inp.max_per_inspector, inp.avoid_own_district)
        if staffed:
            by_id = {p.id: p for p in staff}
            load = Counter()
            for place in targets:
                team = network.team_ids()[place.id]
                assert len(set(team)) == inp.team_per_department
                for inspector in team:
                    person = by_id[inspector]
                    assert place.id not in person.avoid
                    assert not (inp.avoid_own_district and person.district == place.district)
                    load[inspector] += 1
            assert max(load.values(), default=0) <= inp.max_per_inspector
        else:
            need, at_most = map(int, re.search(
                r"needs? (\d+) assignments, but any assignment gives them at most (\d+)",
                shortfall).groups())
            assert at_most < need


def test_augmenting_paths_repair_what_the_random_pass_blocks():
    """U1 can only serve H1 and U2 serves either; whenever the random pass gives U2 to H1,
    H2 is left empty and must be fixed by moving H1 to U1."""
    doc = document(
        institutions=[{"id": "H1", "district": "A", "risk": "high"},
                      {"id": "H2", "district": "B", "risk": "high"}],
        inspectors=[{"id": "U1", "department": "fire", "district": "X", "avoid": ["H2"]},
                    {"id": "U2", "department": "fire", "district": "X"}],
        departments=["fire"], ratios={"high": 1}, max_per_inspector=1)
    for n in range(20):
        doc["seed"] = f"path-{n}"
        teams = {s.institution: s.team[0].inspector for s in draw(doc).selected}
        assert teams == {"H1": "U1", "H2": "U2"}


def test_no_inspector_exceeds_max_per_inspector_at_full_capacity():
    doc = document(institutions=institutions(30), inspectors=inspectors(10, "fire"),
                   departments=["fire"], ratios={"high": 1}, team_per_department=2,
                   max_per_inspector=6)
    result = draw(doc)
    assert_meets_every_rule(doc, result)
    load = Counter(m.inspector for s in result.selected for m in s.team)
    assert set(load.values()) == {6}


# --- infeasibility ----------------------------------------------------------------------

def infeasible_message(doc: dict) -> str:
    with pytest.raises(InfeasibleDraw) as caught:
        draw(doc)
    return caught.value.message


def test_too_few_eligible_inspectors_names_department_institution_and_why():
    people = inspectors(2, "fire", district="A") + inspectors(1, "fire", district="B", prefix="V")
    people[2]["avoid"] = ["I000"]
    message = infeasible_message(document(
        institutions=institutions(1, district="A"), inspectors=people, departments=["fire"],
        ratios={"high": 1}, avoid_own_district=True))
    assert message == ('department "fire": institution "I000" has 0 eligible inspectors but '
                       'team_per_department is 1 (fire has 3 inspectors: 2 in its own district '
                       '"A" (avoid_own_district), 1 with it in their avoid list)')


def test_total_capacity_short_names_the_numbers():
    message = infeasible_message(document(
        institutions=institutions(8), inspectors=inspectors(3, "fire"), departments=["fire"],
        ratios={"high": 1}, team_per_department=2, max_per_inspector=5))
    assert message == ('department "fire": not enough inspectors: 8 selected institutions × '
                       'team_per_department 2 need 16 assignments, but 3 inspectors × '
                       'max_per_inspector 5 give at most 15')


def test_competition_for_the_same_inspectors_is_explained():
    """H1 and H2 may only use U1 (max 1); U2 takes only H3: enough in all, not for H1/H2."""
    doc = document(
        institutions=[{"id": f"H{n}", "district": "A", "risk": "high"} for n in (1, 2, 3)],
        inspectors=[{"id": "U1", "department": "fire", "district": "X", "avoid": ["H3"]},
                    {"id": "U2", "department": "fire", "district": "X", "avoid": ["H1", "H2"]},
                    {"id": "U3", "department": "fire", "district": "X", "avoid": ["H1", "H2"]}],
        departments=["fire"], ratios={"high": 1}, max_per_inspector=1)
    message = infeasible_message(doc)
    assert message.startswith('department "fire": institution "H')
    assert '("H1", "H2") need 2 assignments, but any assignment gives them at most 1' in message
    assert '1 inspector ("U1") at max_per_inspector 1' in message


def test_each_infeasible_department_gets_its_own_line():
    doc = document(inspectors=[], departments=["fire", "health"], ratios={"high": 1})
    lines = infeasible_message(doc).splitlines()
    assert [line.split(":")[0] for line in lines] == ['department "fire"', 'department "health"']


def test_nothing_selected_needs_no_inspectors():
    result = draw(document(inspectors=[], ratios={"high": 0}))
    assert result.selected == ()


# --- determinism ------------------------------------------------------------------------

def shuffled_copy(doc: dict, seed: int) -> dict:
    rng = random.Random(seed)
    other = copy.deepcopy(doc)
    for key in ("institutions", "inspectors", "departments"):
        rng.shuffle(other[key])
    for person in other["inspectors"]:
        rng.shuffle(person.get("avoid", []))
    other["ratios"] = dict(reversed(list(other["ratios"].items())))
    return other


def rich_document() -> dict:
    """Three departments, four districts, avoid lists; built by arithmetic, not by ``random``,
    so that it is the same on every Python version (the golden test depends on it)."""
    places = [{"id": f"机构{n:03}", "district": "东西南北"[n * 7 % 4],
               "risk": ("high", "medium", "low")[n * 5 % 3]} for n in range(120)]
    people = [{"id": f"U{n:03}", "department": ("fire", "health", "civil_affairs")[n % 3],
               "district": "东西南北"[n * 3 % 4],
               "avoid": [f"机构{(n * 37 + k * 11) % 120:03}" for k in range(3)]} for n in range(60)]
    return document(seed="二〇二六年第一季度", institutions=places, inspectors=people,
                    departments=["health", "fire", "civil_affairs"],
                    ratios={"high": 0.5, "medium": 0.2, "low": 0.05}, team_per_department=2,
                    max_per_inspector=8, avoid_own_district=True)


def test_same_input_gives_byte_identical_output():
    doc = rich_document()
    assert draw(doc).to_json() == draw(copy.deepcopy(doc)).to_json()


def test_list_and_key_order_do_not_change_the_draw():
    doc = rich_document()
    expected = draw(doc).selected
    for n in range(3):
        assert draw(shuffled_copy(doc, n)).selected == expected


def test_output_is_identical_across_processes_and_hash_seeds():
    text = json.dumps(rich_document(), ensure_ascii=False)
    script = ("import sys; from inspect_app.domain.draw.run import load_draw_input, run_draw; "
              "sys.stdout.buffer.write(run_draw(load_draw_input(sys.stdin.buffer.read()))"
              ".to_json().encode('utf-8'))")
    outputs = set()
    for hash_seed in ("0", "1", "4242"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed, PYTHONPATH=str(PROJECT_ROOT))
        done = subprocess.run([sys.executable, "-c", script], input=text.encode("utf-8"),
                              capture_output=True, env=env, check=True, cwd=PROJECT_ROOT)
        outputs.add(done.stdout)
    assert outputs == {run_draw(load_draw_input(text)).to_json().encode("utf-8")}


def test_published_draws_stay_reproducible():
    """A change here changes every published draw: bump STREAM_VERSION instead."""
    output = draw(rich_document()).to_json().encode("utf-8")
    assert hashlib.sha256(output).hexdigest() == GOLDEN_OUTPUT_SHA256


GOLDEN_OUTPUT_SHA256 = "f452c958971a41d938156b0d140d6a836e4e96cfd99070de11dea19020573175"


def test_random_stream_follows_its_published_specification():
    def part(text):
        data = text.encode("utf-8")
        return len(data).to_bytes(4, "big") + data

    key = hashlib.sha256(part("careinspect-draw/1") + part("targets") + part("high")
                         + part("种子")).digest()
    block0 = hashlib.sha256(key + (0).to_bytes(8, "big")).digest()
    block1 = hashlib.sha256(key + (1).to_bytes(8, "big")).digest()
    words = [int.from_bytes(b[n:n + 8], "big") for b in (block0, block1) for n in (0, 8, 16, 24)]
    stream = SeededStream("种子", "targets", "high")
    assert [stream.word() for _ in range(8)] == words
    assert SeededStream("种子", "targets", "high").below(10) == words[0] % 10


# --- the digest -------------------------------------------------------------------------

def test_digest_is_the_sha256_of_the_contract_serialisation():
    doc = rich_document()
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert draw(doc).digest == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_digest_is_the_same_however_the_numbers_were_read():
    text = '{"ratios": {"a": 0.07, "b": 1e-2, "c": 1.50}, "n": 10, "名": "值"}'
    assert input_digest(json.loads(text, parse_float=Decimal)) == input_digest(json.loads(text))


def test_extra_fields_are_ignored_but_covered_by_the_digest():
    plain, extended = document(), document(plan="2026 年度抽查计划")
    assert draw(plain).selected == draw(extended).selected
    assert draw(plain).digest != draw(extended).digest


# --- invalid input ----------------------------------------------------------------------

@pytest.mark.parametrize(("change", "problem"), [
    (lambda d: d.pop("seed"), "seed: required"),
    (lambda d: d.update(seed=""), 'seed: must be a non-empty string, not ""'),
    (lambda d: d.update(seed=7), "seed: must be a non-empty string, not 7"),
    (lambda d: d.pop("institutions"), "institutions: required"),
    (lambda d: d.update(institutions={}), "institutions: must be a list of objects, not an object"),
    (lambda d: d["institutions"].append("I9"), "institutions[14]: must be an object, not a string"),
    (lambda d: d["institutions"][3].update(id="I001"),
     'institutions[3].id: duplicate id "I001" (first at institutions[1])'),
    (lambda d: d["institutions"][0].update(id=1), "institutions[0].id: must be a string, not 1"),
    (lambda d: d["institutions"][0].pop("district"), "institutions[0].district: required"),
    (lambda d: d["institutions"][0].update(district=None),
     "institutions[0].district: must be a string, not null"),
    (lambda d: d["institutions"][0].update(risk=["high"]),
     "institutions[0].risk: must be a string, not an array"),
    (lambda d: d.pop("inspectors"), "inspectors: required"),
    (lambda d: d["inspectors"][1].update(id="Ufire-00"),
     'inspectors[1].id: duplicate id "Ufire-00" (first at inspectors[0])'),
    (lambda d: d["inspectors"][0].pop("department"), "inspectors[0].department: required"),
    (lambda d: d["inspectors"][0].update(department="police"),
     'inspectors[0].department: unknown department "police" (expected one of civil_affairs, '
     'fire, market_regulation, health, medical_insurance)'),
    (lambda d: d["inspectors"][0].pop("district"), "inspectors[0].district: required"),
    (lambda d: d["inspectors"][0].update(avoid="I001"),
     "inspectors[0].avoid: must be a list of institution ids, not a string"),
    (lambda d: d["inspectors"][0].update(avoid=["I001", 2]),
     "inspectors[0].avoid[1]: must be a string, not 2"),
    (lambda d: d.pop("departments"), "departments: required"),
    (lambda d: d.update(departments="fire"),
     "departments: must be a list of department codes, not a string"),
    (lambda d: d.update(departments=["fire", "Fire"]), 'departments[1]: unknown department "Fire"'),
    (lambda d: d.update(departments=["fire", "fire"]),
     'departments[1]: duplicate department "fire"'),
    (lambda d: d.pop("ratios"), "ratios: required"),
    (lambda d: d.update(ratios=[0.5]),
     "ratios: must be an object from risk class to ratio, not an array"),
    (lambda d: d.update(ratios={"high": 1.5}), "ratios.high: must be a number in [0, 1], not 1.5"),
    (lambda d: d.update(ratios={"high": -0.1}),
     "ratios.high: must be a number in [0, 1], not -0.1"),
    (lambda d: d.update(ratios={"high": True}),
     "ratios.high: must be a number in [0, 1], not true"),
    (lambda d: d.update(ratios={"high": "0.5"}),
     'ratios.high: must be a number in [0, 1], not "0.5"'),
    (lambda d: d.update(ratios={"high": float("nan")}),
     "ratios.high: must be a number in [0, 1], not NaN"),
    (lambda d: d.update(ratios={"高 风险": 2}), 'ratios["高 风险"]: must be a number in [0, 1], not 2'),
    (lambda d: d.pop("team_per_department"), "team_per_department: required"),
    (lambda d: d.update(team_per_department=0),
     "team_per_department: must be a positive integer, not 0"),
    (lambda d: d.update(team_per_department=1.0),
     "team_per_department: must be a positive integer, not 1.0"),
    (lambda d: d.update(team_per_department=True),
     "team_per_department: must be a positive integer, not true"),
    (lambda d: d.pop("max_per_inspector"), "max_per_inspector: required"),
    (lambda d: d.update(max_per_inspector=-3),
     "max_per_inspector: must be a positive integer, not -3"),
    (lambda d: d.update(avoid_own_district="yes"),
     'avoid_own_district: must be true or false, not "yes"'),
    (lambda d: d.update(avoid_own_district=1), "avoid_own_district: must be true or false, not 1"),
])
def test_each_invalid_input_rule_is_reported_where_it_occurs(change, problem):
    doc = document()
    change(doc)
    assert any(p.startswith(problem) for p in problems_of(doc)), problems_of(doc)


def test_optional_fields_have_their_defaults():
    doc = document()
    doc.pop("avoid_own_district")
    inp = parse_draw_input(doc)
    assert inp.avoid_own_district is False
    assert all(p.avoid == () for p in inp.inspectors)


def test_every_problem_is_reported_at_once():
    doc = document(seed="", team_per_department=0, departments=["police"])
    doc["institutions"][2]["id"] = "I000"
    doc["inspectors"][0]["avoid"] = [None]
    assert problems_of(doc) == [
        'seed: must be a non-empty string, not ""',
        'institutions[2].id: duplicate id "I000" (first at institutions[0])',
        "inspectors[0].avoid[0]: must be a string, not null",
        'departments[0]: unknown department "police" (expected one of civil_affairs, fire, '
        'market_regulation, health, medical_insurance)',
        "team_per_department: must be a positive integer, not 0",
    ]


@pytest.mark.parametrize(("data", "problem"), [
    (b'{"seed": "s",\n  "ratios": {,}}',
     "line 2 column 14: "),
    (b"", "line 1 column 1: "),
    (b'{"seed": "\xff"}', "input: not UTF-8 text ("),
    (b"[" * 100_000 + b"]" * 100_000, "input: nested too deeply"),
    (b"[1]", "input: must be a JSON object, not an array"),
    (b'{"seed": "\\ud800"}', "input: contains '\\ud800', a lone surrogate that has no UTF-8 form"),
    (b'{"n": ' + b"9" * 5000 + b"}", "input: a number is too long to read"),
])
def test_documents_that_are_not_valid_json_objects(data, problem):
    with pytest.raises(InvalidDrawInput) as caught:
        load_draw_input(data)
    assert any(p.startswith(problem) for p in caught.value.problems), caught.value.problems


def test_a_utf8_byte_order_mark_is_tolerated():
    text = json.dumps(document(), ensure_ascii=False).encode("utf-8")
    assert run_draw(load_draw_input(b"\xef\xbb\xbf" + text)) == run_draw(load_draw_input(text))
