"""Run every benchmark that takes part, and write the dated summary into ``bench/results/``.

    .venv/bin/python bench/run_all.py [--only NAME,NAME] [--skip NAME,NAME] [--list]

A benchmark takes part by declaring, at the top level of its script, the arguments this run
gives it (bench/README.md, "Taking part in the one-command run"):

    RUN_ALL: list[str] = []                    # its defaults
    RUN_ALL: list[str] = ["--sizes", "5000"]   # or shorter settings

The declaration is read from the script's text (nothing is imported), each benchmark runs as
its own process from the project root (``python bench/NAME.py *RUN_ALL``) with its output shown
as it comes, and every line it prints as

    SUMMARY: what | figure | baseline, same run | ratio | target

becomes a row of the summary's table (the README's performance table is copied from it). The
summary also keeps each benchmark's whole output, its exit status and how long it ran. Exit 1
when any benchmark exited non-zero (a benchmark does when it misses a target or fails).
"""
from __future__ import annotations

import argparse
import ast
import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
RESULTS = BENCH / "results"
MARK = "SUMMARY:"


def declared_arguments(path: Path) -> list[str] | None:
    """The ``RUN_ALL`` list of a script (``None`` when it does not take part)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None
    for node in tree.body:
        if isinstance(node, ast.Assign):
            names, value = [t.id for t in node.targets if isinstance(t, ast.Name)], node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names, value = [node.target.id], node.value
        else:
            continue
        if "RUN_ALL" in names and value is not None:
            arguments = ast.literal_eval(value)
            if not isinstance(arguments, list) or not all(isinstance(a, str) for a in arguments):
                raise SystemExit(f"{path.name}: RUN_ALL must be a list of strings")
            return arguments
    return None


def discover() -> dict[str, list[str]]:
    """name → arguments, for every ``bench/*.py`` that declares ``RUN_ALL``, by name."""
    found = {}
    for path in sorted(BENCH.glob("*.py")):
        if path.name == Path(__file__).name or path.name.startswith("_"):
            continue
        arguments = declared_arguments(path)
        if arguments is not None:
            found[path.stem] = arguments
    return found


def run(name: str, arguments: list[str]) -> tuple[int, float, list[str]]:
    """Run one benchmark, echoing its output; (exit status, seconds, output lines)."""
    command = [sys.executable, "-u", str(BENCH / f"{name}.py"), *arguments]
    print(f"\n=== {name}: {' '.join(['bench/' + name + '.py', *arguments])}", flush=True)
    lines: list[str] = []
    start = time.perf_counter()
    with subprocess.Popen(command, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, encoding="utf-8", errors="replace",
                          env={**os.environ, "PYTHONUNBUFFERED": "1"}) as child:
        for line in child.stdout:
            print(line, end="", flush=True)
            lines.append(line.rstrip("\n"))
    return child.returncode, time.perf_counter() - start, lines


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 ** 2:.0f} GiB memory"
    except (OSError, ValueError, IndexError):
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = ", load average {:.2f} at start".format(os.getloadavg()[0])
    return f"{os.cpu_count()} cores ({cpu}){memory}, Python {platform.python_version()}{load}"


def commit() -> str:
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT,
                              capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=PROJECT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return done.stdout.strip() + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def summary_rows(name: str, lines: list[str]) -> list[list[str]]:
    rows = []
    for line in lines:
        if line.startswith(MARK):
            cells = [cell.strip() for cell in line[len(MARK):].split("|")]
            rows.append([name] + (cells + [""] * 5)[:5])
    return rows


def summary_path(started: datetime, partial: list[str] | None = None) -> Path:
    """``bench/results/<date>.md`` for a run of every benchmark; a run of some of them
    (``--only``/``--skip``) writes ``<date>-<their names>.md`` and never replaces the day's
    full summary."""
    suffix = "-" + "-".join(partial) if partial else ""
    return RESULTS / f"{started:%Y-%m-%d}{suffix}.md"


def write_summary(started: datetime, machine_text: str, commit_text: str,
                  results: dict[str, tuple[list[str], int, float, list[str]]],
                  partial: list[str] | None = None) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = summary_path(started, partial)
    command = "bench/run_all.py" + (f" --only {','.join(partial)}" if partial else "")
    out = [f"# Benchmarks, {started:%Y-%m-%d %H:%M} UTC", "",
           f"- commit {commit_text}", f"- machine: {machine_text}",
           f"- run with `.venv/bin/python {command}`; each figure beside its baseline "
           "measured in the same run (bench/README.md)", "",
           "| benchmark | what | figure | baseline, same run | ratio | target |",
           "|---|---|---|---|---|---|"]
    for name, (_, status, _, lines) in results.items():
        rows = summary_rows(name, lines)
        if status != 0:
            rows.append([name, f"**exit {status}**: a target missed or an error (its output below)",
                         "", "", "", ""])
        elif not rows:
            rows.append([name, "see its output below", "", "", "", ""])
        out += ["| " + " | ".join(row) + " |" for row in rows]
    for name, (arguments, status, seconds, lines) in results.items():
        out += ["", f"## {name}", "",
                f"`.venv/bin/python {' '.join(['bench/' + name + '.py', *arguments])}` — exit {status}, "
                f"{seconds:,.0f} s", "", "```", *lines, "```"]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated names: run only these")
    parser.add_argument("--skip", default="", help="comma-separated names: leave these out")
    parser.add_argument("--list", action="store_true", help="list the benchmarks taking part and stop")
    args = parser.parse_args()
    found = discover()
    only = {n.strip() for n in args.only.split(",") if n.strip()}
    skip = {n.strip() for n in args.skip.split(",") if n.strip()}
    unknown = (only | skip) - set(found)
    if unknown:
        parser.error(f"not a benchmark taking part: {', '.join(sorted(unknown))} "
                     f"(taking part: {', '.join(found)})")
    chosen = {n: a for n, a in found.items() if (not only or n in only) and n not in skip}
    if args.list:
        for name, arguments in chosen.items():
            print(" ".join([f"bench/{name}.py", *arguments]))
        return 0
    started = datetime.now(timezone.utc)
    machine_text, commit_text = machine(), commit()
    partial = list(chosen) if set(chosen) != set(found) else None
    results = {}
    for name, arguments in chosen.items():
        status, seconds, lines = run(name, arguments)
        results[name] = (arguments, status, seconds, lines)
        write_summary(started, machine_text, commit_text, results, partial)     # kept as it goes
    path = write_summary(started, machine_text, commit_text, results, partial)
    print(f"\nsummary written to {path.relative_to(PROJECT)}")
    failed = [n for n, (_, status, _, _) in results.items() if status != 0]
    if failed:
        print(f"exited non-zero (a target missed or an error): {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
