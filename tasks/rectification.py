from celery import shared_task

from inspect_app.extensions import db
from inspect_app.rectification import blacklist, escalation, hazards


@shared_task(name="tasks.rectification.sweep_deadlines")
def sweep_deadlines() -> int:
    """Reminders and escalations that are due; each batch commits on its own, so a crash
    loses nothing and repeats nothing (rows, never ETA tasks)."""
    done = 0
    while True:
        result = escalation.sweep_deadlines()
        db.session.commit()
        done += result.done
        if not result.more:
            break
    while True:                     # the milestones of approved major-hazard plans
        result = hazards.sweep_milestones()
        db.session.commit()
        done += result.done
        if not result.more:
            break
    # Blacklist proposals from findings whose reply window has closed (and any other source
    # a lost job left behind): at most one per source record.
    blacklist.propose_due()
    db.session.commit()
    return done
