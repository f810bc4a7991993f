"""The whole beat schedule: a few fixed sweepers. Plans and deadlines are rows the sweepers
read, so adding a plan or a deadline needs no entry here and no restart."""

BEAT_SCHEDULE = {
    # Runs pending jobs whose wake-up message was lost and revives jobs of dead workers (a
    # lease that ran out): with the 30 s lease, a dead worker's job is redone within a minute.
    # A sweep still queued when the next is sent is dropped (expires).
    "sweep-jobs": {"task": "tasks.sweep.jobs", "schedule": 15.0, "options": {"expires": 15.0}},
    # Rectification deadlines: reminders before, the escalation ladder after (each step once).
    "sweep-deadlines": {"task": "tasks.rectification.sweep_deadlines", "schedule": 60.0},
    # Grades: close ended 公示 periods, lapse expired grades.
    "sweep-grades": {"task": "tasks.grading.sweep_grades", "schedule": 900.0},
    # Plans: start due periods' runs (freeze, seed, draw, visits) and move unfinished runs on.
    "sweep-plans": {"task": "tasks.planning.sweep_plans", "schedule": 300.0},
    # Complaints: acceptance, handling and follow-up limits passed (each marked once).
    "sweep-complaints": {"task": "tasks.complaints.sweep_time_limits", "schedule": 900.0},
    # Care-medical agreements: expiry reminders (each once per agreement, step and end date)
    # and the registry's medical-integration and 长护险 fields brought in line with the registers.
    "sweep-agreements": {"task": "tasks.agreements.sweep_agreements", "schedule": 3600.0},
    # Rankings: this month's standings (index, on-time rate, bands) recomputed in one pass.
    "refresh-standings": {"task": "tasks.ranking.refresh_standings", "schedule": 3600.0,
                          "options": {"expires": 3600.0}},
    # Audit: once per local day an anchor of the chain's head, copied outside the database.
    "audit-anchor": {"task": "tasks.sweep.audit_anchor", "schedule": 3600.0},
}
