"""Public draw pages: what is shown in each state, and the published files re-run byte for byte."""
from __future__ import annotations


import hashlib
import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from inspect_app.domain.draw import seed_commit
from inspect_app.domain.draw.run import input_digest
from inspect_app.planning import runs
from inspect_app.planning.cli import draw_command
from inspect_app.planning.models import DRAWN, PUBLISHED, PlanRun
from tests.planning.conftest import make_plan

NOW = datetime(2026, 10, 9, 2, 0, tzinfo=timezone.utc)
LATER = NOW + timedelta(days=3)


@pytest.fixture
def frozen_run(db, make, district):
    plan = make_plan(db, make.user("bureau_admin"), districts=["测试区"], name="公开抽查计划")
    runs.run_due_plans(NOW)
    return db.session.scalar(select(PlanRun).where(PlanRun.plan_id == plan.id))


def test_a_frozen_draw_shows_its_digest_and_commitment_but_not_its_secret(client, frozen_run):
    listing = client.get("/planning/draws").get_data(as_text=True)
    assert "公开抽查计划" in listing and frozen_run.list_digest in listing
    page = client.get(f"/planning/draws/{frozen_run.id}").get_data(as_text=True)
    assert frozen_run.commitment in page and frozen_run.list_digest in page
    assert frozen_run.secret not in page
    lists = client.get(f"/planning/draws/{frozen_run.id}/lists.json")
    assert lists.status_code == 200
    assert input_digest(json.loads(lists.data)) == frozen_run.list_digest
    assert client.get(f"/planning/draws/{frozen_run.id}/input.json").status_code == 404
    assert client.get(f"/planning/draws/{frozen_run.id}/output.json").status_code == 404


def test_published_files_reproduce_the_draw_through_the_cli(db, make, client, frozen_run, tmp_path):
    runs.enter_beacon(make.user("bureau_admin"), frozen_run.id, "3312.58", now=LATER)
    runs.run_due_plans(LATER)
    runs.advance_run(frozen_run.id, AFTER_PERIOD)
    run = db.session.get(PlanRun, frozen_run.id)
    assert run.state == PUBLISHED
    page = client.get(f"/planning/draws/{run.id}").get_data(as_text=True)
    assert run.secret in page and run.seed in page and "3312.58" in page
    input_bytes = client.get(f"/planning/draws/{run.id}/input.json").data
    output_bytes = client.get(f"/planning/draws/{run.id}/output.json").data
    lists = json.loads(client.get(f"/planning/draws/{run.id}/lists.json").data)
    # what a citizen checks: lists unchanged since the freeze, the seed honest, the result re-run
    document = json.loads(input_bytes)
    seed = document.pop("seed")
    assert document == lists and input_digest(document) == run.list_digest
    assert seed_commit.verify(run.list_digest, run.commitment, run.secret, run.beacon_value, seed) == []
    path = tmp_path / "draw-input.json"
    path.write_bytes(input_bytes)
    result = CliRunner().invoke(draw_command, ["--input", str(path)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == output_bytes
    assert hashlib.sha256(output_bytes).hexdigest() == run.output_digest
    assert json.loads(output_bytes)["digest"] == run.input_digest


def test_an_unknown_draw_or_file_is_not_found(client, frozen_run):
    assert client.get("/planning/draws/999999").status_code == 404
    assert client.get(f"/planning/draws/{frozen_run.id}/secret.json").status_code == 404


def test_routine_runs_are_not_listed_as_draws(db, make, client):
    plan = make_plan(db, None, name="严重隐患复查计划", kind="routine", rule="critical_followup", period="daily")
    runs.run_due_plans(NOW)
    run = db.session.scalar(select(PlanRun).where(PlanRun.plan_id == plan.id))
    assert run is not None
    assert client.get(f"/planning/draws/{run.id}").status_code == 404
    assert "严重隐患复查计划" not in client.get("/planning/draws").get_data(as_text=True)


# ----------------------------------------------------------------------------- targets after visits

AFTER_PERIOD = datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc)    # 2027-01-01 00:00 in Shanghai: 2026-Q4 is over


def _drawn(db, make, frozen_run):
    runs.enter_beacon(make.user("bureau_admin"), frozen_run.id, "3312.58", now=LATER)
    runs.run_due_plans(LATER)
    return db.session.get(PlanRun, frozen_run.id)


def _drawn_institutions(run):
    facts = run.frozen["institutions"]
    return [(code, facts[code]["name"]) for code in (s["institution"] for s in json.loads(run.output_json)["selected"])]


def _record_visit(db, run, code):
    """The visit of one drawn institution gets its first submitted record (one department's part)."""
    from inspect_app.inspections.models import Visit
    visit = db.session.scalar(select(Visit).where(Visit.source == run.source_key,
                                                  Visit.institution_id == run.frozen["institutions"][code]["id"]))
    part = visit.inspections[0]
    part.status, part.submitted_at = "submitted", LATER + timedelta(days=1)
    db.session.flush()


def test_drawn_targets_stay_off_the_public_page_until_their_visit_is_recorded(db, make, client, frozen_run):
    run = _drawn(db, make, frozen_run)
    assert run.state == DRAWN and run.visit_count == 5
    drawn = _drawn_institutions(run)
    page = client.get(f"/planning/draws/{run.id}").get_data(as_text=True)
    # the commitments are public from the start, the targets are not
    assert run.list_digest in page and run.commitment in page and run.output_digest in page
    assert not [name for code, name in drawn if name in page or code in page]
    assert run.secret not in page and run.seed not in page
    for name in ("input", "output"):
        assert client.get(f"/planning/draws/{run.id}/{name}.json").status_code == 404
    assert client.get(f"/planning/draws/{run.id}/lists.json").status_code == 200
    # one visit recorded: that institution (only) appears
    (first_code, first_name), *others = drawn
    _record_visit(db, run, first_code)
    page = client.get(f"/planning/draws/{run.id}").get_data(as_text=True)
    assert first_name in page and first_code in page
    assert not [name for code, name in others if name in page or code in page]
    assert run.seed not in page
    runs.run_due_plans(LATER + timedelta(days=2))             # the other visits are still to come
    assert db.session.get(PlanRun, run.id).state == DRAWN


def test_a_draw_is_published_once_every_visit_is_recorded(db, make, client, frozen_run):
    run = _drawn(db, make, frozen_run)
    for code, _name in _drawn_institutions(run):
        _record_visit(db, run, code)
    runs.run_due_plans(LATER + timedelta(days=2))
    run = db.session.get(PlanRun, run.id)
    assert run.state == PUBLISHED
    page = client.get(f"/planning/draws/{run.id}").get_data(as_text=True)
    assert run.seed in page and all(name in page for _code, name in _drawn_institutions(run))


def test_a_draw_is_published_when_its_period_ends_even_with_visits_outstanding(db, make, client, frozen_run):
    run = _drawn(db, make, frozen_run)
    runs.advance_run(run.id, AFTER_PERIOD - timedelta(minutes=1))    # 2026-12-31 23:59 in Shanghai
    assert db.session.get(PlanRun, run.id).state == DRAWN
    runs.advance_run(run.id, AFTER_PERIOD)
    run = db.session.get(PlanRun, run.id)
    assert run.state == PUBLISHED and run.published_at == AFTER_PERIOD
    page = client.get(f"/planning/draws/{run.id}").get_data(as_text=True)
    assert all(name in page for _code, name in _drawn_institutions(run))
    assert client.get(f"/planning/draws/{run.id}/output.json").status_code == 200


# ----------------------------------------------------------------------------- notice, guide, version

def test_the_freeze_notice_names_the_value_and_the_day_it_expects(client, frozen_run):
    def text(url):      # the words as read: the source's name is marked as data (a span)
        return re.sub(r"<[^>]+>", "", client.get(url).get_data(as_text=True))
    page = text(f"/planning/draws/{frozen_run.id}")     # Chinese by default
    assert "种子将取 2026-10-10 的上海证券交易所上证综合指数当日收盘点位" in page
    page = text(f"/planning/draws/{frozen_run.id}?lang=en")
    assert ("The seed will take 上海证券交易所上证综合指数当日收盘点位 of 2026-10-10, a value published only "
            "after the lists were frozen on 2026-10-09; a value of that day or earlier is refused.") in page


def test_the_guide_is_public_and_every_draw_links_it_naming_the_version_that_drew(db, make, client, frozen_run):
    from inspect_app import __version__
    guide = client.get("/planning/draws/verification")
    assert guide.status_code == 200
    text = guide.get_data(as_text=True)
    assert "flask --app wsgi draw verify" in text and "双随机" in text
    assert "flask --app wsgi draw verify" in client.get("/planning/draws/verification?lang=en").get_data(as_text=True)
    listing = client.get("/planning/draws").get_data(as_text=True)
    assert 'href="/planning/draws/verification"' in listing
    page = client.get(f"/planning/draws/{frozen_run.id}").get_data(as_text=True)
    assert 'href="/planning/draws/verification"' in page
    run = _drawn(db, make, frozen_run)
    assert run.product_version == __version__
    page = client.get(f"/planning/draws/{run.id}").get_data(as_text=True)
    assert f"CareInspect {__version__}" in page


def test_the_page_gives_the_one_command_that_checks_the_published_files(db, make, client, frozen_run, tmp_path):
    run = _drawn(db, make, frozen_run)
    runs.advance_run(run.id, AFTER_PERIOD)
    run = db.session.get(PlanRun, run.id)
    page = client.get(f"/planning/draws/{run.id}").get_data(as_text=True)
    import html
    import re
    import shlex
    [command] = re.findall(r'<code class="verify-command">([^<]+)</code>', page)
    words = shlex.split(html.unescape(command))
    assert words[:5] == ["flask", "--app", "wsgi", "draw", "verify"]
    for name in ("lists", "input", "output"):                # saved under the names the page gives them
        response = client.get(f"/planning/draws/{run.id}/{name}.json")
        filename = response.headers["Content-Disposition"].split("filename=")[1]
        (tmp_path / filename).write_bytes(response.data)
    files = [str(tmp_path / w) if w.endswith(".json") else w for w in words[4:]]
    result = CliRunner().invoke(draw_command, files, prog_name="flask draw")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("PASS") == 7 and "FAIL" not in result.stdout
