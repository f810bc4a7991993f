"""Extensions, created unbound and bound to the app in ``create_app``."""
from flask import g, has_app_context
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as _FlaskSession
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, Select
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so Alembic migrations work on SQLite and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Session(_FlaskSession):
    """Flask-SQLAlchemy's session, plus one route: in a request that reads from the replica
    (``core.replica``), a plain SELECT outside a flush goes to the ``replica`` bind."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if (bind is None and isinstance(clause, Select) and clause._for_update_arg is None
                and not self._flushing and has_app_context() and g.get("read_replica")):
            replica = self._db.engines.get("replica")
            if replica is not None:
                return replica
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


db = SQLAlchemy(model_class=Base, session_options={"class_": Session})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
