"""Benchmark: batch grading of a province's answers, as whole processes.

Generates, in a temporary directory, a 200-item star-grading checklist (GB/T 37276 shape:
环境 120, 设施设备 130, 运营管理 150, 服务 600) and a CSV of 5,000 institutions × 200 items =
1,000,000 answers with realistic answer mixes, then times in the same run, best of 3 each:

* baseline — ``python -c``: ``pandas.read_csv`` of the same file, the value column made
  numeric (``to_numeric(errors="coerce")``, the answers are words and numbers), then
  ``groupby("target")["value"].sum()``;
* strict baseline — the same without the numeric conversion (``groupby(...).count()``);
* grade — ``python -m flask --app wsgi grade --checklist X --responses-csv CSV > /dev/null``.

Prints each time, the ratios (target: grade ≤ 1.5 × baseline) and each child's peak RSS.
Run from the project root: ``.venv/bin/python bench/grade_csv.py``.
"""
from __future__ import annotations

import os
import random
import compileall
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
TARGETS, RUNS = 5_000, 3
RUN_ALL: list[str] = []          # bench/run_all.py runs it as it is
# (section id, title, [(number of items, points each)]) — 200 items, 1000 points.
SECTIONS = [
    ("environment", "环境", [(30, 4)]),
    ("facilities", "设施设备", [(30, 3), (10, 4)]),
    ("operations", "运营管理", [(30, 4), (10, 3)]),
    ("services", "服务", [(60, 7), (30, 6)]),
]
LEVELS = [(1, 360, 0.4), (2, 450, 0.5), (3, 570, 0.6), (4, 780, 0.8), (5, 900, 0.9)]
BASELINE = ("import pandas, sys; df = pandas.read_csv(sys.argv[1]); "
            "df['value'] = pandas.to_numeric(df['value'], errors='coerce'); "
            "df.groupby('target')['value'].sum()")
STRICT_BASELINE = ("import pandas, sys; df = pandas.read_csv(sys.argv[1]); "
                   "df.groupby('target')['value'].count()")


def build_checklist(rng: random.Random) -> tuple[str, list[dict]]:
    """The checklist YAML text and its items (id, type, points, veto, na, bounds)."""
    items, lines = [], ['id: bench-star', 'version: "2026.1"', "title: 养老机构等级评定（基准）",
                        "department: civil_affairs", "kind: grading", "sections:"]
    for section_id, title, groups in SECTIONS:
        lines += [f"  - id: {section_id}", f"    title: {title}", "    items:"]
        number = 0
        for count, points in groups:
            for _ in range(count):
                number += 1
                item = {"id": f"{section_id[:3].upper()}-{number:02d}", "points": points,
                        "type": rng.choices(["check", "scale", "measure"], [6, 3, 1])[0],
                        "veto": False, "na": True}
                fields = [f"id: {item['id']}", "text: 检查项", f"type: {item['type']}",
                          f"points: {points}"]
                if item["type"] == "check" and rng.random() < 0.05:
                    item.update(veto=True, na=False)
                    fields += ["veto: true", "na: false", "severity: critical"]
                elif item["type"] == "scale":
                    item["step"] = rng.choice([0.5, 1])
                    fields += [f"step: {item['step']}", f"pass_min: {points / 2}"]
                elif item["type"] == "measure":
                    item["min"], item["max"] = rng.choice([(90, None), (18, 26), (None, 5)])
                    fields.append("unit: '%'")
                    fields += [f"{k}: {item[k]}" for k in ("min", "max") if item[k] is not None]
                lines.append("      - {" + ", ".join(fields) + "}")
                items.append(item)
    lines.append("levels:")
    maxima = {sid: sum(c * p for c, p in groups) for sid, _, groups in SECTIONS}
    for level, total, share in LEVELS:
        minima = ", ".join(f"{sid}: {round(m * share)}" for sid, m in maxima.items())
        lines.append(f"  - {{level: {level}, min_total: {total}, min_sections: {{{minima}}}}}")
    return "\n".join(lines) + "\n", items


def answer(item: dict, rng: random.Random) -> str:
    """A realistic answer: mostly passing, some failures, a few not applicable."""
    roll = rng.random()
    if item["na"] and roll < 0.04:
        return "na"
    if item["type"] == "check":
        return "fail" if roll < (0.005 if item["veto"] else 0.12) else "pass"
    if item["type"] == "scale":
        steps = int(item["points"] / item["step"])
        value = max(0, steps - int(rng.expovariate(0.6))) * item["step"]
        return f"{value:g}"
    low, high = item["min"], item["max"]
    if low is not None and high is not None:
        return f"{rng.gauss((low + high) / 2, 2.5):.1f}"
    return f"{rng.gauss(95, 4):.1f}" if low is not None else str(rng.choice([0, 1, 2, 3, 6]))


def write_answers(path: Path, items: list[dict], rng: random.Random) -> None:
    targets = [f"52330100{rng.randrange(10**9, 10**10)}" for _ in range(TARGETS)]
    with path.open("w", encoding="utf-8") as out:
        out.write("target,item,value\n")
        for target in targets:
            out.write("".join(f"{target},{item['id']},{answer(item, rng)}\n" for item in items))


def run(command: list[str], stdout) -> tuple[float, int]:
    """Wall time (s) and peak RSS (KiB) of one child process; fails loudly on a non-zero exit."""
    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=PROJECT, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            stderr.seek(0)
            message = stderr.read().decode("utf-8", "replace")[-2000:]
            raise SystemExit(f"{' '.join(command[:6])} … exited {child.returncode}:\n{message}")
    return elapsed, usage.ru_maxrss


def main() -> None:
    rng = random.Random(20260101)
    python = sys.executable
    # Measure as deployed: the project's bytecode compiled (pip does this for installed code; a
    # shell with PYTHONDONTWRITEBYTECODE=1 would otherwise recompile ~100 modules per start).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    compileall.compile_dir(str(PROJECT / "inspect_app"), quiet=1)
    with tempfile.TemporaryDirectory(prefix="grade-bench-") as tmp:
        checklist_path, csv_path = Path(tmp, "star.yaml"), Path(tmp, "answers.csv")
        text, items = build_checklist(rng)
        checklist_path.write_text(text, encoding="utf-8")
        write_answers(csv_path, items, rng)
        size = csv_path.stat().st_size / 1e6
        print(f"answers: {TARGETS:,} targets × {len(items)} items = {TARGETS * len(items):,} rows, "
              f"{size:.1f} MB")
        commands = {
            "baseline": [python, "-c", BASELINE, str(csv_path)],
            "strict baseline": [python, "-c", STRICT_BASELINE, str(csv_path)],
            "grade": [python, "-m", "flask", "--app", "wsgi", "grade",
                      "--checklist", str(checklist_path), "--responses-csv", str(csv_path)],
        }
        output = Path(tmp, "grades.jsonl")
        with output.open("wb") as sink:                       # warm-up and correctness check
            run(commands["grade"], sink)
        lines = output.read_text(encoding="utf-8").count("\n")
        assert lines == TARGETS, f"expected {TARGETS} JSON lines, got {lines}"
        best: dict[str, tuple[float, int]] = {}
        with open(os.devnull, "wb") as devnull:
            for _ in range(RUNS):
                for name, command in commands.items():
                    seconds, rss = run(command, devnull)
                    if name not in best or seconds < best[name][0]:
                        best[name] = (seconds, max(rss, best.get(name, (0, 0))[1]))
                    else:
                        best[name] = (best[name][0], max(rss, best[name][1]))
    for name, (seconds, rss) in best.items():
        print(f"{name:16s} {seconds:6.3f} s   peak RSS {rss / 1024:7.1f} MiB")
    grade = best["grade"][0]
    print(f"ratio grade / baseline        = {grade / best['baseline'][0]:.2f}  (target ≤ 1.5)")
    print(f"ratio grade / strict baseline = {grade / best['strict baseline'][0]:.2f}")
    print(f"SUMMARY: `grade --responses-csv`, {TARGETS * 200:,} answers | {grade:.2f} s | read_csv + "
          f"to_numeric + groupby {best['baseline'][0]:.2f} s | {grade / best['baseline'][0]:.2f}× | ≤ 1.5×")


if __name__ == "__main__":
    main()
