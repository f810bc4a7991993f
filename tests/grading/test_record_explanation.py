"""A grade record says which rule decided its level: the thresholds reached, or the level
applied for when the scores reach a higher one (the cap)."""
from __future__ import annotations

CAPPED_ZH = "达到5级的分数要求，但按申请等级（3级）评定"
REACHED_ZH = "5级：该等级的各项分数要求均已达到"


def test_a_record_capped_at_the_level_applied_for_names_the_cap(make, login, grading):
    inst = make.institution()
    application = grading.application(inst, level=3)
    record = grading.record(inst, application=application)          # every item passed: level 5
    assert (record.level, record.explanation["level"]) == (3, 5)
    assert record.explanation["reason"] == "capped"
    assert (record.explanation["awarded_level"], record.explanation["requested_level"]) == (3, 3)
    html = login(make.user("bureau_admin")).get(f"/grading/records/{record.id}").get_data(as_text=True)
    assert CAPPED_ZH in html
    assert REACHED_ZH not in html


def test_a_record_made_before_the_reason_existed_still_names_the_cap(make, login, grading, db):
    inst = make.institution()
    record = grading.record(inst, application=grading.application(inst, level=3))
    record.explanation = {k: v for k, v in record.explanation.items()
                          if k not in ("awarded_level", "requested_level")} | {"reason": "reached"}
    db.session.flush()
    html = login(make.user("bureau_admin")).get(f"/grading/records/{record.id}").get_data(as_text=True)
    assert CAPPED_ZH in html and REACHED_ZH not in html


def test_a_level_reached_within_the_request_says_its_thresholds_are_met(make, login, grading):
    inst = make.institution()
    record = grading.record(inst, application=grading.application(inst, level=5))
    assert (record.level, record.explanation["reason"]) == (5, "reached")
    html = login(make.user("bureau_admin")).get(f"/grading/records/{record.id}").get_data(as_text=True)
    assert REACHED_ZH in html and "按申请等级" not in html


def test_the_record_shows_where_the_thresholds_and_points_come_from(make, login, grading):
    """The bureau decides on a record: the thresholds' source and inconsistency, and the
    project's own split of the points, are shown there (from the record's checklist version)."""
    inst = make.institution()
    record = grading.record(inst, application=grading.application(inst, level=5))
    html = login(make.user("bureau_admin")).get(f"/grading/records/{record.id}").get_data(as_text=True)
    assert "等级门槛的来源与说明：" in html and "长沙" in html and "自相矛盾" in html
    assert "七项前置条件不计分" in html
