from celery import shared_task

from inspect_app.core import audit_anchors, jobs as job_rows, partitions
from inspect_app.extensions import db

from .handlers import HANDLERS


@shared_task(name="tasks.sweep.jobs")
def jobs() -> int:
    """Find the work a lost message would have started."""
    return job_rows.sweep(HANDLERS)


@shared_task(name="tasks.sweep.audit_anchor")
def audit_anchor() -> dict:
    """Once per local day the audit chain's head as an anchor row (a second tick finds it),
    then every anchor not yet outside the database appended to AUDIT_ANCHOR_DIR and mailed;
    on PostgreSQL the year partitions of answers and audit rows are opened when a year begins
    (core/partitions.py)."""
    anchor = audit_anchors.write_daily_anchor()
    db.session.commit()
    made = partitions.ensure(db.session.connection())      # PostgreSQL: this year's partitions
    db.session.commit()
    exported = audit_anchors.export_to_folder()
    mailed = audit_anchors.mail_unsent()
    db.session.commit()
    return {"seq": anchor.seq if anchor else None, "exported": exported, "mailed": mailed, "partitions": made}
