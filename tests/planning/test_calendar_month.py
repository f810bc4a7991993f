"""The month calendar: a grid of the month's weeks, previous/next month keeping the filters,
entries that open their visit (every link answers 200 for the viewer), filters by department,
district and inspector, and nothing of another department."""
from __future__ import annotations

import re
from datetime import date, timedelta

from inspect_app.inspections.services import create_visit
from inspect_app.planning import calendar
from tests.factories import with_partners


def _visit(institution, day, **teams):
    return create_visit(None, institution.id, day, {d: [u.id for u in us] for d, us in with_partners(teams).items()},
                        purpose="random")


def test_month_grid_covers_whole_weeks():
    weeks_first = date(2026, 11, 1)                  # a Sunday: the grid starts on Monday 26 October
    assert calendar.shift_month(weeks_first, -1) == date(2026, 10, 1)
    assert calendar.shift_month(date(2026, 12, 1), 1) == date(2027, 1, 1)
    assert calendar.parse_month("2026-02", date(2026, 5, 5)) == date(2026, 2, 1)
    assert calendar.parse_month(None, date(2026, 5, 5)) == date(2026, 5, 1)


def test_month_shows_the_viewers_visits_with_links_that_open_and_filters(make, login):
    fire_a, fire_b = make.user("inspector", department="fire", name="消防甲"), make.user("inspector", department="fire")
    health = make.user("inspector", department="health")
    east = make.institution(name="东区养老院", district="东区")
    west = make.institution(name="西区养老院", district="西区")
    mine = _visit(east, date(2026, 11, 10), fire=[fire_a])
    other = _visit(west, date(2026, 11, 11), fire=[fire_b])
    health_only = _visit(west, date(2026, 11, 12), health=[health])
    _visit(east, date(2026, 12, 1), fire=[fire_a])                     # shown in the grid's last week

    admin = login(make.user("department_admin", department="fire"))
    response = admin.get("/planning/calendar/month?month=2026-11")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count('data-day="') == 42                             # 26 Oct – 6 Dec
    assert 'data-day="2026-10-26"' in html and 'data-day="2026-12-06"' in html
    assert f'data-visit-id="{mine.id}"' in html and f'data-visit-id="{other.id}"' in html
    assert f'data-visit-id="{health_only.id}"' not in html             # another department's visit
    links = set(re.findall(r'href="(/inspections/visits/[0-9]+)"', html))
    assert len(links) == 3 and all(admin.get(link).status_code == 200 for link in links)
    assert "month=2026-10" in html and "month=2026-12" in html

    filtered = admin.get(f"/planning/calendar/month?month=2026-11&district=%E4%B8%9C%E5%8C%BA&inspector={fire_a.id}")
    text = filtered.get_data(as_text=True)
    assert f'data-visit-id="{mine.id}"' in text and f'data-visit-id="{other.id}"' not in text
    assert f"month=2026-12&amp;district=%E4%B8%9C%E5%8C%BA&amp;inspector={fire_a.id}" in text   # next month keeps them
    by_department = login(make.user("bureau_admin")).get("/planning/calendar/month?month=2026-11&department=health")
    assert f'data-visit-id="{health_only.id}"' in by_department.get_data(as_text=True)
    assert f'data-visit-id="{mine.id}"' not in by_department.get_data(as_text=True)

    inspector = login(fire_a).get("/planning/calendar/month?month=2026-11").get_data(as_text=True)
    assert f'data-visit-id="{mine.id}"' in inspector and f'data-visit-id="{other.id}"' not in inspector


def test_a_busy_day_links_the_rest_to_the_visit_list(make, login):
    fire = make.user("inspector", department="fire")
    day = date(2026, 3, 18)
    for n in range(calendar.PER_DAY + 2):
        _visit(make.institution(name=f"忙碌养老院{n}"), day, fire=[fire])
    browser = login(make.user("bureau_admin"))
    html = browser.get("/planning/calendar/month?month=2026-03").get_data(as_text=True)
    more = re.search(r'class="more" href="([^"]+)"', html)
    assert more and "date_from=2026-03-18" in more.group(1)
    listing = browser.get(more.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert listing.count("data-visit-id=") == calendar.PER_DAY + 2


def test_an_odd_month_or_filter_shows_this_month_with_a_message(make, login):
    browser = login(make.user("bureau_admin"))
    for month in ("2026-13", "0001-01", "２０２６-01", "garbage"):
        response = browser.get(f"/planning/calendar/month?month={month}")
        assert response.status_code == 200
        assert "There is no such month" in response.get_data(as_text=True) or "没有这个月" in response.get_data(as_text=True)
    html = browser.get("/planning/calendar/month?inspector=abc&district=nowhere").get_data(as_text=True)
    assert "list-problems" in html


def test_week_view_filters_and_links_visits_too(make, login):
    fire = make.user("inspector", department="fire")
    monday = date(2026, 11, 23)
    east = _visit(make.institution(district="东区"), monday, fire=[fire])
    west = _visit(make.institution(district="西区"), monday + timedelta(days=1), fire=[fire])
    html = login(make.user("bureau_admin")).get(
        "/planning/calendar?week=2026-W48&district=%E8%A5%BF%E5%8C%BA").get_data(as_text=True)
    assert f'href="/inspections/visits/{west.id}"' in html and f"/inspections/visits/{east.id}" not in html
    assert "week=2026-W49&amp;district=%E8%A5%BF%E5%8C%BA" in html
