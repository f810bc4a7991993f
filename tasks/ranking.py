"""Rankings' periodic refresh: this month's standings recomputed (docs/supervision-index.md)."""
from celery import shared_task

from inspect_app.extensions import db
from inspect_app.ranking import standing


@shared_task(name="tasks.ranking.refresh_standings")
def refresh_standings() -> int:
    """Idempotent: replaces the current month's standings in one transaction."""
    n = standing.refresh()
    db.session.commit()
    return n
