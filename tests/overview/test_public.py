"""一公开 of inspection results: the publication delay (working days, controlled clock), the
public pages and files, and that no personal data reaches them."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from inspect_app.domain.bureau import LOCAL_ZONE
from inspect_app.extensions import db as _db
from inspect_app.inspections.models import Inspection
from tests.overview.conftest import T0


def _at(day: str, hour: int = 9) -> datetime:
    """A local (Beijing) moment."""
    return datetime.fromisoformat(f"{day}T{hour:02d}:00").replace(tzinfo=LOCAL_ZONE).astimezone(timezone.utc)


def _published_ids(client) -> list[int]:
    rows = json.loads(client.get("/public/inspections.json").get_data())["rows"]
    return sorted(r["id"] for r in rows)


def test_results_appear_twenty_working_days_after_submission(client, world):
    first, second, third = world.inspections         # submitted 03-02, 03-02, 03-09 (Mondays)
    with time_machine.travel(_at("2026-03-27", 23), tick=False):   # Friday: 19 working days after 03-02
        assert _published_ids(client) == []
    with time_machine.travel(_at("2026-03-30", 0), tick=False):    # Monday: the 20th working day
        assert _published_ids(client) == [first, second]
    with time_machine.travel(_at("2026-04-03"), tick=False):
        assert _published_ids(client) == [first, second]
    with time_machine.travel(_at("2026-04-06"), tick=False):      # 清明 (policies/holidays/2026.yaml)
        assert _published_ids(client) == [first, second]
    with time_machine.travel(_at("2026-04-07"), tick=False):      # the 20th working day after 03-09
        assert _published_ids(client) == [first, second, third]


def test_the_delay_is_read_from_the_policy_file(app, client, world, tmp_path):
    policy = tmp_path / "publication.yaml"
    policy.write_text('version: "t"\ninspection_results:\n  delay_working_days: 5\n', encoding="utf-8")
    app.config["PUBLICATION_POLICY"] = str(policy)
    try:
        with time_machine.travel(_at("2026-03-09"), tick=False):       # 5 working days after 03-02
            rows = json.loads(client.get("/public/inspections.json").get_data())["rows"]
            assert sorted(r["id"] for r in rows) == world.inspections[:2]
            assert {r["published_on"] for r in rows} == {"2026-03-09"}
    finally:
        del app.config["PUBLICATION_POLICY"]


def test_a_summary_counts_findings_by_severity_and_rectification(client, world):
    with time_machine.travel(_at("2026-04-07"), tick=False):
        rows = {r["id"]: r for r in json.loads(client.get("/public/inspections.json").get_data())["rows"]}
    a = rows[world.inspections[0]]
    assert (a["critical"], a["major"], a["minor"], a["closed"], a["on_time"], a["overdue"]) == (1, 1, 0, 1, 1, 1)
    assert (a["result"], a["rectification"], a["department"], a["departments"]) == \
        ("findings", "overdue", "fire", "fire")
    assert a["inspected_on"] == "2026-03-02" and a["published_on"] == "2026-03-30"
    b = rows[world.inspections[1]]
    assert (b["major"], b["closed"], b["on_time"], b["rectification"]) == (1, 1, 0, "completed")


def test_the_public_institution_page(client, world):
    with time_machine.travel(_at("2026-03-30"), tick=False):
        page = client.get(f"/public/institutions/{world.a.id}").get_data(as_text=True)
    assert "东城颐养院" in page and "2026-03-02" in page
    with time_machine.travel(_at("2026-03-30"), tick=False):
        data = json.loads(client.get(f"/api/v1/institutions/{world.a.id}").get_data())
    assert data["last_inspected_on"] == "2026-03-02"
    assert data["findings"] == {"critical": 1, "major": 1, "minor": 0}
    assert (data["closed"], data["on_time"], data["late"], data["on_time_rate"]) == (1, 1, 1, "0.5")
    with time_machine.travel(_at("2026-03-27"), tick=False):        # nothing published yet
        data = json.loads(client.get(f"/api/v1/institutions/{world.a.id}").get_data())
    assert data["last_inspected_on"] is None and data["findings"] == {"critical": 0, "major": 0, "minor": 0}
    assert client.get("/public/institutions/987654").status_code == 404


PUBLIC_URLS = ["/public/inspections/", "/public/inspections.csv", "/public/inspections.json",
               "/public/inspections.xlsx", "/public/inspections/about", "/api/v1/institutions",
               "/api/v1/grades", "/api/v1/inspection-results", "/grading/public/grades.json"]


def test_no_personal_data_reaches_a_public_page_or_file(make, client, world):
    staff = make.user("institution_staff", institution_id=world.a.id, name="赵护理员", phone="13911112222",
                      email="zhao@example.com")
    for inspection_id in world.inspections:
        _db.session.get(Inspection, inspection_id).representative_name = "王代表"
    _db.session.flush()
    personal = ["李检查员", "13800001111", "010-66668888", "王代表", "赵护理员", "13911112222",
                "zhao@example.com", staff.username, "不合格", "/evidence", "signature", "contact_phone", "phone"]
    with time_machine.travel(_at("2026-04-07"), tick=False):
        urls = PUBLIC_URLS + [f"/public/institutions/{world.a.id}", f"/api/v1/institutions/{world.a.id}",
                              f"/public/inspections/?district=东城区"]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            body = response.get_data()
            if url.endswith(".xlsx"):
                from openpyxl import load_workbook
                book = load_workbook(io.BytesIO(body))
                text = " ".join(str(c.value) for s in book for row in s.iter_rows() for c in row if c.value is not None)
            else:
                text = body.decode("utf-8")
            for word in personal:
                assert word not in text, (url, word)
        assert "东城颐养院" in client.get("/public/inspections.csv").get_data().decode("utf-8-sig")


def test_the_csv_is_the_documented_table(client, world):
    with time_machine.travel(_at("2026-04-07"), tick=False):
        response = client.get("/public/inspections.csv?district=西城区")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert 'filename="inspection-results-2026-04-07.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0][:3] == ["检查编号", "检查日期", "公开日期"]
    assert sorted(int(r[0]) for r in rows[1:]) == world.inspections[1:]


def test_the_json_carries_its_schema_and_rows_match_it(client, world):
    from jsonschema import Draft202012Validator
    with time_machine.travel(_at("2026-04-07"), tick=False):
        document = json.loads(client.get("/public/inspections.json").get_data())
    validator = Draft202012Validator(document["schema"], format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert document["rows"]
    for row in document["rows"]:
        validator.validate(row)
    assert document["licence"] and document["made_at"].startswith("2026-04-07")
