"""Every entry of the beat schedule names a task the worker registers (a renamed or dropped
task would otherwise be sent every period and never run)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Built in a child process: the worker module builds its own app and Celery app from the
# environment, which must not leak into the other tests.
PROBE = """
import json
from tasks.worker import celery
from tasks.schedule import BEAT_SCHEDULE
print(json.dumps({"registered": sorted(celery.tasks),
                  "scheduled": {name: entry["task"] for name, entry in BEAT_SCHEDULE.items()},
                  "beat": sorted(celery.conf.beat_schedule)}))
"""


def test_every_beat_entry_names_a_registered_task(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env["CAREINSPECT_INSTANCE"] = str(tmp_path)
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["scheduled"], "the beat schedule is empty"
    assert found["beat"] == sorted(found["scheduled"])
    missing = {name: task for name, task in found["scheduled"].items() if task not in found["registered"]}
    assert not missing, f"beat entries naming no registered task: {missing}"
