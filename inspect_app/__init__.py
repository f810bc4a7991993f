"""CareInspect — supervision and inspection of elderly-care institutions.

Only :func:`create_app` builds the application; :func:`create_command_app` builds the small one
the ``flask`` command line runs a file command in (``checklist``, ``grade``, ``draw``).
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from .config import PROJECT_ROOT, Defaults, from_environment
from .runtime import check_python

# The product's one version string: recorded on each draw when it is drawn
# (PlanRun.product_version, shown on its public page) and printed by `flask draw verify`. Raise it
# on every release and tag the release commit `v<version>`, so anyone can fetch the code that drew.
__version__ = "1.0.0"


def create_app(config: dict | None = None) -> Flask:
    """Defaults → environment → explicit overrides; bind extensions; load the checklist
    catalogue (fail fast); register blueprints and commands explicitly."""
    check_python()
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    app.config.from_object(Defaults)
    app.config.update(from_environment())
    if config:
        app.config.update(config)
    app.instance_path = app.config["INSTANCE_DIR"]
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from .core import database, replica
    database.configure_engine(app)
    replica.configure(app)

    from .extensions import babel, csrf, db, login_manager, migrate
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)

    from .core import web
    babel.init_app(app, locale_selector=web.select_locale, timezone_selector=web.select_timezone)
    web.init_app(app)

    from .core import background
    background.init_app(app)

    from . import auth
    auth.init_app(app)

    from .checklists import catalogue, english_texts
    catalogue.init_app(app)
    english_texts.init_app(app)

    _register_models()
    _check_policies(app)
    _register_blueprints(app)
    _register_commands(app)
    return app


def create_command_app(name: str) -> Flask:
    """The application the ``flask`` command line needs to run the file command ``name``
    (``checklist``, ``grade`` or ``draw``: :mod:`inspect_app.file_commands`): that command
    alone, without the database, the pages or the catalogue, so that it starts at once."""
    check_python()
    from . import file_commands
    app = Flask(__name__)
    app.cli.add_command(file_commands.command(name))
    return app


def _register_models() -> None:
    """Import every model module so the metadata is complete (migrations, create_all)."""
    from .auth import models as _auth  # noqa: F401
    from .core import audit as _audit, files as _files, jobs as _jobs  # noqa: F401
    from .registry import models as _registry  # noqa: F401
    from .checklists import models as _checklists  # noqa: F401
    from .inspections import models as _inspections  # noqa: F401
    from .rectification import models as _rectification  # noqa: F401
    from .rectification import accidents as _accidents  # noqa: F401
    from .rectification import hazard_models as _hazards  # noqa: F401
    from .complaints import models as _complaints  # noqa: F401
    from .grading import models as _grading  # noqa: F401
    from .planning import models as _planning  # noqa: F401
    from .ranking import models as _ranking  # noqa: F401
    from .agreements import models as _agreements  # noqa: F401


def _check_policies(app: Flask) -> None:
    """Read the policy files once now, so a broken one stops the start with its located
    problems instead of failing the first request that needs it."""
    from .complaints import policy as complaints_policy
    from .agreements import policy as agreements_policy
    from .grading import policy as grading_policy
    from .overview import policy as publication_policy
    from .ranking import policy as ranking_policy
    from .rectification import policy as supervision_policy
    from .rectification import blacklist as blacklist_policy
    from .rectification import hazards as hazard_policy
    from .core import workcalendar
    from .inspections import policy as enforcement_policy
    from .checklists import scope as checklist_scope
    with app.app_context():
        checklist_scope.check_against_catalogue()
        enforcement_policy.current()
        supervision_policy.current()
        hazard_policy.rule()                 # its major_hazard section
        blacklist_policy.current()
        publication_policy.current()
        ranking_policy.current()
        complaints_policy.current()
        grading_policy.history()
        agreements_policy.current()
        workcalendar.calendar()


def _register_blueprints(app: Flask) -> None:
    from .agreements.views import bp as agreements_bp
    from .auth.views import bp as auth_bp
    from .checklists.views import bp as checklists_bp
    from .complaints.views import bp as complaints_bp
    from .grading.views import bp as grading_bp
    from .home.views import bp as home_bp
    from .inspections.views import bp as inspections_bp
    from .overview import api
    from .overview.views import bp as overview_bp
    from .planning.views import bp as planning_bp
    from .ranking.views import bp as ranking_bp
    from .rectification.views import bp as rectification_bp
    from .rectification.hazard_views import bp as hazards_bp
    from .registry.views import bp as registry_bp
    from .users.views import bp as users_bp

    for bp in (home_bp, auth_bp, registry_bp, users_bp, checklists_bp, inspections_bp,
               rectification_bp, hazards_bp, complaints_bp, grading_bp, planning_bp, agreements_bp, ranking_bp,
               overview_bp, api.bp):
        app.register_blueprint(bp)
    api.init_app(app)

    from flask_login import current_user

    from .rectification.messages import unread_count
    app.jinja_env.globals["unread_messages"] = lambda: unread_count(current_user)


def _register_commands(app: Flask) -> None:
    from . import commands
    commands.register(app)
