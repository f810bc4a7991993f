"""The 公示 counts working days with the holiday notices (docs/regulations.md, "Working days and
public holidays"); a 公示 counted into a year without a notice says so when it is published."""
from __future__ import annotations

from datetime import date, datetime, timezone

import time_machine

from tests.grading.conftest import GradingMaker


def at(y, m, d):
    return time_machine.travel(datetime(y, m, d, 2, 0, tzinfo=timezone.utc), tick=False)  # 10:00 Beijing


def _publish(make, login, db, name):
    record = GradingMaker(db, make).record(make.institution(name=name))
    db.session.commit()
    bureau = login(make.user("bureau_admin"))
    response = bureau.post(f"/grading/records/{record.id}/publish", {}, token_from=f"/grading/records/{record.id}")
    assert response.status_code == 302
    db.session.refresh(record)
    return record, bureau.get(response.headers["Location"]).get_data(as_text=True)


def test_a_publicity_over_national_day_skips_the_holiday(make, login, db):
    with at(2026, 9, 30):
        record, page = _publish(make, login, db, "国庆公示养老院")
    assert (record.publicity_start, record.publicity_end) == (date(2026, 9, 30), date(2026, 10, 14))
    assert "节假日安排" not in page


def test_a_publicity_into_a_year_without_a_notice_is_flagged_provisional(make, login, db):
    with at(2026, 12, 28):
        record, page = _publish(make, login, db, "跨年公示养老院")
    assert record.publicity_end == date(2027, 1, 5)
    assert "尚未载入 2027 年的节假日安排" in page
