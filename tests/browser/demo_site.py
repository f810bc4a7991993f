"""The demo district of ``flask setup --demo`` on a live server in a process of its own (so the
server and the browser driver do not share one interpreter lock).

``python -m tests.browser.demo_site INSTANCE_DIR`` builds a fresh SQLite instance there: the real
migrations, the checklist catalogue, the demo data, then the job rows the demo left, run as a
worker would run them. It prints ``ready <port>`` once it serves, and serves until terminated.
"""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path


def build(instance: Path):
    os.environ["CAREINSPECT_INSTANCE"] = str(instance)
    from inspect_app import create_app
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'demo.db'}",
        "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False,
        "ARGON2_MEMORY_KIB": 1024, "ARGON2_TIME_COST": 1,
        "UPLOAD_DIR": str(instance / "uploads"),
        "SEND_FILE_MAX_AGE_DEFAULT": 3600,       # the browser keeps app.css and the scripts
    })
    app.extensions["job_waker"] = lambda job_id: None      # jobs run below, in this process
    with app.app_context():
        from flask_migrate import upgrade

        from inspect_app.checklists.services import sync_catalogue
        from inspect_app.demo import seed_demo
        from inspect_app.extensions import db
        upgrade(revision="heads")
        sync_catalogue()
        db.session.commit()
        seed_demo()
        db.session.commit()
        run_pending_jobs(db)
    return app


def run_pending_jobs(db) -> None:
    """What a worker does next: the job rows the demo's submissions and plans left."""
    from sqlalchemy import select

    from inspect_app.core.jobs import PENDING, Job, run_job
    from tasks.handlers import HANDLERS
    for _ in range(5):
        pending = db.session.scalars(select(Job.id).where(Job.state == PENDING).order_by(Job.id)).all()
        if not pending:
            return
        for job_id in pending:
            run_job(job_id, HANDLERS)


def main() -> None:
    from werkzeug.serving import make_server
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = build(Path(sys.argv[1]))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(f"ready {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
