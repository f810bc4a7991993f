"""bench/run_all.py: a run of some benchmarks never replaces the day's full summary."""
from __future__ import annotations

import importlib.util
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run_all():
    spec = importlib.util.spec_from_file_location("bench_run_all", ROOT / "bench" / "run_all.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_partial_run_writes_a_summary_of_its_own(tmp_path, monkeypatch):
    run_all = _run_all()
    monkeypatch.setattr(run_all, "RESULTS", tmp_path)
    started = datetime(2026, 12, 4, 21, 0, tzinfo=timezone.utc)
    full = run_all.write_summary(started, "2 cores", "abc1234",
                                 {"startup": ([], 0, 1.0, ["SUMMARY: a | 1 s | b | 1× | t"])})
    part = run_all.write_summary(started, "2 cores", "abc1234",
                                 {"deadline_sweep": ([], 1, 2.0, ["SUMMARY: c | 2 s | d | 2× | t"])},
                                 partial=["deadline_sweep"])
    assert (full.stem, part.stem) == ("2026-12-04", "2026-12-04-deadline_sweep")
    assert full.suffix == part.suffix == ".md" and full.parent == part.parent == tmp_path
    assert "| startup | a | 1 s | b | 1× | t |" in full.read_text(encoding="utf-8")
    text = part.read_text(encoding="utf-8")
    assert "run_all.py --only deadline_sweep" in text and "| deadline_sweep | c | 2 s |" in text
    assert "startup" not in text
