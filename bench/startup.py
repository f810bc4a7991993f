"""Benchmark: start-up of the commands on files (docs/commands.md), as bureau scripts run them.

Each command is a whole process, timed wall-clock like ``hyperfine`` (warm-up runs, then
``--runs`` runs of each command interleaved; mean ± σ, median, min…max), beside the floor
measured in the same run: a bare ``python -c "import pandas, numpy"``.

* ``flask --app wsgi grade --checklist checklists/fire-safety.yaml --responses one.json`` —
  one 31-item responses file (generated: every item passed or within bounds);
* ``flask --app wsgi checklist validate checklists/*.yaml`` — the catalogue's files;
* ``flask --app wsgi draw --input draw.json`` — a real draw: 60 institutions, 20 inspectors;
* for reference, ``python -c "import wsgi"``: building the whole web application.

Every run must exit 0 with its output; a failure stops the benchmark. Target: each command
within 0.3 s of the bare import (the "above floor" column).

Run from the project root: ``.venv/bin/python bench/startup.py [--runs 15]``
"""
from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
RUN_ALL: list[str] = []          # bench/run_all.py runs it with the defaults
TARGET_ABOVE_FLOOR = 0.3


def responses(checklist_path: Path) -> dict:
    """A complete, valid set of answers for the checklist: every check passed, every scale
    at full points, every measure inside its bounds."""
    sys.path.insert(0, str(PROJECT))
    from inspect_app.domain.checklist.model import load_checklist_file
    checklist = load_checklist_file(str(checklist_path))
    answers = {}
    for item in checklist.items:
        if item.type == "check":
            answers[item.id] = "pass"
        elif item.type == "scale":
            answers[item.id] = float(item.points)
        else:
            bounds = [b for b in (item.min, item.max) if b is not None]
            answers[item.id] = float(sum(bounds) / len(bounds)) if bounds else 0
    return {"checklist": checklist.id, "responses": answers}


def draw_input() -> dict:
    departments = ["civil_affairs", "fire"]
    return {"seed": "bench-startup",
            "institutions": [{"id": f"I{n:03d}", "district": "AB"[n % 2],
                              "risk": ("high", "medium", "low")[n % 3]} for n in range(60)],
            "inspectors": [{"id": f"U{n:02d}", "department": departments[n % 2], "district": "AB"[n % 2]}
                           for n in range(20)],
            "departments": departments, "ratios": {"high": 0.5, "medium": 0.2, "low": 0.05},
            "team_per_department": 1, "max_per_inspector": 5, "avoid_own_district": False}


def flask_command() -> list[str]:
    """The ``flask`` program next to this Python (as the README runs it), else ``-m flask``."""
    program = Path(sys.executable).with_name("flask")
    return [str(program)] if program.exists() else [sys.executable, "-m", "flask"]


def run_once(command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0 or (not done.stdout and "-c" not in command):
        raise SystemExit(f"{' '.join(command)}: exit {done.returncode}\n"
                         f"{done.stderr.decode('utf-8', 'replace')[-2000:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each command")
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    # Measure as deployed: bytecode compiled (pip does this for installed code).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    compileall.compile_dir(str(PROJECT / "inspect_app"), quiet=1)
    flask = flask_command() + ["--app", "wsgi"]
    with tempfile.TemporaryDirectory(prefix="startup-bench-") as tmp:
        checklist = PROJECT / "checklists" / "fire-safety.yaml"
        one, draw = Path(tmp, "one.json"), Path(tmp, "draw.json")
        one.write_text(json.dumps(responses(checklist)), encoding="utf-8")
        draw.write_text(json.dumps(draw_input()), encoding="utf-8")
        catalogue = sorted(str(p.relative_to(PROJECT)) for p in (PROJECT / "checklists").glob("*.yaml"))
        commands = {
            "bare import pandas, numpy": [sys.executable, "-c", "import pandas, numpy"],
            "grade (one responses file)": flask + ["grade", "--checklist", str(checklist), "--responses", str(one)],
            f"checklist validate ({len(catalogue)} files)": flask + ["checklist", "validate", *catalogue],
            "draw (60 institutions)": flask + ["draw", "--input", str(draw)],
            "import wsgi (web application)": [sys.executable, "-c", "import wsgi"],
        }
        for _ in range(args.warmup):
            for command in commands.values():
                run_once(command)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(run_once(command))
    floor = statistics.median(times["bare import pandas, numpy"])
    print(f"{args.runs} runs each after {args.warmup} warm-up runs, interleaved; "
          f"Python {sys.version.split()[0]}")
    print("| command | mean ± σ | median | min … max | above floor (median) | target |")
    print("|---|---:|---:|---:|---:|---|")
    failed = False
    for name, samples in times.items():
        median = statistics.median(samples)
        mean, sigma = statistics.mean(samples), statistics.stdev(samples) if len(samples) > 1 else 0.0
        is_floor, is_reference = name.startswith("bare"), name.startswith("import wsgi")
        above = "floor" if is_floor else f"{median - floor:+.3f} s"
        target = "" if is_floor or is_reference else (
            "met" if median - floor <= TARGET_ABOVE_FLOOR else "NOT met")
        failed |= target == "NOT met"
        print(f"| {name} | {mean:.3f} ± {sigma:.3f} s | {median:.3f} s | "
              f"{min(samples):.3f} … {max(samples):.3f} s | {above} | {target} |")
    for name, samples in times.items():
        if name.startswith("bare"):
            continue
        median = statistics.median(samples)
        target = "—" if name.startswith("import wsgi") else f"≤ floor + {TARGET_ABOVE_FLOOR} s"
        print(f"SUMMARY: start-up, `{name}` | {median:.3f} s | bare `import pandas, numpy` "
              f"{floor:.3f} s | {median / floor:.2f}× ({median - floor:+.3f} s) | {target}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
