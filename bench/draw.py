"""Benchmark of the 双随机 draw (docs/commands.md, "draw") at national scale.

50,000 institutions (risk mix 5% high, 15% medium-high, 40% medium, 40% low; ratios 30% /
10% / 2% / 1% as in the risk-based example of docs/regulations.md, "Risk classes and
sampling ratios"), 2,000 inspectors in 4 departments
spread over 16 districts, 0–5 conflicts of interest each in their ``avoid`` lists,
``avoid_own_district`` true, teams of 2 per department.

Two scenarios, each timing ``run_draw`` (best of 3) against a bare ``random.sample`` of the
same number of targets in the same run, printing both and the ratio:

- *routine*: the risk-based ratios above, inspectors' capacity about 1.2 × what the teams
  need;
- *census*: every institution drawn (the yearly on-site visit of each institution), with
  exactly as many places as the teams need, so the random pass leaves gaps that only the
  augmenting paths can fill.

Target: ``run_draw`` well under 5 s.

Run from the project root: ``.venv/bin/python bench/draw.py``
"""
from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inspect_app.domain.draw.run import load_draw_input, run_draw  # noqa: E402

INSTITUTIONS = 50_000
INSPECTORS = 2_000
DEPARTMENTS = ["civil_affairs", "fire", "market_regulation", "health"]
DISTRICTS = [f"D{n:02}" for n in range(16)]
RISK_MIX = {"high": 0.05, "medium_high": 0.15, "medium": 0.40, "low": 0.40}
RATIOS = {"high": 0.3, "medium_high": 0.1, "medium": 0.02, "low": 0.01}
TEAM = 2
TARGET_SECONDS = 5.0
REPEATS = 3
RUN_ALL: list[str] = []          # bench/run_all.py runs it as it is


def build_document(max_per_inspector: int, ratios: dict, seed: str) -> dict:
    """A synthetic but realistic input; the generator is seeded so every run is the same."""
    rng = random.Random(20260101)
    risks = list(RISK_MIX)
    institutions = [
        {"id": f"I{n:05}", "district": rng.choice(DISTRICTS),
         "risk": rng.choices(risks, weights=list(RISK_MIX.values()))[0]}
        for n in range(INSTITUTIONS)
    ]
    inspectors = [
        {"id": f"U{n:04}", "department": DEPARTMENTS[n % len(DEPARTMENTS)],
         "district": rng.choice(DISTRICTS),
         "avoid": [f"I{rng.randrange(INSTITUTIONS):05}" for _ in range(rng.randrange(6))]}
        for n in range(INSPECTORS)
    ]
    return {"seed": seed, "institutions": institutions, "inspectors": inspectors,
            "departments": DEPARTMENTS, "ratios": ratios, "team_per_department": TEAM,
            "max_per_inspector": max_per_inspector, "avoid_own_district": True}


def best_of(repeats: int, action) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def scenario(name: str, max_per_inspector: int, ratios: dict) -> bool:
    document = build_document(max_per_inspector, ratios, seed=f"bench-{name}")
    text = json.dumps(document, ensure_ascii=False).encode("utf-8")
    inp = load_draw_input(text)
    result = run_draw(inp)
    targets = len(result.selected)
    need = targets * TEAM
    room = INSPECTORS // len(DEPARTMENTS) * max_per_inspector
    parse = best_of(REPEATS, lambda: load_draw_input(text))
    draw = best_of(REPEATS, lambda: run_draw(inp))
    population = range(INSTITUTIONS)
    baseline = best_of(REPEATS, lambda: random.sample(population, targets))
    verdict = "ok" if draw < TARGET_SECONDS else "TOO SLOW"
    print(f"{name}: {targets} targets, {need} places per department for {room} "
          f"({need / room:.0%} of capacity)")
    print(f"  parse + digest          {parse * 1000:9.1f} ms")
    print(f"  run_draw (best of {REPEATS})    {draw * 1000:9.1f} ms   [{verdict}: target < "
          f"{TARGET_SECONDS:.0f} s]")
    print(f"  random.sample baseline  {baseline * 1000:9.3f} ms")
    print(f"  ratio run_draw / random.sample: {draw / baseline:,.0f}x")
    print(f"SUMMARY: draw, {name}, {INSTITUTIONS:,} institutions → {targets:,} targets | "
          f"{draw * 1000:,.0f} ms | random.sample {baseline * 1000:.3f} ms | {draw / baseline:,.0f}× | < 5 s")
    return draw < TARGET_SECONDS


def main() -> int:
    print(f"{INSTITUTIONS:,} institutions, {INSPECTORS:,} inspectors in {len(DEPARTMENTS)} "
          f"departments, {len(DISTRICTS)} districts, team {TEAM}, avoid_own_district true")
    ok = scenario("routine", max_per_inspector=10, ratios=RATIOS)
    everyone = {risk: 1 for risk in RISK_MIX}
    census_load = INSTITUTIONS * TEAM // (INSPECTORS // len(DEPARTMENTS))
    ok = scenario("census", max_per_inspector=census_load, ratios=everyone) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
