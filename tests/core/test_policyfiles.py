"""Policy files are read once at start-up (a broken one stops the start) and re-read when
they change."""
from __future__ import annotations

import os
import time

import pytest

from inspect_app import create_app
from inspect_app.domain.rectification.ladder import PolicyError


def test_a_broken_policy_file_stops_the_start_with_its_location(tmp_path, app):
    broken = tmp_path / "supervision.yaml"
    broken.write_text("version: [unclosed\n", encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
                    "SUPERVISION_POLICY": str(broken)})
    assert "line" in str(err.value)


def test_a_changed_file_is_read_again(tmp_path, app):
    from inspect_app.core.policyfiles import PolicyFile
    path = tmp_path / "p.txt"
    path.write_text("one", encoding="utf-8")
    reads = []
    policy = PolicyFile("NO_SUCH_KEY", path, lambda p: reads.append(1) or p.read_text(encoding="utf-8"))
    assert policy.get() == "one" and policy.get() == "one" and len(reads) == 1
    path.write_text("two", encoding="utf-8")
    later = time.time() + 5
    os.utime(path, (later, later))
    assert policy.get() == "two" and len(reads) == 2


def test_a_yaml_policy_names_the_file_and_the_place_of_each_problem(tmp_path):
    from inspect_app.core.policyfiles import PolicyFile
    from inspect_app.domain.ranking import Problem, RankingPolicyError, parse_policy
    path = tmp_path / "ranking.yaml"
    policy = PolicyFile.of_yaml("NO_SUCH_KEY", path, parse_policy,
                                lambda name, where, message: RankingPolicyError(name, [Problem(where, message)]))
    with pytest.raises(RankingPolicyError) as missing:
        policy.get()
    assert f"{path}: file: cannot be read: " in str(missing.value)
    path.write_text("version: 1\nweights: [unclosed\n", encoding="utf-8")
    with pytest.raises(RankingPolicyError) as broken:
        policy.get()
    assert f"{path}: line 3: " in str(broken.value)
