"""Working days with the holiday notices (docs/regulations.md, "Working days and public
holidays"): the shipped files, the counting rules, the located problems of a bad file and the
`flask holidays check` command."""
from __future__ import annotations

from datetime import date

import pytest
import yaml

from inspect_app.core import workcalendar
from inspect_app.domain.grading import lifecycle as life
from inspect_app.domain.planning.plans import period_of, working_days
from inspect_app.domain.workdays import WEEKDAYS_ONLY, HolidayError, WorkCalendar, check_years, parse_year

SHIPPED = WorkCalendar(tuple(workcalendar.read(workcalendar.DEFAULT_DIR)[0]))


def test_the_shipped_files_load_without_problems_and_give_the_known_totals():
    years, problems = workcalendar.read(workcalendar.DEFAULT_DIR)
    assert problems == []
    assert {y.year for y in years} >= {2025, 2026}
    # 248 working days in each: 261 weekdays − 18 off + 5 make-up days (2025); 261 − 19 + 6 (2026)
    assert len(SHIPPED.days(date(2025, 1, 1), date(2025, 12, 31))) == 248
    assert len(SHIPPED.days(date(2026, 1, 1), date(2026, 12, 31))) == 248


def test_a_make_up_sunday_is_a_working_day_and_a_holiday_monday_is_not():
    assert SHIPPED.is_working_day(date(2026, 1, 4))          # Sunday, 调休上班
    assert not SHIPPED.is_working_day(date(2026, 10, 5))     # Monday of 国庆
    assert not WEEKDAYS_ONLY.is_working_day(date(2026, 1, 4))
    assert WEEKDAYS_ONLY.is_working_day(date(2026, 10, 5))


def test_a_publicity_across_national_day_skips_the_holiday_and_counts_the_make_up_saturday():
    # 2026-09-30 (Wed) is day 1; 10-01..10-07 off; 10-08, 10-09, 10-10 (Sat, working), 10-12..10-14
    assert life.publicity_end(date(2026, 9, 30), 7, "working", SHIPPED) == date(2026, 10, 14)
    assert life.publicity_end(date(2026, 9, 30), 7, "working") == date(2026, 10, 8)   # Monday–Friday only
    # published on a holiday: the notice starts on the first working day after it
    assert life.publicity_end(date(2026, 10, 3), 1, "working", SHIPPED) == date(2026, 10, 8)


def test_a_count_into_a_year_without_a_notice_is_provisional():
    only_2026 = WorkCalendar(tuple(y for y in SHIPPED.years if y.year == 2026))
    inside = only_2026.last_of(date(2026, 12, 1), 7)
    assert inside.day == date(2026, 12, 9) and not inside.provisional
    across = only_2026.last_of(date(2026, 12, 28), 7)
    assert across.day == date(2027, 1, 5) and across.uncovered == (2027,)


def test_draw_visit_days_skip_the_holidays():
    days = working_days(period_of("monthly", date(2026, 10, 1)), calendar=SHIPPED)
    assert days[:3] == [date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10)]
    assert date(2026, 10, 5) not in days


GOOD = {"year": 2026, "notice": "通知", "issued": "2025-11-04", "status": "confirmed",
        "holidays": [{"name": "元旦", "days_off": ["2026-01-01", "2026-01-03"], "working_days": ["2026-01-04"]}]}


def _problems(data, source="holidays/2026.yaml"):
    with pytest.raises(HolidayError) as caught:
        parse_year(data, source)
    return [str(p) for p in caught.value.problems]


def test_a_bad_file_reports_every_problem_with_its_place():
    assert parse_year(GOOD, "x").days_off == {date(2026, 1, 1), date(2026, 1, 2)}
    bad = {**GOOD, "status": "maybe", "extra": 1,
           "holidays": [{"name": "春节", "days_off": ["2026-02-30", "2026-02-23"], "working_days": ["2026-02-16"]},
                        {"name": "元旦", "days_off": ["2026-01-03", "2026-01-01"]},
                        {"name": "劳动节", "days_off": ["2026-05-01", "2026-05-05"], "working_days": ["2026-05-02"]}]}
    assert _problems(bad) == [
        "holidays/2026.yaml: extra: unknown field",
        "holidays/2026.yaml: status: expected one of confirmed, unconfirmed, got 'maybe'",
        "holidays/2026.yaml: holidays[0].days_off[0]: expected a date YYYY-MM-DD, got '2026-02-30'",
        "holidays/2026.yaml: holidays[0].working_days[0]: 2026-02-16 is a weekday: only a Saturday or Sunday "
        "can be made a working day",
        "holidays/2026.yaml: holidays[1].days_off: the last day 2026-01-01 is before the first 2026-01-03",
        "holidays/2026.yaml: 2026-05-02 is both a day off (劳动节) and a working day (劳动节)",
    ]


def test_a_date_far_from_the_year_and_two_files_for_one_year_are_refused():
    far = {**GOOD, "holidays": [{"name": "国庆", "days_off": ["2027-10-01", "2027-10-03"]}]}
    assert "holidays/2026.yaml: 2027-10-01 is not in 2026 (nor in the days next to it)" in _problems(far)
    one, two = parse_year(GOOD, "a/2026.yaml"), parse_year(GOOD, "b/2026.yaml")
    assert [str(p) for p in check_years([one, two])] == ["b/2026.yaml: 2026 is also given by a/2026.yaml"]


def _write(folder, name, data):
    (folder / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_the_check_command_locates_problems_and_warns_about_a_missing_year(app, tmp_path):
    runner = app.test_cli_runner()
    _write(tmp_path, "2026.yaml", GOOD)
    ok = runner.invoke(args=["holidays", "check", "--folder", str(tmp_path), "--today", "2026-12-01"])
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.startswith("2026: ")
    assert "no holiday notice loaded for 2027" in ok.stderr
    _write(tmp_path, "2025.yaml", GOOD)                      # gives 2026 again, under the wrong name
    bad = runner.invoke(args=["holidays", "check", "--folder", str(tmp_path), "--today", "2026-12-01"])
    assert bad.exit_code == 1
    assert f"problem: {tmp_path.name}/2025.yaml: gives the year 2026: name the file 2026.yaml" in bad.stderr
