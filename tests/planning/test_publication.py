"""Public draw pages: what is shown in each state, and the published files re-run byte for byte."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from inspect_app.domain import seed_commit
from inspect_app.domain.draw import input_digest
from inspect_app.planning import runs
from inspect_app.planning.cli import draw_command
from inspect_app.planning.models import PlanRun
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
    run = db.session.get(PlanRun, frozen_run.id)
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
