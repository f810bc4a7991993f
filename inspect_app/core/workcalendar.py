"""The holiday calendar (``policies/holidays/<year>.yaml``, one file per year), read when first
used and cached until a file is added, removed or changed. ``HOLIDAY_DIR`` in the config names
another folder. The rules are pure (:mod:`inspect_app.domain.workdays`); this module only reads
the files, so every feature that counts working days asks :func:`calendar` for the same data."""
from __future__ import annotations

import logging
import threading
from datetime import date
from pathlib import Path

from flask import current_app

from ..config import PROJECT_ROOT
from ..domain.workdays import Count, HolidayError, HolidayYear, Problem, WorkCalendar, check_years, parse_year

DEFAULT_DIR = PROJECT_ROOT / "policies" / "holidays"
log = logging.getLogger(__name__)

_lock = threading.Lock()
_cache: dict[str, tuple[tuple, WorkCalendar]] = {}


def folder() -> Path:
    try:
        configured = current_app.config.get("HOLIDAY_DIR")
    except RuntimeError:           # outside an app (benchmarks, scripts)
        configured = None
    return Path(configured) if configured else DEFAULT_DIR


def read(path: Path | None = None) -> tuple[list[HolidayYear], list[Problem]]:
    """Every year file of the folder and every problem found in them (each with its place)."""
    import yaml
    path = path or folder()
    years: list[HolidayYear] = []
    problems: list[Problem] = []
    if not path.is_dir():
        return [], [Problem(str(path), "the holiday folder does not exist")]
    for file in sorted(path.glob("*.yaml")):
        name = f"{path.name}/{file.name}"
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except OSError as exc:
            problems.append(Problem(name, f"cannot be read: {exc.strerror or exc}"))
            continue
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"{name}: line {mark.line + 1}" if mark else name
            problems.append(Problem(where, str(getattr(exc, "problem", exc))))
            continue
        try:
            year = parse_year(data, name)
        except HolidayError as exc:
            problems.extend(exc.problems)
            continue
        if file.stem != str(year.year):
            problems.append(Problem(name, f"gives the year {year.year}: name the file {year.year}.yaml"))
            continue
        years.append(year)
    problems.extend(check_years(years))
    return years, problems


def _stamp(path: Path) -> tuple:
    try:
        return tuple(sorted((f.name, f.stat().st_mtime) for f in path.glob("*.yaml")))
    except OSError:
        return ()


def calendar() -> WorkCalendar:
    """The working-day calendar of the loaded notices; a broken file raises
    :class:`HolidayError` with every problem located."""
    path = folder()
    stamp = _stamp(path)
    cached = _cache.get(str(path))
    if cached and cached[0] == stamp:
        return cached[1]
    with _lock:
        years, problems = read(path)
        if problems:
            raise HolidayError(problems)
        loaded = WorkCalendar(tuple(years))
        _cache[str(path)] = (stamp, loaded)
    return loaded


def noted(count: Count, what: str) -> Count:
    """Log a count that used a year without a notice (Monday–Friday only), so the missing
    year shows in the logs as well as on the page that shows the date."""
    if count.provisional:
        log.warning("%s counted without a holiday notice for %s (Monday to Friday only): %s",
                    what, ", ".join(map(str, count.uncovered)), count.day.isoformat())
    return count


def uncovered_soon(today: date) -> list[int]:
    """This year and next year when no notice is loaded for them (the next year's notice is
    usually published in November)."""
    cal = calendar()
    return [y for y in (today.year, today.year + 1) if not cal.covers(y)]
