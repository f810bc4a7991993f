"""Words on the screen (docs/architecture.md, "Words on the screen"): one sense per msgid,
numbers and deadlines written one way, coded values in words, data marked as data."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from fractions import Fraction

import pytest

from inspect_app.core import labels
from inspect_app.core.types import LOCAL_ZONE, local_today
from inspect_app.domain.display import one_decimal
from inspect_app.domain.translatable import Message


def _in(app, lang: str):
    return app.test_request_context(f"/?lang={lang}")


@pytest.mark.parametrize("context, msgid, zh", [
    ("action", "Open", "打开"), ("finding", "Open", "待整改"),
    ("date", "Start", "开始日期"), ("page", "Start", "首页"),
    ("institution", "Closed", "已停业"), ("finding", "Closed", "已关闭"),
    ("visits", "Done", "已完成"), ("person", "Name", "姓名"),
])
def test_a_word_with_two_senses_has_a_context_per_sense(app, context, msgid, zh):
    from flask_babel import pgettext
    with _in(app, "zh"):
        assert pgettext(context, msgid) == zh


def test_the_plan_form_labels_its_start_date_as_a_date(make, login):
    html = login(make.user("bureau_admin")).get("/planning/plans/new").get_data(as_text=True)
    assert '<label for="start">开始日期</label>' in html and '<label for="start">首页</label>' not in html


@pytest.mark.parametrize("value, text", [
    (Fraction(3411713, 10000), "341.2"), (961, "961.0"), ("98.8889", "98.9"), (0.05, "0.1"),
    (Fraction(1, 3), "0.3"), (None, ""), ("", ""),
])
def test_scores_are_written_with_one_decimal_rounded_half_up(value, text):
    assert one_decimal(value) == text


def test_the_score_filter_keeps_the_exact_value_underneath(app):
    with _in(app, "zh"):
        assert str(labels.score(Fraction(3411713, 10000))) == '<data value="341.1713">341.2</data>'
        assert str(labels.percent("98.8889")) == '<data value="98.8889">98.9%</data>'
        assert labels.score(None) == "—"


def test_the_live_score_carries_the_text_the_form_shows():
    from inspect_app.checklists.catalogue import load
    from inspect_app.config import Defaults
    from inspect_app.inspections.services.filling import live_score
    checklist = load(Defaults.CHECKLIST_DIR)["fire-safety"]
    first = checklist.items[0]
    score = live_score(checklist, {first.id: "pass", checklist.items[1].id: "fail"})
    assert score["total_text"] == one_decimal(Fraction(str(score["total"])))
    assert score["percent_text"].endswith("%") and score["percent_text"][:-1] == one_decimal(score["percent"])


def _end_of(day):
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), LOCAL_ZONE).astimezone(timezone.utc)


def test_a_deadline_is_its_last_day_and_the_days_left_in_both_languages(app):
    today = local_today()
    with _in(app, "zh"):
        assert labels.deadline(_end_of(today + timedelta(days=10))) == f"{today + timedelta(days=10)}（剩余 10 天）"
        assert labels.deadline(_end_of(today)) == f"{today}（今天到期）"
        assert labels.deadline(_end_of(today - timedelta(days=3))) == f"{today - timedelta(days=3)}（已逾期 3 天）"
        assert labels.deadline(_end_of(today), remaining=False) == str(today)
    with _in(app, "en"):
        assert labels.deadline(_end_of(today + timedelta(days=1))) == f"{today + timedelta(days=1)} (1 day left)"
        assert labels.deadline(_end_of(today - timedelta(days=2))) == f"{today - timedelta(days=2)} (2 days overdue)"


def test_messages_compare_as_english_and_show_in_the_readers_language(app):
    problem = Message("%(item)s: %(problem)s", item="E2",
                      problem=Message("%(value)s is not a multiple of the step %(step)s", value="5", step="6"))
    assert problem == "E2: 5 is not a multiple of the step 6"
    with _in(app, "zh"):
        assert labels.say(problem) == "E2：5 不是步长 6 的整数倍"
    with _in(app, "en"):
        assert labels.say(problem) == "E2: 5 is not a multiple of the step 6"


def test_the_registry_history_names_fields_and_values_in_words(make, login, db):
    from inspect_app.core import audit
    bureau = make.user("bureau_admin")
    inst = make.institution()
    audit.record(bureau, "update", "institution", inst.id,
                 before={"beds": 10, "type": "nursing_home", "contact_phone": "0571-1", "version": 1},
                 after={"beds": 20, "type": "day_care", "contact_phone": "0571-2", "version": 2})
    db.session.flush()
    html = login(bureau).get(f"/institutions/{inst.id}").get_data(as_text=True)
    history = html[html.index("变更记录"):]
    assert "修改" in history and "床位数: 10 → 20" in history and "类型: 养老机构 → 日间照料中心" in history
    assert "联系电话" in history
    for raw in ("update", "beds", "contact_phone", "nursing_home", "<code>"):
        assert raw not in history


def test_english_pages_show_the_checklists_english_texts(make, login):
    html = login(make.user("bureau_admin")).get("/checklists/fire-safety?lang=en").get_data(as_text=True)
    assert "Fire-safety inspection checklist for elderly-care institutions" in html
    assert "Building fire-safety conditions" in html
    assert "养老机构消防安全检查表" not in html.split("<title>")[1].split("</title>")[0]


def test_the_open_data_csv_names_its_charset_once(client):
    response = client.get("/grading/public/grades.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_the_site_has_an_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.data[:4] == b"\x00\x00\x01\x00"
    assert 'rel="icon"' in client.get("/login").get_data(as_text=True)


def test_a_run_note_and_a_record_note_written_by_the_system_read_in_words(app):
    from inspect_app.grading.labels import event_note
    from inspect_app.planning.labels import run_note
    with _in(app, "zh"):
        assert run_note("period 2026-12") == "周期 2026-12"
        assert run_note("3 visits scheduled") == "已安排 3 次检查"
        assert event_note("公示 ended 2026-11-18") == "公示期满 2026-11-18"
        assert str(event_note("材料不全")) == '<span class="user-data">材料不全</span>'
