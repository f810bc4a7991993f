"""The whole beat schedule: a few fixed sweepers. Plans and deadlines are rows the sweepers
read, so adding a plan or a deadline needs no entry here and no restart."""

BEAT_SCHEDULE = {
    # Runs pending jobs whose wake-up message was lost and revives jobs of dead workers.
    "sweep-jobs": {"task": "tasks.sweep.jobs", "schedule": 60.0},
}
